//! The owner match's shipped tables (`data/`, sources and licences in `data/DATA-NOTICE.md`,
//! derived by `data/make_tables.py`), each parsed once on first use:
//!
//! - `given_names_sex.csv`: US Social Security Administration births per given name and sex
//!   (public domain): which names are common, and their predominant sex.
//! - `titles.csv`: personal titles (nameparser ∩ libpostal `personal_titles`).
//! - `legal_forms.csv`: business legal forms by type (PyPI `cleanco`, MIT).
//! - `usps_street_suffixes.csv`, `usps_unit_designators.csv`: USPS Publication 28 (public
//!   domain) street suffixes and secondary unit designators with their standard forms.
//! - `libpostal_street_types.csv`: German, French and Spanish street types with their
//!   abbreviations (libpostal, MIT).
//! - `countries.csv`: ISO 3166-1 alpha-2 and alpha-3 codes with English names
//!   (datasets/country-codes, PDDL).
//!
//! Every key is folded (`text::fold`) so lookups take folded text.

use super::text::fold;
use once_cell::sync::Lazy;
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the tables' keys are short words, looked up several times per value; SipHash's
/// protection against chosen keys is not needed for tables fixed at build time.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<Fnv>>;

const GIVEN_NAMES: &str = include_str!("data/given_names_sex.csv");
const TITLES_CSV: &str = include_str!("data/titles.csv");
const LEGAL_FORMS_CSV: &str = include_str!("data/legal_forms.csv");
const USPS_SUFFIXES_CSV: &str = include_str!("data/usps_street_suffixes.csv");
const USPS_UNITS_CSV: &str = include_str!("data/usps_unit_designators.csv");
const LIBPOSTAL_CSV: &str = include_str!("data/libpostal_street_types.csv");
const COUNTRIES_CSV: &str = include_str!("data/countries.csv");

/// The data rows of a CSV text (header skipped), split on commas.
fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::trim).collect())
}

/// (folded name, female births, male births), sorted by name (the file is sorted).
static NAMES: Lazy<Vec<(&'static str, u32, u32)>> = Lazy::new(|| {
    let mut v: Vec<_> = rows(GIVEN_NAMES)
        .filter_map(|r| match r.as_slice() {
            [n, f, m] => Some((*n, f.parse().ok()?, m.parse().ok()?)),
            _ => None,
        })
        .collect();
    v.sort_unstable_by(|a, b| a.0.cmp(b.0));
    v
});

/// Births of a folded given name in the SSA counts: (female, male); `None` when the name
/// has fewer than 1,000 births (not in the table).
pub fn given_name_births(name: &str) -> Option<(u32, u32)> {
    let v = &*NAMES;
    v.binary_search_by(|e| e.0.cmp(name))
        .ok()
        .map(|i| (v[i].1, v[i].2))
}

/// A predominant sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

/// The sex of at least 90 % of a given name's SSA births; `None` when the name is unknown
/// or used for both.
pub fn predominant_sex(name: &str) -> Option<Sex> {
    let (f, m) = given_name_births(name)?;
    let total = u64::from(f) + u64::from(m);
    if u64::from(f) * 10 >= total * 9 {
        Some(Sex::Female)
    } else if u64::from(m) * 10 >= total * 9 {
        Some(Sex::Male)
    } else {
        None
    }
}

/// Births from which a given name is "common" (both spellings that common: not a typo).
pub(crate) const COMMON_NAME_BIRTHS: u32 = 10_000;

/// True when the folded given name has at least `COMMON_NAME_BIRTHS` SSA births.
pub fn is_common_given_name(name: &str) -> bool {
    given_name_births(name).is_some_and(|(f, m)| f.saturating_add(m) >= COMMON_NAME_BIRTHS)
}

/// True when the folded word is a given name in the SSA table (at least 1,000 births).
pub fn is_given_name(name: &str) -> bool {
    given_name_births(name).is_some()
}

static TITLES: Lazy<Vec<String>> = Lazy::new(|| {
    let mut v: Vec<String> = rows(TITLES_CSV).map(|r| fold(r[0])).collect();
    // Short forms the lists leave out.
    for t in [
        "mrs", "ms", "mx", "miss", "prof", "rev", "hon", "madam", "capt", "sgt",
    ] {
        v.push(t.to_string());
    }
    v.sort();
    v.dedup();
    v
});

