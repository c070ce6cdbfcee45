//! Webhooks over real HTTP on loopback: a receiver in the test gets the deliveries and
//! verifies them with ring against the sandbox's JWKS (webhook_support/). `time_scale`
//! keeps refresh delays and retry back-off to milliseconds. The magic ids' webhooks are in
//! webhook_magic.rs.

mod common;
mod webhook_support;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{get, identity, Client, BEARER};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use webhook_support::*;

#[test]
fn refresh_sends_in_progress_then_completed_signed_and_verifiable() {
    let rx = Receiver::start();
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let before = now_unix();
    let t0 = Instant::now();
    refresh(&sb, "mk_sandbox_ok");
    let keys = jwks(&sb);
    let got = rx.take(2, WAIT);
    let states: Vec<Value> = got.iter().map(|r| r.json()["state"].clone()).collect();
    assert_eq!(states, vec![json!("in_progress"), json!("completed")]);
    // `completed` waits for the (scaled) refresh delay: 10 s / 100.
    assert!(got[1].at - t0 >= Duration::from_millis(100));
    for r in &got {
        let claims = verify(&keys, r).expect("a genuine delivery verifies");
        assert_eq!(
            claims.as_object().unwrap().len(),
            2,
            "iat and request_body_sha256 only"
        );
        assert!((claims["iat"].as_i64().unwrap() - now_unix()).abs() <= 5);
        let jws = parse_jws(r.header("moneykit-signature").unwrap());
        let kid = &keys["keys"][0]["kid"];
        assert_eq!(
            jws.header_text,
            format!(r#"{{"alg":"ES256","kid":{kid},"typ":"JWT"}}"#)
        );
        assert_eq!(jws.signature.len(), 64);
        assert_eq!(r.attempt(), 1);
        let v = check_common(r, "link.product_refresh", "mk_sandbox_ok");
        assert_eq!(v["product"], "identity");
        assert_eq!(v["link_tags"], json!(["sandbox", "user_type:admin"]));
        assert!(v.get("error_message").is_none());
    }
    let (a, b) = (got[0].json(), got[1].json());
    assert_ne!(a["webhook_idempotency_key"], b["webhook_idempotency_key"]);
    assert_ne!(got[0].token(), got[1].token());
    // `in_progress` changed when the refresh was asked for; `completed` carries the
    // refreshed_at that identity answers now serve.
    let started =
        moneykit::core::model::Timestamp::parse(a["state_changed_at"].as_str().unwrap()).unwrap();
    assert!((started.unix_micros() / 1_000_000 - before).abs() <= 1);
    let served = identity(&sb, "mk_sandbox_ok").json();
    assert_eq!(
        b["state_changed_at"],
        served["link"]["products"]["identity"]["refreshed_at"]
    );
    // The log, in Rust and over HTTP.
    let log = wait_log(&sb, 2);
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|d| d.ok() && d.attempt == 1 && d.forgery.is_none()));
    assert_eq!(log[1].state.as_deref(), Some("completed"));
    let admin = get(&sb, "/_sandbox/webhooks/deliveries", &[]).json();
    assert_eq!(admin[0]["event"], "link.product_refresh");
    assert_eq!(admin[0]["url"], rx.url.as_str());
    assert_eq!(admin[0]["status"], 200);
    assert_eq!(admin[0]["attempt"], 1);
    assert_eq!(admin[0]["delivery_token"], got[0].token());
    // Products other than identity send nothing.
    let r = post_json(
        &sb,
        "/links/mk_sandbox_ok/products",
        &[BEARER],
        &json!({"products": ["accounts"]}),
    );
    assert_eq!(r.status, 202);
    assert!(rx.quiet_for(Duration::from_millis(300)));
}

