//! Replays the committed fuzz inputs (issue 23): every file of `fuzz/corpus/<target>/` (what
//! the fuzzer has reached so far, minimized) and of `fuzz/regressions/<target>/` (inputs
//! that once broke an invariant) through its target. A failure names every input that
//! failed and why; rerun one with `cargo test -p moneykit-fuzz --test replay -- <target>`
//! and `MK_FUZZ_INPUT=<path>` to see only it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The input files of one directory (sorted; dot files and README.md left out).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !name.starts_with('.') && name != "README.md"
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn replay(name: &str) {
    let target = moneykit_fuzz::TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let only = std::env::var_os("MK_FUZZ_INPUT").map(PathBuf::from);
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        files.extend(inputs(&fuzz_dir().join(kind).join(name)));
    }
    if let Some(only) = &only {
        files.retain(|f| f.ends_with(only) || only.ends_with(f.file_name().unwrap()));
    }
    assert!(
        only.is_some()
            || files
                .iter()
                .any(|f| f.to_string_lossy().contains("/corpus/")),
        "fuzz/corpus/{name}/ is empty: seed it (fuzz/README.md)"
    );
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (target.run)(&data))) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(a non-string panic)");
            let why: String = why.chars().take(600).collect();
            let shown = file.strip_prefix(fuzz_dir()).unwrap_or(file);
            failed.push(format!("fuzz/{}: {why}", shown.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "{name}: {} of {} inputs break an invariant:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn identity() {
    replay("identity");
}

#[test]
fn identity_shapes() {
    replay("identity_shapes");
}

#[test]
fn options() {
    replay("options");
}

#[test]
fn claim_match() {
    replay("claim_match");
}

#[test]
fn sandbox_http() {
    replay("sandbox_http");
}

#[test]
fn cli_files() {
    replay("cli_files");
}

#[test]
fn cli_http() {
    replay("cli_http");
}

/// Every target has its test above, and every corpus directory its target.
#[test]
fn every_target_is_replayed() {
    let source = include_str!("replay.rs");
    for t in moneykit_fuzz::TARGETS {
        assert!(
            source.contains(&format!("replay(\"{}\")", t.name)),
            "target {} has no replay test",
            t.name
        );
    }
    for kind in ["corpus", "regressions"] {
        for entry in std::fs::read_dir(fuzz_dir().join(kind))
            .into_iter()
            .flatten()
            .flatten()
        {
            let dir = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() {
                assert!(
                    moneykit_fuzz::TARGETS.iter().any(|t| t.name == dir),
                    "fuzz/{kind}/{dir}/ belongs to no target"
                );
            }
        }
    }
}

#[test]
fn webhook_jws() {
    replay("webhook_jws");
}

#[test]
fn webhook_jwks() {
    replay("webhook_jwks");
}

#[test]
fn webhook_event() {
    replay("webhook_event");
}
