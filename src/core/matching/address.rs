//! Address normalisation and scoring.
//!
//! Parts compared when both sides have them, with weights: street 55 (`street::compare`),
//! city 15 (folded, "St." / "Saint", "Mt" / "Mount", "Ft" / "Fort" alike; a small typo
//! 0.85), region 10 (US state and Canadian province names = codes), postal code 20, country
//! 5 (ISO 3166 names = alpha-2 = alpha-3 codes, `data::country`). The score is the weighted
//! mean of the parts both sides have, × 100; with no part in common the address is not
//! comparable (`None`). A different house number, postal code or country caps it at 30:
//! another address; a different city name (a neighbourhood's?) caps it at 79: a partial
//! match. Fewer parts than a street and a postal code or city compared (a claim of only a
//! country, a city, a region or a postal code) cap it at 79 too: not an address.
//!
//! The street is parsed with its country's street-type language (`data::country_lang`).
//! Postal codes are folded to letters and digits; a country prefix before digits ("D-80331")
//! is dropped; two US-style ZIPs (5 or 9 digits, "94110" / "94110-1234") compare their
//! first 5 digits. `postal_code_match` is true only when both sides have a postal code and
//! they match.

use super::data::country_lang;
use super::regions::{canonical_country, canonical_region, is_region_code};
use super::street::{self, Street};
use super::text::{fold, words_alike, MAX_VALUE_LEN};
use super::AddressScore;

/// The parts of an address as the claim or an owner gives them (raw text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// An address folded once.
#[derive(Debug, Clone)]
pub struct PreparedAddress {
    street: Option<Street>,
    city: Option<String>,
    region: Option<String>,
    postal: Option<String>,
    country: Option<String>,
}

fn part(raw: Option<&str>) -> Option<String> {
    raw.filter(|s| s.len() <= MAX_VALUE_LEN)
        .map(fold)
        .filter(|s| !s.is_empty())
}

/// An address's parts as text, borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Parts<'a> {
    pub(super) street: Option<&'a str>,
    pub(super) city: Option<&'a str>,
    pub(super) region: Option<&'a str>,
    pub(super) postal_code: Option<&'a str>,
    pub(super) country: Option<&'a str>,
}

