//! Person names.
//!
//! Preparation: "Last, First" becomes "First Last"; titles are dropped (Mr, Dr, ... anywhere;
//! the longer list of `data::is_title` — Captain, Sister, Judge, ... — only before the name
//! and only when two words remain); generation suffixes (Jr, Sr, II, III, IV, 2nd, 3rd, 4th)
//! are kept aside and degree suffixes (PhD, MD, Esq, ...) dropped.
//!
//! Scoring: words written apart on one side and together on the other are joined first
//! ("Mary Ellen" / "Maryellen", "Jean-Luc" / "Jeanluc", "de la Cruz" / "Delacruz", "Mc
//! Donald" / "Mcdonald", CJK names with or without the space). The first tokens and the last
//! tokens are compared, in the order given and swapped ("DOE JOHN"), the better kept. Each
//! pair is 1.0 equal, 0.9 nickname (`nicknames.rs`: not between names of opposite sex), 0.85
//! initial ("J" / "John"), written abbreviation ("Ma." / "María", "Wm" / "William") or small
//! typo (`text::is_typo`), 0.7 when the typo rule would link two common given names (each
//! with at least 10,000 SSA births: Francis / Frances, Jason / Mason are two names, not a
//! typo; letters swapped still count as a typo) or two names of opposite sex (Christian /
//! Christina), 0.8 a variant
//! spelling by sound and letters (`phonetic_variant`: Mohammed / Muhammad), 0.9 for a surname
//! found among the other name's later tokens (double or hyphenated surnames: "Garcia Lopez"
//! / "Garcia"), else 0. Middle names multiply by 1.0 (same or both absent), 0.95 (one side
//! only) or 0.75 (different: two people, "John A. Smith" / "John B. Smith"). Score = 100 ×
//! first × last × middle. A leading initial may be left out ("F. Scott Fitzgerald" / "Scott
//! Fitzgerald": × 0.9). Only the last name matching: 35 (a relative); only the first: 25;
//! both with `first_or_last_only`. Neither: at most 40 by Jaro-Winkler of the whole names.
//! One side a single token: 60 when it equals the other's first or last name (55 by nickname
//! or typo), `first_or_last_only`. Generation suffixes that differ (Sr / Jr, III / IV) cap
//! the score at 70: father and son.

use super::data::{given_name_births, is_common_given_name, is_title, predominant_sex};
use super::nicknames::same_person_by_nickname;
use super::text::{is_ascii_word, is_typo, similarity, tokens, transposed};
use super::NameScore;
use once_cell::sync::Lazy;
use rphonetic::DoubleMetaphone;
use std::borrow::Cow;

/// Titles dropped wherever they stand (the short forms).
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "hon", "madam",
];
/// Degree and honour suffixes, dropped.
const SUFFIXES: &[&str] = &["phd", "md", "esq", "dds", "cpa", "dvm", "rn", "jd", "mba"];
/// Generation suffixes and their canonical form.
const GENERATIONS: &[(&str, &str)] = &[
    ("jr", "jr"),
    ("jnr", "jr"),
    ("junior", "jr"),
    ("sr", "sr"),
    ("snr", "sr"),
    ("senior", "sr"),
    ("ii", "ii"),
    ("2nd", "ii"),
    ("iii", "iii"),
    ("3rd", "iii"),
    ("iv", "iv"),
    ("4th", "iv"),
];

fn generation(t: &str) -> Option<&'static str> {
    GENERATIONS.iter().find(|(w, _)| *w == t).map(|(_, g)| *g)
}

/// A person name prepared once.
#[derive(Debug, Clone)]
pub struct PreparedPerson {
    /// Tokens in first..last order, titles and suffixes removed.
    tokens: Vec<String>,
    /// The generation suffix, canonical.
    generation: Option<&'static str>,
}

