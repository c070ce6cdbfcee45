//! The output file of `moneykit identities` on disk. It holds owner data, so: created
//! 0600, never reached through a symbolic link (`--out` itself, or a name planted where
//! a temporary file goes), and rewritten through a temporary file of a random name,
//! created exclusively beside it, that replaces it in one rename.

use std::collections::hash_map::RandomState;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Why `--out` cannot be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Not a file we write to (a symbolic link, a directory, a device): a usage error.
    Refused(String),
    /// The system refused (no such directory, permissions, ...).
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Opens `--out` to read it (resume) and append to it, creating it 0600 when it is
/// missing. A symbolic link is refused, not followed (`O_NOFOLLOW` also covers one
/// planted after the check), and so is anything but a regular file.
pub fn open(path: &Path) -> Result<File, OpenError> {
    let link = || {
        OpenError::Refused(format!(
            "{} is a symbolic link; not following it (give the file it points to, \
             or --out - for standard output)",
            path.display()
        ))
    };
    let not_file = || {
        OpenError::Refused(format!(
            "{} is not a regular file (for standard output, use --out -)",
            path.display()
        ))
    };
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(link()),
        Ok(m) if !m.file_type().is_file() => return Err(not_file()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) && is_symlink(path) {
                link()
            } else {
                OpenError::Io(e)
            }
        })?;
    if !file.metadata()?.is_file() {
        return Err(not_file());
    }
    Ok(file)
}

/// 64 bits no other run (and no earlier call) is likely to use: the process id, the
/// time and a counter, hashed with std's randomly keyed SipHash.
fn random() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    h.write_u128(now.as_nanos());
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// A new, empty file beside `path`, named `.<name>.<random>.moneykit-tmp`, opened to
/// append, mode 0600, created with `O_CREAT | O_EXCL | O_NOFOLLOW`: whatever already
/// has that name (a file, a planted link) is never opened; another name is tried.
pub fn create_temp(path: &Path) -> io::Result<(File, PathBuf)> {
    let name = path.file_name().unwrap_or_else(|| "output".as_ref());
    for _ in 0..100 {
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{:016x}.moneykit-tmp", random()));
        let tmp = path.with_file_name(tmp_name);
        let created = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp);
        match created {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary file beside it",
    ))
}

/// Renames `tmp` over `path` (one atomic step: `path` is the old file or the new one,
/// never a mix; a link at `path` is replaced, not followed), then syncs the directory
/// so the rename survives a crash. The caller has synced `tmp`.
pub fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    fs::rename(tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Best effort: some file systems cannot sync a directory; the rename is done.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "moneykit-cli-outfile-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn temporary_files_are_new_private_and_distinct() {
        let d = dir("temp");
        let out = d.join("out.jsonl");
        let (_a, pa) = create_temp(&out).unwrap();
        let (_b, pb) = create_temp(&out).unwrap();
        assert_ne!(pa, pb);
        for p in [&pa, &pb] {
            let m = fs::symlink_metadata(p).unwrap();
            assert!(m.is_file() && m.len() == 0);
            assert_eq!(m.permissions().mode() & 0o077, 0);
            let name = p.file_name().unwrap().to_str().unwrap();
            assert!(name.starts_with(".out.jsonl.") && name.ends_with(".moneykit-tmp"));
            assert_eq!(p.parent(), Some(d.as_path()));
        }
    }

    #[test]
    fn links_and_non_files_are_refused() {
        let d = dir("open");
        let target = d.join("target");
        fs::write(&target, "x").unwrap();
        symlink(&target, d.join("link")).unwrap();
        symlink(d.join("nowhere"), d.join("dangling")).unwrap();
        for (name, want) in [
            ("link", "is a symbolic link"),
            ("dangling", "is a symbolic link"),
            (".", "not a regular file"),
        ] {
            match open(&d.join(name)) {
                Err(OpenError::Refused(m)) => assert!(m.contains(want), "{m}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(!d.join("nowhere").exists());
        assert_eq!(fs::read(&target).unwrap(), b"x");
        assert!(matches!(
            open(&d.join("no-dir").join("out")),
            Err(OpenError::Io(_))
        ));
        let f = open(&d.join("new")).unwrap();
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o077, 0);
    }
}
