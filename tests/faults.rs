//! The fault matrix of issue 6 through the C ABI: each server fault gives its
//! documented status within its deadline.

mod common;

use common::*;
use moneykit::core::Status;
use std::time::{Duration, Instant};

struct Case {
    link: &'static str,
    options: &'static str,
    want: Status,
    /// The call must end within this (it is far below what a hang would take).
    deadline: Duration,
}

const fn case(link: &'static str, options: &'static str, want: Status, deadline_ms: u64) -> Case {
    Case {
        link,
        options,
        want,
        deadline: Duration::from_millis(deadline_ms),
    }
}

#[test]
fn fault_matrix() {
    use Status::*;
    let cases = [
        case(
            "mk_fault_malformed",
            r#""max_retries": 0"#,
            MkErrDecode,
            2000,
        ),
        case(
            "mk_fault_truncated",
            r#""max_retries": 0"#,
            MkErrTransport,
            2000,
        ),
        case(
            "mk_fault_oversized_200000000",
            r#""max_retries": 0, "max_response_bytes": 1048576"#,
            MkErrDecode,
            5000,
        ),
        case(
            "mk_fault_oversized_chunked_200000000",
            r#""max_retries": 0, "max_response_bytes": 1048576"#,
            MkErrDecode,
            5000,
        ),
        case(
            "mk_fault_silent",
            r#""max_retries": 0, "timeout_ms": 500"#,
            MkErrTimeout,
            2000,
        ),
        // One byte a second: the whole-request deadline cuts it, not a per-read timeout.
        case(
            "mk_fault_trickle",
            r#""max_retries": 0, "timeout_ms": 1500"#,
            MkErrTimeout,
            3000,
        ),
        case(
            "mk_fault_reset",
            r#""max_retries": 0"#,
            MkErrTransport,
            2000,
        ),
        case(
            "mk_fault_500_once_matrix",
            r#""max_retries": 2"#,
            MkOk,
            3000,
        ),
        case(
            "mk_fault_503_once_matrix",
            r#""max_retries": 2"#,
            MkOk,
            3000,
        ),
        case(
            "mk_fault_date_once_matrix",
            r#""max_retries": 2"#,
            MkOk,
            4000,
        ),
        case(
            "mk_sandbox_rate_limited",
            r#""max_retries": 1"#,
            MkErrRateLimited,
            3000,
        ),
        case(
            "mk_sandbox_rate_limited_long",
            r#""max_retries": 2, "max_retry_after_ms": 5000"#,
            MkErrRateLimited,
            500,
        ),
        case("mk_fault_empty", r#""max_retries": 0"#, MkErrDecode, 2000),
        case(
            "mk_fault_wrong_shape",
            r#""max_retries": 0"#,
            MkErrDecode,
            2000,
        ),
        case("mk_fault_deep", r#""max_retries": 0"#, MkErrDecode, 2000),
        case(
            "mk_fault_redirect_other_host",
            r#""max_retries": 2"#,
            MkErrTransport,
            2000,
        ),
        case(
            "mk_fault_redirect_loop",
            r#""max_retries": 2"#,
            MkErrTransport,
            2000,
        ),
        case(
            "mk_fault_expired_once_matrix",
            r#""max_retries": 0"#,
            MkOk,
            2000,
        ),
        case(
            "mk_fault_html_502",
            r#""max_retries": 0"#,
            MkErrServer,
            2000,
        ),
    ];
    let sb = sandbox();
    let mut report = Vec::new();
    for c in &cases {
        let client = client(&sb, c.options);
        let started = Instant::now();
        let out = client.identity(c.link, &[]);
        let took = started.elapsed();
        report.push(format!(
            "{:<40} {:<24} {:>6} ms  attempts={}",
            c.link,
            moneykit::core::Status::from_code(out.status)
                .unwrap()
                .name(),
            took.as_millis(),
            out.error
                .as_ref()
                .map_or("-".to_string(), |e| e["attempts"].to_string())
        ));
        assert_eq!(
            out.status,
            c.want.code(),
            "{}: {:?}",
            c.link,
            out.error_text
        );
        assert!(
            took <= c.deadline,
            "{} took {took:?} > {:?}",
            c.link,
            c.deadline
        );
    }
    println!("{}", report.join("\n"));
}

#[test]
fn rate_limited_with_retries_reports_every_attempt_and_waits_retry_after() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 1"#);
    let started = Instant::now();
    let out = c.identity("mk_sandbox_rate_limited", &[]);
    assert_eq!(out.status, Status::MkErrRateLimited.code());
    assert_eq!(out.err("attempts"), 2);
    assert_eq!(out.err("retry_after_ms"), 1000);
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[test]
fn backoff_without_retry_after_is_bounded() {
    let sb = sandbox();
    // 500 carries no Retry-After: two retries with base 10 ms wait at most 10 + 20 ms.
    let c = client(&sb, r#""max_retries": 2"#);
    let started = Instant::now();
    let out = c.identity("mk_fault_500", &[]);
    assert_eq!(out.err("attempts"), 3);
    assert!(started.elapsed() < Duration::from_millis(1500));
}