#[test]
fn non_2xx_answers_are_retried_with_backoff_then_given_up() {
    let rx = Receiver::answering(&[500, 503], 200);
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let r = test_delivery(&sb, "mk_sandbox_ok", "link.state_changed", Some("idem-42"));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let token = r.json()["delivery_token"].as_str().unwrap().to_string();
    let got = rx.take(3, WAIT);
    let keys = jwks(&sb);
    for (i, d) in got.iter().enumerate() {
        assert_eq!(d.attempt(), i as u32 + 1);
        assert_eq!(
            d.token(),
            token,
            "one token per delivery, kept by its retries"
        );
        assert_eq!(d.body, got[0].body, "retries send the same body");
        verify(&keys, d).unwrap();
        let v = check_common(d, "link.state_changed", "mk_sandbox_ok");
        assert_eq!(v["webhook_idempotency_key"], "idem-42");
        assert_eq!(v["state"], "connected");
    }
    // Back-off: 1 s then 2 s, divided by 100.
    assert!(got[1].at - got[0].at >= Duration::from_millis(10));
    assert!(got[2].at - got[1].at >= Duration::from_millis(20));
    let statuses: Vec<Option<u16>> = wait_log(&sb, 3).iter().map(|d| d.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(503), Some(200)]);
    assert!(rx.quiet_for(Duration::from_millis(200)));

    // Always 500: exactly max_attempts attempts.
    let rx = Receiver::answering(&[], 500);
    let sb = Sandbox::start(Config {
        webhook_max_attempts: 3,
        ..config(&rx.url)
    })
    .unwrap();
    test_delivery(&sb, "mk_sandbox_ok", "transactions.updates_available", None);
    let got = rx.take(3, WAIT);
    assert_eq!(
        got.iter().map(Received::attempt).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(got[0].json()["has_history"], true);
    assert!(rx.quiet_for(Duration::from_millis(300)), "no 4th attempt");

    // Nobody listening: connection failures are retried and logged.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::start(Config {
        webhook_max_attempts: 2,
        ..config(&format!("http://localhost:{port}/x"))
    })
    .unwrap();
    test_delivery(&sb, "mk_sandbox_ok", "link.product_refresh", None);
    let log = wait_log(&sb, 2);
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|d| d.status.is_none() && d.error.as_deref().unwrap().contains("connect")));
}

#[test]
fn jwks_needs_the_client_id_and_rotation_keeps_the_old_kid_for_a_while() {
    let rx = Receiver::start();
    let sb = Sandbox::start(Config {
        webhook_key_overlap: Duration::from_millis(800),
        time_scale: 1.0,
        webhook_retry_base: Duration::from_millis(10),
        webhook_url: Some(rx.url.clone()),
        ..Config::default()
    })
    .unwrap();
    for headers in [
        &[][..],
        &[("X-Client-Id", "")][..],
        &[("X-Client-Id", "someone-else")][..],
    ] {
        let r = get(&sb, "/.well-known/jwks.json", headers);
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error_code"], "api_error.auth.unauthorized");
    }
    let r = get(
        &sb,
        "/.well-known/jwks.json",
        &[("X-Client-Id", "sandbox-client")],
    );
    assert_eq!(r.header("cache-control"), Some("max-age=300"));
    let first = r.json();
    assert_eq!(kids(&first), vec![sb.webhook_kid()]);
    jwk_point(&first["keys"][0]);
    let old = sb.webhook_kid();

    let r = post_json(&sb, "/_sandbox/webhooks/rotate", &[], &json!({}));
    assert_eq!(r.status, 200);
    let new = r.json()["kid"].as_str().unwrap().to_string();
    assert_eq!(r.json()["previous_kid"], old.as_str());
    assert_ne!(new, old);
    assert_eq!(kids(&jwks(&sb)), vec![new.clone(), old.clone()]);
    // Deliveries are signed with the new key, and verify against the set.
    test_delivery(&sb, "mk_sandbox_ok", "link.product_refresh", None);
    let d = rx.next(WAIT);
    assert_eq!(
        parse_jws(d.header("moneykit-signature").unwrap()).header["kid"],
        new.as_str()
    );
    verify(&jwks(&sb), &d).unwrap();
    // A verifier holding only the old set sees an unknown kid (and must fetch the set).
    assert_eq!(verify(&first, &d), Err(Defect::UnknownKid));
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(kids(&jwks(&sb)), vec![new.clone()]);
    let (newer, prev) = sb.rotate_webhook_key().unwrap();
    assert_eq!(prev, new);
    assert_eq!(kids(&sb.webhook_jwks()), vec![newer, new]);
}

