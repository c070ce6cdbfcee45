//! Text folding shared by every field: Unicode NFKD, diacritics dropped, case folded, letters
//! without a decomposition mapped by hand ("Ł" → "l"), punctuation turned into spaces, and the
//! similarity measures used for small typos.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Longest owner or claim value compared, in bytes. Longer owner values score 0 (no real
/// name, email, phone or address is that long); longer claim values are refused.
pub(crate) const MAX_VALUE_LEN: usize = 1024;

/// Tokens longer than this are compared for equality only (edit distances are quadratic).
const MAX_FUZZY_TOKEN: usize = 64;

/// Letters that NFKD leaves whole but that readers treat as a base letter with a mark.
fn fold_special(c: char, out: &mut String) -> bool {
    let s = match c {
        'ł' | 'Ł' => "l",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ħ' | 'Ħ' => "h",
        'ı' => "i",
        'ŧ' | 'Ŧ' => "t",
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'þ' | 'Þ' => "th",
        // Apostrophe-like marks vanish: "O'Brien" = "OBrien" = "O’Brien".
        '\'' | '’' | '‘' | 'ʼ' | '`' | '´' => "",
        _ => return false,
    };
    out.push_str(s);
    true
}

/// Folds `s` for comparison: NFKD, combining marks dropped, lower case, apostrophes removed,
/// every other non-alphanumeric character a single space, trimmed. Scripts other than Latin
/// keep their letters (compared exactly afterwards).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            let before = out.len();
            if !fold_special(c, &mut out) {
                out.extend(c.to_lowercase());
            }
            // Lower-casing may produce marks again (e.g. "İ" → "i̇"): drop them.
            if out[before..].chars().any(is_combining_mark) {
                let kept: String = out[before..]
                    .chars()
                    .filter(|c| !is_combining_mark(*c))
                    .collect();
                out.truncate(before);
                out.push_str(&kept);
            }
        } else {
            let mut sink = String::new();
            if fold_special(c, &mut sink) {
                continue; // apostrophes join the letters around them
            }
            pending_space = true;
        }
    }
    out
}

/// The folded tokens of `s`.
pub fn tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// True when every character is an ASCII letter or digit (typo tolerance applies only there).
pub fn is_ascii_word(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// How two folded tokens relate when they are not equal: a small typo (one transposition,
/// or one substitution, insertion or deletion in a word of at least 5 letters that is not
/// at its last letter, so Maria/Mario and Daniel/Daniela stay different people).
pub fn is_typo(a: &str, b: &str) -> bool {
    if a == b || !is_ascii_word(a) || !is_ascii_word(b) {
        return false;
    }
    if a.len() > MAX_FUZZY_TOKEN || b.len() > MAX_FUZZY_TOKEN {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < 4 || strsim::osa_distance(a, b) != 1 {
        return false;
    }
    if a.len() == b.len() && transposed(a, b) {
        return true;
    }
    if short.len() < 5 {
        return false;
    }
    // Differences only at the end ("Maria"/"Mario", "Daniel"/"Daniela") are other names.
    let common = short
        .bytes()
        .zip(long.bytes())
        .take_while(|(x, y)| x == y)
        .count();
    common + 1 < long.len()
}

/// True when two folded phrases have the same number of words, each equal or a small typo
/// of the other ("san fransisco" / "san francisco").
pub fn words_alike(a: &str, b: &str) -> bool {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    wa.len() == wb.len() && wa.iter().zip(&wb).all(|(x, y)| x == y || is_typo(x, y))
}

/// True when `a` and `b` differ by one swap of adjacent letters.
fn transposed(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    diff.len() == 2
        && diff[1] == diff[0] + 1
        && a[diff[0]] == b[diff[1]]
        && a[diff[1]] == b[diff[0]]
}

/// Jaro-Winkler similarity of two folded strings (0.0 for very long ones).
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.len() > 4 * MAX_FUZZY_TOKEN || b.len() > 4 * MAX_FUZZY_TOKEN {
        return 0.0;
    }
    strsim::jaro_winkler(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_punctuation() {
        assert_eq!(fold("  José  ÁLVAREZ "), "jose alvarez");
        assert_eq!(fold("Łukasiewicz"), "lukasiewicz");
        assert_eq!(fold("Zoë O’Brien-Smith"), "zoe obrien smith");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("山田 太郎"), "山田 太郎");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("...,"), "");
    }

    #[test]
    fn typos() {
        assert!(is_typo("jhon", "john"));
        assert!(is_typo("jonathon", "jonathan"));
        assert!(is_typo("smith", "smiht"));
        assert!(!is_typo("maria", "mario"));
        assert!(!is_typo("daniel", "daniela"));
        assert!(!is_typo("mark", "mary"));
        assert!(!is_typo("jean", "joan"));
        assert!(!is_typo("smith", "jones"));
    }
}
