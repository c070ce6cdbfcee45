//! The files of `moneykit identities`: the links list, the result lines, and
//! reading an earlier output to resume.

use moneykit_cli::files::{self, Line, ResumeReader};
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The link ids of a links file (`-`: stdin), as [`files::parse_links`] reads them.
pub fn read_links(path: &Path) -> io::Result<Vec<String>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        File::open(path)?.read_to_end(&mut bytes)?;
    }
    files::parse_links(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

pub use files::result_line;

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
        // Owner data: readable by us only until it takes the output's own mode.
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        Some(io::BufWriter::new(f))
    } else {
        None
    };
    let (mut line, mut lines) = (Vec::new(), ResumeReader::new());
    let result = (|| loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        // Never the line itself in a message: it may hold owner data.
        let invalid = |e: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{e}; not appending to it"),
            )
        };
        match lines.line(&line).map_err(invalid)? {
            Line::Result { link_id, identity } => {
                if identity || !retry_errors {
                    if let Some(w) = rewrite.as_mut() {
                        w.write_all(&line)?;
                    }
                    resume.ok += u64::from(identity);
                    resume.done.insert(link_id);
                } else {
                    resume.dropped_errors += 1;
                }
            }
            Line::Blank => {}
            Line::Unfinished => {
                resume.truncated_tail = true;
                return Ok(());
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
            let mode = fs::metadata(out)?.permissions().mode() & 0o7777;
            f.set_permissions(fs::Permissions::from_mode(mode))?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, out)?;
        }
        Some(w) => {
            drop(w);
            fs::remove_file(&tmp)?;
            if resume.truncated_tail {
                truncate(out, lines.finish().kept_len)?;
            }
        }
        None if resume.truncated_tail => truncate(out, lines.finish().kept_len)?,
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
                assert!(e.contains("line 2: "), "{e}");
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
        assert!(e.contains("line 2: ") && !e.contains("secret"), "{e}");
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
}
