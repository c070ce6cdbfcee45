//! End-to-end tests over raw sockets.

mod common;

use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use common::{build, get, identity, read_head, read_response, start, Client, Resp, BEARER};
use moneykit_sandbox::util::base64_encode;
use moneykit_sandbox::{Config, RecordedRequest, Sandbox, Stats, OK_CHECKING_ID, OK_SAVINGS_ID};
use serde_json::Value;

fn token_form(sb: &Sandbox, body: &str, headers: &[(&str, &str)]) -> Resp {
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(headers);
    Client::new(sb).send("POST", "/auth/token", &h, body.as_bytes())
}

#[test]
fn token_issue_and_rejection() {
    let sb = start();
    let basic = format!("Basic {}", base64_encode(b"sandbox-client:sandbox-secret"));
    let r = token_form(
        &sb,
        "grant_type=client_credentials",
        &[("Authorization", &basic)],
    );
    assert_eq!(r.status, 201);
    let v = r.json();
    let token = v["access_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("sbx_"));
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    assert_eq!(r.header("x-request-id").unwrap().len(), 20);

    // Form credentials.
    let r = token_form(
        &sb,
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&scope=identity",
        &[],
    );
    assert_eq!(r.status, 201);
    let token2 = r.json()["access_token"].as_str().unwrap().to_string();
    assert_ne!(token, token2);

    // The issued token works.
    let auth = format!("Bearer {token}");
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 200);

    // Rejections.
    let bad = format!("Basic {}", base64_encode(b"sandbox-client:wrong"));
    let r = token_form(
        &sb,
        "grant_type=client_credentials",
        &[("Authorization", &bad)],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error_code"], "api_error.auth.unauthorized");
    assert_eq!(r.json()["error_message"], "Invalid client credentials.");
    assert!(r.json()["documentation_url"].is_string());
    let r = token_form(&sb, "grant_type=client_credentials", &[]);
    assert_eq!(r.status, 401);
    let r = token_form(&sb, "grant_type=password", &[("Authorization", &basic)]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error_code"],
        "api_error.request.validation_failed"
    );

    // Magic client ids.
    let magic = |id: &str| {
        let b = format!("Basic {}", base64_encode(format!("{id}:x").as_bytes()));
        token_form(
            &sb,
            "grant_type=client_credentials",
            &[("Authorization", &b)],
        )
    };
    assert_eq!(magic("sandbox-token-500").status, 500);
    let g = magic("sandbox-token-garbage");
    assert_eq!((g.status, &g.body[..]), (201, &b"this is not json"[..]));
    let short = magic("sandbox-token-short");
    assert_eq!(short.json()["expires_in"], 1);
    let short_auth = format!("Bearer {}", short.json()["access_token"].as_str().unwrap());
    assert_eq!(
        get(
            &sb,
            "/links/mk_sandbox_ok/identity",
            &[("Authorization", &short_auth)]
        )
        .status,
        200
    );
    std::thread::sleep(Duration::from_millis(1100));
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[("Authorization", &short_auth)],
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["error_code"],
        "api_error.auth.expired_access_token"
    );
}

#[test]
fn bearer_and_header_auth() {
    let sb = start();
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[("Authorization", "Bearer nope")],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error_code"], "api_error.auth.unauthorized");
    let r = get(&sb, "/links/mk_sandbox_ok/identity", &[]);
    assert_eq!(r.status, 401);
    let r = identity(&sb, "mk_sandbox_ok");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));

    let good = [
        ("X-Client-Id", "sandbox-client"),
        ("X-Client-Secret", "sandbox-secret"),
    ];
    assert_eq!(get(&sb, "/links/mk_sandbox_ok/identity", &good).status, 200);
    let bad = [
        ("X-Client-Id", "sandbox-client"),
        ("X-Client-Secret", "nope"),
    ];
    let r = get(&sb, "/links/mk_sandbox_ok/identity", &bad);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error_code"], "api_error.auth.unauthorized");

    // expire_tokens: issued tokens expire, the static token does not.
    let r = token_form(
        &sb,
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
        &[],
    );
    let auth = format!("Bearer {}", r.json()["access_token"].as_str().unwrap());
    sb.expire_tokens();
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["error_code"],
        "api_error.auth.expired_access_token"
    );
    assert_eq!(r.json()["error_message"], "Access token expired");
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);

    // moneykit-version.
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[BEARER, ("moneykit-version", "2023-02-18")],
    );
    assert_eq!(r.status, 200);
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[BEARER, ("moneykit-version", "2099-01-01")],
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["validation_errors"][0]["location"][1],
        "moneykit-version"
    );
}

