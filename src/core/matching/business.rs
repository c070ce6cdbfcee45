//! Business names: detection and scoring.
//!
//! A name is a business when it ends in a legal form of the cleanco table (`data::legal_form`:
//! LLC, Inc., GmbH, S.A., Sp. z o.o., ...; stacked forms such as "GmbH & Co. KG" too), or
//! when one of its words is a common business word (Bank, Consulting, Holdings, ...). Short
//! forms that are also surnames or given names (Co, Sá, AB, AS, Sal, ...) count only when
//! written with dots or spaces between letters ("S.A."), after an "&", or when the name has a
//! business word or does not start with a given name (SSA): "Maria Sá" and "Bob Co" are
//! people, "Acme Co" and "Reyes Plumbing CO" businesses.
//!
//! Scores (legal forms and filler words "the", "and", "of" left out): 100 the same words;
//! 95 the same letters (spaces or umlauts written as "ue" / "oe" / "ae" aside: "Mueller" =
//! "Müller"); 85 nearly the same (Jaro-Winkler >= 0.95); 65 one's words all among the
//! other's; else at most 45 by Jaro-Winkler. Both sides giving legal forms of different
//! types (an LLC and an Inc., a GmbH and a KG) cap the score at 70: not shown to be one
//! entity.

use super::data::{is_given_name, legal_form};
use super::text::similarity;

/// Words that make a name a business without a legal form, sorted (binary search). Common
/// English surnames (Baker, Church, Law, Mason, ...) are left out on purpose.
const BUSINESS_WORDS: &[&str] = &[
    "academy",
    "accounting",
    "agency",
    "airlines",
    "apartments",
    "architects",
    "associates",
    "association",
    "auto",
    "automotive",
    "bakery",
    "bancorp",
    "bancshares",
    "bank",
    "brewing",
    "builders",
    "capital",
    "catering",
    "center",
    "centre",
    "cleaners",
    "cleaning",
    "clinic",
    "college",
    "construction",
    "consultants",
    "consulting",
    "contractors",
    "cooperative",
    "credit",
    "dental",
    "design",
    "designs",
    "distributors",
    "electric",
    "electrical",
    "engineering",
    "enterprises",
    "equipment",
    "estates",
    "farms",
    "financial",
    "foods",
    "foundation",
    "fund",
    "group",
    "health",
    "holdings",
    "homes",
    "hospital",
    "hotel",
    "industries",
    "insurance",
    "international",
    "investments",
    "landscaping",
    "logistics",
    "management",
    "manufacturing",
    "marketing",
    "media",
    "medical",
    "ministries",
    "motors",
    "museum",
    "partners",
    "pharmacy",
    "plumbing",
    "printing",
    "products",
    "properties",
    "realty",
    "repair",
    "restaurant",
    "roofing",
    "school",
    "services",
    "software",
    "solutions",
    "studio",
    "studios",
    "supply",
    "systems",
    "technologies",
    "technology",
    "trucking",
    "trust",
    "university",
    "ventures",
    "wholesale",
];

const FILLERS: &[&str] = &["the", "and", "of"];

/// A business name prepared once.
#[derive(Debug, Clone)]
pub struct PreparedBusiness {
    /// Words without legal forms and fillers.
    core: Vec<String>,
    /// The letters of `core` with umlauts' "ue" / "oe" / "ae" as "u" / "o" / "a".
    loose: String,
    /// Bit set of the legal-form types given (0: none).
    legal: u32,
}