/// True when the folded word is a personal title (Mr, Dr, Captain, Sister, ...).
pub fn is_title(word: &str) -> bool {
    TITLES.binary_search_by(|t| t.as_str().cmp(word)).is_ok()
}

static LEGAL_FORMS: Lazy<HashMap<String, u32>> = Lazy::new(|| {
    let mut types: Vec<&str> = Vec::new();
    let mut map: HashMap<String, u32> = HashMap::default();
    for r in rows(LEGAL_FORMS_CSV) {
        let (ty, term) = (r[0], r[1..].join(","));
        let i = types.iter().position(|t| *t == ty).unwrap_or_else(|| {
            types.push(ty);
            types.len() - 1
        });
        let key: String = fold(&term).chars().filter(|c| *c != ' ').collect();
        if !key.is_empty() {
            *map.entry(key).or_default() |= 1 << i;
        }
    }
    map
});

/// The cleanco types (a bit set) of the legal form whose folded letters, spaces removed, are
/// `key` ("sderl", "gmbh", "llc"); `None` when it is none.
pub fn legal_form(key: &str) -> Option<u32> {
    LEGAL_FORMS.get(key).copied()
}

/// USPS street suffixes: every written form (folded) → the standard abbreviation (folded).
static STREET_SUFFIXES: Lazy<HashMap<String, String>> = Lazy::new(|| {
    let mut m = HashMap::default();
    for r in rows(USPS_SUFFIXES_CSV) {
        let std = fold(r[1]);
        m.insert(fold(r[0]), std.clone());
        if let Some(long) = r.get(2).filter(|l| !l.is_empty()) {
            m.insert(fold(long), std.clone());
        }
        m.insert(std.clone(), std);
    }
    m
});

/// First words of the USPS suffixes written in two words ("us" of "US Rt", "county").
static TWO_WORD_FIRST: Lazy<Vec<&'static str>> = Lazy::new(|| {
    let mut v: Vec<&'static str> = STREET_SUFFIXES
        .keys()
        .filter_map(|k| k.split_once(' ').map(|(a, _)| a))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// True when a folded word starts a two-word USPS suffix.
pub fn starts_two_word_suffix(word: &str) -> bool {
    TWO_WORD_FIRST.binary_search(&word).is_ok()
}

/// The USPS standard abbreviation of a folded street-suffix word ("avenue" → "ave").
pub fn street_suffix(word: &str) -> Option<&'static str> {
    STREET_SUFFIXES.get(word).map(String::as_str)
}

/// True when the folded word is a USPS standard street-suffix abbreviation ("st", "ave").
pub fn is_street_suffix_standard(word: &str) -> bool {
    street_suffix(word) == Some(word)
}

/// USPS secondary unit designators: written forms (folded) → standard.
static UNIT_DESIGNATORS: Lazy<HashMap<String, String>> = Lazy::new(|| {
    let mut m = HashMap::default();
    for r in rows(USPS_UNITS_CSV) {
        let std = fold(r[1]);
        m.insert(fold(r[0]), std.clone());
        m.insert(std.clone(), std);
    }
    m
});

/// The USPS standard form of a folded unit designator ("apartment" → "apt").
pub fn unit_designator(word: &str) -> Option<&'static str> {
    UNIT_DESIGNATORS.get(word).map(String::as_str)
}

/// A street-type language of the libpostal table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    De,
    Fr,
    Es,
}

/// Per language: folded variant phrase (words joined by one space) → folded canonical phrase.
static STREET_TYPES: Lazy<HashMap<(Lang, String), String>> = Lazy::new(|| {
    let mut m = HashMap::default();
    for r in rows(LIBPOSTAL_CSV) {
        let lang = match r[0] {
            "de" => Lang::De,
            "fr" => Lang::Fr,
            "es" => Lang::Es,
            _ => continue,
        };
        let canon = fold(r[1]);
        for v in r[2].split('|').chain([r[1]]) {
            let v = fold(v);
            if !v.is_empty() {
                m.entry((lang, v)).or_insert_with(|| canon.clone());
            }
        }
    }
    m
});

