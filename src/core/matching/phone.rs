//! Phone normalisation and scoring.
//!
//! Numbers are parsed to E.164 with libphonenumber's metadata and steps (`phone_db.rs`), in
//! the default region: the claim's address country for the claimed number, the owner's first
//! address country for an owner's numbers, US when there is none. Formatting, `tel:`, an
//! extension, `+1`, international call prefixes and a national trunk prefix (`0` in the UK
//! and most of Europe, `1` in North America) do not matter once parsed. A number that is not
//! valid in its default region is tried once more as an international number when it starts
//! with `+`, `00` or `011` or is a 10-digit North American number (`0044 20 7946 0958` typed
//! with a US address).
//!
//! Scores, when both numbers parse to valid E.164: 100 the same number, 0 different ones.
//! When one side has no valid parse in its own region and was written without a country
//! code, it is parsed again in the other number's region (`020 7946 0958` against
//! `+44 20 7946 0958`): the same E.164 is 100. Otherwise the digits decide (numbers the
//! metadata does not know, such as fictional ranges): 100 the same digits; 90 when one side
//! is a national number (no country code, at least 9 digits, trunk `0` dropped) that the
//! other ends with; 85 the same last 10 digits unless both carry different country codes;
//! 70 when one side is a 7-digit local number that the other ends with (no area code:
//! partial); else 0. Both numbers with an extension and the extensions differ: at most 60
//! (one line, another person's extension).
//!
//! The text is NFKC-normalised first, so full-width digits and plus signs ("＋４４…") read
//! as ASCII, and other decimal digits (Arabic-Indic, Devanagari, ...) are read by value.

use super::data::Fnv;
use super::phone_db;
use super::text::MAX_VALUE_LEN;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Mutex, OnceLock};
use unicode_normalization::UnicodeNormalization;

/// A region from a folded, canonical country (`"us"`, `"gb"`); `None` when unknown.
pub fn region(country: Option<&str>) -> Option<&'static str> {
    country
        .filter(|c| c.len() == 2)
        .and_then(|c| phone_db::territory(&c.to_ascii_uppercase()))
        .map(|t| t.id)
}

/// A phone number prepared once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhone {
    /// E.164 (`+16175551212`) when the number is valid in its region or as international.
    e164: Option<String>,
    /// The region of that number, to parse the other side's national number in.
    region: Option<&'static str>,
    /// Without a valid parse and without a country code: the digits as typed (trunk prefix
    /// kept), parsed again in the other side's region.
    national: Option<String>,
    /// Digits, with the country code when `international` (the fallback comparison).
    digits: String,
    international: bool,
    /// The extension's digits, when one is given.
    extension: Option<String>,
}

/// A valid parse: (E.164, the number's region).
type Valid = phone_db::Valid;

/// Memoised `parse_valid` results, at most this many (then the memo starts again).
const MEMO_ENTRIES: usize = 4096;

/// A memo key: the region and the digits, read as a number with their count (so "0123" and
/// "123" differ). Digits only, at most 38 of them (`None` otherwise: not memoised).
type Key = (Option<&'static str>, u8, u128);

fn key(region: Option<&'static str>, digits: &str) -> Option<Key> {
    if digits.is_empty() || digits.len() > 38 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits
        .bytes()
        .fold(0u128, |v, b| v * 10 + u128::from(b - b'0'));
    Some((region, digits.len() as u8, value))
}

/// Results are memoised per (region, digits): a number seen before (an owner's, a claim
/// checked again) is not parsed twice. Bounded; the result is the same with or without it.
type Memo = Mutex<HashMap<Key, Valid, BuildHasherDefault<Fnv>>>;

fn memo() -> &'static Memo {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::default()))
}

/// A valid parse of `digits`, national in `region` or international when `None`; memoised.
fn parse_valid(region: Option<&'static str>, digits: &str) -> Valid {
    let key = key(region, digits);
    if let Some(k) = &key {
        if let Some(hit) = memo().lock().ok().and_then(|m| m.get(k).cloned()) {
            return hit;
        }
    }
    let valid = match region {
        Some(r) => phone_db::parse_national(r, digits),
        None => phone_db::parse_international(digits),
    };
    if let (Some(k), Ok(mut m)) = (key, memo().lock()) {
        if m.len() >= MEMO_ENTRIES {
            m.clear();
        }
        m.insert(k, valid.clone());
    }
    valid
}

