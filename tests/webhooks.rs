//! Webhook verification through the C ABI (`mk_webhook_*`) against an in-test key set on
//! loopback: a genuine delivery, a table of forged and damaged deliveries (each header field,
//! each claim, the signature, the body, the key set) each refused with its reason, the
//! duplicate check, the options and the ABI's NULL handling.

mod webhooks_common;

use moneykit::ffi::*;
use serde_json::{json, Value};
use std::ffi::CString;
use std::ptr;
use std::sync::Arc;
use webhooks_common::*;

const SIGNATURE: i32 = 15;
const INVALID: i32 = 1;

/// A signer whose key the server publishes, a P-384 key listed under kid `p384`, and a
/// client + verifier on that server.
struct Setup {
    signer: Signer,
    server: KeyServer,
    client: Client,
}

impl Setup {
    fn new() -> Setup {
        let signer = Signer::new("key-1");
        let mut p384 = signer.jwk();
        p384["kid"] = json!("p384");
        p384["crv"] = json!("P-384");
        p384["alg"] = json!("ES384");
        let rsa = json!({"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB", "alg": "RS256"});
        let server = KeyServer::with_keys(&[signer.jwk(), p384, rsa]);
        let client = client(&server.base_url, "");
        Setup {
            signer,
            server,
            client,
        }
    }

    fn verifier(&self, options: &str) -> Verifier {
        verifier(&self.client, options)
    }
}

#[test]
fn a_genuine_delivery_is_accepted_with_its_event() {
    let s = Setup::new();
    let v = s.verifier("{}");
    let body = event_body("idem-1");
    let o = v.verify(Some(&s.signer.genuine(&body)), &body);
    assert_eq!(o.rc, 0, "{o:?}");
    assert_eq!(
        o.event_json.as_deref().unwrap().as_bytes(),
        &body[..],
        "the body as sent"
    );
    assert_eq!(o.event_type.as_deref(), Some("link.product_refresh"));
    assert_eq!(o.key.as_deref(), Some("idem-1"));
    assert_eq!(s.server.count(), 1);
    assert_eq!(s.server.client_ids.lock().unwrap()[0], CLIENT_ID);
    // With the keys cached, verification makes no request.
    for i in 0..20 {
        let body = event_body(&format!("idem-x{i}"));
        assert_eq!(v.verify(Some(&s.signer.genuine(&body)), &body).rc, 0);
    }
    assert_eq!(s.server.count(), 1);
    // exp in the future and surrounding spaces are fine; an unknown event type too.
    let body = serde_json::to_vec(&json!({
        "webhook_event": "link.reticulated", "webhook_major_version": 1,
        "webhook_minor_version": 3, "webhook_idempotency_key": "idem-new",
        "webhook_timestamp": "2024-01-31", "link_id": "mk_1", "splines": 7
    }))
    .unwrap();
    let claims = json!({"iat": now(), "exp": now() + 60,
                        "request_body_sha256": sha256_hex(&body)});
    let token = s.signer.token_raw(&s.signer.header(), &claims.to_string());
    let o = v.verify(Some(&format!("  {token}\t")), &body);
    assert_eq!(o.rc, 0, "{o:?}");
    assert_eq!(o.event_type.as_deref(), Some("link.reticulated"));
}

/// A forged or damaged delivery: its signature header and body, and the reason expected.
struct Forged {
    name: &'static str,
    signature: Option<String>,
    body: Vec<u8>,
    reason: &'static str,
}

