//! The files of `moneykit identities`: the links list, the result lines, and
//! reading an earlier output to resume.

use serde_json::Value;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// The link ids of a links file (`-`: stdin): one per line, trimmed; blank lines and
/// `#` comments skipped; a repeated id kept once (the first time).
pub fn read_links(path: &Path) -> io::Result<Vec<String>> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path)?)
    };
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for line in BufReader::new(reader).lines() {
        let line = line?;
        let id = line.trim();
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if seen.insert(id.to_string()) {
            links.push(id.to_string());
        }
    }
    Ok(links)
}

/// One result line (with its newline): `{"link_id":…,"identity":<body>}` or
/// `{"link_id":…,"error":<error JSON>}`. `json` is embedded as sent, only with the
/// whitespace between tokens removed so the line holds one record.
pub fn result_line(link_id: &str, key: &str, json: &str) -> String {
    let id = serde_json::to_string(link_id).expect("a string serializes");
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
/// hold a raw newline (control characters are escaped), so the result is one line
/// and every value, number and escape stays exactly as sent.
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

/// What an earlier output file holds.
#[derive(Debug, Default)]
pub struct Resume {
    /// Link ids that have a line (and are skipped).
    pub done: HashSet<String>,
    /// Of those, lines with an identity.
    pub ok: u64,
    /// Error lines removed because of `--retry-errors`.
    pub dropped_errors: u64,
    /// A last line without its newline (an interrupted write), removed.
    pub truncated_tail: bool,
}

/// A result line's link id and whether it holds an identity; `None` when the line is
/// not a result line.
fn parse_line(line: &[u8]) -> Option<(String, bool)> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let obj = v.as_object()?;
    let id = obj.get("link_id")?.as_str()?.to_string();
    match (obj.get("identity"), obj.get("error")) {
        (Some(_), None) => Some((id, true)),
        (None, Some(_)) => Some((id, false)),
        _ => None,
    }
}

/// How every result line starts (`result_line`).
const LINE_START: &[u8] = b"{\"link_id\":\"";

/// A last line without its newline that a write cut short could have left: the start
/// of a result line, or only whitespace.
fn unfinished_result_line(tail: &[u8]) -> bool {
    tail.starts_with(LINE_START)
        || LINE_START.starts_with(tail)
        || tail.iter().all(u8::is_ascii_whitespace)
}

/// Reads `out` (missing: nothing done) and leaves it ending with a whole line: an
/// unfinished last line (no newline, the start of a result line) is cut off, and with `retry_errors` error lines are removed
/// (the file is rewritten beside it and renamed over it). A whole line that is not a
/// result line, anywhere, is an error: the file is not ours to rewrite.
pub fn load(out: &Path, retry_errors: bool) -> io::Result<Resume> {
    let mut resume = Resume::default();
    let file = match File::open(out) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(resume),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::new(file);
    let tmp = tmp_path(out);
    let mut rewrite = if retry_errors {
        Some(io::BufWriter::new(File::create(&tmp)?))
    } else {
        None
    };
    let (mut line, mut good_end, mut number) = (Vec::new(), 0u64, 0u64);
    let result = (|| loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let complete = line.ends_with(b"\n");
        match parse_line(&line).filter(|_| complete) {
            Some((id, ok)) => {
                if ok || !retry_errors {
                    if let Some(w) = rewrite.as_mut() {
                        w.write_all(&line)?;
                    }
                    resume.ok += u64::from(ok);
                    resume.done.insert(id);
                } else {
                    resume.dropped_errors += 1;
                }
                good_end += n as u64;
            }
            None if !complete && unfinished_result_line(&line) => {
                resume.truncated_tail = true;
                return Ok(());
            }
            None if complete && line.iter().all(u8::is_ascii_whitespace) => good_end += n as u64,
            // Never the line itself in the message: it may hold owner data.
            None if complete => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {number} of {} is not a result line; not appending to it",
                        out.display()
                    ),
                ))
            }
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {number} of {} (the last, without a newline) is not the start \
                         of a result line; not cutting it",
                        out.display()
                    ),
                ))
            }
        }
    })();
    if let Err(e) = result {
        drop(rewrite);
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    match rewrite {
        Some(w) if resume.dropped_errors > 0 => {
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, out)?;
        }
        Some(w) => {
            drop(w);
            fs::remove_file(&tmp)?;
            if resume.truncated_tail {
                truncate(out, good_end)?;
            }
        }
        None if resume.truncated_tail => truncate(out, good_end)?,
        None => {}
    }
    Ok(resume)
}

