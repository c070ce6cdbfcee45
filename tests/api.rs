//! The C ABI against a real sandbox over loopback HTTP: every status, the
//! request shape, authentication modes, token caching and refresh, retries, TLS.

mod common;

use common::*;
use moneykit::core::Status;
use moneykit_sandbox::{Config, Sandbox};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn code(s: Status) -> i32 {
    s.code()
}

#[test]
fn ok_returns_the_body_unchanged_and_valid() {
    let sb = sandbox();
    let c = client(&sb, "");
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, 0);
    let body = out.body();
    assert_eq!(body["link"]["link_id"], "mk_sandbox_ok");
    let accounts = body["accounts"].as_array().unwrap();
    assert!(accounts.len() >= 2);
    let owners: usize = accounts
        .iter()
        .map(|a| a["owners"].as_array().unwrap().len())
        .sum();
    assert!(owners >= 2);
    // A caller-supplied access_token: no token request, the same body.
    let tokens = sb.stats().token_requests;
    let again =
        client(&sb, r#""access_token": "sandbox-access-token""#).identity("mk_sandbox_ok", &[]);
    assert_eq!(again.status, 0, "{:?}", again.error_text);
    assert_eq!(out.json, again.json);
    assert_eq!(sb.stats().token_requests, tokens);
    assert!(sb.requests().last().unwrap().authorization);
}

#[test]
fn the_body_is_byte_for_byte_what_the_server_sent() {
    let sb = sandbox();
    let c = client(&sb, "");
    // JSON escapes, U+2028, NFD, unknown fields, absent fields, key order: a body that
    // is re-serialised or normalised on the way differs from the server's bytes.
    for link in [
        "mk_sandbox_ok",
        "mk_sandbox_unicode",
        "mk_sandbox_extra_fields",
        "mk_sandbox_minimal",
        "mk_corpus_numbers_edges",
        "mk_corpus_nulls_everywhere",
    ] {
        let out = c.identity(link, &[]);
        assert_eq!(out.status, 0, "{link}: {:?}", out.error_text);
        // The same request made by hand over a TcpStream, without the library.
        let raw = raw_get(
            &sb,
            &format!("/links/{link}/identity"),
            &[
                ("Authorization", "Bearer sandbox-access-token"),
                ("moneykit-version", "2023-02-18"),
                ("Accept", "application/json"),
            ],
        );
        assert_eq!(raw.status, 200, "{link}");
        assert!(raw.body.len() > 100, "{link}");
        let got = out.json.as_deref().unwrap().as_bytes();
        if got != raw.body.as_slice() {
            let at = got
                .iter()
                .zip(&raw.body)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(raw.body.len()));
            panic!(
                "{link}: the library's JSON ({} bytes) differs from the server's body ({} bytes) at byte {at}",
                got.len(),
                raw.body.len()
            );
        }
    }
}