#[test]
fn ok_fixture_and_account_ids_filter() {
    let sb = start();
    let v = identity(&sb, "mk_sandbox_ok").json();
    assert_eq!(v["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(v["link"]["link_id"], "mk_sandbox_ok");
    let r = get(
        &sb,
        &format!("/links/mk_sandbox_ok/identity?account_ids={OK_SAVINGS_ID}"),
        &[BEARER],
    );
    let accts = r.json()["accounts"].as_array().unwrap().clone();
    assert_eq!(accts.len(), 1);
    assert_eq!(accts[0]["account_id"], OK_SAVINGS_ID);
    let r = get(
        &sb,
        &format!(
            "/links/mk_sandbox_ok/identity?account_ids={OK_SAVINGS_ID}&account_ids={OK_CHECKING_ID}&account_ids=nope"
        ),
        &[BEARER],
    );
    let accts = r.json()["accounts"].as_array().unwrap().clone();
    assert_eq!(accts.len(), 2);
    assert_eq!(accts[0]["account_id"], OK_CHECKING_ID); // fixture order
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity?account_ids=nope",
        &[BEARER],
    );
    assert_eq!(r.json()["accounts"].as_array().unwrap().len(), 0);
    assert_eq!(r.json()["link"]["link_id"], "mk_sandbox_ok");

    // Refreshing increases by one second per request.
    let a = identity(&sb, "mk_sandbox_refreshing").json();
    let b = identity(&sb, "mk_sandbox_refreshing").json();
    assert_eq!(
        a["link"]["products"]["identity"]["refreshed_at"],
        "2023-02-16T09:14:11Z"
    );
    assert_eq!(
        b["link"]["products"]["identity"]["refreshed_at"],
        "2023-02-16T09:14:12Z"
    );

    // Other fixtures parse.
    for id in [
        "mk_sandbox_unicode",
        "mk_sandbox_minimal",
        "mk_sandbox_extra_fields",
        "mk_sandbox_large",
    ] {
        let r = identity(&sb, id);
        assert_eq!(r.status, 200, "{id}");
        assert_eq!(r.json()["link"]["link_id"], id);
    }
}

#[test]
fn error_links_and_routing() {
    let sb = start();
    let r = identity(&sb, "mk_sandbox_forbidden");
    assert_eq!(r.status, 403);
    let v = r.json();
    assert_eq!(v["error_code"], "link_error.forbidden_action");
    assert_eq!(v["error_message"], "Accounts access not permitted");
    assert_eq!(
        v["documentation_url"],
        "https://docs.moneykit.com/reference/errors"
    );
    let r = identity(&sb, "mk_sandbox_bad_state");
    assert_eq!(
        (r.status, r.json()["link_error_code"].clone()),
        (422, "auth_expired".into())
    );
    let r = identity(&sb, "mk_sandbox_rate_limited");
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    let r = identity(&sb, "mk_sandbox_rate_limited_date");
    assert!(r.header("retry-after").unwrap().ends_with(" GMT"));
    let r = identity(&sb, "no_such_link");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error_code"], "link_error.not_found");
    let r = identity(&sb, "a%2Fb");
    assert_eq!(r.json()["error_code"], "link_error.not_found");
    let r = get(&sb, "/links/a/b/identity", &[BEARER]);
    assert_eq!(
        (r.status, r.json()),
        (404, serde_json::json!({"detail": "Not Found"}))
    );
    let r = get(&sb, "/nope", &[]);
    assert_eq!(r.status, 404);
    let r = Client::new(&sb).send("POST", "/links/mk_sandbox_ok/identity", &[BEARER], b"");
    assert_eq!(r.status, 405);
}

#[test]
fn faults() {
    let sb = start();
    // Truncated: announced 10,000 bytes, ~100 sent, then EOF.
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(&build(
        "GET",
        "/links/mk_fault_truncated/identity",
        &[BEARER],
        b"",
    ))
    .unwrap();
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r).unwrap();
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(k, v)| k == "content-length" && v == "10000"));
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), 100);

    // Once faults (tagged).
    assert_eq!(identity(&sb, "mk_fault_500_once_t1").status, 500);
    assert_eq!(identity(&sb, "mk_fault_500_once_t1").status, 200);
    assert_eq!(identity(&sb, "mk_fault_500_once_t2").status, 500);
    let r = identity(&sb, "mk_fault_503_once_x");
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));
    sb.reset();
    assert_eq!(identity(&sb, "mk_fault_500_once_t1").status, 500);

    // Oversized, both framings, exact length and valid JSON.
    let r = identity(&sb, "mk_fault_oversized_300000");
    assert_eq!(r.body.len(), 300_000);
    assert!(r.json()["accounts"].is_array());
    let r = identity(&sb, "mk_fault_oversized_chunked_200000");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body.len(), 200_000);
    assert!(r.json()["padding"].is_string());

    // Redirects.
    let r = identity(&sb, "mk_fault_redirect_other_host");
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location").unwrap(),
        format!(
            "http://localhost:{}/links/mk_sandbox_ok/identity",
            sb.addr().port()
        )
    );
    let r = identity(&sb, "mk_fault_redirect_loop");
    assert_eq!(
        r.header("location"),
        Some("/links/mk_fault_redirect_loop/identity")
    );

    // Small shapes.
    assert_eq!(identity(&sb, "mk_fault_empty").body.len(), 0);
    assert_eq!(identity(&sb, "mk_fault_deep").body.len(), 200_000);
    let r = identity(&sb, "mk_fault_html_502");
    assert_eq!(
        (r.status, r.header("content-type")),
        (502, Some("text/html"))
    );
    assert!(serde_json::from_slice::<Value>(&identity(&sb, "mk_fault_malformed").body).is_err());

    // Reset: headers arrive, then the connection is reset mid-body.
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(&build(
        "GET",
        "/links/mk_fault_reset/identity",
        &[BEARER],
        b"",
    ))
    .unwrap();
    let mut r = BufReader::new(s);
    let (status, _) = read_head(&mut r).unwrap();
    assert_eq!(status, 200);
    let mut rest = Vec::new();
    let err = r.read_to_end(&mut rest).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
}

