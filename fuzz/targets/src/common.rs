//! What several targets check: that a message echoes no string taken from the input, and
//! that an error JSON is well formed.

use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

/// Strings shorter than this are not looked for in messages: short ones ("id", "true", a
/// digit) occur in fixed text by chance; a leaked name, email or token is longer.
pub const ECHO_MIN_LEN: usize = 8;

/// serde_json's own words (syntax errors, and the type errors of serde's derive), which
/// messages may carry next to a position or a key, never next to a value.
pub const SERDE_PHRASES: &[&str] = &[
    "EOF while parsing a value",
    "EOF while parsing a string",
    "EOF while parsing a list",
    "EOF while parsing an object",
    "key must be a string",
    "expected value",
    "expected `,` or `]`",
    "expected `,` or `}`",
    "expected `:`",
    "expected ident",
    "trailing comma",
    "trailing characters",
    "invalid escape",
    "invalid number",
    "number out of range",
    "invalid unicode code point",
    "control character (\\u0000-\\u001F) found while parsing a string",
    "lone leading surrogate in hex escape",
    "unexpected end of hex escape",
    "recursion limit exceeded",
    "invalid type: ",
    "invalid value: ",
    "unknown variant",
    "unknown field",
    "expected one of",
    "duplicate field",
    "missing field",
    " at line ",
    " column ",
];

/// Longest error message accepted: a message names a path and a problem, never a body.
pub const MAX_MESSAGE_LEN: usize = 512;

/// The strings of a JSON text: string values and object keys.
#[derive(Default)]
pub struct Strings {
    /// String values at least `min` bytes long, and the numbers of a top-level
    /// `access_token` member as serde prints them.
    pub values: Vec<String>,
    /// Every object key, whatever its length.
    pub keys: Vec<String>,
}

impl Strings {
    /// The keys a message may quote ([`is_plain_key`]).
    pub fn plain_keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| is_plain_key(k))
            .cloned()
            .collect()
    }

    /// What a message must not hold: the values, and the keys that are not plain
    /// ([`is_plain_key`]), at least `min` bytes long. A value that is part of a plain key is
    /// left out: the message may name that key.
    pub fn secrets(&self, min: usize) -> Vec<String> {
        let plain: Vec<&String> = self.keys.iter().filter(|k| is_plain_key(k)).collect();
        self.values
            .iter()
            .filter(|v| !plain.iter().any(|k| k.contains(v.as_str())))
            .chain(
                self.keys
                    .iter()
                    .filter(|k| k.len() >= min && !is_plain_key(k)),
            )
            .cloned()
            .collect()
    }
}

/// The strings of the JSON text `data` (see [`Strings`]), repeated keys' values included (a
/// `serde_json::Value` keeps only the last). Whatever was read before a syntax error is
/// kept; not JSON at all gives nothing.
pub fn json_strings(data: &[u8], min: usize) -> Strings {
    let mut out = Strings::default();
    let walk = Walk {
        out: &mut out,
        min,
        top: true,
        token: false,
    };
    let mut de = serde_json::Deserializer::from_slice(data);
    let _ = serde::de::DeserializeSeed::deserialize(walk, &mut de);
    out
}

struct Walk<'a> {
    out: &'a mut Strings,
    min: usize,
    /// The root value: its `access_token` member is the token.
    top: bool,
    /// Inside the token: numbers count too.
    token: bool,
}