fn truncate(out: &Path, len: u64) -> io::Result<()> {
    let f = OpenOptions::new().write(true).open(out)?;
    f.set_len(len)?;
    f.sync_all()
}

fn tmp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".moneykit-tmp");
    out.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_lines_keep_values_exact() {
        let body = "{\n  \"a\": 1.10,\n  \"s\": \"x \\\" y\\n z\",\n  \"t\": [ 1 , 2e3 ]\n}\n";
        let line = result_line("mk \"1\"", "identity", body);
        assert_eq!(
            line,
            "{\"link_id\":\"mk \\\"1\\\"\",\"identity\":{\"a\":1.10,\"s\":\"x \\\" y\\n z\",\"t\":[1,2e3]}}\n"
        );
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["identity"]["s"], "x \" y\n z");
        assert_eq!(line.matches('\n').count(), 1);
    }

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "moneykit-cli-jsonl-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn resume_cuts_only_an_unfinished_tail_and_can_drop_errors() {
        let out = dir().join("out.jsonl");
        let a = result_line("a", "identity", "{}");
        let b = result_line("b", "error", "{\"status\":9}");
        fs::write(&out, format!("{a}{b}{{\"link_id\":\"c\",\"ide")).unwrap();
        let r = load(&out, false).unwrap();
        assert!(r.truncated_tail);
        assert_eq!((r.done.len(), r.ok), (2, 1));
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}{b}"));

        let r = load(&out, true).unwrap();
        assert_eq!((r.done.len(), r.dropped_errors), (1, 1));
        assert!(!r.truncated_tail);
        assert_eq!(fs::read_to_string(&out).unwrap(), a);
        assert!(!tmp_path(&out).exists());

        // A whole line (it has its newline) that is not a result line is not an
        // interrupted write: refused, even last, naming the line and not its content.
        for bad in ["{\"link_id\"\n", "{\"link_id\":\"secret\"}\n", "secret\n"] {
            fs::write(&out, format!("{a}{bad}")).unwrap();
            for retry in [false, true] {
                let e = load(&out, retry).unwrap_err().to_string();
                assert!(e.contains("line 2 of "), "{e}");
                assert!(!e.contains("secret"), "{e}");
                assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}{bad}"));
                assert!(!tmp_path(&out).exists());
            }
        }
        // Without its newline, only the start of a result line (or blanks) is cut.
        for tail in ["{", "{\"link_", "  ", "{\"link_id\":\"x\",\"identity\":{}}"] {
            fs::write(&out, format!("{a}{tail}")).unwrap();
            assert!(load(&out, false).unwrap().truncated_tail, "{tail}");
            assert_eq!(fs::read_to_string(&out).unwrap(), a);
        }
        fs::write(&out, format!("{a}secret")).unwrap();
        let e = load(&out, false).unwrap_err().to_string();
        assert!(e.contains("line 2 of ") && !e.contains("secret"), "{e}");
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}secret"));

        // A bad line in the middle is not ours to remove.
        fs::write(&out, format!("hello\n{a}")).unwrap();
        assert!(load(&out, false).is_err());
        assert!(load(&out, true).is_err());
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("hello\n{a}"));
        assert!(!tmp_path(&out).exists());

        assert!(load(&dir().join("missing.jsonl"), false)
            .unwrap()
            .done
            .is_empty());
    }

    #[test]
    fn links_are_trimmed_and_deduplicated() {
        let p = dir().join("links.txt");
        fs::write(&p, "# header\n a \n\nb\na\r\nc").unwrap();
        assert_eq!(read_links(&p).unwrap(), ["a", "b", "c"]);
    }
}