/// Prepares a raw number in a default region (US when `None`); `None` when it has fewer
/// than 7 or more than 17 digits (or is too long).
pub fn prepare(raw: &str, default_region: Option<&'static str>) -> Option<PreparedPhone> {
    if raw.len() > MAX_VALUE_LEN {
        return None;
    }
    let ascii = to_ascii_digits(raw);
    // Letters are compared without case (as lower-cased text would be: ASCII letters only,
    // the same byte offsets).
    let text = ascii.trim();
    let text = match text.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("tel:") => &text[4..],
        _ => text,
    };
    // An extension: everything from "x", "ext", "#" or ";" (",": a pause, then digits).
    let cut = text.find(|c: char| matches!(c.to_ascii_lowercase(), 'x' | 'e' | '#' | ';' | ','));
    let main = cut.map_or(text, |i| &text[..i]);
    let extension: Option<String> = cut
        .map(|i| {
            text[i..]
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|e| !e.is_empty());
    let plus = main.trim_start().starts_with('+');
    let typed: String = main.chars().filter(char::is_ascii_digit).collect();
    // The digits compared: `typed` without its first `skip` digits, or with a leading 1.
    let (mut skip, mut lead_one) = (0, false);
    let mut international = plus;
    if !plus {
        let prefix = if typed.starts_with("011") {
            3
        } else if typed.starts_with("00") {
            2
        } else {
            0
        };
        if prefix > 0 && typed.len() - prefix >= 8 {
            skip = prefix;
            international = true;
        }
    }
    // Written with a country code (`+`, `00`, `011`), as opposed to one the rules below add.
    let explicit = international;
    if !international {
        if typed.len() == 10 && !typed.starts_with(['0', '1']) {
            lead_one = true;
            international = true;
        } else if typed.len() == 11 && typed.starts_with('1') {
            international = true;
        } else if typed.starts_with('0') {
            skip = 1;
        }
    }
    let len = typed.len() - skip + usize::from(lead_one);
    if !(7..=17).contains(&len) {
        return None;
    }
    let with_one = lead_one.then(|| format!("1{typed}"));
    let digits = with_one.as_deref().unwrap_or(&typed[skip..]);
    let region = default_region.unwrap_or("US");
    let parsed = if plus {
        parse_valid(None, digits)
    } else if explicit {
        // "00 49 …" / "011 49 …": international unless only the national reading is valid
        // (Buenos Aires numbers start with 011).
        parse_valid(None, digits).or_else(|| parse_valid(Some(region), &typed))
    } else {
        parse_valid(Some(region), &typed)
            .or_else(|| international.then(|| parse_valid(None, digits)).flatten())
    };
    let (e164, region) = match parsed {
        Some((e, r)) => (Some(e), r),
        None => (None, None),
    };
    // Without a valid parse and a country code, `typed` is kept too.
    let keep_typed = e164.is_none() && !explicit;
    let (digits, national) = match (with_one, keep_typed) {
        (Some(d), false) => (d, None),
        (Some(d), true) => (d, Some(typed)),
        (None, true) => (typed[skip..].to_string(), Some(typed)),
        (None, false) => {
            let mut d = typed;
            d.drain(..skip);
            (d, None)
        }
    };
    Some(PreparedPhone {
        e164,
        region,
        national,
        digits,
        international,
        extension,
    })
}

/// `raw` NFKC-normalised (full-width forms → ASCII) with every other Unicode decimal digit
/// replaced by its ASCII digit; ASCII input is returned as is.
fn to_ascii_digits(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() {
        return Cow::Borrowed(raw);
    }
    raw.nfkc()
        .map(|c| unicode_digit(c).map_or(c, |d| char::from(b'0' + d)))
        .collect()
}

/// The value of a decimal digit of the common non-ASCII scripts (the blocks whose digits
/// 0-9 are consecutive code points).
fn unicode_digit(c: char) -> Option<u8> {
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0xFF10,
    ];
    let u = c as u32;
    ZEROS
        .iter()
        .find(|z| (**z..**z + 10).contains(&u))
        .map(|z| (u - z) as u8)
}

fn last(s: &str, n: usize) -> Option<&str> {
    s.len().checked_sub(n).map(|i| &s[i..])
}

