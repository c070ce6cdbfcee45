//! The output file of `moneykit identities` holds owner data: it is created 0600 and a
//! rewrite (`--retry-errors`) keeps its mode; no symbolic link is followed, at `--out` or
//! at a temporary file; `--out -` is standard output; resume cuts only an unfinished last
//! line and refuses a whole line that is not a result line, without quoting it.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn set_mode(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

fn names(d: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

/// Links with one error among them, fetched once: an output with an error line.
fn with_an_error_line(sb: &moneykit_sandbox::Sandbox, d: &Path) -> (PathBuf, PathBuf) {
    let links = d.join("links.txt");
    fs::write(&links, "mk_sandbox_bulk_1\nmk_sandbox_not_found\n").unwrap();
    let out = d.join("out.jsonl");
    let o = identities(sb, &links, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(lines_in(&out), 2);
    (links, out)
}

#[test]
fn the_output_is_created_readable_by_its_owner_only() {
    let sb = plain();
    let d = dir("mode-new");
    let (links, out) = (links_file(&d, 2), d.join("out.jsonl"));
    let o = identities(&sb, &links, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_each_once(&count_lines(&out), 2);
    assert_eq!(mode(&out) & 0o077, 0, "mode {:o}", mode(&out));
}

#[test]
fn retry_errors_keeps_the_mode_of_the_output() {
    let sb = plain();
    for want in [0o600, 0o640] {
        let d = dir(&format!("mode-keep-{want:o}"));
        let (links, out) = with_an_error_line(&sb, &d);
        set_mode(&out, want);
        let o = identities(&sb, &links, &out, &["--quiet", "--retry-errors"]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(err.contains("removed 1 error line to fetch"), "{err}");
        assert_eq!(mode(&out), want, "mode {:o} after the rewrite", mode(&out));
    }
}

#[test]
fn a_symbolic_link_at_out_is_refused_and_not_followed() {
    let sb = plain();
    let d = dir("out-link");
    let links = links_file(&d, 2);
    let out = d.join("out.jsonl");
    // A link to a file: refused, the file untouched.
    let victim = d.join("victim.jsonl");
    fs::write(&victim, "").unwrap();
    symlink(&victim, &out).unwrap();
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(fs::read(&victim).unwrap(), b"");
    assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    // A dangling link: refused, its target not created.
    fs::remove_file(&out).unwrap();
    let nowhere = d.join("nowhere.jsonl");
    symlink(&nowhere, &out).unwrap();
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is a symbolic link"), "{err}");
    assert!(!nowhere.exists());
    assert_eq!(sb.stats().identity_requests, 0);
}

#[test]
fn retry_errors_follows_no_link_planted_at_a_temporary_name() {
    let sb = plain();
    let d = dir("tmp-link");
    let (links, out) = with_an_error_line(&sb, &d);
    let victim = d.join("victim.txt");
    fs::write(&victim, "precious\n").unwrap();
    // The name the rewrite used to take, predictable from --out.
    let planted = d.join("out.jsonl.moneykit-tmp");
    symlink(&victim, &planted).unwrap();
    let before = names(&d);
    let o = identities(&sb, &links, &out, &["--quiet", "--retry-errors"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(
        fs::symlink_metadata(&out).unwrap().is_file(),
        "--out became a link"
    );
    assert_eq!(fs::read_link(&planted).unwrap(), victim);
    assert_eq!(names(&d), before, "a temporary file was left behind");
    // The error line was removed and its link fetched again (an error again).
    let content = fs::read_to_string(&out).unwrap();
    assert_eq!(content.lines().count(), 2, "{content}");
    assert_eq!(content.matches("\"error\":").count(), 1, "{content}");
    assert_eq!(sb.stats().identity_requests, 3);
}

#[test]
fn out_dash_writes_standard_output_without_resume() {
    let sb = plain();
    let d = dir("out-dash");
    let links = links_file(&d, 3);
    let o = moneykit(
        &sb,
        &[
            "identities",
            "--links",
            links.to_str().unwrap(),
            "--out",
            "-",
        ],
    )
    .current_dir(&d)
    .output()
    .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_each_once(&count_text(&text(&o.stdout)), 3);
    assert!(!d.join("-").exists(), "wrote a file named '-'");
    assert!(err.contains("standard output"), "{err}");

    let o = moneykit(
        &sb,
        &[
            "identities",
            "--links",
            links.to_str().unwrap(),
            "--out",
            "-",
            "--retry-errors",
        ],
    )
    .current_dir(&d)
    .output()
    .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--retry-errors") && err.contains("--out -"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    assert!(!d.join("-").exists(), "wrote a file named '-'");
    assert_eq!(sb.stats().identity_requests, 3);
}

#[test]
fn resume_refuses_a_whole_line_that_is_not_a_result_line() {
    let sb = plain();
    let d = dir("bad-last-line");
    let (links, out) = (links_file(&d, 2), d.join("out.jsonl"));
    let o = identities(&sb, &links, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let good = fs::read(&out).unwrap();
    // Whole lines (with their newline) that are not result lines, owner data in them.
    for bad in [
        "{\"owner\":\"Peggy OBrien\"}\n",
        "{\"link_id\":\"mk_sandbox_bulk_5\",\"owner\":\"Peggy OBrien\"}\n",
        "Peggy OBrien\n",
    ] {
        let content = [&good[..], bad.as_bytes()].concat();
        for extra in [&[][..], &["--retry-errors"][..]] {
            fs::write(&out, &content).unwrap();
            let before = names(&d);
            let o = identities(&sb, &links, &out, &[&["--quiet"][..], extra].concat());
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{bad:?} {extra:?}: {err}");
            assert!(err.contains("line 3"), "{err}");
            assert!(!err.contains("Peggy"), "the line's content in: {err}");
            assert_eq!(fs::read(&out).unwrap(), content, "{bad:?} {extra:?}");
            assert_eq!(names(&d), before);
        }
    }
    // An unfinished last line that is not the start of a result line is not ours: refused.
    let content = [&good[..], b"Peggy OBrien"].concat();
    fs::write(&out, &content).unwrap();
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(!err.contains("Peggy"), "the line's content in: {err}");
    assert_eq!(fs::read(&out).unwrap(), content);
    // The start of a result line cut by a crash is removed, and that link fetched again.
    let content = [
        &good[..],
        b"{\"link_id\":\"mk_sandbox_bulk_2\",\"identity\":{\"li",
    ]
    .concat();
    fs::write(&out, &content).unwrap();
    let links = links_file(&d, 3);
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("removed an incomplete last line"), "{err}");
    assert_each_once(&count_lines(&out), 3);
}