impl PreparedPerson {
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

/// Tokens of one comma part without titles and suffixes, and its generation suffix.
fn clean(s: &str) -> (Vec<String>, Option<&'static str>) {
    clean_tokens(tokens(s))
}

fn clean_tokens(all: Vec<String>) -> (Vec<String>, Option<&'static str>) {
    let mut gen = None;
    let mut out: Vec<String> = Vec::with_capacity(all.len());
    for t in all {
        if !kept(&t, &mut gen) {
            continue;
        }
        out.push(t);
    }
    (out, gen)
}

/// False for a title or suffix (a generation suffix is noted in `gen`): left out.
fn kept(t: &str, gen: &mut Option<&'static str>) -> bool {
    if TITLES.contains(&t) || SUFFIXES.contains(&t) {
        return false;
    }
    if let Some(g) = generation(t) {
        *gen = Some(g);
        return false;
    }
    true
}

/// Prepares a person name from its raw text and folded tokens.
pub fn prepare(raw: &str, all: Vec<String>) -> PreparedPerson {
    let mut person = Vec::new();
    let mut gen = None;
    if let Some((before, after)) = raw.split_once(',') {
        let ((before, g1), (after, g2)) = (clean(before), clean(after));
        gen = g1.or(g2);
        if !after.is_empty() && !before.is_empty() {
            person.extend(after);
            person.extend(before);
        }
    }
    // `all` cleaned when the comma gave nothing; kept whole while it may still be needed.
    let mut whole = Some(all);
    if person.is_empty() && whole.iter().flatten().any(|t| kept(t, &mut None)) {
        if let Some(all) = whole.take() {
            let (p, g) = clean_tokens(all);
            person = p;
            gen = gen.or(g);
        }
    }
    // A leading title of the longer list ("Captain", "Sister"), when two words remain.
    while person.len() > 2 && is_title(&person[0]) {
        person.remove(0);
    }
    if person.is_empty() {
        // A name that is only a title or suffix: keep it as written (`whole` was not taken:
        // taking it leaves at least one word, and the loop above leaves at least two).
        person = whole.unwrap_or_default();
        gen = None;
    }
    PreparedPerson {
        tokens: person,
        generation: gen,
    }
}

/// How two given-name tokens relate: (similarity, by nickname).
fn first_sim(a: &str, b: &str) -> (f64, bool) {
    if a == b {
        (1.0, false)
    } else if same_person_by_nickname(a, b) {
        (0.9, true)
    } else if initial_of(a, b) || initial_of(b, a) || abbreviation_of(a, b) {
        (0.85, false)
    } else if is_typo(a, b) {
        let common = is_common_given_name(a) && is_common_given_name(b);
        if (common && !transposed(a, b)) || opposite_sex(a, b) {
            (0.7, false) // two names (Jason / Mason, Christian / Christina), not a typo
        } else {
            (0.85, false)
        }
    } else if phonetic_variant(a, b) {
        (0.8, false)
    } else {
        (0.0, false)
    }
}

/// True when both are given names of clearly opposite predominant sex (SSA, >= 90 %).
fn opposite_sex(a: &str, b: &str) -> bool {
    matches!((predominant_sex(a), predominant_sex(b)), (Some(x), Some(y)) if x != y)
}

static DOUBLE_METAPHONE: Lazy<DoubleMetaphone> = Lazy::new(DoubleMetaphone::default);

/// Variant spellings of one given name (Mohammed / Muhammad, Aleksandr / Alexander, Sergei
/// / Sergey): Latin words of at least four letters, alike in spelling (Jaro-Winkler >= 0.85)
/// and with a Double Metaphone key in common, not both well-established names of their own
/// (each with 50,000 SSA births: Mary / Marie) and not of opposite sex. A supporting signal
/// only: it scores 0.8 as a given name, so a pair passes only with a matching surname.
fn phonetic_variant(a: &str, b: &str) -> bool {
    if a.len() < 4 || b.len() < 4 || !is_ascii_word(a) || !is_ascii_word(b) {
        return false;
    }
    if similarity(a, b) < 0.85 {
        return false;
    }
    let established = |n: &str| given_name_births(n).is_some_and(|(f, m)| f + m >= 50_000);
    if established(a) && established(b) {
        return false;
    }
    if opposite_sex(a, b) {
        return false;
    }
    let (x, y) = (
        DOUBLE_METAPHONE.double_metaphone(a),
        DOUBLE_METAPHONE.double_metaphone(b),
    );
    x.primary() == y.primary() || x.primary() == y.alternate() || x.alternate() == y.primary()
}

/// Written abbreviations of given names (registers, Filipino "Ma." for María).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ma", "maria"),
    ("wm", "william"),
    ("chas", "charles"),
    ("thos", "thomas"),
    ("jas", "james"),
    ("geo", "george"),
    ("robt", "robert"),
    ("benj", "benjamin"),
    ("saml", "samuel"),
    ("jos", "joseph"),
];

fn abbreviation_of(a: &str, b: &str) -> bool {
    ABBREVIATIONS
        .iter()
        .any(|(x, y)| (a == *x && b == *y) || (b == *x && a == *y))
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
            let same = a.iter().zip(b).all(|(x, y)| first_sim(x, y).0 >= 0.85);
            if same && a.len() == b.len() {
                1.0
            } else if same {
                0.95
            } else {
                0.75
            }
        }
        _ => 0.95,
    }
}

