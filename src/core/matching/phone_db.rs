//! Phone numbers to E.164 with libphonenumber's metadata, read here.
//!
//! `data/phone_metadata.xml` is libphonenumber's `PhoneNumberMetadata.xml` (the version the
//! `phonenumber` crate 0.3.10 is built from; comments, DTD and formatting rules left out;
//! Apache-2.0, see DATA-NOTICE.md). The crate itself built every region's metadata and its
//! parser's Unicode patterns on first use (60-90 ms: the whole cost of a first match in a fresh
//! process) and parsed each number in 10-30 µs; here a region's patterns are compiled when a
//! number of its calling code is first seen, and a number is parsed from its digits.
//!
//! The steps are libphonenumber's (`PhoneNumberUtil.parse`, `isValidNumber`):
//! - international (written with "+", or "00" / "011" before the country code): the calling
//!   code is the 1-3 digits that name one (codes are prefix-free); the rest is the national
//!   number, and the main region of that code strips a national prefix from it ("+44 (0)20");
//! - national (a default region): the region's national prefix is stripped
//!   (`nationalPrefixForParsing` with its `nationalPrefixTransformRule`, else
//!   `nationalPrefix`), but only when the number still matches the region's general pattern
//!   afterwards if it did before;
//! - the number's region among those sharing the code: the first whose `leadingDigits` start
//!   the number, else the first where it has a type;
//! - valid: the national number matches the region's general pattern and one of its type
//!   patterns (fixed line, mobile, toll free, ...), whole.
//!
//! `tests` compares the results with the `phonenumber` crate's on every region's example
//! numbers, written in both forms.

use once_cell::sync::{Lazy, OnceCell};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;

const XML: &str = include_str!("data/phone_metadata.xml");

/// Type elements whose pattern makes a number valid (libphonenumber's `getNumberTypeHelper`).
const TYPES: &[&str] = &[
    "premiumRate",
    "tollFree",
    "sharedCost",
    "voip",
    "personalNumber",
    "pager",
    "uan",
    "voicemail",
    "fixedLine",
    "mobile",
];

/// One region's metadata: its start tag and body in the XML, read and compiled on first use.
pub struct Territory {
    pub id: &'static str,
    pub code: u16,
    main: bool,
    tag: &'static str,
    body: &'static str,
    compiled: OnceCell<Compiled>,
}

struct Compiled {
    national_prefix: Option<&'static str>,
    transform_rule: Option<String>,
    prefix_for_parsing: Option<Regex>,
    leading_digits: Option<Regex>,
    general: Option<Regex>,
    types: Vec<Regex>,
}

