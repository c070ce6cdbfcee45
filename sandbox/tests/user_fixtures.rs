//! `--fixtures DIR` (your own identities, checked at start-up by the client's
//! validator) and `--version`.

mod common;

use moneykit_sandbox::{load_fixtures, Config, Sandbox};
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/corpus/{name}.json"));
    std::fs::read(p).expect("corpus file")
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mk-fixtures-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_fixture_file_is_served_as_its_link() {
    let dir = temp_dir("ok");
    let body = corpus("seed_example");
    std::fs::write(dir.join("my_link.json"), &body).unwrap();
    std::fs::write(dir.join("README.txt"), "not a fixture").unwrap();
    let fixtures = load_fixtures(&dir).unwrap();
    assert_eq!(fixtures.len(), 1);
    let sb = Sandbox::start(Config {
        user_fixtures: fixtures,
        ..Config::default()
    })
    .unwrap();
    let r = common::identity(&sb, "my_link");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, body);
    // Magic ids keep working beside the user's links.
    assert_eq!(common::identity(&sb, "mk_sandbox_deleted").status, 410);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_fixture_is_a_start_up_error_naming_file_and_path() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("good.json"), corpus("seed_example")).unwrap();
    std::fs::write(dir.join("broken.json"), corpus("refuse_email_not_object")).unwrap();
    let err = load_fixtures(&dir).unwrap_err();
    assert!(err.contains("broken.json"), "{err}");
    assert!(
        err.contains("accounts[0].owners[0].emails[0]: expected object"),
        "{err}"
    );

    // The binary exits 2 with that message, before listening.
    let out = Command::new(env!("CARGO_BIN_EXE_moneykit-sandbox"))
        .args(["--fixtures", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(dir);

    assert!(load_fixtures(Path::new("/nonexistent/fixtures")).is_err());
    let empty = temp_dir("empty");
    assert!(load_fixtures(&empty)
        .unwrap_err()
        .contains("no <link_id>.json"));
    let _ = std::fs::remove_dir_all(empty);
}

#[test]
fn version_flag() {
    for flag in ["--version", "-V"] {
        let out = Command::new(env!("CARGO_BIN_EXE_moneykit-sandbox"))
            .arg(flag)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            format!("moneykit-sandbox {}", env!("CARGO_PKG_VERSION"))
        );
    }
}
