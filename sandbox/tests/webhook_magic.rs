//! The `mk_webhook_*` magic ids over real HTTP on loopback: duplicates, out-of-order and
//! failed refreshes, and every forged delivery checked by an independent verifier
//! (webhook_support/) for exactly the defect it is named after.

mod common;
mod webhook_support;

use std::time::Duration;

use common::identity;
use moneykit_sandbox::Sandbox;
use serde_json::{json, Value};
use webhook_support::*;

#[test]
fn magic_ids_duplicate_reorder_and_fail() {
    let rx = Receiver::start();
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let keys = jwks(&sb);

    refresh(&sb, "mk_webhook_duplicate");
    let got = rx.take(4, WAIT);
    for r in &got {
        verify(&keys, r).unwrap();
    }
    let v: Vec<Value> = got.iter().map(Received::json).collect();
    let states: Vec<&str> = v.iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        ["in_progress", "in_progress", "completed", "completed"]
    );
    for pair in [(0, 1), (2, 3)] {
        assert_eq!(got[pair.0].body, got[pair.1].body, "the same event");
        assert_eq!(
            v[pair.0]["webhook_idempotency_key"],
            v[pair.1]["webhook_idempotency_key"]
        );
        assert_ne!(got[pair.0].token(), got[pair.1].token());
    }
    assert_ne!(
        v[0]["webhook_idempotency_key"],
        v[2]["webhook_idempotency_key"]
    );

    refresh(&sb, "mk_webhook_out_of_order");
    let got = rx.take(2, WAIT);
    let states: Vec<Value> = got.iter().map(|r| r.json()["state"].clone()).collect();
    assert_eq!(states, vec![json!("completed"), json!("in_progress")]);
    verify(&keys, &got[0]).unwrap();

    let id = "mk_webhook_refresh_failed";
    let before = identity(&sb, id).json()["link"]["products"]["identity"]["refreshed_at"].clone();
    refresh(&sb, id);
    let got = rx.take(2, WAIT);
    let (a, b) = (got[0].json(), got[1].json());
    assert_eq!(
        (&a["state"], &b["state"]),
        (&json!("in_progress"), &json!("failed"))
    );
    assert!(a.get("error_message").is_none());
    assert!(b["error_message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(b["state_changed_at"].is_string());
    std::thread::sleep(Duration::from_millis(150));
    let after = identity(&sb, id).json()["link"]["products"]["identity"]["refreshed_at"].clone();
    assert_eq!(
        before, after,
        "a failed refresh does not advance refreshed_at"
    );
    assert_eq!(sb.link_stats(id).refreshes_completed, 0);
}

/// Every forged id's delivery has exactly the defect it is named after, on refreshes and
/// test deliveries alike; a plain Get Identity on it is the ok body.
#[test]
fn forged_ids_carry_their_defect() {
    let rx = Receiver::start();
    let sb = Sandbox::start(config(&rx.url)).unwrap();
    let keys = jwks(&sb);
    let cases = [
        ("mk_webhook_bad_signature", Defect::BadSignature),
        ("mk_webhook_stale_iat", Defect::StaleIat),
        ("mk_webhook_future_iat", Defect::FutureIat),
        ("mk_webhook_unknown_kid", Defect::UnknownKid),
        ("mk_webhook_tampered_body", Defect::BodyMismatch),
        ("mk_webhook_alg_none", Defect::Alg("none".to_string())),
        ("mk_webhook_hs256", Defect::Alg("HS256".to_string())),
    ];
    for (i, (id, defect)) in cases.iter().enumerate() {
        assert_eq!(identity(&sb, id).status, 200, "{id}");
        let r = test_delivery(&sb, id, "link.product_refresh", None);
        assert_eq!(r.status, 200);
        let d = rx.next(WAIT);
        assert_eq!(verify(&keys, &d), Err(defect.clone()), "{id}");
        assert_eq!(d.json()["link_id"], *id);
        let jws = parse_jws(d.header("moneykit-signature").unwrap());
        let now = now_unix();
        let iat = jws.claims["iat"].as_i64().unwrap();
        match *id {
            "mk_webhook_stale_iat" => assert!((iat - (now - 3600)).abs() <= 5),
            "mk_webhook_future_iat" => assert!((iat - (now + 3600)).abs() <= 5),
            _ => assert!((iat - now).abs() <= 5),
        }
        match *id {
            "mk_webhook_tampered_body" => {
                // Signed, then `"tampered":true,` put in front of the other members.
                assert_eq!(d.json()["tampered"], true);
                let sent = String::from_utf8(d.body.clone()).unwrap();
                let signed = sent.replacen(r#""tampered":true,"#, "", 1);
                assert_ne!(signed, sent);
                assert_eq!(
                    jws.claims["request_body_sha256"],
                    sha256_hex(signed.as_bytes()).as_str()
                );
            }
            "mk_webhook_alg_none" => assert!(jws.signature.is_empty()),
            "mk_webhook_hs256" => {
                // HMAC-SHA256 keyed with the published key's PEM (SubjectPublicKeyInfo).
                let pem = spki_pem(&jwk_point(&keys["keys"][0]));
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, pem.as_bytes());
                ring::hmac::verify(&key, jws.signing_input.as_bytes(), &jws.signature)
                    .expect("HMAC with the public key's PEM");
                assert_eq!(jws.header["kid"], keys["keys"][0]["kid"]);
            }
            "mk_webhook_unknown_kid" => {
                assert!(!kids(&keys).contains(&jws.header["kid"].as_str().unwrap().to_string()))
            }
            _ => {}
        }
        if *id != "mk_webhook_tampered_body" {
            assert_eq!(
                jws.claims["request_body_sha256"],
                sha256_hex(&d.body).as_str()
            );
        }
        let log = wait_log(&sb, i + 1);
        assert_eq!(log[i].forgery, Some(&id[11..]));
    }
    // A refresh of a forged id forges both events.
    refresh(&sb, "mk_webhook_bad_signature");
    for d in rx.take(2, WAIT) {
        assert_eq!(verify(&keys, &d), Err(Defect::BadSignature));
    }
}

fn spki_pem(point: &[u8]) -> String {
    let mut der = hex_bytes("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    der.extend_from_slice(point);
    let b64 = moneykit_sandbox::util::base64_encode(&der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

fn hex_bytes(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}
