//! The files of `moneykit identities`: reading the links list, and reading an earlier
//! output to resume (the formats themselves: `moneykit_cli::files`).

use crate::outfile;
use moneykit_cli::files::{self, Line, ResumeReader, ResumeState};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
    /// Error lines removed because of `--retry-errors`.
    pub dropped_errors: u64,
    /// A last line without its newline (an interrupted write), removed.
    pub truncated_tail: bool,
}

/// Reads the output `file` (opened by `outfile::open`, at `out`) and leaves it ending
/// with a whole line: an unfinished last line (no newline, the start of a result line)
/// is cut off, and with `retry_errors` the error lines are removed: the file is
/// rewritten beside it and renamed over it, and the file to append to is then the new
/// one (returned). A whole line that is not a result line, anywhere, is an error: the
/// file is not ours to rewrite.
pub fn load(file: File, out: &Path, retry_errors: bool) -> io::Result<(File, Resume)> {
    let state = scan(&file, |_, _| Ok(()))?;
    let mut resume = Resume {
        done: state.with_identity,
        dropped_errors: 0,
        truncated_tail: state.unfinished_tail,
    };
    if retry_errors {
        resume.dropped_errors = state.error_lines;
    } else {
        resume.done.extend(state.with_error);
    }
    if resume.dropped_errors > 0 {
        return Ok((rewrite(&file, out)?, resume));
    }
    if resume.truncated_tail {
        file.set_len(state.kept_len)?;
        file.sync_all()?;
    }
    Ok((file, resume))
}

/// Reads `file` from its start, line by line, and gives every line with what it is to
/// `each` (not the unfinished last line).
fn scan(
    mut file: &File,
    mut each: impl FnMut(&[u8], &Line) -> io::Result<()>,
) -> io::Result<ResumeState> {
    file.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::new(file);
    let (mut line, mut lines) = (Vec::new(), ResumeReader::new());
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(lines.finish());
        }
        // Never the line itself in a message: it may hold owner data.
        let kind = lines.line(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{e}; not appending to it"),
            )
        })?;
        match kind {
            Line::Unfinished => return Ok(lines.finish()),
            kind => each(&line, &kind)?,
        }
    }
}

/// `file` without its error lines, blank lines and unfinished last line, in a new
/// file that keeps its mode and takes its place (`outfile::replace`).
fn rewrite(file: &File, out: &Path) -> io::Result<File> {
    let mode = file.metadata()?.permissions().mode() & 0o7777;
    let (tmp, tmp_path) = outfile::create_temp(out)?;
    let written = (|| {
        let mut w = BufWriter::new(&tmp);
        scan(file, |line, kind| match kind {
            Line::Result { identity: true, .. } => w.write_all(line),
            _ => Ok(()),
        })?;
        w.flush()?;
        drop(w);
        tmp.set_permissions(fs::Permissions::from_mode(mode))?;
        tmp.sync_all()?;
        outfile::replace(&tmp_path, out)
    })();
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp_path);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "moneykit-cli-jsonl-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn load_at(out: &Path, retry: bool) -> io::Result<Resume> {
        let file = outfile::open(out).unwrap();
        load(file, out, retry).map(|(_, r)| r)
    }

    /// Nothing but `out` in its directory: no temporary file left.
    fn alone(out: &Path) {
        let names: Vec<_> = fs::read_dir(out.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn resume_cuts_only_an_unfinished_tail_and_can_drop_errors() {
        let out = dir().join("out.jsonl");
        let a = result_line("a", "identity", "{}");
        let b = result_line("b", "error", "{\"status\":9}");
        fs::write(&out, format!("{a}{b}{{\"link_id\":\"c\",\"ide")).unwrap();
        let r = load_at(&out, false).unwrap();
        assert!(r.truncated_tail);
        assert_eq!(r.done.len(), 2);
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}{b}"));

        fs::write(&out, format!("{a}{b}\n{{\"link_id\":\"c\",\"ide")).unwrap();
        let file = outfile::open(&out).unwrap();
        let (mut file, r) = load(file, &out, true).unwrap();
        assert_eq!((r.done.len(), r.dropped_errors), (1, 1));
        assert!(r.truncated_tail);
        assert_eq!(fs::read_to_string(&out).unwrap(), a);
        alone(&out);
        // The file returned is the new output.
        file.write_all(b.as_bytes()).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}{b}"));

        // A whole line (it has its newline) that is not a result line is not an
        // interrupted write: refused, even last, naming the line and not its content.
        for bad in ["{\"link_id\"\n", "{\"link_id\":\"secret\"}\n", "secret\n"] {
            fs::write(&out, format!("{b}{bad}")).unwrap();
            for retry in [false, true] {
                let e = load_at(&out, retry).unwrap_err().to_string();
                assert!(e.contains("line 2: "), "{e}");
                assert!(!e.contains("secret"), "{e}");
                assert_eq!(fs::read_to_string(&out).unwrap(), format!("{b}{bad}"));
                alone(&out);
            }
        }
        // Without its newline, only the start of a result line (or blanks) is cut.
        for tail in ["{", "{\"link_", "  ", "{\"link_id\":\"x\",\"identity\":{}}"] {
            fs::write(&out, format!("{a}{tail}")).unwrap();
            assert!(load_at(&out, false).unwrap().truncated_tail, "{tail}");
            assert_eq!(fs::read_to_string(&out).unwrap(), a);
        }
        fs::write(&out, format!("{a}secret")).unwrap();
        let e = load_at(&out, false).unwrap_err().to_string();
        assert!(e.contains("line 2: ") && !e.contains("secret"), "{e}");
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("{a}secret"));

        // A bad line in the middle is not ours to remove.
        fs::write(&out, format!("hello\n{b}")).unwrap();
        assert!(load_at(&out, false).is_err());
        assert!(load_at(&out, true).is_err());
        assert_eq!(fs::read_to_string(&out).unwrap(), format!("hello\n{b}"));
        alone(&out);

        let missing = dir().join("missing.jsonl");
        assert!(load_at(&missing, true).unwrap().done.is_empty());
    }
}
