//! Street lines: the split into house number, street name, street type and unit, with the
//! spellings of each part brought to one form.
//!
//! "1234 Valencia Street, Apartment 5", "1234 VALENCIA ST #5" and "Apt 5, 1234 Valencia St."
//! all become number `1234`, name `valencia st`, unit `5`. Words are folded first
//! (`text::fold`), then:
//! - street suffixes take their USPS Publication 28 standard form (`data::street_suffix`:
//!   "Harbr" / "Harbor" → "hbr", "Ft" / "Fort" → "ft"), directionals and ordinal words their
//!   short form ("North" → "n", "Fifth" → "5th"), "Saint" → "st";
//! - in a country of German, French or Spanish street names, libpostal's street types and
//!   their abbreviations take their canonical form ("Str." / "Straße", "Av." / "Avenida",
//!   "Gta." / "Glorieta"), also at the end of a German word ("Hauptstr." = "Hauptstraße");
//! - "P.O. Box", "PO Box" and "Post Office Box" are "po box"; "Rural Route" is "rr";
//! - a unit is a USPS designator (Apt, Suite, Unit, Floor, Room, Lot, ..., or "#") with the
//!   number after it ("#4-B" = "Apt 4B"), or an ordinal before "Floor" ("3rd Floor" = "Floor
//!   3"); a Canadian "5-1234 Main St" is unit 5 at number 1234, a Queens "37-02 Main St"
//!   number 3702;
//! - the house number is the leading number ("One" .. "Ten" as words too), else a trailing
//!   one ("ul. Floriańska 14", "Calle Mayor 5").

use super::data::{
    is_street_suffix_standard, is_street_type_canonical, split_de_street_type,
    starts_two_word_suffix, street_suffix, street_type, unit_designator, Lang,
};
use super::text::{is_typo, similarity, tokens};

/// Words with a short form besides the USPS suffixes.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("saint", "st"),
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

/// House numbers written as words.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// Directionals: ignored when one side omits them, a different street when both differ.
const DIRECTIONALS: &[&str] = &["n", "s", "e", "w", "ne", "nw", "se", "sw"];

/// Designators besides the USPS ones: the next word is the unit.
const UNITS: &[&str] = &["flat", "hash", "nr"];

/// A street line split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Street {
    pub number: Option<String>,
    pub name: Vec<String>,
    pub unit: Vec<String>,
    /// The street type among `name`'s words (its index), when one is recognised.
    kind: Option<usize>,
}

fn is_number(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit())
}

fn is_unit_value(t: &str) -> bool {
    is_number(t) || t.chars().count() == 1 || t.bytes().any(|b| b.is_ascii_digit())
}

/// An ordinal number ("3rd") → its digits.
fn ordinal(t: &str) -> Option<&str> {
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &t[digits.len()..];
    (!digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "st" | "nd" | "rd" | "th"))
    .then_some(digits)
}

fn is_designator(t: &str) -> bool {
    UNITS.contains(&t) || unit_designator(t).is_some()
}

/// "a-b" at the start of a line: Queens (b of two digits: one number "ab") or Canadian
/// unit-civic (unit a, number b). Returns (number, unit, rest of the line).
fn hyphenated_number(raw: &str) -> Option<(String, Option<String>, &str)> {
    let s = raw.trim_start();
    let a_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = s[a_len..].strip_prefix('-')?;
    let b_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if a_len == 0 || b_len == 0 || !rest[b_len..].starts_with(' ') {
        return None;
    }
    let (a, b) = (&s[..a_len], &rest[..b_len]);
    Some(if b_len == 2 {
        (format!("{a}{b}"), None, &rest[b_len..])
    } else {
        (b.to_string(), Some(a.to_string()), &rest[b_len..])
    })
}

