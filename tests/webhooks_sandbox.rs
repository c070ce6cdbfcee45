//! Webhook verification end to end against the sandbox: its JWKS endpoint (with
//! `X-Client-Id`), its signed test deliveries (`POST /webhooks/test/link/{id}`) to a receiver
//! on loopback, its forged-delivery magic ids (each refused with its reason), duplicates, a
//! refresh's `link.product_refresh` events and a key rotation.

mod webhooks_common;

use moneykit::ffi::{MK_WEBHOOK_DUPLICATE, MK_WEBHOOK_IN_FLIGHT};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use std::time::Duration;
use webhooks_common::*;

const WAIT: Duration = Duration::from_secs(10);

struct Env {
    sandbox: Sandbox,
    receiver: Receiver,
    client: Client,
}

fn env(extra: &str) -> Env {
    let receiver = Receiver::start();
    let sandbox = Sandbox::start(Config {
        webhook_url: Some(receiver.url.clone()),
        // Refreshes complete 20 times sooner.
        time_scale: 20.0,
        ..Config::default()
    })
    .expect("sandbox starts");
    let client = client_with(Some("sandbox-client"), &sandbox.base_url(), extra);
    Env {
        sandbox,
        receiver,
        client,
    }
}

/// `POST /webhooks/test/link/{id}` as MoneyKit documents it.
fn trigger(sb: &Sandbox, link: &str, event: &str, key: &str) {
    let body = json!({"webhook_event": event, "webhook_idempotency_key": key}).to_string();
    let r = ureq::post(&format!("{}/webhooks/test/link/{link}", sb.base_url()))
        .header("X-Client-Id", "sandbox-client")
        .header("X-Client-Secret", "sandbox-secret")
        .header("moneykit-version", "2023-02-18")
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .expect("test delivery accepted");
    assert_eq!(r.status().as_u16(), 200);
}

fn verify(v: &Verifier, r: &Received) -> Outcome {
    v.verify(r.header("moneykit-signature"), &r.body)
}

#[test]
fn genuine_test_deliveries_verify_with_the_sandbox_keys() {
    let e = env("");
    let v = verifier(&e.client, "{}");
    for (i, event) in [
        "link.state_changed",
        "link.product_refresh",
        "transactions.updates_available",
        "product.state_changed",
    ]
    .iter()
    .enumerate()
    {
        let key = format!("sb-genuine-{i}");
        trigger(&e.sandbox, "mk_sandbox_ok", event, &key);
        let r = e.receiver.next(WAIT);
        assert!(r.header("moneykit-delivery-token").is_some());
        let o = verify(&v, &r);
        assert_eq!(o.rc, 0, "{event}: {o:?}");
        assert_eq!(o.event_type.as_deref(), Some(*event));
        assert_eq!(o.key.as_deref(), Some(key.as_str()));
        let body: Value = serde_json::from_str(o.event_json.as_deref().unwrap()).unwrap();
        assert_eq!(body["link_id"], "mk_sandbox_ok");
        v.done(&key, true);
    }
    // One key fetch for all of them: the JWKS endpoint was asked once, with the client id
    // and no secret or token.
    let fetches = jwks_requests(&e.sandbox);
    assert_eq!(fetches.len(), 1);
    let r = &fetches[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.x_client_id.as_deref(), Some("sandbox-client"));
    assert!(!r.x_client_secret && !r.authorization);
}

fn jwks_requests(sb: &Sandbox) -> Vec<moneykit_sandbox::RecordedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.target == "/.well-known/jwks.json")
        .collect()
}

#[test]
fn forged_magic_ids_are_refused_with_their_reason() {
    let e = env("");
    let v = verifier(&e.client, "{}");
    // First a genuine one, so the keys are cached.
    trigger(&e.sandbox, "mk_sandbox_ok", "link.state_changed", "sb-warm");
    assert_eq!(verify(&v, &e.receiver.next(WAIT)).rc, 0);
    for (link, reason) in [
        ("mk_webhook_bad_signature", "signature"),
        ("mk_webhook_stale_iat", "iat_too_old"),
        ("mk_webhook_future_iat", "iat_in_future"),
        ("mk_webhook_unknown_kid", "kid_unknown"),
        ("mk_webhook_tampered_body", "body_hash"),
        ("mk_webhook_alg_none", "alg"),
        ("mk_webhook_hs256", "alg"),
    ] {
        for event in ["link.product_refresh", "link.state_changed"] {
            trigger(&e.sandbox, link, event, &format!("sb-{link}-{event}"));
            let r = e.receiver.next(WAIT);
            let o = verify(&v, &r);
            assert_eq!(o.rc, 15, "{link} {event}: {o:?}");
            assert_eq!(
                o.reason().as_deref(),
                Some(reason),
                "{link}: {}",
                o.message()
            );
        }
    }
}