impl RawAddress {
    pub(super) fn parts(&self) -> Parts<'_> {
        Parts {
            street: self.street.as_deref(),
            city: self.city.as_deref(),
            region: self.region.as_deref(),
            postal_code: self.postal_code.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

/// A whole address typed into `street` ("12 Oak St, Springfield, IL 62701") when no other
/// part but the country is given: the parts after the first comma read as city, region
/// (a US state or Canadian province), postal code (the part's last word when it has a digit)
/// and country.
fn split_street(raw: Parts) -> Option<RawAddress> {
    let street = raw.street?;
    if raw.city.is_some() || raw.region.is_some() || raw.postal_code.is_some() {
        return None;
    }
    let mut parts = street.split(',').map(str::trim).filter(|p| !p.is_empty());
    let first = parts.next()?;
    let mut out = RawAddress {
        street: Some(first.to_string()),
        country: raw.country.map(str::to_string),
        ..RawAddress::default()
    };
    let mut any = false;
    for p in parts {
        let folded = fold(p);
        if out.country.is_none() && super::data::country(&folded).is_some() {
            out.country = Some(p.to_string());
            any = true;
            continue;
        }
        let mut words: Vec<&str> = p.split_whitespace().collect();
        let has_digit = |w: &&str| w.bytes().any(|b| b.is_ascii_digit());
        if out.postal_code.is_none() && words.last().is_some_and(has_digit) {
            out.postal_code = words.pop().map(str::to_string);
        }
        if out.region.is_none() && !words.is_empty() {
            let last = fold(words[words.len() - 1]);
            if is_region_code(&last) {
                out.region = words.pop().map(str::to_string);
            }
        }
        if out.city.is_none() && !words.is_empty() {
            out.city = Some(words.join(" "));
        }
        any = true;
    }
    any.then_some(out)
}

/// Prepares an address; `None` when no part has a usable value.
#[cfg(test)]
pub fn prepare(raw: &RawAddress) -> Option<PreparedAddress> {
    prepare_text(raw.parts())
}

/// Prepares an address from its parts; `None` when no part has a usable value.
pub(super) fn prepare_text(raw: Parts) -> Option<PreparedAddress> {
    if let Some(split) = split_street(raw) {
        return prepare_parts(split.parts());
    }
    prepare_parts(raw)
}

fn prepare_parts(raw: Parts) -> Option<PreparedAddress> {
    let country = part(raw.country).map(canonical_country);
    let lang = country.as_deref().and_then(country_lang);
    let street = raw
        .street
        .filter(|s| s.len() <= MAX_VALUE_LEN)
        .map(|s| street::parse(s, lang))
        .filter(|s| s.number.is_some() || !s.name.is_empty());
    let postal = part(raw.postal_code).map(canonical_postal);
    let p = PreparedAddress {
        street,
        city: part(raw.city).map(canonical_city),
        region: part(raw.region).map(canonical_region),
        postal,
        country,
    };
    let any = p.street.is_some()
        || p.city.is_some()
        || p.region.is_some()
        || p.postal.is_some()
        || p.country.is_some();
    any.then_some(p)
}

/// A folded city with "saint", "sainte", "mount", "fort" in their short forms.
fn canonical_city(folded: String) -> String {
    let short = |w| match w {
        "saint" => "st",
        "sainte" => "ste",
        "mount" => "mt",
        "fort" => "ft",
        w => w,
    };
    if folded.split(' ').all(|w| short(w) == w) {
        return folded;
    }
    folded.split(' ').map(short).collect::<Vec<_>>().join(" ")
}

/// A folded postal code without spaces, and without a country prefix before digits
/// ("d 80331" → "80331", "ch-8001" → "8001").
fn canonical_postal(folded: String) -> String {
    if !folded.contains(' ') {
        return folded; // no space: no prefix set apart either
    }
    let p = folded.replace(' ', "");
    let letters = p.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = &p[letters..];
    if (1..=2).contains(&letters)
        && digits.len() >= 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && folded.as_bytes().get(letters) == Some(&b' ')
    {
        digits.to_string()
    } else {
        p
    }
}

/// A country as written (name or code) in canonical form (`"us"`, `"gb"`), for the phone
/// region.
pub fn country_code(raw: Option<&str>) -> Option<String> {
    part(raw).map(canonical_country)
}

fn zip5(p: &str) -> Option<&str> {
    let all_digits = p.bytes().all(|b| b.is_ascii_digit());
    (all_digits && (p.len() == 5 || p.len() == 9)).then(|| &p[..5])
}

fn postal_match(a: &str, b: &str) -> bool {
    match (zip5(a), zip5(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Scores a claimed address against one owner address; `None` when they have no part in
/// common to compare (the claim gives only a street, the owner only a city).
pub fn score(claim: &PreparedAddress, owner: &PreparedAddress) -> Option<AddressScore> {
    let mut total = 0.0;
    let mut weight = 0.0;
    let mut cap = 100.0_f64;
    let mut add = |w: f64, s: f64| {
        total += w * s;
        weight += w;
    };
    let street_and_place = claim.street.is_some()
        && owner.street.is_some()
        && ((claim.postal.is_some() && owner.postal.is_some())
            || (claim.city.is_some() && owner.city.is_some()));
    if !street_and_place {
        cap = 79.0; // not an address: a partial match at most
    }
    if let (Some(a), Some(b)) = (&claim.street, &owner.street) {
        match street::compare(a, b) {
            Some(s) => add(55.0, s),
            None => {
                add(55.0, 0.0);
                cap = 30.0;
            }
        }
    }
    if let (Some(a), Some(b)) = (&claim.city, &owner.city) {
        let s = if a == b {
            1.0
        } else if words_alike(a, b) {
            0.85
        } else {
            0.0
        };
        add(15.0, s);
        if s == 0.0 {
            cap = cap.min(79.0); // same postal code, another city name: a partial match
        }
    }
    if let (Some(a), Some(b)) = (&claim.region, &owner.region) {
        add(10.0, if a == b { 1.0 } else { 0.0 });
    }
    let mut postal_code_match = false;
    if let (Some(a), Some(b)) = (&claim.postal, &owner.postal) {
        postal_code_match = postal_match(a, b);
        add(20.0, if postal_code_match { 1.0 } else { 0.0 });
        if !postal_code_match {
            cap = cap.min(30.0);
        }
    }
    if let (Some(a), Some(b)) = (&claim.country, &owner.country) {
        add(5.0, if a == b { 1.0 } else { 0.0 });
        if a != b {
            cap = cap.min(30.0);
        }
    }
    (weight > 0.0).then(|| AddressScore {
        score: (100.0 * total / weight).min(cap).round().clamp(0.0, 100.0) as u8,
        postal_code_match,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(street: &str, city: &str, region: &str, postal: &str) -> RawAddress {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        RawAddress {
            street: some(street),
            city: some(city),
            region: some(region),
            postal_code: some(postal),
            country: None,
        }
    }

    #[test]
    fn whole_address_in_street() {
        let claim = prepare(&addr("12 Oak St, Springfield, IL 62701", "", "", "")).unwrap();
        let owner = prepare(&addr("12 Oak Street", "Springfield", "Illinois", "62701")).unwrap();
        assert_eq!(score(&claim, &owner).unwrap().score, 100);
    }

    #[test]
    fn partial_claims_stay_under_80() {
        let owner = prepare(&addr("12 Oak St", "Springfield", "IL", "62701")).unwrap();
        for claim in [addr("", "Springfield", "IL", ""), addr("", "", "", "62701")] {
            let claim = prepare(&claim).unwrap();
            assert_eq!(score(&claim, &owner).unwrap().score, 79);
        }
        let claim = prepare(&addr("12 Oak St", "", "", "62701")).unwrap();
        assert_eq!(score(&claim, &owner).unwrap().score, 100);
    }
}
