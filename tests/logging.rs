//! MONEYKIT_LOG / log_level: one line per attempt on stderr, with method, path,
//! status, attempt, elapsed and request id, and never a secret, a token, a query
//! string or owner data. The calls run in a child process so its stderr can be read.

mod common;

use common::*;
use std::process::Command;

const SECRET: &str = "sandbox-secret";

/// Runs inside the child process only (the parent passes `--ignored`).
#[test]
#[ignore = "run by logging_never_leaks_secrets_or_owner_data in a child process"]
fn log_child() {
    let sb = sandbox();
    let c = client(&sb, r#""log_level": "debug", "max_retries": 1"#);
    // A success with account ids in the query, a retried failure, a link error.
    assert_eq!(
        c.identity("mk_sandbox_ok", &["acc_6Tef269B6ZArSVpYrxtjBV"])
            .status,
        0
    );
    assert_eq!(c.identity("mk_sandbox_unicode", &[]).status, 0);
    assert_ne!(c.identity("mk_fault_500", &[]).status, 0);
    assert_ne!(c.identity("mk_sandbox_forbidden", &[]).status, 0);
    // Header credentials and a caller token must not be logged either.
    let h = client(&sb, r#""log_level": "info", "auth": "headers""#);
    assert_eq!(h.identity("mk_sandbox_ok", &[]).status, 0);
    let t = client(
        &sb,
        r#""log_level": "info", "access_token": "sandbox-access-token""#,
    );
    assert_eq!(t.identity("mk_sandbox_ok", &[]).status, 0);
    // Off: nothing at all.
    let quiet = client(&sb, r#""log_level": "off""#);
    assert_eq!(quiet.identity("mk_sandbox_ok", &["quiet_marker"]).status, 0);
}

#[test]
fn logging_never_leaks_secrets_or_owner_data() {
    let ChildLog { stderr, lines } = child_log("log_child");
    println!("{}", lines.join("\n"));

    // One line per attempt: token fetch (debug), ok, unicode, 500 twice, forbidden, headers, token.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("POST /auth/token"))
            .count(),
        1
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("GET /links/{id}/identity status=500"))
            .count(),
        2
    );
    // The path is the template events carry: no line names a link (issue 23).
    for l in &lines {
        assert!(!l.contains("mk_"), "a log line names a link: {l}");
    }
    let ok = lines
        .iter()
        .find(|l| l.contains("GET /links/{id}/identity status=200"))
        .expect("a line for the successful call");
    for field in [
        "status=200",
        "outcome=MK_OK",
        "attempt=1",
        "elapsed_ms=",
        "request_id=req_",
    ] {
        assert!(ok.contains(field), "{field} missing in {ok}");
    }
    assert!(lines
        .iter()
        .any(|l| l.contains("status=403") && l.contains("MK_ERR_FORBIDDEN")));
    assert_eq!(lines.len(), 8, "{lines:#?}");

    for needle in [
        SECRET,
        "sandbox-access-token",
        "sbx_", // issued tokens
        "Bearer",
        "account_ids", // query strings carry account ids
        "acc_6Tef",
        "quiet_marker",
        "Álvarez", // owner names, emails, phones, streets of the fixtures
        "Łukasiewicz",
        "@example",
        "Valencia",
        "+1415",
    ] {
        assert!(
            !stderr.contains(needle),
            "log output contains {needle:?}:\n{stderr}"
        );
    }
}

/// Runs inside the child process only: no log_level option, so MONEYKIT_LOG decides.
#[test]
#[ignore = "run by moneykit_log_environment_variable in a child process"]
fn env_child() {
    let sb = sandbox();
    let c = client(&sb, r#""access_token": "sandbox-access-token""#);
    assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    assert_ne!(c.identity("mk_sandbox_deleted", &[]).status, 0);
}

fn env_child_lines(level: Option<&str>) -> Vec<String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "env_child", "--ignored", "--nocapture"]);
    match level {
        Some(l) => cmd.env("MONEYKIT_LOG", l),
        None => cmd.env_remove("MONEYKIT_LOG"),
    };
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("moneykit-native "))
        .map(str::to_string)
        .collect()
}

#[test]
fn moneykit_log_environment_variable() {
    assert!(env_child_lines(None).is_empty());
    let info = env_child_lines(Some("info"));
    assert_eq!(info.len(), 2, "{info:#?}");
    let warn = env_child_lines(Some("warn"));
    assert_eq!(warn.len(), 1, "{warn:#?}");
    assert!(warn[0].contains("status=410"));
}

#[test]
fn an_unknown_moneykit_log_value_is_off() {
    // Only the lowercase level names mean anything; any other value logs nothing (it is not
    // an error either: env_child's calls, made with it set, succeed and fail as usual).
    for value in ["loud", "verbose", "DEBUG", "Info", "1", ""] {
        let lines = env_child_lines(Some(value));
        assert!(lines.is_empty(), "MONEYKIT_LOG={value:?}: {lines:#?}");
    }
    // The same child logs with a known value, so the silence above is the value's doing.
    assert_eq!(env_child_lines(Some("debug")).len(), 2);
}

#[test]
fn an_unknown_log_level_option_is_refused() {
    let (rc, err) = try_client(
        Some(ID),
        Some(SECRET),
        r#"{"base_url": "http://127.0.0.1:9", "log_level": "loud"}"#,
    )
    .err()
    .expect("log_level \"loud\" accepted");
    assert_eq!(
        rc,
        moneykit::core::Status::MkErrInvalidArgument.code(),
        "{err}"
    );
    // Named with its allowed values; the refused text is not quoted (issue 23: a value
    // put in the wrong option may be a secret).
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("option log_level: expected one of"),
        "{message}"
    );
    assert!(!message.contains("loud"), "{message}");
}
