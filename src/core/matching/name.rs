//! Name normalisation and scoring (persons and businesses).
//!
//! A name is folded (`text::fold`: NFKD, accents, case, punctuation), "Last, First" is
//! turned into "First Last", titles (Mr, Dr, ...) and generational or degree suffixes (Jr,
//! III, PhD, ...) are dropped. A name that ends in a business suffix (Inc, LLC, Ltd, Corp,
//! ...) is a business: its suffix and filler words (the, and, of) are dropped and the rest
//! compared as a whole.
//!
//! Person scores (both names with at least two tokens): the first tokens and the last tokens
//! are compared, in the order given and swapped ("DOE JOHN"), the better kept. Each pair is
//! 1.0 equal, 0.9 nickname (`nicknames.rs`), 0.85 initial ("J" / "John") or small typo
//! (`text::is_typo`), 0.9 for a surname found among the other name's later tokens (double or
//! hyphenated surnames: "Garcia Lopez" / "Garcia"), else 0. Middle names multiply by 1.0
//! (same or both absent), 0.95 (one side only) or 0.8 (different). Score = 100 × first ×
//! last × middle. Only the last name matching: 35 (a relative); only the first: 25; neither:
//! at most 40 by Jaro-Winkler of the whole names. One side a single token: 60 when it equals
//! the other's first or last name (55 by nickname or typo), `first_or_last_only`.

use super::nicknames::same_person_by_nickname;
use super::text::{is_typo, similarity, tokens, MAX_VALUE_LEN};
use super::NameScore;

/// A name folded and split once, ready to compare.
#[derive(Debug, Clone)]
pub struct PreparedName {
    /// Person tokens in first..last order, titles and suffixes removed.
    person: Vec<String>,
    /// Business tokens without suffix and filler words.
    core: Vec<String>,
    business: bool,
}

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "hon", "madam",
];
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "cpa", "jnr", "snr",
];
const BUSINESS_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "lp",
    "llp",
    "pllc",
    "ag",
    "bv",
    "nv",
    "pty",
    "sa",
    "sarl",
    "srl",
    "spa",
    "oy",
    "ab",
    "as",
    "kg",
    "pc",
    "lc",
];
const BUSINESS_FILLERS: &[&str] = &["the", "and", "of"];

