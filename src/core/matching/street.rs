//! Street lines: USPS street-suffix, directional and unit abbreviations, and the split into
//! house number, street name and unit.
//!
//! "1234 Valencia Street, Apartment 5", "1234 VALENCIA ST #5" and "Apt 5, 1234 Valencia St."
//! all become number `1234`, name `valencia st`, unit `5`. A line without a leading number
//! takes a trailing one ("ul. Floriańska 14"). Words are folded first (`text::fold`).

use super::text::{is_typo, similarity, tokens};

/// USPS Publication 28 standard abbreviations (the common ones), plus "saint" → "st" so
/// "Saint Marks Pl" = "St. Marks Pl", the Polish "ulica" → "ul", and ordinal words
/// ("Fifth" → "5th").
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("street", "st"),
    ("str", "st"),
    ("saint", "st"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("aven", "ave"),
    ("road", "rd"),
    ("boulevard", "blvd"),
    ("boul", "blvd"),
    ("drive", "dr"),
    ("drv", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("terrace", "ter"),
    ("parkway", "pkwy"),
    ("pky", "pkwy"),
    ("highway", "hwy"),
    ("circle", "cir"),
    ("square", "sq"),
    ("trail", "trl"),
    ("alley", "aly"),
    ("crescent", "cres"),
    ("expressway", "expy"),
    ("freeway", "fwy"),
    ("heights", "hts"),
    ("plaza", "plz"),
    ("point", "pt"),
    ("ridge", "rdg"),
    ("route", "rte"),
    ("turnpike", "tpke"),
    ("center", "ctr"),
    ("centre", "ctr"),
    ("cove", "cv"),
    ("crossing", "xing"),
    ("grove", "grv"),
    ("hill", "hl"),
    ("mount", "mt"),
    ("mountain", "mtn"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("southeast", "se"),
    ("southwest", "sw"),
    ("ulica", "ul"),
    ("first", "1st"),
    ("second", "2nd"),
    ("third", "3rd"),
    ("fourth", "4th"),
    ("fifth", "5th"),
    ("sixth", "6th"),
    ("seventh", "7th"),
    ("eighth", "8th"),
    ("ninth", "9th"),
    ("tenth", "10th"),
];

/// Street-type words, dropped when one side omits them ("77 Beacon" / "77 Beacon St").
const TYPES: &[&str] = &[
    "st", "ave", "rd", "blvd", "dr", "ln", "ct", "pl", "ter", "pkwy", "hwy", "cir", "sq", "trl",
    "aly", "cres", "expy", "fwy", "plz", "way", "ul",
];

/// Directionals: ignored when one side omits them, a different street when both differ.
const DIRECTIONALS: &[&str] = &["n", "s", "e", "w", "ne", "nw", "se", "sw"];

/// Unit designators: the next word is the unit ("Apt 5", "Suite 200", "# 5").
const UNITS: &[&str] = &[
    "apartment",
    "apt",
    "unit",
    "suite",
    "ste",
    "room",
    "rm",
    "floor",
    "fl",
    "flat",
    "building",
    "bldg",
    "lot",
    "space",
    "spc",
    "trailer",
    "trlr",
    "department",
    "dept",
    "hash",
];

/// A street line split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Street {
    pub number: Option<String>,
    pub name: Vec<String>,
    pub unit: Vec<String>,
}

fn canonical(t: String) -> String {
    ABBREVIATIONS
        .iter()
        .find(|(long, _)| *long == t)
        .map_or(t, |(_, short)| (*short).to_string())
}

fn is_number(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit())
}

/// Splits a raw street line.
pub fn parse(raw: &str) -> Street {
    let raw = raw.replace('#', " hash ");
    let toks: Vec<String> = tokens(&raw).into_iter().map(canonical).collect();
    let mut rest = Vec::with_capacity(toks.len());
    let mut unit = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if UNITS.contains(&toks[i].as_str()) {
            if let Some(next) = toks.get(i + 1) {
                if !UNITS.contains(&next.as_str()) {
                    unit.push(next.clone());
                    i += 2;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        rest.push(toks[i].clone());
        i += 1;
    }
    let number = if rest.first().is_some_and(|t| is_number(t)) {
        Some(rest.remove(0))
    } else if rest.len() > 1 && rest.last().is_some_and(|t| is_number(t)) {
        rest.pop()
    } else {
        None
    };
    Street {
        number,
        name: rest,
        unit,
    }
}

/// How much two street names agree: 1.0 equal, 0.9 equal once street types and
/// directionals are ignored (unless both give different directionals: 0), 0.85 a small
/// typo, else 0.
fn name_sim(a: &[String], b: &[String]) -> f64 {
    if a == b {
        return 1.0;
    }
    let dirs = |x: &[String]| -> Vec<String> {
        x.iter()
            .filter(|t| DIRECTIONALS.contains(&t.as_str()))
            .cloned()
            .collect()
    };
    let (da, db) = (dirs(a), dirs(b));
    if !da.is_empty() && !db.is_empty() && da != db {
        return 0.0;
    }
    let core = |x: &[String]| -> Vec<String> {
        x.iter()
            .filter(|t| !TYPES.contains(&t.as_str()) && !DIRECTIONALS.contains(&t.as_str()))
            .cloned()
            .collect()
    };
    let (ca, cb) = (core(a), core(b));
    if !ca.is_empty() && ca == cb {
        return 0.9;
    }
    let typo = ca.len() == cb.len()
        && ca
            .iter()
            .zip(&cb)
            .filter(|(x, y)| x != y)
            .all(|(x, y)| is_typo(x, y));
    if typo && !ca.is_empty() {
        return 0.85;
    }
    if !ca.is_empty() && similarity(&ca.concat(), &cb.concat()) >= 0.97 {
        return 0.85; // "Mac Arthur" / "MacArthur"
    }
    0.0
}

/// Compares two street lines: `None` when the house numbers differ (another address), else
/// the similarity 0.0..=1.0. Units: both given and different caps it at 0.6 (same building,
/// another unit); one side only multiplies by 0.95. A number on one side only: × 0.9.
pub fn compare(a: &Street, b: &Street) -> Option<f64> {
    let mut s = match (&a.number, &b.number) {
        (Some(x), Some(y)) if x != y => return None,
        (Some(_), Some(_)) | (None, None) => 1.0,
        _ => 0.9,
    };
    s *= name_sim(&a.name, &b.name);
    match (a.unit.is_empty(), b.unit.is_empty()) {
        (false, false) if a.unit != b.unit => s = s.min(0.6),
        (true, false) | (false, true) => s *= 0.95,
        _ => {}
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(n: Option<&str>, name: &[&str], unit: &[&str]) -> Street {
        Street {
            number: n.map(str::to_string),
            name: name.iter().map(|s| s.to_string()).collect(),
            unit: unit.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn parses() {
        let want = st(Some("1234"), &["valencia", "st"], &["5"]);
        assert_eq!(parse("1234 Valencia Street, Apartment 5"), want);
        assert_eq!(parse("1234 VALENCIA ST #5"), want);
        assert_eq!(parse("Apt 5, 1234 Valencia St."), want);
        assert_eq!(parse("1234 Valencia St Unit 5"), want);
        assert_eq!(
            parse("ul. Floriańska 14"),
            st(Some("14"), &["ul", "florianska"], &[])
        );
        assert_eq!(
            parse("100 North Main Street"),
            st(Some("100"), &["n", "main", "st"], &[])
        );
    }
}
