//! The webhook verifier's key set over real HTTP on loopback: faults of the JWKS endpoint
//! (down, slow, malformed, HTTP errors, a key of another curve) give a clear status in
//! bounded time while cached keys keep verifying; the refetch limit (counted at the server);
//! single flight; rotation; `Cache-Control: max-age`; cancellation.

mod webhooks_common;

use moneykit::ffi::*;
use serde_json::json;
use std::net::TcpListener;
use std::ptr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use webhooks_common::*;

const SIGNATURE: i32 = 15;

fn delivery(signer: &Signer, key: &str) -> (String, Vec<u8>) {
    let body = event_body(key);
    (signer.genuine(&body), body)
}

#[test]
fn endpoint_down_is_a_transport_error_and_cached_keys_still_verify() {
    // A port with nothing listening.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let signer = Signer::new("k");
    let c = client(&dead, "");
    let v = verifier(&c, "{}");
    let (sig, body) = delivery(&signer, "down-1");
    let started = Instant::now();
    let o = v.verify(Some(&sig), &body);
    assert_eq!(o.rc, 2, "{o:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        o.message().starts_with(
            "webhook signing keys could not be fetched (GET /.well-known/jwks.json): "
        ),
        "{}",
        o.message()
    );
    assert!(o.reason().is_none());
    // Within jwks_refetch_ms no new attempt: the same error at once.
    let started = Instant::now();
    assert_eq!(v.verify(Some(&sig), &body).rc, 2);
    assert!(started.elapsed() < Duration::from_millis(100));

    // Keys cached from a live endpoint keep verifying once it goes down (connection
    // closed without an answer), even after their TTL: stale keys are kept up to 24 h.
    let server = KeyServer::with_keys(&[signer.jwk()]);
    let c = client(&server.base_url, "");
    let v = verifier(&c, r#"{"jwks_ttl_ms": 100, "jwks_refetch_ms": 100}"#);
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    server.set(|a| a.hang_up = true);
    std::thread::sleep(Duration::from_millis(150));
    let (sig2, body2) = delivery(&signer, "down-2");
    let o = v.verify(Some(&sig2), &body2);
    assert_eq!(o.rc, 0, "{o:?}");
    assert_eq!(server.count(), 2, "one refetch was tried");
    // An unknown kid while the endpoint is down: the fetch's status (answer 5xx), not
    // kid_unknown (which would tell MoneyKit not to retry).
    std::thread::sleep(Duration::from_millis(150));
    let (sig3, body3) = delivery(&Signer::new("rotated-in"), "down-3");
    let o = v.verify(Some(&sig3), &body3);
    assert_eq!(o.rc, 2, "{o:?}");
}

