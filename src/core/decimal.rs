//! Amounts: a JSON number kept exact, as the text the server sent.

use serde_json::value::RawValue;

/// An exact decimal amount: the JSON number's text, never rounded through a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(String);

impl Decimal {
    /// The number exactly as sent (e.g. `340.12`, `1e3`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A convenience `f64` (rounded: use the text when exactness matters).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The canonical form (schema/README.md): plain notation, no exponent, no
    /// trailing fraction zeros, `-0` written `0`.
    pub fn canonical(&self) -> String {
        canonical(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(Decimal(text.to_string()))
        } else {
            Err(serde::de::Error::custom("expected number"))
        }
    }
}

/// Rewrites a JSON number's text in plain notation (see [`Decimal::canonical`]).
pub fn canonical(text: &str) -> String {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (
            &unsigned[..i],
            unsigned[i + 1..].parse::<i64>().unwrap_or(0),
        ),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = [int_part, frac_part].concat();
    // The decimal point sits after `point` digits of `digits`.
    let point = int_part.len() as i64 + exponent;
    let first = match digits.find(|c| c != '0') {
        Some(i) => i,
        None => return "0".to_string(),
    };
    let last = digits.rfind(|c| c != '0').expect("a non-zero digit exists");
    let significant = &digits[first..=last];
    let point = point - first as i64; // relative to `significant`
    let len = significant.len() as i64;
    let mut out = String::with_capacity(significant.len() + 8);
    if negative {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat('0').take((-point) as usize));
        out.push_str(significant);
    } else if point >= len {
        out.push_str(significant);
        out.extend(std::iter::repeat('0').take((point - len) as usize));
    } else {
        out.push_str(&significant[..point as usize]);
        out.push('.');
        out.push_str(&significant[point as usize..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_forms() {
        for (text, want) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("0.000", "0"),
            ("0e5", "0"),
            ("500", "500"),
            ("340.12", "340.12"),
            ("1.50", "1.5"),
            ("-12.5", "-12.5"),
            ("1e3", "1000"),
            ("2.5E3", "2500"),
            ("1e+2", "100"),
            ("1E-3", "0.001"),
            ("-0.000001", "-0.000001"),
            ("0.0012e2", "0.12"),
            ("120e-1", "12"),
            ("007", "7"),
            (
                "12345678901234567890.12345678901234567890",
                "12345678901234567890.1234567890123456789",
            ),
        ] {
            assert_eq!(canonical(text), want, "{text}");
        }
    }
}