fn forged_table(s: &Setup) -> Vec<Forged> {
    let k = &s.signer;
    let body = event_body("idem-forged");
    let hash = sha256_hex(&body);
    let t = now();
    let claims = |extra: Value| {
        let mut c = json!({"iat": t, "request_body_sha256": hash});
        for (key, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(key);
            } else {
                c[key] = v.clone();
            }
        }
        c.to_string()
    };
    let good_claims = claims(json!({}));
    let header = |h: Value| h.to_string();
    let es = |kid: &str| header(json!({"alg": "ES256", "kid": kid, "typ": "JWT"}));
    let genuine = k.genuine(&body);
    let parts: Vec<&str> = genuine.split('.').collect();
    let (h64, c64, s64) = (parts[0], parts[1], parts[2]);
    let sig = k.sign(format!("{h64}.{c64}").as_bytes());
    let other = Signer::new("key-1");
    let stranger = Signer::new("unpublished");
    let mut flipped = sig.clone();
    flipped[10] ^= 1;
    let mut flipped_s = sig.clone();
    flipped_s[63] ^= 0x80;
    let der = {
        use ring::rand::SystemRandom;
        use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        pair.sign(&rng, format!("{h64}.{c64}").as_bytes())
            .unwrap()
            .as_ref()
            .to_vec()
    };
    let hmac_none = |alg: &str| {
        // HS256 keyed with the public key (the algorithm-confusion attack).
        let input = format!(
            "{}.{c64}",
            b64(header(json!({"alg": alg, "kid": k.kid})).as_bytes())
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, k.public());
        let tag = ring::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", b64(tag.as_ref()))
    };
    let signed = |h: &str, c: &str| k.token_raw(h, c);
    let raw = |h: &str, c: &str, sig: &[u8]| {
        format!("{}.{}.{}", b64(h.as_bytes()), b64(c.as_bytes()), b64(sig))
    };
    let with_sig = |sig: &[u8]| format!("{h64}.{c64}.{}", b64(sig));
    let mut tampered = body.clone();
    let at = tampered.iter().position(|&b| b == b'c').unwrap();
    tampered[at] = b'C';
    let mut padded = body.clone();
    padded.extend_from_slice(b"\n");
    let f = |name, signature: Option<String>, body: &[u8], reason| Forged {
        name,
        signature,
        body: body.to_vec(),
        reason,
    };
    let b = &body[..];
    vec![
        // The header's alg.
        f(
            "alg none, no signature",
            Some(format!(
                "{}.{c64}.",
                b64(header(json!({"alg": "none", "kid": k.kid})).as_bytes())
            )),
            b,
            "alg",
        ),
        f(
            "alg none with the real signature",
            Some(format!(
                "{}.{c64}.{s64}",
                b64(header(json!({"alg": "none", "kid": k.kid})).as_bytes())
            )),
            b,
            "alg",
        ),
        f(
            "alg HS256 keyed with the public key",
            Some(hmac_none("HS256")),
            b,
            "alg",
        ),
        f(
            "alg RS256",
            Some(signed(
                &header(json!({"alg": "RS256", "kid": k.kid})),
                &good_claims,
            )),
            b,
            "alg",
        ),
        f(
            "alg ES384",
            Some(signed(
                &header(json!({"alg": "ES384", "kid": k.kid})),
                &good_claims,
            )),
            b,
            "alg",
        ),
        f(
            "alg es256 (case)",
            Some(signed(
                &header(json!({"alg": "es256", "kid": k.kid})),
                &good_claims,
            )),
            b,
            "alg",
        ),
        f(
            "no alg",
            Some(signed(&header(json!({"kid": k.kid})), &good_claims)),
            b,
            "alg",
        ),
        f(
            "alg not a string",
            Some(signed(
                &header(json!({"alg": ["ES256"], "kid": k.kid})),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        // The header's kid, crit, shape.
        f(
            "no kid",
            Some(signed(&header(json!({"alg": "ES256"})), &good_claims)),
            b,
            "malformed",
        ),
        f(
            "empty kid",
            Some(signed(&es(""), &good_claims)),
            b,
            "malformed",
        ),
        f(
            "kid a number",
            Some(signed(
                &header(json!({"alg": "ES256", "kid": 1})),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        f(
            "kid not published",
            Some(stranger.genuine(b)),
            b,
            "kid_unknown",
        ),
        f(
            "kid of a P-384 key",
            Some(signed(&es("p384"), &good_claims)),
            b,
            "kid_unknown",
        ),
        f(
            "kid of an RSA key",
            Some(signed(&es("rsa"), &good_claims)),
            b,
            "kid_unknown",
        ),
        f(
            "crit header",
            Some(signed(
                &header(json!({"alg": "ES256", "kid": k.kid, "crit": ["exp"], "exp": 1})),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        f(
            "kid given twice",
            Some(signed(
                &format!(r#"{{"alg":"ES256","kid":"x","kid":"{}"}}"#, k.kid),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        f(
            "alg given twice",
            Some(signed(
                &format!(r#"{{"alg":"none","alg":"ES256","kid":"{}"}}"#, k.kid),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        f(
            "header not JSON",
            Some(signed("{alg: ES256}", &good_claims)),
            b,
            "malformed",
        ),
        f(
            "header an array",
            Some(signed(r#"["ES256","key-1"]"#, &good_claims)),
            b,
            "malformed",
        ),
        // The token's form.
        f(
            "padding",
            Some(format!("{h64}.{c64}.{s64}==")),
            b,
            "malformed",
        ),
        f(
            "standard base64 alphabet",
            Some(format!(
                "{h64}.{c64}.{}",
                s64.replace('-', "+").replace('_', "/") + "+"
            )),
            b,
            "malformed",
        ),
        f(
            "a space inside",
            Some(format!("{h64}.{c64} .{s64}")),
            b,
            "malformed",
        ),
        f("two parts", Some(format!("{h64}.{c64}")), b, "malformed"),
        f(
            "four parts",
            Some(format!("{genuine}.{s64}")),
            b,
            "malformed",
        ),
        f("empty header value", Some(String::new()), b, "malformed"),
        f("no header (NULL)", None, b, "malformed"),
        f(
            "header over 8 KiB",
            Some(format!("{h64}.{}.{s64}", "A".repeat(9000))),
            b,
            "malformed",
        ),
        // The signature.
        f(
            "signature bit flipped in r",
            Some(with_sig(&flipped)),
            b,
            "signature",
        ),
        f(
            "signature bit flipped in s",
            Some(with_sig(&flipped_s)),
            b,
            "signature",
        ),
        f(
            "signature all zero",
            Some(with_sig(&[0u8; 64])),
            b,
            "signature",
        ),
        f(
            "signature 63 bytes",
            Some(with_sig(&sig[..63])),
            b,
            "malformed",
        ),
        f(
            "signature 65 bytes",
            Some(with_sig(&[&sig[..], &[0]].concat())),
            b,
            "malformed",
        ),
        f(
            "signature DER-encoded",
            Some(with_sig(&der)),
            b,
            "malformed",
        ),
        f(
            "signed by another key under the published kid",
            Some(other.genuine(b)),
            b,
            "signature",
        ),
        f(
            "claims swapped after signing",
            Some(format!(
                "{h64}.{}.{s64}",
                b64(claims(json!({"iat": t + 1})).as_bytes())
            )),
            b,
            "signature",
        ),
        f(
            "kid swapped after signing",
            Some(format!("{}.{c64}.{s64}", b64(es("p384").as_bytes()))),
            b,
            "kid_unknown",
        ),
        // The claims.
        f(
            "iat an hour old",
            Some(signed(&es(&k.kid), &claims(json!({"iat": t - 3600})))),
            b,
            "iat_too_old",
        ),
        f(
            "iat an hour ahead",
            Some(signed(&es(&k.kid), &claims(json!({"iat": t + 3600})))),
            b,
            "iat_in_future",
        ),
        f(
            "iat 6 minutes old",
            Some(signed(&es(&k.kid), &claims(json!({"iat": t - 360})))),
            b,
            "iat_too_old",
        ),
        f(
            "exp passed",
            Some(signed(&es(&k.kid), &claims(json!({"exp": t - 3600})))),
            b,
            "expired",
        ),
        f(
            "iat a fraction",
            Some(signed(&es(&k.kid), &claims(json!({"iat": t as f64 + 0.5})))),
            b,
            "malformed",
        ),
        f(
            "iat a string",
            Some(signed(&es(&k.kid), &claims(json!({"iat": t.to_string()})))),
            b,
            "malformed",
        ),
        f(
            "iat negative",
            Some(signed(&es(&k.kid), &claims(json!({"iat": -1})))),
            b,
            "malformed",
        ),
        f(
            "iat huge",
            Some(signed(
                &es(&k.kid),
                &format!(
                    r#"{{"iat":1{},"request_body_sha256":"{hash}"}}"#,
                    "0".repeat(30)
                ),
            )),
            b,
            "malformed",
        ),
        f(
            "no iat",
            Some(signed(&es(&k.kid), &claims(json!({"iat": null})))),
            b,
            "malformed",
        ),
        f(
            "iat given twice",
            Some(signed(
                &es(&k.kid),
                &format!(
                    r#"{{"iat":{},"iat":{t},"request_body_sha256":"{hash}"}}"#,
                    t - 3600
                ),
            )),
            b,
            "malformed",
        ),
        f(
            "exp a string",
            Some(signed(&es(&k.kid), &claims(json!({"exp": "tomorrow"})))),
            b,
            "malformed",
        ),
        f(
            "no request_body_sha256",
            Some(signed(
                &es(&k.kid),
                &claims(json!({"request_body_sha256": null})),
            )),
            b,
            "malformed",
        ),
        f(
            "request_body_sha256 not hex",
            Some(signed(
                &es(&k.kid),
                &claims(json!({"request_body_sha256": "z".repeat(64)})),
            )),
            b,
            "malformed",
        ),
        f(
            "request_body_sha256 base64",
            Some(signed(
                &es(&k.kid),
                &claims(json!({"request_body_sha256": b64(&[0u8; 32])})),
            )),
            b,
            "malformed",
        ),
        f(
            "request_body_sha256 of another body",
            Some(signed(
                &es(&k.kid),
                &claims(json!({"request_body_sha256": sha256_hex(b"{}")})),
            )),
            b,
            "body_hash",
        ),
        f(
            "claims not JSON",
            Some(raw(&es(&k.kid), "iat=1", &sig)),
            b,
            "malformed",
        ),
        f(
            "claims an array",
            Some(signed(&es(&k.kid), &format!("[{t}]"))),
            b,
            "malformed",
        ),
        // The body.
        f(
            "body tampered",
            Some(genuine.clone()),
            &tampered,
            "body_hash",
        ),
        f(
            "body with a newline added",
            Some(genuine.clone()),
            &padded,
            "body_hash",
        ),
        f("body empty", Some(genuine.clone()), b"", "body_hash"),
        f(
            "body over max_body_bytes",
            Some(genuine.clone()),
            &vec![b' '; 70_000],
            "body_too_large",
        ),
    ]
}

#[test]
fn forged_and_damaged_deliveries_are_refused_with_their_reason() {
    let s = Setup::new();
    let v = s.verifier(r#"{"max_body_bytes": 65536}"#);
    let table = forged_table(&s);
    assert!(table.len() >= 30);
    let mut reasons = std::collections::BTreeSet::new();
    for f in &table {
        let o = v.verify(f.signature.as_deref(), &f.body);
        assert_eq!(o.rc, SIGNATURE, "{}: {o:?}", f.name);
        assert_eq!(
            o.reason().as_deref(),
            Some(f.reason),
            "{}: {}",
            f.name,
            o.message()
        );
        let e = o.error.as_ref().unwrap();
        assert_eq!(e["name"], "MK_ERR_SIGNATURE");
        // No message quotes the header, the kid or the body.
        let text = e.to_string();
        assert!(
            !text.contains("idem-forged")
                && !text.contains("key-1")
                && !text.contains("unpublished"),
            "{}: {text}",
            f.name
        );
        reasons.insert(f.reason);
    }
    // Every reason is covered.
    assert_eq!(reasons.len(), 9, "{reasons:?}");
    // One request in all: the first fetch. The unknown kids came within jwks_refetch_ms of
    // it, so none fetched again; the forged tokens refused before a key lookup cost nothing.
    assert_eq!(s.server.count(), 1);
    // The genuine delivery still passes after all of that.
    let body = event_body("idem-after");
    assert_eq!(v.verify(Some(&s.signer.genuine(&body)), &body).rc, 0);
}

#[test]
fn a_signed_body_that_is_not_an_event_is_a_decode_error() {
    let s = Setup::new();
    let v = s.verifier("{}");
    for (body, msg) in [
        (&b"[1,2]"[..], "webhook body: expected a JSON object"),
        (
            b"{\"webhook_event\": 1}",
            "webhook body: webhook_event: expected string",
        ),
        (
            b"{\"a\":1,\"a\":2}",
            "webhook body: a key is given more than once",
        ),
        (b"\xff\xfe", "webhook body is not UTF-8"),
    ] {
        let o = v.verify(Some(&s.signer.genuine(body)), body);
        assert_eq!(o.rc, 4, "{o:?}");
        assert!(o.message().starts_with(msg), "{}", o.message());
        assert!(o.reason().is_none());
    }
}

#[test]
fn duplicates_in_flight_and_failed_handlers() {
    let s = Setup::new();
    let v = s.verifier("{}");
    let body = event_body("idem-dup");
    let sig = s.signer.genuine(&body);
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    // Being handled: a concurrent repeat is in flight (answer 409).
    let o = v.verify(Some(&sig), &body);
    assert_eq!(o.rc, MK_WEBHOOK_IN_FLIGHT);
    assert_eq!(o.key.as_deref(), Some("idem-dup"));
    // The handler failed: the retry is handled again.
    v.done("idem-dup", false);
    assert_eq!(v.verify(Some(&sig), &body).rc, 0);
    v.done("idem-dup", true);
    // Handled: a repeat (another signature, same key) is a duplicate, with the event.
    let again = s.signer.genuine(&body);
    let o = v.verify(Some(&again), &body);
    assert_eq!(o.rc, MK_WEBHOOK_DUPLICATE);
    assert_eq!(o.event_type.as_deref(), Some("link.product_refresh"));
    assert!(o.error.is_none());
    // A forged copy of a handled delivery is still refused, not reported as a duplicate.
    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(v.verify(Some(&again), &tampered).rc, SIGNATURE);
    // done on a key never claimed, twice, or after settling: ignored.
    v.done("never-seen", true);
    v.done("idem-dup", false);
    assert_eq!(v.verify(Some(&again), &body).rc, MK_WEBHOOK_DUPLICATE);
}

#[test]
fn concurrent_copies_are_handled_once() {
    let s = Setup::new();
    let v = Arc::new(s.verifier("{}"));
    let body = Arc::new(event_body("idem-race"));
    let sig = Arc::new(s.signer.genuine(&body));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (v, body, sig) = (v.clone(), body.clone(), sig.clone());
            std::thread::spawn(move || v.verify(Some(&sig), &body).rc)
        })
        .collect();
    let rcs: Vec<i32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(rcs.iter().filter(|&&rc| rc == 0).count(), 1, "{rcs:?}");
    assert!(
        rcs.iter().all(|&rc| rc == 0 || rc == MK_WEBHOOK_IN_FLIGHT),
        "{rcs:?}"
    );
    assert_eq!(s.server.count(), 1, "one fetch for all of them");
}

#[test]
fn the_duplicate_check_can_be_off_and_forgets() {
    let s = Setup::new();
    let off = s.verifier(r#"{"seen_max": 0}"#);
    let body = event_body("idem-off");
    let sig = s.signer.genuine(&body);
    assert_eq!(off.verify(Some(&sig), &body).rc, 0);
    assert_eq!(off.verify(Some(&sig), &body).rc, 0);
    off.done("idem-off", true);
    assert_eq!(off.verify(Some(&sig), &body).rc, 0);

    let short = s.verifier(r#"{"seen_ttl_ms": 200, "claim_timeout_ms": 200}"#);
    assert_eq!(short.verify(Some(&sig), &body).rc, 0);
    // A claim never settled lapses.
    std::thread::sleep(std::time::Duration::from_millis(250));
    assert_eq!(short.verify(Some(&sig), &body).rc, 0);
    short.done("idem-off", true);
    assert_eq!(short.verify(Some(&sig), &body).rc, MK_WEBHOOK_DUPLICATE);
    std::thread::sleep(std::time::Duration::from_millis(250));
    assert_eq!(
        short.verify(Some(&sig), &body).rc,
        0,
        "forgotten after seen_ttl_ms"
    );
}

#[test]
fn tolerance_is_an_option() {
    let s = Setup::new();
    let strict = s.verifier(r#"{"tolerance_ms": 2000}"#);
    let lax = s.verifier(r#"{"tolerance_ms": 3600000}"#);
    let body = event_body("idem-tol");
    let claims = json!({"iat": now() - 600, "request_body_sha256": sha256_hex(&body)});
    let sig = s.signer.token_raw(&s.signer.header(), &claims.to_string());
    assert_eq!(
        strict.verify(Some(&sig), &body).reason().as_deref(),
        Some("iat_too_old")
    );
    assert_eq!(lax.verify(Some(&sig), &body).rc, 0);
    // exp is allowed the same leeway.
    let body = event_body("idem-exp");
    let claims = json!({"iat": now(), "exp": now() - 60, "request_body_sha256": sha256_hex(&body)});
    let sig = s.signer.token_raw(&s.signer.header(), &claims.to_string());
    assert_eq!(lax.verify(Some(&sig), &body).rc, 0);
    assert_eq!(
        strict.verify(Some(&sig), &body).reason().as_deref(),
        Some("expired")
    );
}

#[test]
fn options_and_client_id() {
    let s = Setup::new();
    for (opts, want) in [
        (
            r#"{"tolerance_ms": -1}"#,
            "webhook options_json: webhook option tolerance_ms: expected u64, got a number",
        ),
        (
            r#"{"jwks_ttl_ms": 86400001}"#,
            "webhook option jwks_ttl_ms = 86400001 is out of range (100 .. 86400000)",
        ),
        (
            r#"{"typo": 1}"#,
            "webhook options_json: webhook option typo: unknown key",
        ),
        (r#"{"client_id": ""}"#, "webhook option client_id is empty"),
        (
            r#"{"client_id": "a\u0001b"}"#,
            "webhook option client_id must be printable ASCII",
        ),
        (
            r#"{"seen_max": 1, "seen_max": 2}"#,
            "webhook options_json: a key is given more than once",
        ),
        ("[]", "webhook options_json: expected a JSON object"),
    ] {
        let (rc, e) = try_verifier(&s.client, Some(opts)).err().expect(opts);
        assert_eq!(rc, INVALID);
        assert!(
            e["message"].as_str().unwrap().starts_with(want),
            "{opts}: {e}"
        );
    }
    assert!(
        try_verifier(&s.client, None).is_ok(),
        "NULL options: defaults"
    );
    // A client made with only an access token needs the client_id option.
    let token_only = client_with(
        None,
        &s.server.base_url,
        r#""access_token": "tok-secret-123""#,
    );
    let (rc, e) = try_verifier(&token_only, Some("{}")).err().unwrap();
    assert_eq!(rc, INVALID);
    assert!(e["message"].as_str().unwrap().contains("client_id"), "{e}");
    assert!(!e.to_string().contains("tok-secret-123"));
    let v = verifier(&token_only, r#"{"client_id": "explicit-id"}"#);
    let body = event_body("idem-cid");
    assert_eq!(v.verify(Some(&s.signer.genuine(&body)), &body).rc, 0);
    assert_eq!(
        s.server.client_ids.lock().unwrap().last().unwrap(),
        "explicit-id"
    );
    drop(v);
}

#[test]
fn the_abi_refuses_nulls_without_crashing() {
    let s = Setup::new();
    let v = s.verifier("{}");
    let sig = CString::new("a.b.c").unwrap();
    let key = CString::new("k").unwrap();
    let mut json = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: NULL where the functions document refusals; every other pointer valid.
    unsafe {
        // NULL verifier.
        let rc = mk_webhook_verify(
            ptr::null(),
            sig.as_ptr(),
            ptr::null(),
            0,
            ptr::null(),
            &mut json,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        assert_eq!(rc, INVALID);
        assert!(json.is_null());
        assert!(take(err).unwrap().contains("verifier is NULL"));
        // NULL out_event_json.
        let rc = mk_webhook_verify(
            v.0,
            sig.as_ptr(),
            ptr::null(),
            0,
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        assert_eq!(rc, INVALID);
        assert!(take(err).unwrap().contains("out_event_json is NULL"));
        // NULL body with a length.
        let rc = mk_webhook_verify(
            v.0,
            sig.as_ptr(),
            ptr::null(),
            5,
            ptr::null(),
            &mut json,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        assert_eq!(rc, INVALID);
        assert!(take(err).unwrap().contains("body is NULL"));
        // NULL out_error is allowed.
        let rc = mk_webhook_verify(
            v.0,
            ptr::null(),
            ptr::null(),
            0,
            ptr::null(),
            &mut json,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        assert_eq!(rc, SIGNATURE);
        // Non-UTF-8 signature.
        let bad = CString::new(vec![0xffu8, 0xfe, b'.', b'.']).unwrap();
        let rc = mk_webhook_verify(
            v.0,
            bad.as_ptr(),
            ptr::null(),
            0,
            ptr::null(),
            &mut json,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        assert_eq!(rc, SIGNATURE);
        assert!(take(err).unwrap().contains("\"reason\":\"malformed\""));
        // done.
        assert_eq!(
            mk_webhook_done(ptr::null(), key.as_ptr(), 1, &mut err),
            INVALID
        );
        take(err);
        assert_eq!(mk_webhook_done(v.0, ptr::null(), 1, &mut err), INVALID);
        take(err);
        assert_eq!(mk_webhook_done(v.0, key.as_ptr(), 1, ptr::null_mut()), 0);
        // new.
        let mut out = ptr::null_mut();
        assert_eq!(
            mk_webhook_verifier_new(ptr::null(), ptr::null(), &mut out, &mut err),
            INVALID
        );
        assert!(out.is_null());
        take(err);
        assert_eq!(
            mk_webhook_verifier_new(s.client.0, ptr::null(), ptr::null_mut(), &mut err),
            INVALID
        );
        take(err);
        let bad_opts = CString::new(vec![b'{', 0xff, b'}']).unwrap();
        assert_eq!(
            mk_webhook_verifier_new(s.client.0, bad_opts.as_ptr(), &mut out, &mut err),
            INVALID
        );
        assert!(take(err).unwrap().contains("not valid UTF-8"));
        // free(NULL) is a no-op.
        mk_webhook_verifier_free(ptr::null_mut());
    }
}