/// A pattern without the whitespace the XML lays it out with.
fn squeeze(p: &str) -> String {
    p.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The value of attribute `name` in a start tag.
fn attr(tag: &'static str, name: &str) -> Option<&'static str> {
    let key = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&key) {
        let start = from + i;
        // A whole attribute name: preceded by whitespace.
        if start > 0 && tag.as_bytes()[start - 1].is_ascii_whitespace() {
            let v = start + key.len();
            let len = tag[v..].find('"')?;
            return Some(&tag[v..v + len]);
        }
        from = start + key.len();
    }
    None
}

/// The `nationalNumberPattern` of child element `name` of a territory's body.
fn pattern(body: &'static str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{name}>"))?;
    let el = &body[start..end];
    let p0 = el.find("<nationalNumberPattern>")? + "<nationalNumberPattern>".len();
    let p1 = p0 + el[p0..].find("</nationalNumberPattern>")?;
    let p = squeeze(&el[p0..p1]);
    (!p.is_empty() && p != "NA").then_some(p)
}

struct Index {
    territories: Vec<Territory>,
    /// Per calling code, the indexes of its territories (main region first).
    by_code: HashMap<u16, Vec<usize>>,
    by_id: HashMap<&'static str, usize>,
}

static INDEX: Lazy<Index> = Lazy::new(|| {
    let mut territories = Vec::new();
    let mut from = 0;
    while let Some(i) = XML[from..].find("<territory ") {
        let start = from + i + "<territory".len();
        let Some(tag_len) = XML[start..].find('>') else {
            break;
        };
        let tag = &XML[start..start + tag_len];
        let body_start = start + tag_len + 1;
        let Some(body_len) = XML[body_start..].find("</territory>") else {
            break;
        };
        let body = &XML[body_start..body_start + body_len];
        from = body_start + body_len;
        let (Some(id), Some(code)) = (attr(tag, "id"), attr(tag, "countryCode")) else {
            continue;
        };
        let Ok(code) = code.parse::<u16>() else {
            continue;
        };
        territories.push(Territory {
            id,
            code,
            main: attr(tag, "mainCountryForCode") == Some("true"),
            tag,
            body,
            compiled: OnceCell::new(),
        });
    }
    let mut by_code: HashMap<u16, Vec<usize>> = HashMap::new();
    let mut by_id = HashMap::new();
    for (i, t) in territories.iter().enumerate() {
        let list = by_code.entry(t.code).or_default();
        if t.main {
            list.insert(0, i);
        } else {
            list.push(i);
        }
        if t.id != "001" {
            by_id.insert(t.id, i);
        }
    }
    Index {
        territories,
        by_code,
        by_id,
    }
});

/// A pattern anchored at the start (and at the end when `whole`). ASCII classes only (`\d`
/// is 0-9, as in libphonenumber, which reads ASCII digits): an automaton a fraction of the
/// Unicode one's size, quick to build.
fn anchored(p: &str, whole: bool) -> Option<Regex> {
    let src = if whole {
        format!("^(?:{p})$")
    } else {
        format!("^(?:{p})")
    };
    RegexBuilder::new(&src).unicode(false).build().ok()
}

impl Territory {
    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            let (tag, body) = (self.tag, self.body);
            let attr_re = |name: &str, whole: bool| {
                attr(tag, name).and_then(|p| anchored(&squeeze(p), whole))
            };
            // Identical patterns (US fixed line = mobile) are compiled once.
            let mut type_patterns: Vec<String> = Vec::new();
            for t in TYPES {
                if let Some(p) = pattern(body, t) {
                    if !type_patterns.contains(&p) {
                        type_patterns.push(p);
                    }
                }
            }
            Compiled {
                national_prefix: attr(tag, "nationalPrefix"),
                transform_rule: attr(tag, "nationalPrefixTransformRule").map(squeeze),
                prefix_for_parsing: attr_re("nationalPrefixForParsing", false),
                leading_digits: attr_re("leadingDigits", false),
                general: pattern(body, "generalDesc").and_then(|p| anchored(&p, true)),
                types: type_patterns
                    .iter()
                    .filter_map(|p| anchored(p, true))
                    .collect(),
            }
        })
    }

    fn general_match(&self, national: &str) -> bool {
        self.compiled()
            .general
            .as_ref()
            .is_some_and(|r| r.is_match(national))
    }

    /// True when the national number is valid here: general pattern and a type, whole.
    fn valid(&self, national: &str) -> bool {
        let c = self.compiled();
        c.general.as_ref().is_some_and(|r| r.is_match(national))
            && c.types.iter().any(|r| r.is_match(national))
    }

    /// The national number with a national prefix stripped (libphonenumber's
    /// `maybeStripNationalPrefixAndCarrierCode`).
    fn strip_national_prefix(&self, digits: &str) -> String {
        let viable = self.general_match(digits);
        let keep = |candidate: String| -> String {
            if candidate.is_empty() || (viable && !self.general_match(&candidate)) {
                digits.to_string()
            } else {
                candidate
            }
        };
        match &self.compiled().prefix_for_parsing {
            Some(re) => {
                let Some(caps) = re.captures(digits) else {
                    return digits.to_string();
                };
                let whole = caps.get(0).map_or(0, |m| m.end());
                let groups = caps.len() - 1;
                let last_empty = groups == 0 || caps.get(groups).is_none();
                match (&self.compiled().transform_rule, last_empty) {
                    (Some(rule), false) => {
                        // "$1" .. "$9": the captured groups (one digit each, as in the XML).
                        let mut out = String::new();
                        let mut chars = rule.chars().peekable();
                        while let Some(c) = chars.next() {
                            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                                ('$', Some(g)) => {
                                    chars.next();
                                    out.push_str(caps.get(g as usize).map_or("", |m| m.as_str()));
                                }
                                _ => out.push(c),
                            }
                        }
                        out.push_str(&digits[whole..]);
                        keep(out)
                    }
                    _ => keep(digits[whole..].to_string()),
                }
            }
            None => match self.compiled().national_prefix {
                Some(p) if !p.is_empty() && digits.starts_with(p) => {
                    keep(digits[p.len()..].to_string())
                }
                _ => digits.to_string(),
            },
        }
    }
}

/// The territory of a region code ("US", "DE").
pub fn territory(id: &str) -> Option<&'static Territory> {
    let index = &*INDEX;
    index.by_id.get(id).map(|i| &index.territories[*i])
}

/// The calling code that `digits` start with: codes are prefix-free.
fn code_of(digits: &str) -> Option<u16> {
    (1..=3.min(digits.len())).find_map(|n| {
        let code: u16 = digits[..n].parse().ok()?;
        INDEX.by_code.contains_key(&code).then_some(code)
    })
}