/// Strips trailing legal forms; (tokens left, types, strong). A form of at least three
/// letters that is not a given name, or one written in several pieces ("S.A.", "l l c"), is
/// strong; a short one ("co", "sa") is weak.
fn strip_legal(tokens: &[String]) -> (usize, u32, bool, bool) {
    let mut n = tokens.len();
    let (mut types, mut strong, mut any) = (0u32, false, false);
    for _ in 0..3 {
        let mut found = None;
        for k in (1..=5.min(n.saturating_sub(1))).rev() {
            // Forms written in pieces have short pieces ("s a s", "sp z o o", "pty ltd").
            if k > 1 && tokens[n - k..n].iter().any(|t| t.len() > 5) {
                continue;
            }
            let key = if k == 1 {
                std::borrow::Cow::Borrowed(tokens[n - 1].as_str())
            } else {
                std::borrow::Cow::Owned(tokens[n - k..n].concat())
            };
            if let Some(t) = legal_form(&key) {
                found = Some((k, t, key.into_owned()));
                break;
            }
        }
        let Some((k, t, key)) = found else { break };
        any = true;
        types |= t;
        strong |= k >= 2 || (key.len() >= 3 && !is_given_name(&key));
        n -= k;
    }
    (n, types, strong, any)
}

/// The business reading of a name's folded tokens, or `None` when it reads as a person.
/// `forced`: the name had a "doing business as" part (a trade name).
pub fn detect(tokens: &[String], raw: &str, forced: bool) -> Option<PreparedBusiness> {
    if tokens.is_empty() {
        return None;
    }
    let (n, legal, strong, any) = strip_legal(tokens);
    let word = tokens
        .iter()
        .any(|t| BUSINESS_WORDS.binary_search(&t.as_str()).is_ok());
    let weak_ok = || raw.contains('&') || word || !is_given_name(&tokens[0]);
    let business = forced || strong || (any && weak_ok()) || (word && tokens.len() >= 2);
    if !business {
        return None;
    }
    let mut core: Vec<String> = tokens[..n]
        .iter()
        .filter(|t| !FILLERS.contains(&t.as_str()))
        .cloned()
        .collect();
    if core.is_empty() {
        core = tokens.to_vec();
    }
    let loose = core
        .concat()
        .replace("ue", "u")
        .replace("oe", "o")
        .replace("ae", "a");
    Some(PreparedBusiness { core, loose, legal })
}

/// A business's words as a person-like token list (to score a business against a person).
impl PreparedBusiness {
    pub fn core(&self) -> &[String] {
        &self.core
    }
}

fn to_score(x: f64) -> u8 {
    (x * 100.0).round().clamp(0.0, 100.0) as u8
}

/// Scores two business names.
pub fn score(a: &PreparedBusiness, b: &PreparedBusiness) -> u8 {
    let s = core_score(&a.core, &b.core, a.loose == b.loose);
    if a.legal != 0 && b.legal != 0 && a.legal & b.legal == 0 {
        s.min(70)
    } else {
        s
    }
}

/// Scores a business's words against other words (a person's tokens when only one side is
/// a business).
pub fn core_score(a: &[String], b: &[String], same_loose: bool) -> u8 {
    if a == b {
        return 100;
    }
    if same_loose || a.concat() == b.concat() {
        return 95;
    }
    let (ja, jb) = (a.join(" "), b.join(" "));
    let sim = similarity(&ja, &jb);
    if sim >= 0.95 {
        return 85;
    }
    let subset = |x: &[String], y: &[String]| x.iter().all(|t| y.contains(t));
    if subset(a, b) || subset(b, a) {
        return 65;
    }
    to_score(0.45 * sim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::text::tokens;

    fn d(s: &str) -> Option<PreparedBusiness> {
        detect(&tokens(s), s, false)
    }

    #[test]
    fn detects() {
        assert!(BUSINESS_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert!(d("Acme LLC").is_some());
        assert!(d("Acme S.A.").is_some());
        assert!(d("Acme Co").is_some());
        assert!(d("Reyes Plumbing CO").is_some());
        assert!(d("First National Bank").is_some());
        assert!(d("Müller GmbH & Co. KG").is_some());
        assert!(d("Maria Sá").is_none());
        assert!(d("Bob Co").is_none());
        assert!(d("John Smith").is_none());
        let (a, b) = (
            d("Acme Holdings LLC").unwrap(),
            d("Acme Holdings Inc").unwrap(),
        );
        assert_eq!(score(&a, &b), 70);
        let (a, b) = (
            d("Mueller Bakery").unwrap(),
            d("Müller Bakery GmbH").unwrap(),
        );
        assert!(score(&a, &b) >= 95);
    }
}
