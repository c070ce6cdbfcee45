//! Name normalisation and scoring: the entry point for persons (`person.rs`) and businesses
//! (`business.rs`).
//!
//! A name is folded (`text::fold`: NFKD, accents, case, punctuation, invisible characters,
//! other alphabets read in Latin letters). "Doing business as" parts ("Acme LLC dba Widget
//! Works", also d/b/a, t/a, aka) are read as separate names of one business and the best
//! pair counts. A name that `business::detect` reads as a business is scored as one (and the
//! result's `business` flag is set when the claim or the owner is a business, Plaid's
//! semantics); otherwise both are scored as persons (`person::score`).

use super::business::{self, PreparedBusiness};
use super::person::{self, PreparedPerson};
use super::text::{tokens, MAX_VALUE_LEN};
use super::NameScore;
use once_cell::sync::Lazy;
use regex::Regex;

/// One reading of a name.
#[derive(Debug, Clone)]
struct Part {
    person: PreparedPerson,
    business: Option<PreparedBusiness>,
}

/// A name folded and split once, ready to compare.
#[derive(Debug, Clone)]
pub struct PreparedName {
    parts: Vec<Part>,
}

/// "Doing business as" separators between words (dba, d/b/a, d.b.a., t/a, aka, a/k/a,
/// a.k.a., trading as, doing business as), any case.
static DBA: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)\s(?:d/?\.?b/?\.?a\.?|t/a|a/?\.?k/?\.?a\.?|trading\s+as|doing\s+business\s+as)\s",
    )
    .expect("a valid pattern")
});

/// Splits `raw` at "doing business as" separators.
fn dba_parts(raw: &str) -> Vec<&str> {
    if !DBA.is_match(raw) {
        return vec![raw];
    }
    DBA.split(raw)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Prepares a raw name; `None` when nothing is left after folding (or it is too long).
pub fn prepare(raw: &str) -> Option<PreparedName> {
    if raw.len() > MAX_VALUE_LEN {
        return None;
    }
    let pieces = dba_parts(raw);
    let forced = pieces.len() > 1;
    let mut parts = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let all = tokens(piece);
        if all.is_empty() {
            continue;
        }
        let business = business::detect(&all, piece, forced);
        let person = person::prepare(piece, all);
        parts.push(Part { person, business });
    }
    (!parts.is_empty()).then_some(PreparedName { parts })
}

fn part_score(a: &Part, b: &Part) -> NameScore {
    let flag = |score| NameScore {
        score,
        nickname: false,
        first_or_last_only: false,
        business: true,
    };
    match (&a.business, &b.business) {
        (Some(x), Some(y)) => flag(business::score(x, y)),
        (Some(x), None) => flag(business::core_score(x.core(), b.person.tokens(), false)),
        (None, Some(y)) => flag(business::core_score(a.person.tokens(), y.core(), false)),
        (None, None) => person::score(&a.person, &b.person),
    }
}

/// Scores a claimed name against one owner name (the best pair of their parts).
pub fn score(claim: &PreparedName, owner: &PreparedName) -> NameScore {
    let mut best: Option<NameScore> = None;
    for a in &claim.parts {
        for b in &owner.parts {
            let s = part_score(a, b);
            if best.map_or(true, |x| s.score > x.score) {
                best = Some(s);
            }
        }
    }
    best.expect("a prepared name has at least one part")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dba() {
        assert_eq!(
            dba_parts("Acme LLC DBA Widget Works"),
            vec!["Acme LLC", "Widget Works"]
        );
        assert_eq!(dba_parts("Ann Lee"), vec!["Ann Lee"]);
        let s = |a, b| score(&prepare(a).unwrap(), &prepare(b).unwrap());
        assert!(s("Widget Works", "Acme LLC d/b/a Widget Works").score >= 80);
        assert!(s("Widget Works", "Acme LLC d/b/a Widget Works").business);
    }
}