#[test]
fn every_documented_status_from_magic_ids() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let cases: &[(&str, Status, Option<u16>, Option<&str>)] = &[
        ("mk_sandbox_ok", Status::MkOk, None, None),
        ("mk_sandbox_unicode", Status::MkOk, None, None),
        ("mk_sandbox_minimal", Status::MkOk, None, None),
        ("mk_sandbox_extra_fields", Status::MkOk, None, None),
        ("mk_sandbox_large", Status::MkOk, None, None),
        (
            "mk_sandbox_forbidden",
            Status::MkErrForbidden,
            Some(403),
            Some("link_error.forbidden_action"),
        ),
        (
            "mk_nope",
            Status::MkErrNotFound,
            Some(404),
            Some("link_error.not_found"),
        ),
        (
            "mk_sandbox_deleted",
            Status::MkErrLinkDeleted,
            Some(410),
            Some("link_error.deleted"),
        ),
        (
            "mk_sandbox_bad_state",
            Status::MkErrLinkBadState,
            Some(422),
            Some("link_error.bad_state"),
        ),
        (
            "mk_sandbox_validation",
            Status::MkErrHttp,
            Some(422),
            Some("api_error.request.validation_failed"),
        ),
        ("mk_sandbox_bad_request", Status::MkErrHttp, Some(400), None),
        (
            "mk_sandbox_other_app",
            Status::MkErrUnauthorized,
            Some(401),
            Some("link_error.unauthorized_access"),
        ),
        (
            "mk_sandbox_rate_limited",
            Status::MkErrRateLimited,
            Some(429),
            Some("api_error.rate_limit_exceeded"),
        ),
        ("mk_fault_500", Status::MkErrServer, Some(500), None),
        ("mk_fault_503", Status::MkErrServer, Some(503), None),
        ("mk_fault_html_502", Status::MkErrServer, Some(502), None),
        ("mk_fault_malformed", Status::MkErrDecode, Some(200), None),
        ("mk_fault_empty", Status::MkErrDecode, Some(200), None),
        ("mk_fault_wrong_shape", Status::MkErrDecode, Some(200), None),
        ("mk_fault_deep", Status::MkErrDecode, Some(200), None),
        (
            "mk_fault_redirect_other_host",
            Status::MkErrTransport,
            None,
            None,
        ),
        ("mk_fault_redirect_loop", Status::MkErrTransport, None, None),
        ("mk_fault_redirect_same_host", Status::MkOk, None, None),
    ];
    for (link, want, http, error_code) in cases {
        let out = c.identity(link, &[]);
        assert_eq!(out.status, code(*want), "{link}: {:?}", out.error_text);
        if *want == Status::MkOk {
            continue;
        }
        assert_eq!(out.err("name"), want.name(), "{link}");
        assert_eq!(out.err("attempts"), 1, "{link}");
        if let Some(h) = http {
            assert_eq!(out.err("http_status"), *h, "{link}");
            assert!(
                out.err("request_id").as_str().unwrap().starts_with("req_"),
                "{link}"
            );
        }
        if let Some(ec) = error_code {
            assert_eq!(out.err("error_code"), *ec, "{link}");
        }
    }
    let bad_state = c.identity("mk_sandbox_bad_state", &[]);
    assert_eq!(bad_state.err("link_error_code"), "auth_expired");
    assert!(bad_state.err("error_message").is_string());
    let forbidden = c.identity("mk_sandbox_forbidden", &[]);
    assert_eq!(
        forbidden.err("error_message"),
        "Accounts access not permitted"
    );
    assert!(forbidden.err("documentation_url").is_string());
}

