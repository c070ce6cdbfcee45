//! Issue 27: credentials from a file or standard input (`--credentials-file`), never a flag,
//! against the sandbox; the environment as before. (Before: the CLI read only the
//! environment, and its message asked for `client_id`, which it cannot take.)

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Output, Stdio};

fn identity_ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["link"].is_object(), "{v}");
}

#[test]
fn from_a_file_in_either_form() {
    let sb = plain();
    let d = dir("creds-file");
    let url = sb.base_url();
    for (name, content) in [
        (
            "creds.json",
            r#"{"client_id": "sandbox-client", "client_secret": "sandbox-secret"}"#,
        ),
        (
            "creds.env",
            "# MoneyKit\nexport MONEYKIT_CLIENT_ID=sandbox-client\nMONEYKIT_CLIENT_SECRET='sandbox-secret'\n",
        ),
        ("token.json", r#"{"access_token": "sandbox-access-token"}"#),
    ] {
        let f = d.join(name);
        fs::write(&f, content).unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        let o = bare(&[
            "--base-url",
            &url,
            "--credentials-file",
            f.to_str().unwrap(),
            "identity",
            "mk_sandbox_ok",
        ])
        .output()
        .unwrap();
        identity_ok(&o);
        assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
    }
    // The file wins over the environment (here, a wrong secret).
    let f = d.join("creds.json");
    let o = moneykit(
        &sb,
        &[
            "--credentials-file",
            f.to_str().unwrap(),
            "identity",
            "mk_sandbox_ok",
        ],
    )
    .env("MONEYKIT_CLIENT_SECRET", "wrong")
    .output()
    .unwrap();
    identity_ok(&o);

    // Readable by others: it still works, with a warning.
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    let o = bare(&[
        "--base-url",
        &url,
        "--credentials-file",
        f.to_str().unwrap(),
        "identity",
        "mk_sandbox_ok",
    ])
    .output()
    .unwrap();
    identity_ok(&o);
    let err = text(&o.stderr);
    assert!(
        err.contains("can be read by other users") && err.contains("chmod 600"),
        "{err}"
    );
}

#[test]
fn from_standard_input() {
    let sb = plain();
    let url = sb.base_url();
    let mut child = bare(&[
        "--base-url",
        &url,
        "--credentials-file",
        "-",
        "identity",
        "mk_sandbox_ok",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"MONEYKIT_CLIENT_ID=sandbox-client\nMONEYKIT_CLIENT_SECRET=sandbox-secret\n")
        .unwrap();
    identity_ok(&child.wait_with_output().unwrap());

    // Standard input can feed one flag only.
    let before = sb.stats().requests;
    let o = bare(&[
        "--base-url",
        &url,
        "--credentials-file",
        "-",
        "match",
        "mk_sandbox_ok",
        "--claim-file",
        "-",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("standard input"));
    assert_eq!(sb.stats().requests, before);
}

#[test]
fn bad_files_and_missing_credentials_are_usage_errors_that_quote_nothing() {
    let sb = plain();
    let url = sb.base_url();
    let d = dir("creds-bad");
    for content in [
        "MONEYKIT_CLIENT_ID=sandbox-client\n",
        "MONEYKIT_CLIENT_ID=sandbox-client\nMONEYKIT_CLIENT_SECRET=topsecret\nMONEYKIT_CLIENT_SECRET=topsecret\n",
        "topsecret\n",
        r#"{"client_id": "sandbox-client", "client_secret": 1234567}"#,
        r#"{"client_id": "sandbox-client", "topsecret": "x"}"#,
    ] {
        let f = d.join("creds");
        fs::write(&f, content).unwrap();
        let o = bare(&[
            "--base-url",
            &url,
            "--credentials-file",
            f.to_str().unwrap(),
            "identity",
            "mk_sandbox_ok",
        ])
        .output()
        .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{content}: {err}");
        assert!(err.contains("client_id"), "{err}");
        for secret in ["topsecret", "1234567", "sandbox-client"] {
            assert!(!err.contains(secret), "{content}: {err}");
        }
    }
    // A wrong secret is a failed call (1), the secret in no message.
    let f = d.join("creds");
    fs::write(
        &f,
        r#"{"client_id": "sandbox-client", "client_secret": "topsecret"}"#,
    )
    .unwrap();
    let o = bare(&[
        "--base-url",
        &url,
        "--credentials-file",
        f.to_str().unwrap(),
        "identity",
        "mk_sandbox_ok",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("topsecret"));
    // A missing file: 1, naming it.
    let o = bare(&[
        "--base-url",
        &url,
        "--credentials-file",
        d.join("missing").to_str().unwrap(),
        "identity",
        "mk_sandbox_ok",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("missing"));
    // No credentials anywhere: 2, and the message says where they may come from.
    for cmd in [
        &["identity", "mk_sandbox_ok"][..],
        &["webhooks", "listen", "--port", "0"][..],
    ] {
        let o = bare(&[&["--base-url", &url][..], cmd].concat())
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("MONEYKIT_CLIENT_ID")
                && err.contains("--credentials-file")
                && err.contains("standard input")
                && !err.contains("pass client_id"),
            "{err}"
        );
    }
}