/// A valid number: (E.164, its region).
pub type Valid = Option<(String, Option<&'static str>)>;

/// The region of a national number among those of `code`, and whether it is valid there.
fn validate(code: u16, national: &str) -> Valid {
    if national.len() < 2 || national.len() > 17 {
        return None;
    }
    let index = &*INDEX;
    let list = index.by_code.get(&code)?;
    let region = if list.len() == 1 {
        &index.territories[list[0]]
    } else {
        list.iter().map(|i| &index.territories[*i]).find(|t| {
            match &t.compiled().leading_digits {
                Some(re) => re.is_match(national),
                None => t.valid(national),
            }
        })?
    };
    region.valid(national).then(|| {
        let id = (region.id != "001").then_some(region.id);
        (format!("+{code}{national}"), id)
    })
}

/// Parses digits written after "+" (or after an international call prefix).
pub fn parse_international(digits: &str) -> Valid {
    let code = code_of(digits)?;
    let rest = &digits[code.to_string().len()..];
    let main = &INDEX.territories[*INDEX.by_code.get(&code)?.first()?];
    validate(code, &main.strip_national_prefix(rest))
}

/// Parses digits written as a national number of `region`.
pub fn parse_national(region: &str, digits: &str) -> Valid {
    let t = territory(region)?;
    validate(t.code, &t.strip_national_prefix(digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::country::Id;

    /// The `phonenumber` crate's reading: (E.164, region) when valid.
    fn theirs(region: Option<Id>, text: &str) -> Valid {
        let n = phonenumber::parse(region, text).ok()?;
        if !n.is_valid() {
            return None;
        }
        let national = n.national();
        let e164 = format!(
            "+{}{}{}",
            n.code().value(),
            "0".repeat(usize::from(national.zeros())),
            national.value()
        );
        let id = n.country().id().map(|i| {
            let s: &str = i.as_ref();
            territory(s).map_or("?", |t| t.id)
        });
        Some((e164, id))
    }

    fn example(body: &str, ty: &str) -> Option<String> {
        let open = format!("<{ty}>");
        let s = body.find(&open)?;
        let e = s + body[s..].find(&format!("</{ty}>"))?;
        let el = &body[s..e];
        let a = el.find("<exampleNumber>")? + "<exampleNumber>".len();
        let b = a + el[a..].find("</exampleNumber>")?;
        Some(el[a..b].trim().to_string())
    }

    /// Every region's example numbers (valid by libphonenumber's own definition), written
    /// international and national (with the region's national prefix), are valid here with
    /// the E.164 they name, and the same as the `phonenumber` crate's wherever the crate reads
    /// them as valid. (The crate reads numbers with "+" correctly only without a default
    /// region, matches type patterns at the start only, so it takes some longer numbers, and
    /// refuses a few examples, such as Russia's toll-free 8 800 123 45 67.)
    #[test]
    fn every_example_number() {
        let (mut checked, mut wrong) = (0, Vec::new());
        let mut from = 0;
        while let Some(i) = XML[from..].find("<territory ") {
            let start = from + i;
            let end = start + XML[start..].find("</territory>").unwrap();
            from = end;
            let tag = &XML[start..start + XML[start..].find('>').unwrap()];
            let id = attr(tag, "id").unwrap();
            let code = attr(tag, "countryCode").unwrap();
            let prefix = attr(tag, "nationalPrefix").unwrap_or("");
            let body = &XML[start..end];
            for ty in TYPES {
                let Some(ex) = example(body, ty) else {
                    continue;
                };
                let e164 = format!("+{code}{ex}");
                // `must`: valid here even where the crate says no (international forms; a
                // national form with the prefix is not always dialled: Colombia's mobiles).
                let mut check = |what: String, ours: Valid, want: Valid, must: bool| {
                    checked += 1;
                    let ours = ours.map(|o| o.0);
                    let agrees = want
                        .as_ref()
                        .map_or(true, |w| ours.as_deref() == Some(w.0.as_str()));
                    let valid = ours.as_deref() == Some(e164.as_str());
                    if !agrees || (!valid && (must || want.is_some())) {
                        wrong.push(format!("{id} {ty} {what}: {ours:?}"));
                    }
                };
                let intl = format!("{code}{ex}");
                check(
                    intl.clone(),
                    parse_international(&intl),
                    theirs(None, &e164),
                    true,
                );
                if id != "001" {
                    let region: Id = id.parse().unwrap();
                    let national = format!("{prefix}{ex}");
                    let want = theirs(Some(region), &national);
                    check(national.clone(), parse_national(id, &national), want, false);
                }
            }
        }
        assert!(checked > 2000, "{checked}");
        assert!(
            wrong.is_empty(),
            "{} of {checked}:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn parses() {
        assert_eq!(
            parse_international("4915123456789"),
            Some(("+4915123456789".into(), Some("DE")))
        );
        assert_eq!(
            parse_national("DE", "015123456789").map(|v| v.0).as_deref(),
            Some("+4915123456789")
        );
        assert_eq!(
            parse_national("US", "16175551212").map(|v| v.1),
            Some(Some("US"))
        );
        assert_eq!(
            parse_international("15062345678").map(|v| v.1),
            Some(Some("CA"))
        );
        assert_eq!(
            parse_international("4402079460958").map(|v| v.0).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(parse_international("99912345"), None);
    }
}
