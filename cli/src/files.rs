//! The file formats of `moneykit identities`, without I/O: the links file, the result
//! lines of the output, and reading an earlier output back to resume.
//!
//! Every function here is pure (bytes in, a result out, no file, no clock, no global
//! state) and never panics, whatever the input: fuzz targets call them directly. Error
//! messages name a line by its number, never its content, which may hold owner data.

use serde_json::Value;
use std::collections::HashSet;

/// The link ids of a links file.
///
/// One id per line (lines end at `\n`; a `\r` before it goes with the other whitespace);
/// each line is trimmed of whitespace (Unicode `White_Space`) and of U+FEFF (the byte
/// order mark some editors put at the start of a file); blank lines and lines starting
/// with `#` (after trimming) are skipped; an id given again is kept once, where it first
/// appears.
///
/// Errors, `"line N: ..."` with N the 1-based line number: a line that is not UTF-8, an
/// id holding a control character (a NUL, a lone `\r`, ...: not a link id, likely not a
/// text file).
///
/// Invariants (for fuzzing), on `Ok(ids)`:
/// - every id is non-empty, neither starts nor ends with whitespace or U+FEFF, does not
///   start with `#`, and has no control character (`char::is_control`), so no `\n`,
///   `\r` or NUL;
/// - no id appears twice, and each appears in the input as a substring;
/// - `ids.len()` is at most the number of lines (`\n` count + 1);
/// - `parse_links(ids.join("\n"))` gives `ids` again.
///
/// On `Err(message)`: the message starts with `"line N: "` where 1 <= N <= the number of
/// lines, and holds nothing taken from the input.
pub fn parse_links(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = i + 1;
        let line =
            std::str::from_utf8(line).map_err(|_| format!("line {number}: not UTF-8 text"))?;
        let id = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if id.chars().any(char::is_control) {
            return Err(format!(
                "line {number}: a link id cannot hold a control character"
            ));
        }
        if seen.insert(id) {
            links.push(id.to_string());
        }
    }
    Ok(links)
}

/// One result line, with its newline: `{"link_id":…,"identity":<json>}` (`key`
/// "identity") or `{"link_id":…,"error":<json>}` (`key` "error"). `json` is embedded
/// as given, only with the whitespace between its tokens removed, so that the line
/// holds one record and every value, number and escape stays exactly as sent.
///
/// Invariants (for fuzzing): the line starts with `{"link_id":"` and ends with its only
/// `\n` when `json` is valid JSON text; then, with `link_id` an id [`parse_links`] can
/// return and `key` "identity" or "error", [`parse_resume`] of the line finds that one
/// link with that kind, and `json` parses to the same value as the embedded one.
pub fn result_line(link_id: &str, key: &str, json: &str) -> String {
    // A `&str` always serializes; the fallback keeps this function free of panics.
    let id = serde_json::to_string(link_id).unwrap_or_else(|_| "\"\"".to_string());
    let mut line = String::with_capacity(json.len() + id.len() + 24);
    line.push_str("{\"link_id\":");
    line.push_str(&id);
    line.push_str(",\"");
    line.push_str(key);
    line.push_str("\":");
    push_minified(&mut line, json);
    line.push_str("}\n");
    line
}

/// Appends `json` without the whitespace outside its strings. JSON strings cannot
/// hold a raw newline (control characters are escaped), so valid JSON stays on one
/// line and every value, number and escape stays exactly as sent.
fn push_minified(out: &mut String, json: &str) {
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
            in_string = c == '"';
        }
    }
}

/// How every result line starts ([`result_line`]).
const LINE_START: &[u8] = b"{\"link_id\":\"";

/// What an earlier output file holds ([`parse_resume`], [`ResumeReader`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResumeState {
    /// Link ids with at least one identity line.
    pub with_identity: HashSet<String>,
    /// Link ids with at least one error line (a link may be in both sets).
    pub with_error: HashSet<String>,
    /// How many identity lines.
    pub identity_lines: u64,
    /// How many error lines.
    pub error_lines: u64,
    /// The length of the whole lines, every one of them a result line or blank: the part
    /// of the file to keep. 0, or just after a `\n`.
    pub kept_len: u64,
    /// Whether an unfinished last line follows `kept_len`: no newline, and the start of
    /// a result line (or only whitespace); a write cut short, to be cut off.
    pub unfinished_tail: bool,
}

/// How one line of an output file reads ([`ResumeReader::line`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A whole result line: its link id, and whether it holds an identity (else an error).
    Result { link_id: String, identity: bool },
    /// A whole line of whitespace only: kept, holds nothing.
    Blank,
    /// The unfinished last line (see [`ResumeState::unfinished_tail`]).
    Unfinished,
}