#[test]
fn admin_endpoints() {
    let sb = start();
    identity(&sb, "mk_sandbox_ok");
    get(
        &sb,
        "/links/a%2Fb/identity?account_ids=x",
        &[
            ("X-Client-Id", "cid"),
            ("X-Client-Secret", "s"),
            ("User-Agent", "ua/1"),
            ("Accept", "application/json"),
            ("moneykit-version", "2023-02-18"),
        ],
    );
    token_form(&sb, "grant_type=client_credentials", &[]);
    let stats = get(&sb, "/_sandbox/stats", &[]).json();
    assert_eq!(
        stats,
        serde_json::json!({"requests": 3, "token_requests": 1, "identity_requests": 2,
            "rate_limited": 0, "rate_limited_link": 0, "rate_limited_app": 0,
            "refresh_requests": 0, "refreshes_refused": 0})
    );
    assert_eq!(
        sb.stats(),
        Stats {
            requests: 3,
            token_requests: 1,
            identity_requests: 2,
            ..Stats::default()
        }
    );
    let log = sb.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(
        log[1],
        RecordedRequest {
            method: "GET".into(),
            target: "/links/a%2Fb/identity?account_ids=x".into(),
            host: Some("127.0.0.1".into()),
            authorization: false,
            x_client_id: Some("cid".into()),
            x_client_secret: true,
            moneykit_version: Some("2023-02-18".into()),
            user_agent: Some("ua/1".into()),
            accept: Some("application/json".into()),
        }
    );
    assert!(log[0].authorization);
    let http_log = get(&sb, "/_sandbox/requests", &[]).json();
    assert_eq!(http_log.as_array().unwrap().len(), 3);
    assert_eq!(http_log[1]["target"], "/links/a%2Fb/identity?account_ids=x");
    assert_eq!(http_log[1]["x_client_secret"], true);
    assert_eq!(http_log[0]["x_client_id"], Value::Null);

    // expire_tokens over HTTP.
    let r = token_form(
        &sb,
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
        &[],
    );
    let auth = format!("Bearer {}", r.json()["access_token"].as_str().unwrap());
    let c = Client::new(&sb).send("POST", "/_sandbox/expire_tokens", &[], b"");
    assert_eq!(c.status, 200);
    let r = get(
        &sb,
        "/links/mk_sandbox_ok/identity",
        &[("Authorization", &auth)],
    );
    assert_eq!(
        r.json()["error_code"],
        "api_error.auth.expired_access_token"
    );

    // reset over HTTP.
    assert_eq!(
        Client::new(&sb)
            .send("POST", "/_sandbox/reset", &[], b"")
            .status,
        200
    );
    assert_eq!(sb.stats(), Stats::default());
    assert!(sb.requests().is_empty());
    assert_eq!(
        Client::new(&sb)
            .send("GET", "/_sandbox/reset", &[], b"")
            .status,
        405
    );
}