#[test]
fn a_slow_endpoint_is_bounded_by_the_client_timeout() {
    let signer = Signer::new("k");
    let server = KeyServer::with_keys(&[signer.jwk()]);
    server.set(|a| a.delay = Duration::from_secs(3));
    let c = client(&server.base_url, r#""timeout_ms": 300"#);
    let v = verifier(&c, "{}");
    let (sig, body) = delivery(&signer, "slow-1");
    let started = Instant::now();
    let o = v.verify(Some(&sig), &body);
    let took = started.elapsed();
    assert_eq!(o.rc, 3, "{o:?}");
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    assert!(o
        .message()
        .contains("webhook signing keys could not be fetched"));
}

#[test]
fn a_cancelled_fetch_returns_at_once() {
    let signer = Signer::new("k");
    let server = KeyServer::with_keys(&[signer.jwk()]);
    server.set(|a| a.delay = Duration::from_secs(3));
    let c = client(
        &server.base_url,
        r#""timeout_ms": 10000, "deadline_ms": 10000"#,
    );
    let v = verifier(&c, "{}");
    let mut cancel = ptr::null_mut();
    // SAFETY: a valid out pointer; no error JSON asked for.
    assert_eq!(unsafe { mk_cancel_new(&mut cancel, ptr::null_mut()) }, 0);
    struct Handle(*mut MkCancel);
    // SAFETY: cancel handles may be triggered from any thread.
    unsafe impl Send for Handle {}
    let h = Handle(cancel);
    let trigger = std::thread::spawn(move || {
        let h = h;
        std::thread::sleep(Duration::from_millis(200));
        // SAFETY: a live handle, freed only after this thread is joined.
        unsafe { mk_cancel_trigger(h.0) };
    });
    let (sig, body) = delivery(&signer, "cancel-1");
    let started = Instant::now();
    let o = v.verify_cancel(Some(&sig), &body, cancel);
    assert_eq!(o.rc, 14, "{o:?}");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    trigger.join().unwrap();
    // SAFETY: from mk_cancel_new, no call uses it any more.
    unsafe { mk_cancel_free(cancel) };
}

#[test]
fn malformed_sets_and_http_errors_have_their_status() {
    let signer = Signer::new("k");
    let (sig, body) = delivery(&signer, "bad-set");
    for (status, set_body, want, msg) in [
        (
            200,
            "not json".to_string(),
            4,
            "the key set is not a JSON object",
        ),
        (200, "[]".to_string(), 4, "the key set is not a JSON object"),
        (
            200,
            r#"{"kees": []}"#.to_string(),
            4,
            "the key set has no keys array",
        ),
        (
            200,
            format!(r#"{{"keys": [{}], "keys": []}}"#, signer.jwk()),
            4,
            "a key is given more than once",
        ),
        (
            200,
            "x".repeat(300_000),
            4,
            "the key set is larger than 262144 bytes",
        ),
        (500, "{}".to_string(), 11, "500"),
        (
            401,
            r#"{"error_code": "api_error.auth.unauthorized", "error_message": "no"}"#.to_string(),
            5,
            "401",
        ),
        (404, "{}".to_string(), 12, "404"),
    ] {
        let server = KeyServer::start(Answer {
            status,
            body: set_body,
            ..Answer::ok(String::new())
        });
        let c = client(&server.base_url, "");
        let v = verifier(&c, "{}");
        let o = v.verify(Some(&sig), &body);
        assert_eq!(o.rc, want, "{status}: {o:?}");
        assert!(o.message().contains(msg), "{status}: {}", o.message());
        assert!(
            o.message()
                .starts_with("webhook signing keys could not be fetched"),
            "{}",
            o.message()
        );
    }
}

#[test]
fn a_key_of_another_curve_is_not_used() {
    let signer = Signer::new("k");
    let mut p384 = signer.jwk();
    p384["crv"] = json!("P-384");
    let mut no_alg = signer.jwk();
    no_alg.as_object_mut().unwrap().remove("alg");
    no_alg.as_object_mut().unwrap().remove("use");
    no_alg["kid"] = json!("no-alg");
    let server = KeyServer::with_keys(&[p384, no_alg]);
    let c = client(&server.base_url, "");
    let v = verifier(&c, "{}");
    let (sig, body) = delivery(&signer, "curve-1");
    let started = Instant::now();
    let o = v.verify(Some(&sig), &body);
    assert_eq!(o.rc, SIGNATURE);
    assert_eq!(o.reason().as_deref(), Some("kid_unknown"));
    assert!(
        o.message().contains("not an EC P-256 ES256 signing key"),
        "{}",
        o.message()
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // A key without alg and use is used.
    let body = event_body("curve-2");
    let claims = json!({"iat": now(), "request_body_sha256": sha256_hex(&body)});
    let token = signer.token_raw(r#"{"alg":"ES256","kid":"no-alg"}"#, &claims.to_string());
    assert_eq!(v.verify(Some(&token), &body).rc, 0);
}

#[test]
fn a_flood_of_unknown_kids_makes_at_most_one_request_per_interval() {
    let signer = Signer::new("k");
    let server = KeyServer::with_keys(&[signer.jwk()]);
    let c = client(&server.base_url, "");
    let v = Arc::new(verifier(&c, r#"{"jwks_refetch_ms": 300}"#));
    let (sig, body) = delivery(&signer, "flood-0");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), 1);
    let started = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let v = v.clone();
            std::thread::spawn(move || {
                let mut refused = 0;
                let mut i = 0;
                while Instant::now() < started + Duration::from_millis(1000) {
                    let forger = Signer::new(&format!("forged-{t}-{i}"));
                    let body = event_body(&format!("flood-{t}-{i}"));
                    let o = v.verify(Some(&forger.genuine(&body)), &body);
                    assert_eq!(o.reason().as_deref(), Some("kid_unknown"), "{o:?}");
                    refused += 1;
                    i += 1;
                }
                refused
            })
        })
        .collect();
    let refused: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let elapsed = started.elapsed();
    let allowed = 1 + (elapsed.as_millis() / 300) as usize + 1;
    assert!(refused > 100, "{refused} forged deliveries");
    assert!(
        server.count() <= allowed,
        "{} requests for {refused} forged kids in {elapsed:?}",
        server.count()
    );
    // The genuine key still verifies without a request.
    let before = server.count();
    let (sig, body) = delivery(&signer, "flood-after");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), before);
}