/// The canonical street type of a folded phrase in `lang` ("str" → "strasse").
pub fn street_type(lang: Lang, phrase: &str) -> Option<&'static str> {
    STREET_TYPES
        .get(&(lang, phrase.to_string()))
        .map(String::as_str)
}

/// True when the folded word is the canonical form of a street type in `lang`.
pub fn is_street_type_canonical(lang: Lang, word: &str) -> bool {
    street_type(lang, word) == Some(word)
}

/// German street types written as the end of one word ("Hauptstraße", "Hauptstr."): the
/// folded one-word forms of at least three letters, longest first, with their canonical form.
static DE_SUFFIXES: Lazy<Vec<(&'static str, &'static str)>> = Lazy::new(|| {
    let mut v: Vec<(&'static str, &'static str)> = STREET_TYPES
        .iter()
        .filter(|((lang, k), c)| {
            *lang == Lang::De && k.len() >= 3 && !k.contains(' ') && !c.contains(' ')
        })
        .map(|((_, k), c)| (k.as_str(), c.as_str()))
        .collect();
    v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    v
});

/// Splits a German word that ends in a street type ("hauptstrasse" → ("haupt", "strasse")),
/// when at least three letters are left before it.
pub fn split_de_street_type(word: &str) -> Option<(&str, &'static str)> {
    DE_SUFFIXES.iter().find_map(|(suffix, canon)| {
        let stem = word.strip_suffix(suffix)?;
        (stem.len() >= 3).then_some((stem, *canon))
    })
}

/// The street-type languages of a country (ISO alpha-2, lower case).
pub fn country_lang(alpha2: &str) -> Option<Lang> {
    match alpha2 {
        "de" | "at" | "ch" | "li" | "lu" => Some(Lang::De),
        "fr" | "be" | "mc" => Some(Lang::Fr),
        "es" | "mx" | "ar" | "co" | "cl" | "pe" | "ve" | "ec" | "gt" | "cu" | "bo" | "do"
        | "hn" | "py" | "sv" | "ni" | "cr" | "pa" | "uy" => Some(Lang::Es),
        _ => None,
    }
}

/// Countries: every folded code or name → alpha-2 (lower case).
static COUNTRIES: Lazy<HashMap<String, String>> = Lazy::new(|| {
    let mut m = HashMap::default();
    for line in COUNTRIES_CSV.lines().skip(1) {
        let mut cols = line.splitn(3, ',');
        let (Some(a2), Some(a3), Some(names)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let code = a2.to_ascii_lowercase();
        m.insert(a3.to_ascii_lowercase(), code.clone());
        for n in names.split('|') {
            let n = fold(n);
            m.entry(n.clone()).or_insert_with(|| code.clone());
            if let Some(rest) = n.strip_prefix("the ") {
                m.entry(rest.to_string()).or_insert_with(|| code.clone());
            }
        }
        m.insert(code.clone(), code);
    }
    m
});

/// The ISO alpha-2 code (lower case) of a folded country code or English name.
pub fn country(folded: &str) -> Option<&'static str> {
    COUNTRIES.get(folded).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert_eq!(predominant_sex("mary"), Some(Sex::Female));
        assert_eq!(predominant_sex("john"), Some(Sex::Male));
        assert_eq!(predominant_sex("jordan"), None);
        assert!(is_common_given_name("francis") && is_common_given_name("frances"));
        assert!(!is_common_given_name("jhon"));
        assert!(is_title("captain") && is_title("dr") && !is_title("john"));
        assert!(legal_form("gmbh").is_some() && legal_form("llc").is_some());
        let (llc, inc) = (legal_form("llc").unwrap(), legal_form("inc").unwrap());
        assert_eq!(llc & inc, 0);
        assert_eq!(street_suffix("harbr"), Some("hbr"));
        assert_eq!(street_suffix("avenue"), Some("ave"));
        assert_eq!(unit_designator("apartment"), Some("apt"));
        assert_eq!(street_type(Lang::De, "str"), Some("strasse"));
        assert_eq!(country("switzerland"), Some("ch"));
        assert_eq!(country("che"), Some("ch"));
        assert_eq!(country("united states of america"), Some("us"));
        assert!(NAMES.len() > 11_000);
    }
}