#[test]
fn keep_alive_close_and_garbage() {
    let sb = start();
    let mut c = Client::new(&sb);
    let a = c.send("GET", "/links/mk_sandbox_ok/identity", &[BEARER], b"");
    let b = c.send(
        "GET",
        "/links/mk_sandbox_forbidden/identity",
        &[BEARER],
        b"",
    );
    assert_eq!((a.status, b.status), (200, 403));
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
    // Pipelined: two requests in one write.
    let mut two = build("GET", "/links/mk_sandbox_ok/identity", &[BEARER], b"");
    two.extend(build(
        "GET",
        "/links/mk_sandbox_deleted/identity",
        &[BEARER],
        b"",
    ));
    c.r.get_mut().write_all(&two).unwrap();
    assert_eq!(read_response(&mut c.r).unwrap().status, 200);
    assert_eq!(read_response(&mut c.r).unwrap().status, 410);
    // Connection: close is honoured.
    let r = c.send(
        "GET",
        "/links/mk_sandbox_ok/identity",
        &[BEARER, ("Connection", "close")],
        b"",
    );
    assert_eq!(r.header("connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(c.r.read_to_end(&mut rest).unwrap(), 0);

    // Garbage → 400 and close.
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"HELLO THERE\r\n\r\n").unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r).unwrap();
    assert_eq!(resp.status, 400);
    assert!(resp.header("x-request-id").is_some());
}

#[test]
fn tls_mode() {
    let dir = std::env::temp_dir().join(format!("mk-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem_path = dir.join("ca.pem");
    let sb = Sandbox::start(Config {
        tls_ca_out: Some(pem_path.clone()),
        ..Config::default()
    })
    .unwrap();
    assert!(sb.base_url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(&pem_path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    // A real HTTPS request with rustls, trusting only the written CA.
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = moneykit_sandbox::util::base64_decode(&b64).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.into()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    for host in ["localhost", "127.0.0.1"] {
        let conn =
            rustls::ClientConnection::new(Arc::new(cfg.clone()), host.try_into().unwrap()).unwrap();
        let tcp = TcpStream::connect(sb.addr()).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(&build(
            "GET",
            "/links/mk_sandbox_ok/identity",
            &[BEARER],
            b"",
        ))
        .unwrap();
        let mut r = BufReader::new(tls);
        let resp = read_response(&mut r).unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(resp.json()["link"]["link_id"], "mk_sandbox_ok");
        // Keep-alive over TLS too.
        r.get_mut()
            .write_all(&build(
                "GET",
                "/links/mk_fault_redirect_other_host/identity",
                &[BEARER],
                b"",
            ))
            .unwrap();
        let resp = read_response(&mut r).unwrap();
        assert!(resp
            .header("location")
            .unwrap()
            .starts_with("https://localhost:"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_has_magic_table() {
    let readme = include_str!("../README.md");
    assert!(readme.contains(moneykit_sandbox::MAGIC_IDS_TABLE.trim()));
}

/// Start-up does not wait for anything slow (the large fixture is built in the
/// background): a wide bound, far above the few milliseconds it takes, that only a
/// start-up blocking on something (a build, a connect, a timeout) would exceed; and the
/// started server answers at once. Start-up speed itself is a benchmark matter.
#[test]
fn startup_does_not_block() {
    for round in ["first", "second"] {
        let t = std::time::Instant::now();
        let sb = start();
        let took = t.elapsed();
        eprintln!("{round} start {took:?}");
        assert!(
            took < Duration::from_secs(10),
            "{round} start took {took:?}"
        );
        assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    }
}