/// Rewrites words to their one form (see the module doc).
fn canonical_words(mut toks: Vec<String>, lang: Option<Lang>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(toks.len() + 2);
    let mut i = 0;
    'outer: while i < toks.len() {
        let t = toks[i].as_str();
        let next = toks.get(i + 1).map(String::as_str);
        // Post office boxes and rural routes.
        match (t, next) {
            ("p", Some("o")) | ("post", Some("office")) => {
                out.push("po".into());
                i += 2;
                continue;
            }
            ("pob", _) => {
                out.extend(["po".into(), "box".into()]);
                i += 1;
                continue;
            }
            ("rural", Some("route")) | ("r", Some("r")) => {
                out.push("rr".into());
                i += 2;
                continue;
            }
            _ => {}
        }
        if is_designator(t) && next.is_some_and(is_unit_value) {
            // "Flat 2", "Key 3": not the suffixes Flat, Key.
            out.push(std::mem::take(&mut toks[i]));
            i += 1;
            continue;
        }
        // Two-word suffixes ("US Rt" → "us rte", "County Road").
        if let Some(n) = next.filter(|_| starts_two_word_suffix(t)) {
            if let Some(std) = street_suffix(&format!("{t} {n}")) {
                out.extend(std.split(' ').map(str::to_string));
                i += 2;
                continue;
            }
        }
        if let Some(lang) = lang {
            for k in [3, 2, 1] {
                // One-letter abbreviations ("w" for Weg) are left alone: initials, unit letters.
                if i + k <= toks.len() && (k > 1 || t.len() > 1) {
                    let phrase = toks[i..i + k].join(" ");
                    if let Some(canon) = street_type(lang, &phrase) {
                        out.extend(canon.split(' ').map(str::to_string));
                        i += k;
                        continue 'outer;
                    }
                }
            }
            if lang == Lang::De {
                if let Some((stem, canon)) = split_de_street_type(t) {
                    out.extend([stem.to_string(), canon.to_string()]);
                    i += 1;
                    continue;
                }
            }
        }
        // The list's words are all longer than 3 letters: short words skip the scan.
        let word = (t.len() > 3)
            .then(|| ABBREVIATIONS.iter().find(|(long, _)| *long == t))
            .flatten()
            .map(|(_, short)| *short)
            .or_else(|| street_suffix(t));
        match word {
            Some(w) => out.push(w.to_string()),
            None => out.push(std::mem::take(&mut toks[i])), // read no more: `i` moves on
        }
        i += 1;
    }
    out
}

/// Splits a raw street line; `lang` is the street-type language of its country.
pub fn parse(raw: &str, lang: Option<Lang>) -> Street {
    let (lead_number, lead_unit, raw) = match hyphenated_number(raw) {
        Some((n, u, rest)) => (Some(n), u, rest),
        None => (None, None, raw),
    };
    let mut toks = if raw.contains('#') {
        canonical_words(tokens(&raw.replace('#', " hash ")), lang)
    } else {
        canonical_words(tokens(raw), lang)
    };
    let mut rest: Vec<String> = Vec::with_capacity(toks.len());
    let mut unit: Vec<String> = lead_unit.into_iter().collect();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        // "3rd Floor": an ordinal before a floor designator.
        if let (Some(n), Some(next)) = (ordinal(t), toks.get(i + 1)) {
            if unit_designator(next) == Some("fl") {
                unit.push(n.to_string());
                i += 2;
                continue;
            }
        }
        if is_designator(t) {
            match toks.get(i + 1) {
                Some(v) if is_unit_value(v) && !is_designator(v) => {
                    let mut value = std::mem::take(&mut toks[i + 1]); // read no more
                    i += 2;
                    // "4-B", "4 B": a letter after a number belongs to the unit.
                    if let Some(letter) = toks.get(i) {
                        let last = i + 1 == toks.len();
                        let dir = DIRECTIONALS.contains(&letter.as_str());
                        if value.bytes().all(|b| b.is_ascii_digit())
                            && letter.len() == 1
                            && letter.bytes().all(|b| b.is_ascii_alphabetic())
                            && (last || !dir)
                        {
                            value.push_str(letter);
                            i += 1;
                        }
                    }
                    unit.push(value);
                    continue;
                }
                _ if UNITS.contains(&t) || matches!(unit_designator(t), Some("apt" | "ste")) => {
                    i += 1; // a designator without a number: dropped
                    continue;
                }
                _ => {}
            }
        }
        rest.push(std::mem::take(&mut toks[i])); // read no more: `i` moves on
        i += 1;
    }
    let number = if lead_number.is_some() {
        lead_number
    } else if rest.first().is_some_and(|t| is_number(t)) {
        Some(rest.remove(0))
    } else if rest.len() > 1 && NUMBER_WORDS.contains(&rest[0].as_str()) {
        let w = rest.remove(0);
        let n = NUMBER_WORDS.iter().position(|x| *x == w).unwrap_or(0) + 1;
        Some(n.to_string())
    } else if rest.len() > 1 && rest.last().is_some_and(|t| is_number(t)) {
        rest.pop()
    } else {
        None
    };
    let kind = street_kind(&rest, lang);
    Street {
        number,
        name: rest,
        unit,
        kind,
    }
}

/// The street type's index in `name`: a canonical type of the language (first or last
/// word), else a USPS suffix as the last word before trailing directionals.
fn street_kind(name: &[String], lang: Option<Lang>) -> Option<usize> {
    if name.len() < 2 {
        return None;
    }
    if let Some(lang) = lang {
        for i in [0, name.len() - 1] {
            if is_street_type_canonical(lang, &name[i]) {
                return Some(i);
            }
        }
    }
    let last = name
        .iter()
        .rposition(|t| !DIRECTIONALS.contains(&t.as_str()))?;
    (last > 0 && is_street_suffix_standard(&name[last])).then_some(last)
}

