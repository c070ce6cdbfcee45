//! Text folding shared by every field: Unicode NFKD, diacritics dropped, case folded, letters
//! without a decomposition mapped by hand ("Ł" → "l"), punctuation turned into spaces, and the
//! similarity measures used for small typos.

use once_cell::sync::Lazy;
use std::cell::RefCell;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_security::MixedScript;

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

/// Characters that are not written and must not split a word: soft hyphen, zero-width
/// space / joiners, direction marks, word joiner and invisible operators, BOM, Arabic tatweel
/// (kashida, a stretch of the line), Mongolian vowel separator.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{0640}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}')
}

/// Letters of the Latin script (and full-width forms, which NFKD turns into them).
fn is_latin(c: char) -> bool {
    matches!(c as u32, 0..=0x02AF | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF
        | 0xAB30..=0xAB6F | 0xFB00..=0xFB06 | 0xFF00..=0xFFEF)
}

/// Han, kana and Hangul: kept as written (transliteration would split every syllable).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3130..=0x318F
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF66..=0xFF9F | 0x20000..=0x3FFFF)
}

/// Appends one word (letters, digits, marks, apostrophes, invisible characters) folded:
/// NFKD, marks and invisible characters dropped, special letters mapped, lower case. A word
/// written in one non-Latin alphabet (Cyrillic, Greek, Arabic, ...) is first read in Latin
/// letters (`deunicode`: "Сергей" → "Sergei"); a word that mixes scripts (a Cyrillic "а"
/// inside a Latin name, UTS #39) is not, so a look-alike spelling never equals the real one.
fn fold_word(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(
            word.bytes()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    // Latin letters with marks ("José", "Łukasiewicz"): each folded on its own, from a table
    // of what `fold_word_any` gives for it (the same text: their decompositions start with a
    // letter, so a word's NFKD is its letters' NFKD one after the other).
    if word.chars().all(|c| c.is_ascii() || LATIN.contains(&c)) {
        for c in word.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !c.is_ascii() {
                out.push_str(&LATIN_FOLDED[c as usize - *LATIN.start() as usize]);
            }
        }
        return;
    }
    fold_word_any(word, out);
}

/// Latin-1 Supplement letters and Latin Extended-A and -B.
const LATIN: std::ops::RangeInclusive<char> = '\u{00C0}'..='\u{024F}';

/// Each `LATIN` character folded alone by `fold_word_any`.
static LATIN_FOLDED: Lazy<Vec<String>> = Lazy::new(|| {
    LATIN
        .map(|c| {
            let mut out = String::new();
            fold_word_any(c.encode_utf8(&mut [0; 4]), &mut out);
            out
        })
        .collect()
});

/// `fold_word` for any word.
fn fold_word_any(word: &str, out: &mut String) {
    let foreign = word
        .chars()
        .any(|c| c.is_alphabetic() && !is_latin(c) && !is_cjk(c) && !is_invisible(c));
    if foreign {
        let visible: String = word.chars().filter(|c| !is_invisible(*c)).collect();
        if visible.as_str().is_single_script() {
            let latin = deunicode::deunicode(&visible);
            if latin.is_ascii() && latin.bytes().any(|b| b.is_ascii_alphanumeric()) {
                // deunicode may give several words ("Ы" → "Y"; a ligature → two letters).
                let folded = fold(&latin);
                out.push_str(&folded);
                return;
            }
        }
    }
    for c in word.nfkd() {
        if is_combining_mark(c) || is_invisible(c) {
            continue;
        }
        let before = out.len();
        if !fold_special(c, out) && c.is_alphanumeric() {
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
    }
}

/// True for the characters of a word: letters, digits, combining marks, apostrophes (they
/// join the letters around them: "O'Brien" = "OBrien") and invisible characters.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '\'' || c == '`';
    }
    c.is_alphanumeric()
        || is_combining_mark(c)
        || is_invisible(c)
        || matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´')
}

/// Folds `s` for comparison: words (`fold_word`) joined by single spaces; every other
/// character separates words. NFKD may turn a character into a separator too ("½").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// `fold`, appended to `out`.
fn fold_into(s: &str, out: &mut String) {
    let mut rest = s;
    while !rest.is_empty() {
        let start = match rest.find(is_word_char) {
            Some(i) => i,
            None => break,
        };
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if word.is_ascii() {
            // Letters and digits, lower case; apostrophes vanish.
            let mut letters = word.bytes().filter(u8::is_ascii_alphanumeric).peekable();
            if letters.peek().is_some() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(letters.map(|b| char::from(b.to_ascii_lowercase())));
            }
            continue;
        }
        let mut w = String::with_capacity(word.len());
        fold_word(word, &mut w);
        // NFKD forms may contain separators ("ﬀ" no, "½" → "1⁄2"): split them out.
        for part in w
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
    }
}

/// The folded tokens of `s`.
pub fn tokens(s: &str) -> Vec<String> {
    thread_local! {
        /// `fold`'s output before it is split (kept: one allocation less per call).
        static FOLDED: RefCell<String> = const { RefCell::new(String::new()) };
    }
    FOLDED.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        fold_into(s, &mut buf);
        buf.split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    })
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
    if short.len() < 4 || long.len() - short.len() > 1 || strsim::osa_distance(a, b) != 1 {
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
pub fn transposed(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
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
        assert_eq!(fold("Сергей Иванов"), "sergei ivanov");
        assert_eq!(
            fold("Car\u{200B}ter Bon\u{00AD}nie A\u{FEFF}nn\u{2060}a"),
            "carter bonnie anna"
        );
        assert_eq!(fold("Mary\u{00A0}Ann"), "mary ann");
        // A Latin word with one Cyrillic look-alike letter keeps that letter.
        assert_ne!(fold("C\u{0430}rter"), "carter");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("...,"), "");
    }

    /// The Latin table gives what the general path gives, for every word of its letters
    /// (each alone and 20,000 words of 1-8 letters mixed with ASCII letters and apostrophes).
    #[test]
    fn latin_table_is_the_general_fold() {
        let mut chars: Vec<char> = LATIN.collect();
        chars.extend(['a', 'Z', '0', '\'', '`', 'e']);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut words: Vec<String> = LATIN.map(String::from).collect();
        for _ in 0..20_000 {
            let n = 1 + (next() % 8) as usize;
            words.push(
                (0..n)
                    .map(|_| chars[(next() % chars.len() as u64) as usize])
                    .collect(),
            );
        }
        for w in words.iter().filter(|w| !w.is_ascii()) {
            let (mut fast, mut general) = (String::new(), String::new());
            fold_word(w, &mut fast);
            fold_word_any(w, &mut general);
            assert_eq!(fast, general, "{w:?}");
        }
        assert_eq!(fold("Floriańska Kraków"), "florianska krakow");
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