#[test]
fn a_duplicated_delivery_is_handled_once() {
    let e = env("");
    let v = verifier(&e.client, "{}");
    trigger(
        &e.sandbox,
        "mk_webhook_duplicate",
        "link.product_refresh",
        "sb-dup",
    );
    let first = e.receiver.next(WAIT);
    let second = e.receiver.next(WAIT);
    assert_eq!(first.body, second.body);
    assert_ne!(
        first.header("moneykit-delivery-token"),
        second.header("moneykit-delivery-token")
    );
    let o = verify(&v, &first);
    assert_eq!(o.rc, 0);
    // The copy arrives while the first is being handled: in flight (answer 409).
    assert_eq!(verify(&v, &second).rc, MK_WEBHOOK_IN_FLIGHT);
    v.done("sb-dup", true);
    assert_eq!(verify(&v, &second).rc, MK_WEBHOOK_DUPLICATE);
}

#[test]
fn a_refresh_delivers_signed_product_refresh_events() {
    let e = env("");
    let v = verifier(&e.client, "{}");
    let body = json!({"products": ["identity"]}).to_string();
    let r = ureq::post(&format!(
        "{}/links/mk_sandbox_ok/products",
        e.sandbox.base_url()
    ))
    .header("X-Client-Id", "sandbox-client")
    .header("X-Client-Secret", "sandbox-secret")
    .header("moneykit-version", "2023-02-18")
    .header("content-type", "application/json")
    .send(body.as_bytes())
    .expect("refresh accepted");
    assert_eq!(r.status().as_u16(), 202);
    let mut states = Vec::new();
    while !states.contains(&"completed".to_string()) {
        let r = e.receiver.next(Duration::from_secs(30));
        let o = verify(&v, &r);
        assert_eq!(o.rc, 0, "{o:?}");
        assert_eq!(o.event_type.as_deref(), Some("link.product_refresh"));
        let ev: Value = serde_json::from_str(o.event_json.as_deref().unwrap()).unwrap();
        assert_eq!(ev["product"], "identity");
        states.push(ev["state"].as_str().unwrap().to_string());
        v.done(o.key.as_deref().unwrap(), true);
    }
    assert_eq!(
        states.first().map(String::as_str),
        Some("in_progress"),
        "{states:?}"
    );
}

#[test]
fn after_a_rotation_the_new_kid_is_fetched_once() {
    let e = env("");
    let v = verifier(&e.client, r#"{"jwks_refetch_ms": 100}"#);
    trigger(
        &e.sandbox,
        "mk_sandbox_ok",
        "link.state_changed",
        "sb-rot-1",
    );
    assert_eq!(verify(&v, &e.receiver.next(WAIT)).rc, 0);
    let (new_kid, _) = e.sandbox.rotate_webhook_key().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    trigger(
        &e.sandbox,
        "mk_sandbox_ok",
        "link.state_changed",
        "sb-rot-2",
    );
    let r = e.receiver.next(WAIT);
    assert!(r.header("moneykit-signature").is_some());
    let o = verify(&v, &r);
    assert_eq!(o.rc, 0, "signed by {new_kid}: {o:?}");
    assert_eq!(
        jwks_requests(&e.sandbox).len(),
        2,
        "one refetch for the new kid"
    );
    trigger(
        &e.sandbox,
        "mk_sandbox_ok",
        "link.state_changed",
        "sb-rot-3",
    );
    assert_eq!(verify(&v, &e.receiver.next(WAIT)).rc, 0);
    assert_eq!(jwks_requests(&e.sandbox).len(), 2);
}