/// The digit rules, for numbers without a valid parse on either side.
fn score_digits(claim: &PreparedPhone, owner: &PreparedPhone) -> u8 {
    let (a, b) = (&claim.digits, &owner.digits);
    if a == b {
        return 100;
    }
    let (short, long) = if a.len() <= b.len() {
        (claim, owner)
    } else {
        (owner, claim)
    };
    if !short.international && short.digits.len() >= 9 && long.digits.ends_with(&short.digits) {
        return 90;
    }
    if !(claim.international && owner.international) {
        if let (Some(x), Some(y)) = (last(a, 10), last(b, 10)) {
            if x == y {
                return 85;
            }
        }
    }
    if !short.international && short.digits.len() == 7 && long.digits.ends_with(&short.digits) {
        return 70;
    }
    0
}

/// `national` (no valid parse of its own) parsed in `valid`'s region: 100 the same number,
/// 0 another valid one, `None` when it is not valid there either.
fn score_in_region(national: &PreparedPhone, valid: &PreparedPhone, e164: &str) -> Option<u8> {
    let text = national.national.as_deref()?;
    let (other, _) = parse_valid(Some(valid.region?), text)?;
    Some(if other == e164 { 100 } else { 0 })
}

/// Scores a claimed number against one owner number.
pub fn score(claim: &PreparedPhone, owner: &PreparedPhone) -> u8 {
    let s = match (&claim.e164, &owner.e164) {
        (Some(a), Some(b)) => Some(if a == b { 100 } else { 0 }),
        (Some(a), None) => score_in_region(owner, claim, a),
        (None, Some(b)) => score_in_region(claim, owner, b),
        (None, None) => None,
    }
    .unwrap_or_else(|| score_digits(claim, owner));
    match (&claim.extension, &owner.extension) {
        (Some(x), Some(y)) if x != y => s.min(60),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str, region: Option<&'static str>) -> Option<String> {
        prepare(s, region).and_then(|p| p.e164)
    }

    #[test]
    fn parses_to_e164() {
        let us = |s| e164(s, None);
        assert_eq!(us("+1 (617) 555-1212").as_deref(), Some("+16175551212"));
        assert_eq!(us("617.555.1212").as_deref(), Some("+16175551212"));
        assert_eq!(us("1-617-555-1212 ext. 4").as_deref(), Some("+16175551212"));
        assert_eq!(us("001 617 555 1212").as_deref(), Some("+16175551212"));
        assert_eq!(us("0044 20 7946 0958").as_deref(), Some("+442079460958"));
        let gb = |s| e164(s, Some("GB"));
        assert_eq!(gb("020 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(gb("+1 617 555 1212").as_deref(), Some("+16175551212"));
        assert_eq!(region(Some("gb")), Some("GB"));
        assert_eq!(region(Some("united kingdom")), None);
    }

    #[test]
    fn keeps_digits_without_a_valid_parse() {
        let p = |s| prepare(s, None).map(|p| (p.digits, p.international, p.e164));
        assert_eq!(p("020 7946 0958"), Some(("2079460958".into(), false, None)));
        assert_eq!(p("555-1212"), Some(("5551212".into(), false, None)));
        assert_eq!(p("12345"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn scores() {
        let s = |a, ra, b, rb| score(&prepare(a, ra).unwrap(), &prepare(b, rb).unwrap());
        assert_eq!(s("020 7946 0958", None, "+44 20 7946 0958", None), 100);
        assert_eq!(s("0201234567", Some("DE"), "+49 20 1234567", None), 100);
        assert_eq!(s("555-1212", None, "+16175551212", None), 70);
        assert_eq!(s("+44 617 555 1212", None, "+1 617 555 1212", None), 0);
        // German mobile numbers, national and international, whatever the default region.
        assert_eq!(s("0151 23456789", None, "+49 151 23456789", None), 100);
        assert_eq!(
            s("0151 23456789", Some("DE"), "+49 151 23456789", Some("US")),
            100
        );
        assert_eq!(
            s("+49 151 23456789", Some("US"), "0151 23456789", Some("DE")),
            100
        );
        assert_eq!(
            s("011 49 151 23456789", None, "+49 151 23456789", None),
            100
        );
        assert_eq!(
            s("+1 617 555 1212 x12", None, "+1 617 555 1212 ext. 13", None),
            60
        );
        assert_eq!(s("+1 617 555 1212 x12", None, "+1 617 555 1212", None), 100);
        assert_eq!(
            s("＋１ ６１７ ５５５ １２１２", None, "+16175551212", None),
            100
        );
        assert_eq!(
            s(
                "\u{0661}\u{0666}\u{0661}\u{0667}5551212",
                None,
                "+16175551212",
                None
            ),
            100
        );
    }
}