#[test]
fn timeouts_and_size_cap() {
    let sb = sandbox();
    let c = Arc::new(client(&sb, r#""max_retries": 0, "timeout_ms": 300"#));
    // Each fault lasts far longer than the bound (silent 120 s, slow 60 s, trickle 1000 s),
    // so the wide bound still fails when timeout_ms is not honoured.
    for link in ["mk_fault_silent", "mk_fault_slow_60000", "mk_fault_trickle"] {
        let c = c.clone();
        let (out, took) = within(Duration::from_secs(15), link, move || c.identity(link, &[]));
        assert_eq!(
            out.status,
            code(Status::MkErrTimeout),
            "{link} after {took:?}: {:?}",
            out.error_text
        );
        assert!(took >= Duration::from_millis(300), "{link} took {took:?}");
    }
    let c = client(&sb, r#""max_retries": 0, "max_response_bytes": 65536"#);
    for link in [
        "mk_fault_oversized_10000000",
        "mk_fault_oversized_chunked_10000000",
    ] {
        let out = c.identity(link, &[]);
        assert_eq!(out.status, code(Status::MkErrDecode), "{link}");
        assert!(out
            .err("message")
            .as_str()
            .unwrap()
            .contains("max_response_bytes"));
    }
    // Under the cap, the same body shape is fine size-wise (it is padding, still valid JSON).
    let c = client(&sb, r#""max_retries": 0"#);
    let out = c.identity("mk_fault_oversized_100000", &[]);
    assert_eq!(out.status, code(Status::MkOk), "{:?}", out.error);
    assert_eq!(out.json.as_deref().map(str::len), Some(100_000));
}

#[test]
fn transport_failures() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    for link in ["mk_fault_truncated", "mk_fault_reset"] {
        let out = c.identity(link, &[]);
        // docs/C-API.md: "connection reset or truncated body" is MK_ERR_TRANSPORT.
        assert_eq!(
            out.status,
            code(Status::MkErrTransport),
            "{link}: {:?}",
            out.error_text
        );
    }
    // Nothing listens on port 1.
    let dead = try_client(
        Some(ID),
        Some(SECRET),
        r#"{"base_url": "http://127.0.0.1:1", "max_retries": 0}"#,
    )
    .unwrap();
    assert_eq!(
        dead.identity("mk_sandbox_ok", &[]).status,
        code(Status::MkErrTransport)
    );
}

#[test]
fn request_shape() {
    let sb = sandbox();
    let c = client(&sb, r#""user_agent": "shape-test/1.0""#);
    assert_eq!(
        c.identity("mk_sandbox_ok", &["acc 1", "a&b=c#d", "é"])
            .status,
        0
    );
    let reqs = sb.requests();
    let get = reqs.iter().find(|r| r.method == "GET").expect("a GET");
    assert_eq!(
        get.target,
        "/links/mk_sandbox_ok/identity?account_ids=acc%201&account_ids=a%26b%3Dc%23d&account_ids=%C3%A9"
    );
    assert!(get.authorization);
    assert_eq!(get.moneykit_version.as_deref(), Some("2023-02-18"));
    assert_eq!(get.accept.as_deref(), Some("application/json"));
    let ua = get.user_agent.as_deref().unwrap();
    assert!(
        ua.starts_with("moneykit-native/") && ua.ends_with(" shape-test/1.0"),
        "{ua}"
    );
    let post = reqs
        .iter()
        .find(|r| r.method == "POST")
        .expect("a token request");
    assert_eq!(post.target, "/auth/token");
}

#[test]
fn hostile_link_ids_stay_one_path_segment() {
    let sb = sandbox();
    let c = client(
        &sb,
        r#""access_token": "sandbox-access-token", "max_retries": 0"#,
    );
    let cases = [
        ("../admin", "..%2Fadmin"),
        ("a/b", "a%2Fb"),
        ("x?y=1", "x%3Fy%3D1"),
        ("x#f", "x%23f"),
        ("%2F", "%252F"),
        (" ", "%20"),
        ("\r\nX: y", "%0D%0AX%3A%20y"),
        ("...", "..."),
        ("Zoë", "Zo%C3%AB"),
    ];
    for (id, encoded) in cases {
        sb.reset();
        let out = c.identity(id, &[]);
        assert_eq!(
            out.status,
            code(Status::MkErrNotFound),
            "{id:?}: {:?}",
            out.error_text
        );
        // A link error, not the router's generic 404: it reached the identity endpoint.
        assert_eq!(out.err("error_code"), "link_error.not_found", "{id:?}");
        let reqs = sb.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(
            reqs[0].target,
            format!("/links/{encoded}/identity"),
            "{id:?}"
        );
    }
}

#[test]
fn account_ids_filter() {
    let sb = sandbox();
    let c = client(&sb, "");
    let all = c.identity("mk_sandbox_ok", &[]).body();
    let ids: Vec<String> = all["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_string())
        .collect();
    let one = c.identity("mk_sandbox_ok", &[&ids[1]]).body();
    assert_eq!(one["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(one["accounts"][0]["account_id"], ids[1].as_str());
    let none = c.identity("mk_sandbox_ok", &["acc_missing"]).body();
    assert_eq!(none["accounts"].as_array().unwrap().len(), 0);
}

#[test]
fn token_is_fetched_once_and_shared() {
    let sb = sandbox();
    let c = client(&sb, "");
    for _ in 0..20 {
        assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    }
    assert_eq!(sb.stats().token_requests, 1);
    assert_eq!(sb.stats().identity_requests, 20);
}

#[test]
fn expired_token_is_refreshed_once_by_one_thread() {
    let sb = sandbox();
    let c = Arc::new(client(&sb, ""));
    assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    sb.expire_tokens();
    sb.reset();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (c, barrier) = (c.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                c.identity("mk_sandbox_ok", &[]).status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 0);
    }
    assert_eq!(sb.stats().token_requests, 1, "single-flight refresh");
    // The server's "expired" answer also triggers exactly one refresh.
    sb.reset();
    assert_eq!(c.identity("mk_fault_expired_once_api", &[]).status, 0);
    assert_eq!(sb.stats().token_requests, 1);
    assert_eq!(sb.stats().identity_requests, 2);
}

#[test]
fn short_lived_tokens_are_renewed() {
    let sb = sandbox();
    let c = try_client(
        Some("sandbox-token-short"),
        Some("x"),
        &format!(r#"{{"base_url": "{}"}}"#, sb.base_url()),
    )
    .unwrap();
    // The sandbox accepts tokens from its magic short-lived client id for the usual links.
    let first = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(first.status, 0, "{:?}", first.error_text);
    let stats = sb.stats();
    assert_eq!((stats.token_requests, stats.identity_requests), (1, 1));
    // The token lives 1 s (`expires_in: 1`); this waits for time to pass, not for another
    // thread. Afterwards the cached token is past its refresh point (and expired at the
    // server): the client must fetch a new one *before* its GET, not send the old one, get
    // 401 expired_access_token and refresh then.
    std::thread::sleep(Duration::from_millis(1200));
    let second = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(second.status, 0, "{:?}", second.error_text);
    let stats = sb.stats();
    assert_eq!(
        (stats.token_requests, stats.identity_requests),
        (2, 2),
        "(token, identity) requests: one GET per call, a new token before the second"
    );
    let order: Vec<String> = sb.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(order, ["POST", "GET", "POST", "GET"]);
}

#[test]
fn auth_modes() {
    let sb = sandbox();
    let headers = client(&sb, r#""auth": "headers""#);
    assert_eq!(headers.identity("mk_sandbox_ok", &[]).status, 0);
    let r = sb.requests().pop().unwrap();
    assert_eq!(r.x_client_id.as_deref(), Some(ID));
    assert!(r.x_client_secret && !r.authorization);
    assert_eq!(sb.stats().token_requests, 0);

    let token = client(&sb, r#""access_token": "sandbox-access-token""#);
    assert_eq!(token.identity("mk_sandbox_ok", &[]).status, 0);
    assert_eq!(sb.stats().token_requests, 0);
    let bad = client(&sb, r#""access_token": "nope", "max_retries": 0"#);
    assert_eq!(
        bad.identity("mk_sandbox_ok", &[]).status,
        code(Status::MkErrUnauthorized)
    );

    let wrong = try_client(
        Some(ID),
        Some("wrong"),
        &format!(r#"{{"base_url": "{}"}}"#, sb.base_url()),
    )
    .unwrap();
    let out = wrong.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, code(Status::MkErrUnauthorized));
    assert_eq!(out.err("error_code"), "api_error.auth.unauthorized");
    assert!(!out.error_text.unwrap().contains("wrong"));
}

#[test]
fn token_endpoint_failures() {
    let sb = sandbox();
    let opts = format!(r#"{{"base_url": "{}", "max_retries": 0}}"#, sb.base_url());
    let c = try_client(Some("sandbox-token-500"), Some("x"), &opts).unwrap();
    assert_eq!(
        c.identity("mk_sandbox_ok", &[]).status,
        code(Status::MkErrServer)
    );
    let c = try_client(Some("sandbox-token-garbage"), Some("x"), &opts).unwrap();
    assert_eq!(
        c.identity("mk_sandbox_ok", &[]).status,
        code(Status::MkErrDecode)
    );
    assert_eq!(sb.stats().identity_requests, 0);
}

#[test]
fn retries_then_success() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 2"#);
    assert_eq!(c.identity("mk_fault_500_once_retry", &[]).status, 0);
    assert_eq!(sb.stats().identity_requests, 2);

    // Retry-After (seconds and HTTP date) is honoured: the retry waits about a second.
    for link in [
        "mk_fault_503_once_ra",
        "mk_fault_429_once_ra",
        "mk_fault_date_once_ra",
    ] {
        let started = Instant::now();
        let out = c.identity(link, &[]);
        assert_eq!(out.status, 0, "{link}: {:?}", out.error_text);
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{link}: {:?}",
            started.elapsed()
        );
    }

    // Retries used up: the error reports every attempt.
    let out = c.identity("mk_fault_500", &[]);
    assert_eq!(out.status, code(Status::MkErrServer));
    assert_eq!(out.err("attempts"), 3);

    // A Retry-After longer than max_retry_after_ms is not waited for, even when the
    // deadline would allow it: one attempt, and it returns long before the wait (1 h).
    let c = Arc::new(client(&sb, r#""max_retries": 2, "deadline_ms": 86400000"#));
    let (out, took) = within(Duration::from_secs(20), "rate_limited_long", move || {
        c.identity("mk_sandbox_rate_limited_long", &[])
    });
    assert_eq!(out.status, code(Status::MkErrRateLimited));
    assert_eq!(out.err("retry_after_ms"), 3_600_000);
    assert_eq!(out.err("attempts"), 1, "took {took:?}");
    // The same with a 1 s Retry-After over a 500 ms max_retry_after_ms: no retry.
    let c = client(&sb, r#""max_retries": 2, "max_retry_after_ms": 500"#);
    let out = c.identity("mk_sandbox_rate_limited", &[]);
    assert_eq!(out.status, code(Status::MkErrRateLimited));
    assert_eq!(out.err("retry_after_ms"), 1000);
    assert_eq!(out.err("attempts"), 1);
    assert_eq!(
        sb.link_stats("mk_sandbox_rate_limited").identity_requests,
        1
    );
}

#[test]
fn redirects_never_carry_credentials_to_another_host() {
    let sb = sandbox();
    for extra in ["", r#""auth": "headers""#] {
        let c = client(&sb, extra);
        sb.reset();
        let out = c.identity("mk_fault_redirect_other_host", &[]);
        assert_eq!(out.status, code(Status::MkErrTransport));
        let leaked: Vec<_> = sb
            .requests()
            .into_iter()
            .filter(|r| {
                r.host
                    .as_deref()
                    .is_some_and(|h| h.starts_with("localhost"))
            })
            .collect();
        assert!(
            leaked.is_empty(),
            "request reached the other host: {leaked:?}"
        );
    }
}

#[test]
fn tls_with_and_without_the_ca() {
    let dir = std::env::temp_dir().join(format!("mk-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let sb = Sandbox::start(Config {
        tls_ca_out: Some(ca.clone()),
        ..Config::default()
    })
    .unwrap();
    assert!(sb.base_url().starts_with("https://"));
    let base = sb.base_url();
    let with_ca = try_client(
        Some(ID),
        Some(SECRET),
        &format!(r#"{{"base_url": "{base}", "ca_file": "{}"}}"#, ca.display()),
    )
    .unwrap();
    let out = with_ca.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, 0, "{:?}", out.error_text);
    let without = try_client(
        Some(ID),
        Some(SECRET),
        &format!(r#"{{"base_url": "{base}", "max_retries": 0}}"#),
    )
    .unwrap();
    let out = without.identity("mk_sandbox_ok", &[]);
    assert_eq!(
        out.status,
        code(Status::MkErrTransport),
        "{:?}",
        out.error_text
    );
    // A missing or non-PEM ca_file is refused at creation.
    let e = try_client(
        Some(ID),
        Some(SECRET),
        &format!(r#"{{"base_url": "{base}", "ca_file": "/nonexistent.pem"}}"#),
    );
    assert_eq!(e.err().unwrap().0, code(Status::MkErrInvalidArgument));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn wrong_api_version_is_an_http_error() {
    let sb = sandbox();
    let c = client(&sb, r#""moneykit_version": "1999-01-01""#);
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, code(Status::MkErrHttp));
    assert_eq!(out.err("http_status"), 422);
}

#[test]
fn secrets_never_appear_in_errors() {
    let sb = sandbox();
    let secret = "s3cr3t-value-xyz";
    let opts = format!(r#"{{"base_url": "{}", "max_retries": 0}}"#, sb.base_url());
    let c = try_client(Some(ID), Some(secret), &opts).unwrap();
    let tok = try_client(
        None,
        None,
        &format!(
            r#"{{"base_url": "{}", "max_retries": 0, "access_token": "tok-abc-123"}}"#,
            sb.base_url()
        ),
    )
    .unwrap();
    for link in [
        "mk_sandbox_ok",
        "mk_sandbox_forbidden",
        "mk_fault_500",
        "mk_fault_malformed",
    ] {
        for (client, needle) in [(&c, secret), (&tok, "tok-abc-123")] {
            if let Some(text) = client.identity(link, &[]).error_text {
                assert!(!text.contains(needle), "{link}: {text}");
            }
        }
    }
}

#[test]
fn host_names_are_resolved_and_cached() {
    let sb = sandbox();
    let base = sb.base_url().replace("127.0.0.1", "localhost");
    let c = try_client(
        Some(ID),
        Some(SECRET),
        &format!(r#"{{"base_url": "{base}"}}"#),
    )
    .unwrap();
    for _ in 0..3 {
        let out = c.identity("mk_sandbox_ok", &[]);
        assert_eq!(out.status, 0, "{:?}", out.error_text);
    }
}

#[test]
fn a_route_miss_is_not_a_missing_link() {
    let sb = sandbox();
    let base = format!("{}/wrong-prefix", sb.base_url());
    let c = try_client(
        None,
        None,
        &format!(
            r#"{{"base_url": "{base}", "access_token": "sandbox-access-token", "max_retries": 0}}"#
        ),
    )
    .unwrap();
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, Status::MkErrHttp.code(), "{:?}", out.error_text);
    assert_eq!(out.err("http_status"), 404);
    assert!(out.err("error_code").is_null());
}