impl Walk<'_> {
    fn number(self, text: String) {
        if self.token && text.len() >= self.min {
            self.out.values.push(text);
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some(k) = m.next_key::<String>()? {
            let token = self.token || (self.top && k == "access_token");
            self.out.keys.push(k);
            m.next_value_seed(Walk {
                out: &mut *self.out,
                min: self.min,
                top: false,
                token,
            })?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s
            .next_element_seed(Walk {
                out: &mut *self.out,
                min: self.min,
                top: false,
                token: self.token,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        if s.len() >= self.min {
            self.out.values.push(s.to_string());
        }
        Ok(())
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.number(n.to_string());
        Ok(())
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.number(n.to_string());
        Ok(())
    }
    fn visit_f64<E>(self, n: f64) -> Result<(), E> {
        self.number(n.to_string());
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The fixed text that messages are made of: every Rust source file of the core, the CLI and
/// the sandbox, up to its unit tests (their string literals are the messages' words; a
/// literal continued on the next line with `\` is joined), the schema (field names, enum
/// values) and serde_json's phrases. An input string found there proves nothing when a message holds it (e.g. a body
/// value "required field missing"), so it is not counted as an echo. Read once, at run time,
/// so a renamed source file never breaks this crate's build.
pub fn vocabulary() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut text = SERDE_PHRASES.join("\n");
        let mut files = 0;
        let mut dirs = vec![
            root.join("src/core"),
            root.join("cli/src"),
            root.join("sandbox/src"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    if let Ok(source) = std::fs::read_to_string(&path) {
                        // Not the unit tests (at the end of a file): their planted values
                        // ("hunter2", "sekret...") are the words an echo check must see.
                        let code = source.split("#[cfg(test)]").next().unwrap_or("");
                        text.push('\n');
                        text.push_str(&join_continued_literals(code));
                        files += 1;
                    }
                }
            }
        }
        assert!(
            files > 0,
            "no source under {}: the vocabulary would be empty",
            root.display()
        );
        if let Ok(schema) = std::fs::read_to_string(root.join("schema/moneykit.json")) {
            text.push('\n');
            text.push_str(&schema);
        }
        text
    })
}

/// `source` with each `\` + newline + indentation (a string literal continued on the next
/// line) removed, as the compiler does.
fn join_continued_literals(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(i) = rest.find("\\\n") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..].trim_start();
    }
    out.push_str(rest);
    out
}

/// Whether `window` (bytes of a message) is fixed text of the sources ([`vocabulary`]).
pub fn in_vocabulary(window: &[u8]) -> bool {
    match std::str::from_utf8(window) {
        Ok(w) => vocabulary().contains(w),
        Err(_) => vocabulary()
            .as_bytes()
            .windows(window.len())
            .any(|x| x == window),
    }
}

/// The first of `candidates` found in `message` where it is not the messages' own text: some
/// byte of that occurrence is not covered by [`fixed_bytes`] (and the candidate as a whole
/// is not text of the sources either). So a key `"deadline_ms, "` inside `unknown key
/// (allowed: ..., deadline_ms, connect_timeout_ms)`, or a key `"account_type: re"` inside
/// `accounts[1].account_type: required field missing`, is no echo, while `"iQentity"` in
/// `link.products.iQentity: expected object` is.
pub fn echoed<'a>(message: &str, candidates: &'a [String], quotable: &[String]) -> Option<&'a str> {
    let mut fixed: Option<Vec<bool>> = None; // computed on the first occurrence only
                                             // The message first: it is short, the vocabulary is the whole source tree.
    candidates.iter().map(String::as_str).find(|c| {
        message.match_indices(c).any(|(at, _)| {
            let fixed = fixed.get_or_insert_with(|| fixed_bytes(message, quotable));
            !fixed[at..at + c.len()].iter().all(|&f| f)
        }) && !vocabulary().contains(c)
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The words (runs of `A-Z a-z 0-9 _`) of the [`vocabulary`].
fn words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        vocabulary()
            .split(|c: char| !c.is_ascii() || !is_word_byte(c as u8))
            .filter(|w| !w.is_empty())
            .collect()
    })
}

/// Which bytes of `message` are the messages' own text: the words of the sources
/// ([`words`]) and the `quotable` words (the input's keys that a message may quote: short
/// snake_case), a number right after `[`, `#`, `line ` or `column ` (an index, a position),
/// and ASCII punctuation and spaces. Everything else (a word no source has, non-ASCII text)
/// can only have come from the input.
pub fn fixed_bytes(message: &str, quotable: &[String]) -> Vec<bool> {
    let b = message.as_bytes();
    let mut fixed = vec![false; b.len()];
    let mut i = 0;
    while i < b.len() {
        if is_word_byte(b[i]) {
            let start = i;
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
            let word = &message[start..i];
            let before = &b[..start];
            let position = word.bytes().all(|c| c.is_ascii_digit())
                && [&b"["[..], b"#", b"line ", b"column "]
                    .iter()
                    .any(|p| before.ends_with(p));
            let known = words().contains(word) || quotable.iter().any(|q| q == word);
            fixed[start..i].fill(position || known);
        } else {
            fixed[i] = b[i].is_ascii() && !b[i].is_ascii_control();
            i += 1;
        }
    }
    fixed
}