/// Reads an output file line by line, so that a large file needs no more memory than
/// its longest line; [`parse_resume`] is this over a whole buffer.
#[derive(Debug, Default)]
pub struct ResumeReader {
    state: ResumeState,
    lines: u64,
    ended: bool,
}

impl ResumeReader {
    pub fn new() -> ResumeReader {
        ResumeReader::default()
    }

    /// The next line of the file: its bytes up to and including its `\n`; only the last
    /// line may lack one, and a line without it ends the file (another line after it is
    /// an error). A whole line must be a result line or blank: anything else is an error
    /// (`"line N: ..."`, never the content), and so is an unfinished last line that is
    /// not the start of a result line: the file is then not ours to cut or rewrite.
    pub fn line(&mut self, line: &[u8]) -> Result<Line, String> {
        self.lines += 1;
        let number = self.lines;
        if self.ended {
            return Err(format!("line {number}: follows a line without a newline"));
        }
        let (body, complete) = match line.iter().position(|&b| b == b'\n') {
            Some(at) if at + 1 == line.len() => (line, true),
            Some(_) => return Err(format!("line {number}: holds more than one line")),
            None => (line, false),
        };
        if !complete {
            self.ended = true;
            let start = body.starts_with(LINE_START) || LINE_START.starts_with(body);
            if start || body.iter().all(u8::is_ascii_whitespace) {
                self.state.unfinished_tail = !body.is_empty();
                return Ok(Line::Unfinished);
            }
            return Err(format!(
                "line {number}: the last line has no newline and is not the start of a \
                 result line"
            ));
        }
        let kind = if body.iter().all(u8::is_ascii_whitespace) {
            Line::Blank
        } else {
            let (link_id, identity) =
                parse_result(body).ok_or_else(|| format!("line {number}: not a result line"))?;
            if identity {
                self.state.identity_lines += 1;
                self.state.with_identity.insert(link_id.clone());
            } else {
                self.state.error_lines += 1;
                self.state.with_error.insert(link_id.clone());
            }
            Line::Result { link_id, identity }
        };
        self.state.kept_len += line.len() as u64;
        Ok(kind)
    }

    /// What the lines read so far hold.
    pub fn finish(self) -> ResumeState {
        self.state
    }
}

/// A result line's link id and whether it holds an identity; `None` when the line is
/// not a result line: a JSON object with a string `link_id` (non-empty, no control
/// character: an id [`parse_links`] could give) and exactly one of `identity`, `error`.
fn parse_result(line: &[u8]) -> Option<(String, bool)> {
    let mut v: Value = serde_json::from_slice(line).ok()?;
    let obj = v.as_object_mut()?;
    let identity = match (obj.contains_key("identity"), obj.contains_key("error")) {
        (true, false) => true,
        (false, true) => false,
        _ => return None,
    };
    let Value::String(id) = obj.remove("link_id")? else {
        return None;
    };
    if id.is_empty() || id.chars().any(char::is_control) {
        return None;
    }
    Some((id, identity))
}

/// What an earlier output file holds, from its bytes: every whole line must be a result
/// line ([`result_line`]) or blank; a last line without its newline is a write cut
/// short when it is the start of a result line (or only whitespace), and is then left
/// out of [`ResumeState::kept_len`]; anything else is an error (`"line N: ..."`).
///
/// Invariants (for fuzzing), on `Ok(s)`:
/// - `s.kept_len <= bytes.len()`, and `s.kept_len` is 0 or `bytes[s.kept_len - 1]` is
///   `\n`; `bytes[s.kept_len..]` holds no `\n`;
/// - `s.unfinished_tail == (s.kept_len < bytes.len())`;
/// - every link id in `s.with_identity` and `s.with_error` is non-empty and has no
///   control character; `s.with_identity.len() <= s.identity_lines`,
///   `s.with_error.len() <= s.error_lines`, and `s.identity_lines + s.error_lines` is at
///   most the number of `\n` in `bytes[..s.kept_len]`;
/// - `parse_resume(&bytes[..s.kept_len])` is `Ok` with the same state except
///   `unfinished_tail == false`; and for any `extra` without `\n`,
///   `parse_resume(bytes[..s.kept_len] + b"{\"link_id\":\"" + extra)` is `Ok` with the
///   same sets.
///
/// On `Err(message)`: the message starts with `"line N: "` where 1 <= N <= the number of
/// lines, and holds nothing taken from the input.
pub fn parse_resume(bytes: &[u8]) -> Result<ResumeState, String> {
    let mut reader = ResumeReader::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |at| at + 1);
        let (line, tail) = rest.split_at(end);
        reader.line(line)?;
        rest = tail;
    }
    Ok(reader.finish())
}
