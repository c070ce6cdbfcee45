//! English given-name nicknames, from a public, licensed table: `nicknames.csv`, the
//! Apache-2.0 dataset of Carlton Northern and Nick Crews (the `nicknames` package; credit and
//! licence in NICKNAMES-NOTICE.md). Each row `name,has_nickname,other` says the two names are
//! used for one person; the relation is read both ways and not chained (the dataset lists Bob
//! and Bill each for Robert, but Bob is not Bill). Names are folded (lower case, no accents)
//! before they get here.

use super::data::predominant_sex;
use once_cell::sync::Lazy;
use std::collections::HashSet;

const CSV: &str = include_str!("nicknames.csv");

/// Every related pair, stored as (smaller, larger).
static PAIRS: Lazy<HashSet<(&'static str, &'static str)>> = Lazy::new(|| {
    CSV.lines()
        .skip(1)
        .filter_map(|row| {
            let mut cols = row.split(',').map(str::trim);
            match (cols.next(), cols.next(), cols.next()) {
                (Some(a), Some("has_nickname"), Some(b)) if a != b && is_name(a) && is_name(b) => {
                    Some(ordered(a, b))
                }
                _ => None,
            }
        })
        .collect()
});

/// Folded names are lower-case letters; the table's few initials ("k.c.") never match one.
fn is_name(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|c| c.is_ascii_lowercase())
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// True when the folded first names `a` and `b` differ, the table relates them and they are
/// not names of clearly opposite sex.
pub fn same_person_by_nickname(a: &str, b: &str) -> bool {
    if a == b || !PAIRS.contains(&ordered(a, b)) {
        return false;
    }
    !matches!((predominant_sex(a), predominant_sex(b)), (Some(x), Some(y)) if x != y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        assert!(same_person_by_nickname("bob", "robert"));
        assert!(same_person_by_nickname("rob", "bob"));
        assert!(same_person_by_nickname("peggy", "margaret"));
        assert!(same_person_by_nickname("bill", "william"));
        assert!(same_person_by_nickname("liz", "elizabeth"));
        assert!(!same_person_by_nickname("bob", "bill"));
        assert!(!same_person_by_nickname("robert", "robert"));
        // Linked by the table, but of opposite predominant sex.
        assert!(PAIRS.contains(&ordered("louis", "louise")));
        assert!(!same_person_by_nickname("louis", "louise"));
        assert!(!same_person_by_nickname("aaron", "erin"));
        assert!(PAIRS.len() > 2000, "the whole table is loaded");
        assert!(PAIRS
            .iter()
            .all(|(a, b)| a.bytes().chain(b.bytes()).all(|c| c.is_ascii_lowercase())));
    }
}