/// Panics unless `message` is short and echoes none of `candidates`.
#[track_caller]
pub fn assert_no_echo(what: &str, message: &str, candidates: &[String], quotable: &[String]) {
    assert!(
        message.len() < MAX_MESSAGE_LEN,
        "{what}: a {}-byte error message: {message:?}",
        message.len()
    );
    if let Some(c) = echoed(message, candidates, quotable) {
        panic!("{what}: the error message echoes the input's {c:?}: {message:?}");
    }
}

/// Whether a message may quote `key` (docs/C-API.md, "Messages never quote input"): at most
/// 32 bytes of `a-z`, `0-9`, `_`, as every documented key is; any other is named `#N`.
pub fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses an error JSON handed out by the C API and checks its documented shape (every key
/// present, `status` and `name` as given); returns its message.
#[track_caller]
pub fn error_message(error_json: &str, status: i32, name: &str) -> String {
    let v: Value = serde_json::from_str(error_json)
        .unwrap_or_else(|e| panic!("the error JSON does not parse ({e}): {error_json:?}"));
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("the error JSON is not an object: {error_json:?}"));
    for key in moneykit::core::ERROR_JSON_KEYS {
        assert!(
            o.contains_key(key),
            "the error JSON lacks {key}: {error_json:?}"
        );
    }
    assert_eq!(o["status"], Value::from(status), "{error_json}");
    assert_eq!(o["name"], Value::from(name), "{error_json}");
    o["message"]
        .as_str()
        .unwrap_or_else(|| panic!("the error JSON's message is not a string: {error_json:?}"))
        .to_string()
}

/// Takes a string the library handed out (`mk_string_free`s it); NULL is `None`.
///
/// # Safety
/// `p` must be NULL or a string from this library not yet freed.
pub unsafe fn take_string(p: *mut std::ffi::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: by this function's contract a NUL-terminated string from the library.
    let s = unsafe { std::ffi::CStr::from_ptr(p) }
        .to_str()
        .expect("strings from the library are UTF-8")
        .to_string();
    // SAFETY: from the library, not freed yet, and not used after this.
    unsafe { moneykit::ffi::mk_string_free(p) };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_is_found_and_fixed_text_is_not_one() {
        let input = br#"{"log_level": "sekret-Value-0123456789", "x": "required field missing",
                         "access_token": 987654321, "Sekret.Key@example.com": 1, "short": "abc"}"#;
        let found = json_strings(input, ECHO_MIN_LEN).secrets(ECHO_MIN_LEN);
        assert!(found.contains(&"sekret-Value-0123456789".to_string()));
        assert!(
            found.contains(&"987654321".to_string()),
            "the token's number"
        );
        assert!(
            found.contains(&"Sekret.Key@example.com".to_string()),
            "a non-plain key"
        );
        assert!(!found.contains(&"abc".to_string()));
        let msg = "option log_level: unknown variant `sekret-Value-0123456789`";
        assert_eq!(echoed(msg, &found, &[]), Some("sekret-Value-0123456789"));
        // The core's own words are not an echo, even when the input holds them too.
        assert_eq!(
            echoed("accounts[0].name: required field missing", &found, &[]),
            None
        );
        // Fixed text spanning a field name and a problem, and a list of allowed keys, are no
        // echo even when an input key is made of them; a word no source has is.
        let keys = [
            "deadline_ms, ".to_string(),
            "account_type: re".to_string(),
            "iQentity".to_string(),
            "warn, hunter2zq".to_string(),
        ];
        let allowed = "option #5: unknown key (allowed: deadline_ms, connect_timeout_ms)";
        assert_eq!(echoed(allowed, &keys, &[]), None);
        let spanning = "accounts[1].account_type: required field missing";
        assert_eq!(echoed(spanning, &keys, &[]), None);
        let products = "link.products.iQentity: expected object";
        assert_eq!(echoed(products, &keys, &[]), Some("iQentity"));
        assert_eq!(
            echoed("(allowed: warn, hunter2zq)", &keys, &[]),
            Some("warn, hunter2zq")
        );
        // A plain key of the input may be quoted, and a value spanning it is no echo.
        let value = ["zzz_product: expected".to_string()];
        let quoted = "link.products.zzz_product: expected object";
        assert_eq!(echoed(quoted, &value, &[]), Some("zzz_product: expected"));
        assert_eq!(echoed(quoted, &value, &["zzz_product".to_string()]), None);
        // Repeated keys: both values are looked for.
        let twice = json_strings(
            br#"{"access_token": "first-token-1", "access_token": "x"}"#,
            8,
        );
        assert_eq!(twice.values, ["first-token-1"]);
    }
}