impl Street {
    fn kind_word(&self) -> Option<&str> {
        self.kind.map(|i| self.name[i].as_str())
    }

    /// The name without directionals (and without the street type when `drop_kind`).
    fn core(&self, drop_kind: bool) -> Vec<&str> {
        self.name
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                let dropped = drop_kind && Some(*i) == self.kind;
                !(dropped || DIRECTIONALS.contains(&t.as_str()))
            })
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

/// How much two street names agree: 1.0 equal; 0.9 equal once directionals and a street
/// type one side leaves out are ignored; 0.5 the same name with different street types
/// ("Main St" / "Main Ave": another street); 0 when both give different directionals;
/// 0.85 a small typo (× 0.6 with different types); else 0.
fn name_sim(a: &Street, b: &Street) -> f64 {
    if a.name == b.name {
        return 1.0;
    }
    let dirs = |x: &Street| -> Vec<String> {
        x.name
            .iter()
            .filter(|t| DIRECTIONALS.contains(&t.as_str()))
            .cloned()
            .collect()
    };
    let (da, db) = (dirs(a), dirs(b));
    if !da.is_empty() && !db.is_empty() && da != db {
        return 0.0;
    }
    let (fa, fb) = (a.core(false), b.core(false));
    let (ca, cb) = (a.core(true), b.core(true));
    if !fa.is_empty() && (fa == fb || fa == cb || ca == fb) {
        return 0.9; // a type or directional left out on one side
    }
    let kinds_differ = matches!((a.kind_word(), b.kind_word()), (Some(x), Some(y)) if x != y);
    if !ca.is_empty() && ca == cb {
        return if kinds_differ { 0.5 } else { 0.9 };
    }
    let typo = ca.len() == cb.len()
        && ca
            .iter()
            .zip(&cb)
            .filter(|(x, y)| x != y)
            .all(|(x, y)| is_typo(x, y));
    let close = typo || (!ca.is_empty() && similarity(&ca.concat(), &cb.concat()) >= 0.97);
    if close && !ca.is_empty() {
        // A small typo, or words split differently ("Mac Arthur" / "MacArthur").
        return if kinds_differ { 0.5 } else { 0.85 };
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
    s *= name_sim(a, b);
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

    fn parts(s: &Street) -> (Option<&str>, Vec<&str>, Vec<&str>) {
        (
            s.number.as_deref(),
            s.name.iter().map(String::as_str).collect(),
            s.unit.iter().map(String::as_str).collect(),
        )
    }

    #[test]
    fn parses() {
        let want = (Some("1234"), vec!["valencia", "st"], vec!["5"]);
        for line in [
            "1234 Valencia Street, Apartment 5",
            "1234 VALENCIA ST #5",
            "Apt 5, 1234 Valencia St.",
            "1234 Valencia St Unit 5",
        ] {
            assert_eq!(parts(&parse(line, None)), want, "{line}");
        }
        let p = parse("ul. Floriańska 14", None);
        assert_eq!(parts(&p), (Some("14"), vec!["ul", "florianska"], vec![]));
        let p = parse("100 North Main Street", None);
        assert_eq!(parts(&p), (Some("100"), vec!["n", "main", "st"], vec![]));
        let p = parse("12 Oak St #4-B", None);
        assert_eq!(parts(&p).2, vec!["4b"]);
        assert_eq!(parts(&parse("12 Oak St 3rd Floor", None)).2, vec!["3"]);
        assert_eq!(parts(&parse("5-1234 Main St", None)).0, Some("1234"));
        assert_eq!(parts(&parse("37-02 Main St", None)).0, Some("3702"));
        assert_eq!(parts(&parse("One Main St", None)).0, Some("1"));
        let de = parse("Hauptstr. 5", Some(Lang::De));
        assert_eq!(parts(&de), (Some("5"), vec!["haupt", "strasse"], vec![]));
        assert_eq!(
            parse("P.O. Box 12", None).name,
            parse("Post Office Box 12", None).name
        );
    }

    #[test]
    fn compares() {
        let c = |a, b| compare(&parse(a, None), &parse(b, None)).unwrap();
        assert_eq!(c("100 Main St", "100 Main Street"), 1.0);
        assert_eq!(c("100 Main St", "100 Main"), 0.9);
        assert!(c("100 Main St", "100 Main Ave") < 0.6);
        assert_eq!(c("100 Lake Shore", "100 Lake Shore Dr"), 0.9);
        assert_eq!(c("7 Harbor Ln", "7 Harbr Lane"), 1.0);
    }
}
