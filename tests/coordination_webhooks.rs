//! Webhook duplicates across processes (issue 28): two clients, each with its own
//! coordinator and verifier (as two processes have), share one Redis. A delivery one of
//! them verified is in flight for the other until handled, then a duplicate; one handled
//! with a failure may be handled by the other. While Redis is down each decides alone, so a
//! repeat handled elsewhere gets through: the documented limitation.

mod common;
mod coordination_common;
mod webhooks_common;

use common::redis::Redis;
use coordination_common::Events;
use moneykit::core::Status;
use moneykit::ffi::{MK_WEBHOOK_DUPLICATE, MK_WEBHOOK_IN_FLIGHT};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::json;
use std::time::Duration;
use webhooks_common::{client_with, verifier, Client, Outcome, Received, Receiver, Verifier};

const WAIT: Duration = Duration::from_secs(10);

/// `POST /webhooks/test/link/{id}` as MoneyKit documents it: the sandbox signs and sends
/// one delivery to the receiver.
fn trigger(sb: &Sandbox, key: &str) {
    let body = json!({"webhook_event": "link.state_changed", "webhook_idempotency_key": key});
    let r = ureq::post(&format!(
        "{}/webhooks/test/link/mk_sandbox_ok",
        sb.base_url()
    ))
    .header("X-Client-Id", "sandbox-client")
    .header("X-Client-Secret", "sandbox-secret")
    .header("moneykit-version", "2023-02-18")
    .header("content-type", "application/json")
    .send(body.to_string().as_bytes())
    .expect("test delivery accepted");
    assert_eq!(r.status().as_u16(), 200);
}

fn verify(v: &Verifier, r: &Received) -> Outcome {
    v.verify(r.header("moneykit-signature"), &r.body)
}

/// One "process": a client coordinated by `redis` and its verifier.
fn process(sb: &Sandbox, redis: &Redis) -> (Client, Verifier) {
    let extra = format!(r#""coordination_url": "{}""#, redis.url());
    let c = client_with(Some("sandbox-client"), &sb.base_url(), &extra);
    let v = verifier(&c, "{}");
    (c, v)
}

#[test]
fn a_delivery_handled_by_one_process_is_a_duplicate_for_another() {
    let receiver = Receiver::start();
    let sb = Sandbox::start(Config {
        webhook_url: Some(receiver.url.clone()),
        ..Config::default()
    })
    .expect("sandbox starts");
    let mut redis = Redis::start();
    let (c1, v1) = process(&sb, &redis);
    let (c2, v2) = process(&sb, &redis);
    let events = Events::on_raw(c2.0);

    // Handled by the first: in flight for the second meanwhile, then a duplicate.
    trigger(&sb, "fleet-1");
    let r1 = receiver.next(WAIT);
    let o = verify(&v1, &r1);
    assert_eq!((o.rc, o.key.as_deref()), (0, Some("fleet-1")), "{o:?}");
    assert_eq!(verify(&v2, &r1).rc, MK_WEBHOOK_IN_FLIGHT);
    v1.done("fleet-1", true);
    assert_eq!(verify(&v2, &r1).rc, MK_WEBHOOK_DUPLICATE);
    assert_eq!(verify(&v1, &r1).rc, MK_WEBHOOK_DUPLICATE);

    // Handled with a failure by the first: the second may handle it, and then the first
    // sees a duplicate.
    trigger(&sb, "fleet-2");
    let r2 = receiver.next(WAIT);
    assert_eq!(verify(&v1, &r2).rc, 0);
    v1.done("fleet-2", false);
    assert_eq!(verify(&v2, &r2).rc, 0);
    v2.done("fleet-2", true);
    assert_eq!(verify(&v1, &r2).rc, MK_WEBHOOK_DUPLICATE);

    // The keys are the app's, hashed, and expire.
    let keys = redis.cli(&["KEYS", "mk:*:seen:*"]);
    assert_eq!(keys.lines().count(), 2, "{keys}");
    assert!(!keys.contains("fleet-"), "{keys}");
    for k in keys.lines() {
        let ttl: i64 = redis.cli(&["PTTL", k]).parse().unwrap();
        assert!(ttl > 0, "{k}: {ttl}");
    }

    // Handled by the first while Redis answers; then Redis is gone and the second decides
    // alone: it takes the repeat as new (the documented limitation).
    trigger(&sb, "fleet-3");
    let r3 = receiver.next(WAIT);
    assert_eq!(verify(&v1, &r3).rc, 0);
    v1.done("fleet-3", true);
    assert_eq!(events.coordination(), []);
    redis.stop();
    assert_eq!(verify(&v2, &r3).rc, 0, "New: no fleet to ask");
    // Each process still knows its own.
    assert_eq!(verify(&v1, &r3).rc, MK_WEBHOOK_DUPLICATE);
    v2.done("fleet-3", true);
    assert_eq!(verify(&v2, &r3).rc, MK_WEBHOOK_DUPLICATE);
    let lost = events.coordination();
    assert_eq!(lost.len(), 1, "one loss reported: {lost:?}");
    assert_ne!(lost[0].status, Status::MkOk.code());
    drop((v1, v2, c1, c2));
}