fn to_score(x: f64) -> u8 {
    (x * 100.0).round().clamp(0.0, 100.0) as u8
}

/// `x` with runs of 2 or 3 adjacent tokens joined where the joined word is one of `y`'s
/// tokens and not already one of `x`'s (`x` itself, borrowed, when nothing is joined).
fn join_runs<'a>(x: &'a [String], y: &[String]) -> Cow<'a, [String]> {
    // A joined word is longer than its parts: nothing to join unless `y` has a word at least
    // as long as the two shortest adjacent words of `x` together.
    let pair_min = x.windows(2).map(|w| w[0].len() + w[1].len()).min();
    let y_max = y.iter().map(String::len).max().unwrap_or(0);
    if pair_min.map_or(true, |m| m > y_max) {
        return Cow::Borrowed(x);
    }
    let mut out = Vec::with_capacity(x.len());
    let mut i = 0;
    'outer: while i < x.len() {
        for k in [3, 2] {
            if i + k <= x.len() {
                let joined = x[i..i + k].concat();
                if y.contains(&joined) && !x.contains(&joined) {
                    out.push(joined);
                    i += k;
                    continue 'outer;
                }
            }
        }
        out.push(x[i].clone());
        i += 1;
    }
    Cow::Owned(out)
}

fn core_score(a: &[String], b: &[String]) -> NameScore {
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
        let mut best = (0.0, false);
        for t in [&many[0], &many[many.len() - 1]] {
            let r = first_sim(s, t);
            if r.0 > best.0 && !(initial_of(s, t) || initial_of(t, s)) {
                best = r;
            }
        }
        out.nickname = best.1;
        out.first_or_last_only = many.len() > 1 && best.0 > 0.0;
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
        out.first_or_last_only = true;
    } else {
        out.score = to_score(0.4 * similarity(&a.join(" "), &b.join(" ")));
    }
    out
}

/// Scores two person names.
pub fn score(a: &PreparedPerson, b: &PreparedPerson) -> NameScore {
    let x = join_runs(&a.tokens, &b.tokens);
    let y = join_runs(&b.tokens, &x);
    let mut out = core_score(&x, &y);
    // A leading initial left out on one side ("F. Scott Fitzgerald" / "Scott Fitzgerald").
    for (p, q) in [(&x, &y), (&y, &x)] {
        if out.score < 90 && p.len() >= 3 && p[0].chars().count() == 1 {
            let mut s = core_score(&p[1..], q);
            if s.score >= 80 {
                s.score = to_score(f64::from(s.score) / 100.0 * 0.9);
                if s.score > out.score {
                    out = s;
                }
            }
        }
    }
    if let (Some(g), Some(h)) = (a.generation, b.generation) {
        if g != h {
            out.score = out.score.min(70);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str) -> u8 {
        let p = |x: &str| prepare(x, tokens(x));
        score(&p(a), &p(b)).score
    }

    #[test]
    fn rules() {
        assert!(s("Mary Ellen Schneider", "Maryellen Schneider") >= 80);
        assert!(s("Ana De La Cruz", "Ana Delacruz") >= 80);
        assert!(s("Captain Ann Lee", "Ann Lee") >= 80);
        assert!(s("F. Scott Fitzgerald", "Scott Fitzgerald") >= 80);
        assert!(s("John A. Smith", "John B. Smith") < 80);
        assert!(s("Jose Luis Garcia", "Jose Manuel Garcia") < 80);
        assert!(s("John Smith Sr", "John Smith Jr") < 80);
        assert!(s("John Smith Jr.", "John Smith") >= 80);
        assert!(s("Francis Lee", "Frances Lee") < 80);
        assert!(s("Louis Lee", "Louise Lee") < 80);
        assert!(s("Jhon Smith", "John Smith") >= 80);
        assert!(s("Micheal Smith", "Michael Smith") >= 80);
        assert!(s("Mohammed Khan", "Muhammad Khan") >= 80);
        assert!(s("Aleksandr Petrov", "Alexander Petrov") >= 80);
        assert!(s("Mohammed Khan", "Muhammad Ali") < 50);
        assert!(s("Jason Smith", "Mason Smith") < 80);
        assert!(s("Christian Lee", "Christina Lee") < 80);
        assert!(s("Aaron Smith", "Erin Smith") < 80);
    }
}
