//! Issue 27, "Errors that say enough": the error JSON's `validation_errors`, `retryable`
//! and `response` over the sandbox, and transport errors that name where the call went
//! and how often it tried.

mod common;

use common::*;
use moneykit::core::Status;
use std::net::TcpListener;

#[test]
fn validation_errors_are_kept() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let out = c.identity("mk_sandbox_validation", &[]);
    out.assert_status(Status::MkErrHttp);
    let v = out.err("validation_errors");
    assert_eq!(
        v,
        &serde_json::json!([{
            "location": ["query", "account_ids", 0],
            "message": "account_ids must be MoneyKit account ids (acc_...)",
            "type": "value_error",
        }]),
        "{:?}",
        out.error_text
    );
    assert_eq!(out.err("retryable"), false);
    let r = out.err("response");
    assert_eq!(r["status"], 422);
    assert_eq!(r["headers"]["x-request-id"], *out.err("request_id"));
    assert!(r["headers"]["content-type"]
        .as_str()
        .unwrap()
        .starts_with("application/json"));
    let body: serde_json::Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error_code"], "api_error.request.validation_failed");
}

#[test]
fn other_errors_have_no_validation_errors() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let out = c.identity("mk_sandbox_bad_state", &[]);
    out.assert_status(Status::MkErrLinkBadState);
    assert!(out.err("validation_errors").is_null());
    assert_eq!(out.err("response")["status"], 422);
}

#[test]
fn retryable_follows_the_status() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0, "timeout_ms": 200"#);
    for (link, status, retryable) in [
        ("mk_fault_503", Status::MkErrServer, true),
        ("mk_fault_500", Status::MkErrServer, true),
        ("mk_sandbox_rate_limited", Status::MkErrRateLimited, true),
        ("mk_fault_slow_3000", Status::MkErrTimeout, true),
        ("mk_nope", Status::MkErrNotFound, false),
        ("mk_sandbox_validation", Status::MkErrHttp, false),
        ("mk_sandbox_forbidden", Status::MkErrForbidden, false),
        ("mk_fault_malformed", Status::MkErrDecode, false),
    ] {
        let out = c.identity(link, &[]);
        out.assert_status(status);
        assert_eq!(
            out.err("retryable"),
            retryable,
            "{link}: {:?}",
            out.error_text
        );
    }
    // Before anything is sent: nothing to retry.
    let out = c.identity("", &[]);
    out.assert_status(Status::MkErrInvalidArgument);
    assert_eq!(out.err("retryable"), false);
    assert!(out.err("response").is_null());
}

#[test]
fn http_errors_carry_their_response() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let out = c.identity("mk_fault_503", &[]);
    let r = out.err("response");
    assert_eq!(r["status"], 503, "{:?}", out.error_text);
    assert_eq!(r["headers"]["retry-after"], "1");
    assert!(r["body"].is_string());
    // A 2xx body (owner data) is never an error's response; a decode error has none.
    let out = c.identity("mk_fault_malformed", &[]);
    out.assert_status(Status::MkErrDecode);
    assert!(out.err("response").is_null(), "{:?}", out.error_text);
}

#[test]
fn transport_errors_name_host_port_and_attempts() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let opts = format!(
        r#"{{"base_url": "http://127.0.0.1:{port}/prefix", "access_token": "tok", "max_retries": 2, "retry_base_ms": 1}}"#
    );
    let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("{e:?}"));
    let out = c.identity("mk_sandbox_ok", &[]);
    out.assert_status(Status::MkErrTransport);
    let msg = out.err("message").as_str().unwrap();
    assert!(
        msg.ends_with(&format!("(127.0.0.1:{port}, after 3 attempts)")),
        "{msg}"
    );
    assert!(
        !msg.contains("prefix") && !msg.contains("mk_sandbox_ok"),
        "{msg}"
    );
    assert_eq!(out.err("attempts"), 3);
    assert_eq!(out.err("retryable"), true);
    assert!(out.err("response").is_null());
    assert!(out.err("validation_errors").is_null());
}