#[test]
fn concurrent_verifiers_wait_for_one_fetch() {
    let signer = Arc::new(Signer::new("k"));
    let server = KeyServer::with_keys(&[signer.jwk()]);
    server.set(|a| a.delay = Duration::from_millis(300));
    let c = client(&server.base_url, "");
    let v = Arc::new(verifier(&c, "{}"));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (v, signer) = (v.clone(), signer.clone());
            std::thread::spawn(move || {
                let (sig, body) = delivery(&signer, &format!("single-{i}"));
                v.verify(Some(&sig), &body).rc
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 0);
    }
    assert_eq!(server.count(), 1);
}

#[test]
fn rotation_new_kid_refetches_and_the_old_key_verifies_until_the_cache_drops_it() {
    let old = Signer::new("old");
    let new = Signer::new("new");
    let server = KeyServer::with_keys(&[old.jwk()]);
    let c = client(&server.base_url, "");
    let v = verifier(&c, r#"{"jwks_refetch_ms": 200}"#);
    let (sig, body) = delivery(&old, "rot-1");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    // MoneyKit rotates: the set now has only the new key.
    server.set(|a| a.body = jwks(&[new.jwk()]));
    // The old key is still cached and fresh: it verifies, no request.
    let (sig, body) = delivery(&old, "rot-2");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), 1);
    // A delivery under the new kid, once the refetch interval has passed: one refetch.
    std::thread::sleep(Duration::from_millis(250));
    let (sig, body) = delivery(&new, "rot-3");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), 2);
    // The new set replaced the cached one: the old kid is gone now.
    let (sig, body) = delivery(&old, "rot-4");
    assert_eq!(
        v.verify(Some(&sig), &body).reason().as_deref(),
        Some("kid_unknown")
    );
}

#[test]
fn cache_ttl_and_max_age() {
    let signer = Signer::new("k");
    let server = KeyServer::with_keys(&[signer.jwk()]);
    server.set(|a| a.cache_control = Some("public, max-age=1".into()));
    let c = client(&server.base_url, "");
    let v = verifier(&c, r#"{"jwks_refetch_ms": 100}"#);
    let (sig, body) = delivery(&signer, "ttl-1");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    let (sig, body) = delivery(&signer, "ttl-2");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), 1, "fresh for max-age");
    std::thread::sleep(Duration::from_millis(1100));
    let (sig, body) = delivery(&signer, "ttl-3");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(
        server.count(),
        2,
        "max-age=1 (smaller than jwks_ttl_ms) ended freshness"
    );

    // jwks_ttl_ms wins over a larger max-age.
    server.set(|a| a.cache_control = Some("max-age=3600".into()));
    let v = verifier(&c, r#"{"jwks_ttl_ms": 200, "jwks_refetch_ms": 100}"#);
    let before = server.count();
    let (sig, body) = delivery(&signer, "ttl-4");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    std::thread::sleep(Duration::from_millis(250));
    let (sig, body) = delivery(&signer, "ttl-5");
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    assert_eq!(server.count(), before + 2);
}
