//! `cli_files`: the CLI's file formats (`moneykit_cli::files`), with the invariants their
//! documentation states (cli/src/files.rs).
//!
//! Input: a selector byte, then the bytes. Selector 0 (mod 3): a links file
//! (`parse_links`); 1: an earlier output file (`parse_resume`); 2: a result line
//! (`result_line`), the bytes being a key choice byte (identity or error), the link id, a
//! NUL, and the JSON.
//!
//! Invariants (all as documented there):
//! - links, `Ok(ids)`: every id non-empty, without surrounding whitespace or U+FEFF, not
//!   starting with `#`, without control characters, unique, a substring of the input; no
//!   more ids than lines; `parse_links(ids.join("\n")) == Ok(ids)`;
//! - resume, `Ok(s)`: `kept_len` within the input and just after a `\n` (or 0), no `\n`
//!   after it, `unfinished_tail` exactly when something follows it, ids non-empty without
//!   control characters, set sizes within line counts within the `\n` count; the kept part
//!   alone parses to the same state (tail false), and so does it plus the start of a result
//!   line (same sets);
//! - result line: starts with `{"link_id":"`, ends with its only `\n` for valid JSON; with a
//!   link id `parse_links` returns as is, `parse_resume` of the line finds that link with
//!   that kind, and the embedded JSON is the same value;
//! - errors: `line N: ...` with N within the line count, holding nothing from the input.

use crate::common::{fixed_bytes, in_vocabulary};
use moneykit_cli::files::{parse_links, parse_resume, result_line, ResumeState};
use serde_json::Value;

/// How every result line starts.
const LINE_START: &[u8] = b"{\"link_id\":\"";

/// The `cli_files` target.
pub fn cli_files(data: &[u8]) {
    let [selector, ref bytes @ ..] = *data else {
        return;
    };
    match selector % 3 {
        0 => links(bytes),
        1 => resume(bytes),
        _ => line(bytes),
    }
}

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

/// `line N: <fixed text>`, N within the line count, and no 8 bytes of the input that are
/// not also fixed text (`common::fixed_bytes`, the sources' words).
fn error_message(message: &str, bytes: &[u8]) {
    let rest = message
        .strip_prefix("line ")
        .and_then(|m| m.split_once(": "))
        .and_then(|(n, rest)| n.parse::<usize>().ok().map(|n| (n, rest)));
    let Some((n, rest)) = rest else {
        panic!("an error not of the form 'line N: ...': {message:?}");
    };
    assert!(
        (1..=lines(bytes)).contains(&n),
        "line {n} of {}: {message:?}",
        lines(bytes)
    );
    assert!(
        message.len() < crate::common::MAX_MESSAGE_LEN,
        "{message:?}"
    );
    let fixed = fixed_bytes(rest, &[]);
    for (at, w) in rest.as_bytes().windows(8).enumerate() {
        let from_input = bytes.windows(8).any(|x| x == w);
        if from_input && !fixed[at..at + 8].iter().all(|&f| f) && !in_vocabulary(w) {
            panic!(
                "the error message holds input bytes {:?}: {message:?}",
                String::from_utf8_lossy(w)
            );
        }
    }
}

fn links(bytes: &[u8]) {
    let ids = match parse_links(bytes) {
        Err(e) => return error_message(&e, bytes),
        Ok(ids) => ids,
    };
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        assert!(!id.is_empty(), "an empty id");
        let trimmed = id.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        assert_eq!(trimmed, id, "an id with surrounding whitespace or U+FEFF");
        assert!(!id.starts_with('#'), "a comment as an id: {id:?}");
        assert!(
            !id.chars().any(char::is_control),
            "an id with a control character: {id:?}"
        );
        assert!(seen.insert(id.as_str()), "id {id:?} twice");
        assert!(
            bytes.windows(id.len()).any(|w| w == id.as_bytes()),
            "id {id:?} is not in the input"
        );
    }
    assert!(
        ids.len() <= lines(bytes),
        "{} ids from {} lines",
        ids.len(),
        lines(bytes)
    );
    assert_eq!(
        parse_links(ids.join("\n").as_bytes()).as_ref(),
        Ok(&ids),
        "the ids, one per line, read back differently"
    );
}

fn resume(bytes: &[u8]) {
    let s = match parse_resume(bytes) {
        Err(e) => return error_message(&e, bytes),
        Ok(s) => s,
    };
    let kept = usize::try_from(s.kept_len).expect("kept_len fits");
    assert!(kept <= bytes.len(), "kept_len {kept} past {}", bytes.len());
    assert!(
        kept == 0 || bytes[kept - 1] == b'\n',
        "kept_len {kept} not after a newline"
    );
    assert!(!bytes[kept..].contains(&b'\n'), "a newline after kept_len");
    assert_eq!(s.unfinished_tail, kept < bytes.len(), "unfinished_tail");
    for id in s.with_identity.iter().chain(&s.with_error) {
        assert!(
            !id.is_empty() && !id.chars().any(char::is_control),
            "link id {id:?}"
        );
    }
    assert!(s.with_identity.len() as u64 <= s.identity_lines, "{s:?}");
    assert!(s.with_error.len() as u64 <= s.error_lines, "{s:?}");
    let newlines = bytes[..kept].iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(
        s.identity_lines + s.error_lines <= newlines,
        "{s:?}: {newlines} newlines"
    );
    let again = parse_resume(&bytes[..kept]);
    let without_tail = ResumeState {
        unfinished_tail: false,
        ..s.clone()
    };
    assert_eq!(again.as_ref(), Ok(&without_tail), "the kept part alone");
    for extra in [&b""[..], b"mk_x\",\"identity\":{\"accounts\":["] {
        let mut cut = bytes[..kept].to_vec();
        cut.extend_from_slice(LINE_START);
        cut.extend_from_slice(extra);
        let with_start = parse_resume(&cut)
            .unwrap_or_else(|e| panic!("the kept part plus the start of a line: {e}"));
        assert_eq!(
            with_start.with_identity, s.with_identity,
            "with a cut line: identities"
        );
        assert_eq!(
            with_start.with_error, s.with_error,
            "with a cut line: errors"
        );
    }
}

fn line(bytes: &[u8]) {
    let [choice, ref rest @ ..] = *bytes else {
        return;
    };
    let key = if choice & 1 == 0 { "identity" } else { "error" };
    let (id, json) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let (Ok(id), Ok(json)) = (std::str::from_utf8(id), std::str::from_utf8(json)) else {
        return;
    };
    let out = result_line(id, key, json);
    let Ok(want) = serde_json::from_str::<Value>(json) else {
        return; // the invariants hold for valid JSON only
    };
    assert!(out.as_bytes().starts_with(LINE_START), "{out:?}");
    assert!(out.ends_with('\n'), "{out:?}");
    assert_eq!(out.matches('\n').count(), 1, "more than one line: {out:?}");
    if parse_links(id.as_bytes()).as_deref() == Ok(&[id.to_string()][..]) {
        let s = parse_resume(out.as_bytes())
            .unwrap_or_else(|e| panic!("a result line does not read back ({e}): {out:?}"));
        let (mine, other) = if key == "identity" {
            (&s.with_identity, &s.with_error)
        } else {
            (&s.with_error, &s.with_identity)
        };
        assert!(
            mine.contains(id) && mine.len() == 1 && other.is_empty(),
            "{s:?}"
        );
        let v: Value = serde_json::from_str(&out).expect("the line is JSON");
        assert_eq!(v[key], want, "the embedded JSON differs");
    }
}
