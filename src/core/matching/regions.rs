//! Region and country names versus codes: US states and territories (USPS codes), Canadian
//! provinces, and a short list of country names with their ISO 3166-1 alpha-2 codes.

use once_cell::sync::Lazy;
use std::collections::HashMap;

const US_STATES: &[(&str, &str)] = &[
    ("al", "alabama"),
    ("ak", "alaska"),
    ("az", "arizona"),
    ("ar", "arkansas"),
    ("ca", "california"),
    ("co", "colorado"),
    ("ct", "connecticut"),
    ("de", "delaware"),
    ("dc", "district of columbia"),
    ("fl", "florida"),
    ("ga", "georgia"),
    ("hi", "hawaii"),
    ("id", "idaho"),
    ("il", "illinois"),
    ("in", "indiana"),
    ("ia", "iowa"),
    ("ks", "kansas"),
    ("ky", "kentucky"),
    ("la", "louisiana"),
    ("me", "maine"),
    ("md", "maryland"),
    ("ma", "massachusetts"),
    ("mi", "michigan"),
    ("mn", "minnesota"),
    ("ms", "mississippi"),
    ("mo", "missouri"),
    ("mt", "montana"),
    ("ne", "nebraska"),
    ("nv", "nevada"),
    ("nh", "new hampshire"),
    ("nj", "new jersey"),
    ("nm", "new mexico"),
    ("ny", "new york"),
    ("nc", "north carolina"),
    ("nd", "north dakota"),
    ("oh", "ohio"),
    ("ok", "oklahoma"),
    ("or", "oregon"),
    ("pa", "pennsylvania"),
    ("ri", "rhode island"),
    ("sc", "south carolina"),
    ("sd", "south dakota"),
    ("tn", "tennessee"),
    ("tx", "texas"),
    ("ut", "utah"),
    ("vt", "vermont"),
    ("va", "virginia"),
    ("wa", "washington"),
    ("wv", "west virginia"),
    ("wi", "wisconsin"),
    ("wy", "wyoming"),
    ("as", "american samoa"),
    ("gu", "guam"),
    ("mp", "northern mariana islands"),
    ("pr", "puerto rico"),
    ("vi", "us virgin islands"),
    // Canadian provinces and territories (Canada Post codes; none collides with a state).
    ("ab", "alberta"),
    ("bc", "british columbia"),
    ("mb", "manitoba"),
    ("nb", "new brunswick"),
    ("nl", "newfoundland and labrador"),
    ("ns", "nova scotia"),
    ("nt", "northwest territories"),
    ("nu", "nunavut"),
    ("on", "ontario"),
    ("pe", "prince edward island"),
    ("qc", "quebec"),
    ("sk", "saskatchewan"),
    ("yt", "yukon"),
];

const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "us",
        &[
            "usa",
            "united states",
            "united states of america",
            "america",
            "u s a",
            "u s",
        ],
    ),
    ("ca", &["can", "canada"]),
    (
        "gb",
        &[
            "gbr",
            "uk",
            "u k",
            "united kingdom",
            "great britain",
            "england",
            "scotland",
            "wales",
        ],
    ),
    ("ie", &["irl", "ireland"]),
    ("pl", &["pol", "poland", "polska"]),
    ("de", &["deu", "germany", "deutschland"]),
    ("fr", &["fra", "france"]),
    ("es", &["esp", "spain", "espana"]),
    ("it", &["ita", "italy", "italia"]),
    ("nl", &["nld", "netherlands", "the netherlands", "holland"]),
    ("mx", &["mex", "mexico"]),
    ("br", &["bra", "brazil", "brasil"]),
    ("au", &["aus", "australia"]),
    ("nz", &["nzl", "new zealand"]),
    ("in", &["ind", "india"]),
    ("jp", &["jpn", "japan"]),
    ("cn", &["chn", "china"]),
];

/// Every region code and name → its code.
static REGIONS: Lazy<HashMap<&'static str, &'static str>> = Lazy::new(|| {
    let mut m = HashMap::new();
    for (code, name) in US_STATES {
        m.insert(*code, *code);
        m.insert(*name, *code);
    }
    m
});

/// Every country code and other name of the short list → its alpha-2 code.
static COUNTRY_NAMES: Lazy<HashMap<&'static str, &'static str>> = Lazy::new(|| {
    let mut m = HashMap::new();
    for (code, names) in COUNTRIES {
        m.insert(*code, *code);
        for n in *names {
            m.insert(*n, *code);
        }
    }
    m
});

/// A folded region in canonical form: the two-letter code when the name is known.
pub fn canonical_region(folded: String) -> String {
    match REGIONS.get(folded.as_str()) {
        Some(c) if *c != folded => (*c).to_string(),
        _ => folded,
    }
}

/// True when the folded word is a US state or Canadian province code.
pub fn is_region_code(folded: &str) -> bool {
    REGIONS.get(folded) == Some(&folded)
}

/// A folded country in canonical form: the ISO alpha-2 code when the name or code is known
/// (the short list of common other names first, then `data::country`'s ISO 3166 table).
pub fn canonical_country(folded: String) -> String {
    let known = COUNTRY_NAMES
        .get(folded.as_str())
        .copied()
        .or_else(|| super::data::country(&folded));
    match known {
        Some(c) if c != folded => c.to_string(),
        _ => folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical() {
        assert_eq!(canonical_region("massachusetts".into()), "ma");
        assert_eq!(canonical_region("ma".into()), "ma");
        assert_eq!(canonical_region("district of columbia".into()), "dc");
        assert_eq!(canonical_region("bavaria".into()), "bavaria");
        assert_eq!(canonical_country("united states".into()), "us");
        assert_eq!(canonical_country("u s a".into()), "us");
        assert_eq!(canonical_country("poland".into()), "pl");
        assert_eq!(canonical_country("switzerland".into()), "ch");
        assert_eq!(canonical_country("che".into()), "ch");
        assert_eq!(US_STATES.len(), 56 + 13);
    }
}
