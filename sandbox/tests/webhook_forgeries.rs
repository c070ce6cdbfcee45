//! `GET /_sandbox/webhooks/forgeries`: the shared table of forged or damaged deliveries
//! that every language's tests verify (tests/webhooks_forgeries.rs and the bindings').
//! Here: its shape, that it is made afresh with the current key and clock, and that the
//! entries that look genuine are signed by the published key.

mod common;
mod webhook_support;

use std::collections::BTreeSet;

use common::{get, Client};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use webhook_support::*;

const REASONS: [&str; 9] = [
    "malformed",
    "alg",
    "kid_unknown",
    "signature",
    "body_hash",
    "iat_too_old",
    "iat_in_future",
    "expired",
    "body_too_large",
];

fn forgeries(sb: &Sandbox) -> Vec<Value> {
    let r = get(sb, "/_sandbox/webhooks/forgeries", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v.as_object().unwrap().len(), 1, "only \"forgeries\"");
    v["forgeries"].as_array().expect("an array").clone()
}

#[test]
fn the_table_has_every_reason_and_well_formed_entries() {
    let sb = Sandbox::start(Config::default()).unwrap();
    let list = forgeries(&sb);
    assert!(list.len() >= 30, "{} entries", list.len());
    let mut names = BTreeSet::new();
    let mut reasons = BTreeSet::new();
    for f in &list {
        let o = f.as_object().unwrap();
        assert_eq!(o.len(), 4, "{f}");
        let name = f["name"].as_str().unwrap();
        assert!(!name.is_empty());
        assert!(names.insert(name.to_string()), "{name} twice");
        assert!(
            f["signature"].is_string() || f["signature"].is_null(),
            "{name}"
        );
        assert!(f["body"].is_string(), "{name}");
        let reason = f["reason"].as_str().unwrap();
        assert!(REASONS.contains(&reason), "{name}: {reason}");
        reasons.insert(reason);
    }
    assert_eq!(reasons.len(), REASONS.len(), "{reasons:?}");
    // Exactly one entry without a header; the oversized body is one byte over 1 MiB.
    assert_eq!(list.iter().filter(|f| f["signature"].is_null()).count(), 1);
    let big: Vec<&Value> = list
        .iter()
        .filter(|f| f["reason"] == "body_too_large")
        .collect();
    assert_eq!(big.len(), 1);
    assert_eq!(big[0]["body"].as_str().unwrap().len(), (1 << 20) + 1);
    // Only GET.
    let r = Client::new(&sb).send("POST", "/_sandbox/webhooks/forgeries", &[], b"{}");
    assert_eq!(r.status, 405);
}

#[test]
fn entries_are_signed_now_with_the_current_key() {
    let sb = Sandbox::start(Config::default()).unwrap();
    let keys = jwks(&sb);
    let kid = keys["keys"][0]["kid"].as_str().unwrap().to_string();
    let point = jwk_point(&keys["keys"][0]);
    let public =
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point);
    let list = forgeries(&sb);
    let by_name = |n: &str| -> Value {
        list.iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("no {n}"))
            .clone()
    };
    // Damaged bodies carry a genuine signature: the key verifies it, iat is now, and the
    // hash is of the undamaged body.
    let tampered = by_name("body tampered");
    let jws = parse_jws(tampered["signature"].as_str().unwrap());
    assert_eq!(jws.header["kid"], kid.as_str());
    assert_eq!(jws.header["alg"], "ES256");
    assert!(public
        .verify(jws.signing_input.as_bytes(), &jws.signature)
        .is_ok());
    assert!((jws.claims["iat"].as_i64().unwrap() - now_unix()).abs() <= 5);
    let body = tampered["body"].as_str().unwrap();
    assert_ne!(
        jws.claims["request_body_sha256"],
        sha256_hex(body.as_bytes())
    );
    // A stale iat is signed genuinely too: only the clock refuses it.
    let stale = parse_jws(by_name("iat an hour old")["signature"].as_str().unwrap());
    assert!(public
        .verify(stale.signing_input.as_bytes(), &stale.signature)
        .is_ok());
    assert!((stale.claims["iat"].as_i64().unwrap() - (now_unix() - 3600)).abs() <= 5);
    // Another key under the current kid does not verify with it.
    let other = parse_jws(
        by_name("signed by another key under the current kid")["signature"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(other.header["kid"], kid.as_str());
    assert!(public
        .verify(other.signing_input.as_bytes(), &other.signature)
        .is_err());
    // After a rotation the table follows the new key.
    let r = post_json(&sb, "/_sandbox/webhooks/rotate", &[], &Value::Null);
    assert_eq!(r.status, 200);
    let new_kid = r.json()["kid"].as_str().unwrap().to_string();
    assert_ne!(new_kid, kid);
    let list = forgeries(&sb);
    let t = list.iter().find(|f| f["name"] == "body tampered").unwrap();
    let jws = parse_jws(t["signature"].as_str().unwrap());
    assert_eq!(jws.header["kid"], new_kid.as_str());
}