/// Joins runs of single letters that spell a business suffix ("l l c" → "llc").
fn join_letter_runs(toks: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let mut j = i;
        while j < toks.len() && toks[j].chars().count() == 1 {
            j += 1;
        }
        if j - i >= 2 {
            let joined: String = toks[i..j].concat();
            if BUSINESS_SUFFIXES.contains(&joined.as_str()) {
                out.push(joined);
                i = j;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Prepares a raw name; `None` when nothing is left after folding (or it is too long).
pub fn prepare(raw: &str) -> Option<PreparedName> {
    if raw.len() > MAX_VALUE_LEN {
        return None;
    }
    let all = join_letter_runs(tokens(raw));
    if all.is_empty() {
        return None;
    }
    let business = all.len() >= 2
        && all
            .iter()
            .skip(1)
            .any(|t| BUSINESS_SUFFIXES.contains(&t.as_str()));
    let core: Vec<String> = all
        .iter()
        .filter(|t| {
            !BUSINESS_SUFFIXES.contains(&t.as_str()) && !BUSINESS_FILLERS.contains(&t.as_str())
        })
        .cloned()
        .collect();
    let clean = |s: &str| -> Vec<String> {
        tokens(s)
            .into_iter()
            .filter(|t| !TITLES.contains(&t.as_str()) && !SUFFIXES.contains(&t.as_str()))
            .collect()
    };
    let mut person = Vec::new();
    if let Some((before, after)) = raw.split_once(',') {
        let (before, after) = (clean(before), clean(after));
        if !after.is_empty() && !before.is_empty() {
            person.extend(after);
            person.extend(before);
        }
    }
    if person.is_empty() {
        person = clean(raw);
    }
    if person.is_empty() {
        person = all.clone(); // a name that is only a title or suffix: keep it as written
    }
    Some(PreparedName {
        person,
        core: if core.is_empty() { all } else { core },
        business,
    })
}

/// How two given-name tokens relate: (similarity, by nickname).
fn first_sim(a: &str, b: &str) -> (f64, bool) {
    if a == b {
        (1.0, false)
    } else if same_person_by_nickname(a, b) {
        (0.9, true)
    } else if initial_of(a, b) || initial_of(b, a) || is_typo(a, b) {
        (0.85, false)
    } else {
        (0.0, false)
    }
}

/// True when `a` is one letter and `b` a longer word starting with it.
fn initial_of(a: &str, b: &str) -> bool {
    let mut ac = a.chars();
    match (ac.next(), ac.next(), b.chars().next()) {
        (Some(x), None, Some(y)) => x == y && b.chars().nth(1).is_some(),
        _ => false,
    }
}

/// How two surnames relate, given both full token lists.
fn last_sim(a: &str, b: &str, a_all: &[String], b_all: &[String]) -> f64 {
    if a == b {
        1.0
    } else if b_all[1..].iter().any(|t| t == a) || a_all[1..].iter().any(|t| t == b) {
        0.9
    } else if is_typo(a, b) {
        0.85
    } else {
        0.0
    }
}

/// The middle-name factor.
fn middle_factor(a: &[String], b: &[String]) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => 1.0,
        (false, false) => {
            let same = a.iter().zip(b).all(|(x, y)| first_sim(x, y).0 > 0.0);
            if same && a.len() == b.len() {
                1.0
            } else if same {
                0.95
            } else {
                0.8
            }
        }
        _ => 0.95,
    }
}

fn to_score(x: f64) -> u8 {
    (x * 100.0).round().clamp(0.0, 100.0) as u8
}

fn person_score(a: &[String], b: &[String]) -> NameScore {
    let mut out = NameScore {
        score: 0,
        nickname: false,
        first_or_last_only: false,
        business: false,
    };
    if a == b {
        out.score = 100;
        return out;
    }
    if a.len() == 1 || b.len() == 1 {
        let (single, many) = if a.len() == 1 { (a, b) } else { (b, a) };
        let s = single[0].as_str();
        out.first_or_last_only = many.len() > 1;
        let mut best = (0.0, false);
        for t in [&many[0], &many[many.len() - 1]] {
            let r = first_sim(s, t);
            if r.0 > best.0 && !(initial_of(s, t) || initial_of(t, s)) {
                best = r;
            }
        }
        out.nickname = best.1;
        out.score = match (best.0, many.len() > 1) {
            (0.0, _) => to_score(0.4 * similarity(s, &many.join(" "))),
            (x, true) if x >= 1.0 => 60,
            (_, true) => 55,
            (x, false) => to_score(x),
        };
        return out;
    }
    let (af, al, bf, bl) = (&a[0], &a[a.len() - 1], &b[0], &b[b.len() - 1]);
    let middle = middle_factor(&a[1..a.len() - 1], &b[1..b.len() - 1]);
    let mut best: (f64, bool) = (-1.0, false);
    let mut best_partial = 0u8;
    for (x_first, x_last) in [(af, al), (al, af)] {
        let (f, nick) = first_sim(x_first, bf);
        let l = last_sim(x_last, bl, a, b);
        if f > 0.0 && l > 0.0 {
            let s = f * l * middle;
            if s > best.0 {
                best = (s, nick);
            }
        } else if l > 0.0 {
            best_partial = best_partial.max(35);
        } else if f > 0.0 {
            best_partial = best_partial.max(25);
        }
    }
    if best.0 >= 0.0 {
        out.score = to_score(best.0);
        out.nickname = best.1;
    } else if best_partial > 0 {
        out.score = best_partial;
    } else {
        out.score = to_score(0.4 * similarity(&a.join(" "), &b.join(" ")));
    }
    out
}

fn business_score(a: &[String], b: &[String]) -> u8 {
    if a == b {
        return 100;
    }
    if a.concat() == b.concat() {
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

/// Scores a claimed name against one owner name.
pub fn score(claim: &PreparedName, owner: &PreparedName) -> NameScore {
    if claim.business || owner.business {
        return NameScore {
            score: business_score(&claim.core, &owner.core),
            nickname: false,
            first_or_last_only: false,
            business: true,
        };
    }
    person_score(&claim.person, &owner.person)
}

/// The best score of a claimed name over an owner's prepared names (first on ties); `None`
/// when the owner has no usable name.
pub fn best(claim: &PreparedName, names: &[PreparedName]) -> Option<NameScore> {
    let mut best: Option<NameScore> = None;
    for p in names {
        let s = score(claim, p);
        if best.map_or(true, |b| s.score > b.score) {
            best = Some(s);
        }
    }
    best
}
