//! The conformance corpus and the sandbox: `mk_corpus_<name>` serves `tests/corpus/<name>.json`
//! byte for byte, and `tests/corpus/sandbox_<fixture>.json` are exactly the sandbox's fixtures.
//!
//! `UPDATE_CORPUS=1 cargo test -p moneykit-sandbox --test corpus` rewrites the
//! `sandbox_*.json` copies from what the sandbox serves now.

mod common;

use std::path::PathBuf;

use common::{identity, start};

/// Fixtures copied into the corpus (`mk_sandbox_large`, 3.5 MB, is left out).
const FIXTURES: [&str; 5] = ["ok", "unicode", "minimal", "extra_fields", "refreshing"];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

/// Every `<name>.json` of the corpus directory (not the `.expected.json` dumps), sorted.
fn names_on_disk() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .filter_map(|f| f.strip_suffix(".json").map(str::to_string))
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    names.sort();
    names
}

#[test]
fn sandbox_fixtures_match_the_corpus() {
    let update = std::env::var_os("UPDATE_CORPUS").is_some_and(|v| v == "1");
    for fixture in FIXTURES {
        // A fresh sandbox: `mk_sandbox_refreshing` is served at N = 0.
        let sb = start();
        let resp = identity(&sb, &format!("mk_sandbox_{fixture}"));
        assert_eq!(resp.status, 200, "{fixture}");
        let path = corpus_dir().join(format!("sandbox_{fixture}.json"));
        if update {
            std::fs::write(&path, &resp.body).expect("write corpus file");
            continue;
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run UPDATE_CORPUS=1 cargo test -p moneykit-sandbox --test corpus)",
                path.display()
            )
        });
        assert!(
            on_disk == resp.body,
            "{} differs from what mk_sandbox_{fixture} serves (UPDATE_CORPUS=1 rewrites it)",
            path.display()
        );
    }
}

#[test]
fn corpus_bodies_are_served_byte_for_byte() {
    let names = names_on_disk();
    assert!(names.len() >= 10, "the corpus has bodies: {names:?}");
    // The embedded list is the directory as it is now (build.rs reruns when it changes).
    assert_eq!(moneykit_sandbox::corpus_names(), names);
    let sb = start();
    for name in &names {
        let resp = identity(&sb, &format!("mk_corpus_{name}"));
        assert_eq!(resp.status, 200, "{name}");
        assert_eq!(resp.header("content-type"), Some("application/json"));
        let want = std::fs::read(corpus_dir().join(format!("{name}.json"))).unwrap();
        assert!(
            resp.body == want,
            "mk_corpus_{name} is not the file's bytes"
        );
    }
}

#[test]
fn unknown_corpus_names_are_not_found() {
    let sb = start();
    for id in [
        "mk_corpus_no_such_body",
        "mk_corpus_",
        "mk_corpus_sandbox_ok.expected",
        "mk_corpus_..%2Fcorpus%2Fsandbox_ok",
    ] {
        let resp = identity(&sb, id);
        assert_eq!(resp.status, 404, "{id}");
        assert_eq!(resp.json()["error_code"], "link_error.not_found", "{id}");
    }
}
