//! Phone normalisation and scoring.
//!
//! A number is reduced to its digits: formatting (spaces, dots, dashes, parentheses) and an
//! extension (`x123`, `ext. 123`, `;ext=123`) are dropped; a leading `+`, `00` or `011`
//! (international call prefixes) marks the digits as starting with a country code. Without
//! one, 10 digits are a North American number (country code 1 added, the default region is
//! US), 11 digits starting with 1 already carry it, and a leading trunk `0` (UK, EU, ...) is
//! dropped, leaving a national number.
//!
//! Scores: 100 the same digits; 90 when one side is a national number (no country code,
//! at least 9 digits) that the other ends with ("020 7946 0958" / "+44 20 7946 0958");
//! 85 the same last 10 digits unless both carry different country codes; 70 when one side is
//! a 7-digit local number that the other ends with (no area code: partial); else 0.

use super::text::MAX_VALUE_LEN;

/// A phone number reduced once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhone {
    /// Digits, with the country code when `international`.
    digits: String,
    international: bool,
}

/// Prepares a raw number; `None` when it has fewer than 7 digits (or is too long).
pub fn prepare(raw: &str) -> Option<PreparedPhone> {
    if raw.len() > MAX_VALUE_LEN {
        return None;
    }
    let lower = raw.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("tel:").unwrap_or(&lower);
    // Drop an extension: everything from "x", "ext", "#" or ";".
    let main = lower
        .find(['x', 'e', '#', ';', ','])
        .map_or(lower, |i| &lower[..i]);
    let plus = main.trim_start().starts_with('+');
    let mut digits: String = main.chars().filter(char::is_ascii_digit).collect();
    let mut international = plus;
    if !plus {
        if let Some(rest) = digits
            .strip_prefix("011")
            .or_else(|| digits.strip_prefix("00"))
        {
            if rest.len() >= 8 {
                digits = rest.to_string();
                international = true;
            }
        }
    }
    if !international {
        if digits.len() == 10 && !digits.starts_with(['0', '1']) {
            digits.insert(0, '1');
            international = true;
        } else if digits.len() == 11 && digits.starts_with('1') {
            international = true;
        } else if let Some(rest) = digits.strip_prefix('0') {
            digits = rest.to_string();
        }
    }
    if digits.len() < 7 || digits.len() > 17 {
        return None;
    }
    Some(PreparedPhone {
        digits,
        international,
    })
}

fn last(s: &str, n: usize) -> Option<&str> {
    s.len().checked_sub(n).map(|i| &s[i..])
}

/// Scores a claimed number against one owner number.
pub fn score(claim: &PreparedPhone, owner: &PreparedPhone) -> u8 {
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

/// The best score over an owner's numbers; `None` when the owner has none usable.
pub fn best<'a>(claim: &PreparedPhone, numbers: impl Iterator<Item = &'a str>) -> Option<u8> {
    numbers.filter_map(prepare).map(|o| score(claim, &o)).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepares() {
        let p = |s| prepare(s).map(|p| (p.digits, p.international));
        assert_eq!(p("+1 (617) 555-1212"), Some(("16175551212".into(), true)));
        assert_eq!(p("617.555.1212"), Some(("16175551212".into(), true)));
        assert_eq!(
            p("1-617-555-1212 ext. 4"),
            Some(("16175551212".into(), true))
        );
        assert_eq!(p("0044 20 7946 0958"), Some(("442079460958".into(), true)));
        assert_eq!(p("020 7946 0958"), Some(("2079460958".into(), false)));
        assert_eq!(p("555-1212"), Some(("5551212".into(), false)));
        assert_eq!(p("12345"), None);
        assert_eq!(p(""), None);
    }
}