#[test]
fn webhook_urls_must_be_loopback_and_can_be_set_per_link() {
    let rx_all = Receiver::start();
    let rx_one = Receiver::start();
    let sb = Sandbox::start(Config {
        time_scale: 100.0,
        ..Config::default()
    })
    .unwrap();
    // No URL: a test delivery is refused, a refresh sends nothing.
    let r = test_delivery(&sb, "mk_sandbox_ok", "link.state_changed", None);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_code"], "api_error.request.bad_request");
    for url in [
        "http://example.com/hooks",
        "https://127.0.0.1/hooks",
        "http://10.1.2.3:8080/",
        "http://127.0.0.1.nip.io/",
        "http://user@127.0.0.1/",
    ] {
        let r = post_json(&sb, "/_sandbox/webhooks/url", &[], &json!({ "url": url }));
        assert_eq!(r.status, 422, "{url}");
        assert!(r.json()["detail"].as_str().unwrap().contains("refused"));
        assert!(sb.set_webhook_url(Some("x"), Some(url)).is_err());
    }
    let err = Sandbox::start(Config {
        webhook_url: Some("http://192.168.1.1/".to_string()),
        ..Config::default()
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("refused"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_moneykit-sandbox"))
        .args(["--webhook-url", "http://example.com/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused"));
    assert!(sb.webhook_deliveries().is_empty());

    // One URL for all links, another for one link.
    let r = post_json(
        &sb,
        "/_sandbox/webhooks/url",
        &[],
        &json!({ "url": rx_all.url }),
    );
    assert_eq!(r.status, 200);
    let one = "mk_sandbox_bulk_7";
    let r = post_json(
        &sb,
        "/_sandbox/webhooks/url",
        &[],
        &json!({ "link_id": one, "url": rx_one.url.replace("127.0.0.1", "localhost") }),
    );
    assert_eq!(r.status, 200);
    test_delivery(&sb, "mk_sandbox_unicode", "link.state_changed", None);
    assert_eq!(rx_all.next(WAIT).json()["link_id"], "mk_sandbox_unicode");
    refresh(&sb, one);
    let got = rx_one.take(2, WAIT);
    assert_eq!(got[0].json()["link_id"], one);
    assert!(got[0].header("host").unwrap().starts_with("localhost:"));
    assert!(rx_all.quiet_for(Duration::from_millis(300)));
    // Cleared: back to the URL for all links.
    let r = post_json(
        &sb,
        "/_sandbox/webhooks/url",
        &[],
        &json!({ "link_id": one, "url": null }),
    );
    assert_eq!(r.status, 200);
    test_delivery(&sb, one, "link.state_changed", None);
    assert_eq!(rx_all.next(WAIT).json()["link_id"], one);
}

#[test]
fn test_endpoint_checks_like_the_api() {
    let rx = Receiver::start();
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let body = br#"{"webhook_event":"link.state_changed"}"#;
    let target = "/webhooks/test/link/mk_sandbox_ok";
    let r = Client::new(&sb).send(
        "POST",
        target,
        &[("Content-Type", "application/json")],
        body,
    );
    assert_eq!(r.status, 401);
    let r = Client::new(&sb).send("POST", target, &[BEARER], b"{nope");
    assert_eq!(r.status, 400);
    let r = test_delivery(&sb, "mk_sandbox_ok", "link.unheard_of", None);
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["error_code"],
        "api_error.request.validation_failed"
    );
    let r = test_delivery(&sb, "mk_no_such_link", "link.state_changed", None);
    assert_eq!(r.status, 404);
    let r = test_delivery(&sb, "mk_sandbox_deleted", "link.state_changed", None);
    assert_eq!(r.status, 410);
    let r = get(&sb, target, &[BEARER]);
    assert_eq!(r.status, 405);
    assert!(rx.quiet_for(Duration::from_millis(200)));
    for event in ["link.product_refresh", "product.state_changed"] {
        let r = test_delivery(&sb, "mk_sandbox_ok", event, None);
        assert_eq!(r.status, 200);
        let v = check_common(&rx.next(WAIT), event, "mk_sandbox_ok");
        assert_eq!(
            (&v["product"], &v["state"]),
            (&json!("identity"), &json!("completed"))
        );
        assert!(v["state_changed_at"].is_string());
    }
}

#[test]
fn loaded_key_and_exp_claim() {
    let rng = ring::rand::SystemRandom::new();
    let alg = &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = ring::signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
    use ring::signature::KeyPair;
    let public = pair.public_key().as_ref().to_vec();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        moneykit_sandbox::util::base64_encode(pkcs8.as_ref())
    );
    let dir = std::env::temp_dir().join(format!("mk-webhook-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.pem");
    std::fs::write(&path, &pem).unwrap();

    let rx = Receiver::start();
    let sb = Sandbox::start(Config {
        webhook_key: Some(std::fs::read(&path).unwrap()),
        webhook_exp: true,
        ..config(&rx.url)
    })
    .unwrap();
    let keys = jwks(&sb);
    assert_eq!(jwk_point(&keys["keys"][0]), public);
    // The kid is the RFC 7638 thumbprint.
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        b64url_encode(&public[1..33]),
        b64url_encode(&public[33..])
    );
    let thumb =
        b64url_encode(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref());
    assert_eq!(keys["keys"][0]["kid"], thumb.as_str());
    test_delivery(&sb, "mk_sandbox_ok", "link.state_changed", None);
    let d = rx.next(WAIT);
    let claims = verify(&keys, &d).unwrap();
    assert_eq!(
        claims["exp"].as_i64().unwrap(),
        claims["iat"].as_i64().unwrap() + 300
    );

    // The binary loads the same file.
    let mut child = Command::new(env!("CARGO_BIN_EXE_moneykit-sandbox"))
        .args([
            "--webhook-key",
            path.to_str().unwrap(),
            "--webhook-url",
            &rx.url,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    let r = Client::connect(addr.as_str()).send(
        "GET",
        "/.well-known/jwks.json",
        &[("X-Client-Id", "sandbox-client")],
        b"",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(r.json()["keys"][0]["kid"], thumb.as_str());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reset_cancels_pending_deliveries() {
    let rx = Receiver::answering(&[], 500);
    let sb = Sandbox::start(Config {
        time_scale: 10.0, // refresh delay 1 s, retries after 100 ms, 200 ms, ...
        webhook_url: Some(rx.url.clone()),
        ..Config::default()
    })
    .unwrap();
    refresh(&sb, "mk_sandbox_ok");
    assert_eq!(rx.next(WAIT).attempt(), 1);
    let r = post_json(&sb, "/_sandbox/reset", &[], &json!({}));
    assert_eq!(r.status, 200);
    assert!(
        rx.quiet_for(Duration::from_millis(1500)),
        "no retry, no completed after reset"
    );
    assert!(sb.webhook_deliveries().is_empty());
}

/// Many deliveries at once (more than the attempts allowed in flight) all arrive, each once,
/// while the receiver answers one connection at a time.
#[test]
fn a_burst_of_deliveries_all_arrive() {
    let rx = Receiver::start();
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let mut tokens = std::collections::HashSet::new();
    for i in 0..100 {
        let key = format!("burst-{i}");
        let r = test_delivery(&sb, "mk_sandbox_ok", "link.state_changed", Some(&key));
        assert_eq!(r.status, 200);
        tokens.insert(r.json()["delivery_token"].as_str().unwrap().to_string());
    }
    let got = rx.take(100, WAIT);
    let seen: std::collections::HashSet<String> =
        got.iter().map(|d| d.token().to_string()).collect();
    assert_eq!(seen, tokens);
    assert!(got.iter().all(|d| d.attempt() == 1));
    assert!(rx.quiet_for(Duration::from_millis(200)));
}
