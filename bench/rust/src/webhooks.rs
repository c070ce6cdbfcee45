//! `moneykit-bench webhooks [--iters N] [--rounds R]`: P13 (issue 26), webhook verifications
//! per second with cached keys, beside `ring`'s raw P-256 verify measured in the same run.
//!
//! An in-process sandbox signs with a key this bench generates (`Config::webhook_key`), so
//! the bench can sign deliveries the way the sandbox does (the same JWS compact form, raw
//! r || s, `request_body_sha256`) and the verifier fetches the matching key set from the
//! sandbox's `/.well-known/jwks.json` once, before timing. Measured, in interleaved rounds
//! (so a busy machine slows every side alike), per second of this thread's CPU time, median
//! over rounds:
//! - `raw_verify`: `ring::signature::UnparsedPublicKey::verify` (ECDSA_P256_SHA256_FIXED) of
//!   the token's signature over its signing input: the floor, what any verifier must spend;
//! - `raw_verify_sha256`: that plus the SHA-256 of the body (the other unavoidable work);
//! - `c_abi`: `mk_webhook_verify` (header and body in, the body, event type and key out as C
//!   strings, freed), duplicate check off (`seen_max` 0);
//! - `c_abi_seen`: the same with the duplicate check on, every delivery a new key, settled
//!   by `mk_webhook_done` (the handler's whole library cost);
//! - `rust`: `core::WebhookVerifier::verify`, duplicate check off.
//!
//! The goal: `c_abi` at least 90 % of `raw_verify`.

use crate::median;
use crate::Args;
use moneykit::ffi;
use moneykit_sandbox::{Config, Sandbox};
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use std::ffi::{c_char, CString};
use std::hint::black_box;
use std::ptr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed delivery: the header value, the body, and (for the raw side) the signing input
/// and signature bytes.
struct Delivery {
    header: CString,
    header_text: String,
    body: Vec<u8>,
    input: Vec<u8>,
    sig: Vec<u8>,
}

fn sign(pair: &EcdsaKeyPair, kid: &str, key: &str) -> Delivery {
    let body = serde_json::json!({
        "webhook_event": "link.product_refresh", "webhook_major_version": 1,
        "webhook_minor_version": 0, "webhook_idempotency_key": key,
        "webhook_timestamp": "2024-01-31T12:00:00Z", "link_id": "mk_sandbox_ok",
        "link_tags": ["bench"], "product": "identity", "state": "completed",
        "state_changed_at": "2024-01-31T12:00:01Z"
    })
    .to_string()
    .into_bytes();
    let iat = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let digest = ring::digest::digest(&ring::digest::SHA256, &body);
    let header = serde_json::json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string();
    let claims =
        serde_json::json!({"iat": iat, "request_body_sha256": hex(digest.as_ref())}).to_string();
    let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let sig = pair
        .sign(&SystemRandom::new(), input.as_bytes())
        .unwrap()
        .as_ref()
        .to_vec();
    let header_text = format!("{input}.{}", b64(&sig));
    Delivery {
        header: CString::new(header_text.clone()).unwrap(),
        header_text,
        body,
        input: input.into_bytes(),
        sig,
    }
}

fn verifier(client: *mut ffi::MkClient, options: &str) -> *mut ffi::MkWebhookVerifier {
    let opts = CString::new(options).unwrap();
    let mut v = ptr::null_mut();
    // SAFETY: a live client, a NUL-terminated string, a valid out pointer.
    let rc =
        unsafe { ffi::mk_webhook_verifier_new(client, opts.as_ptr(), &mut v, ptr::null_mut()) };
    assert_eq!(rc, 0, "mk_webhook_verifier_new");
    v
}

/// One `mk_webhook_verify`, every output taken and freed; returns the status.
fn c_verify(v: *const ffi::MkWebhookVerifier, d: &Delivery) -> i32 {
    let (mut json, mut ty, mut key): (*mut c_char, *mut c_char, *mut c_char) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: a live verifier, a NUL-terminated header, the body valid for its length, valid
    // out pointers; every string handed out is freed once.
    unsafe {
        let rc = ffi::mk_webhook_verify(
            v,
            d.header.as_ptr(),
            d.body.as_ptr().cast(),
            d.body.len(),
            ptr::null(),
            &mut json,
            &mut ty,
            &mut key,
            ptr::null_mut(),
        );
        ffi::mk_string_free(json);
        ffi::mk_string_free(ty);
        ffi::mk_string_free(key);
        rc
    }
}

pub fn run(a: Args) -> serde_json::Value {
    let rounds = if a.rounds == 0 { 15 } else { a.rounds };
    let batch = if a.iters == 0 { 2000 } else { a.iters };
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let sandbox = Sandbox::start(Config {
        webhook_key: Some(pkcs8.as_ref().to_vec()),
        ..Config::default()
    })
    .expect("sandbox");
    let kid = sandbox.webhook_kid();
    let public = pair.public_key().as_ref().to_vec();

    let opts = CString::new(format!(r#"{{"base_url": "{}"}}"#, sandbox.base_url())).unwrap();
    let (id, secret) = (
        CString::new("sandbox-client").unwrap(),
        CString::new("sandbox-secret").unwrap(),
    );
    let mut client = ptr::null_mut();
    // SAFETY: NUL-terminated strings, a valid out pointer.
    let rc = unsafe {
        ffi::mk_client_new(
            id.as_ptr(),
            secret.as_ptr(),
            opts.as_ptr(),
            &mut client,
            ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "mk_client_new");
    let off = verifier(client, r#"{"seen_max": 0}"#);
    let seen = verifier(client, r#"{"seen_max": 10000000}"#);
    let rust = moneykit::core::WebhookVerifier::new(
        Box::new(std::sync::Arc::new(
            moneykit::core::Client::new(
                Some("sandbox-client"),
                Some("sandbox-secret"),
                moneykit::core::Options::from_json(&format!(
                    r#"{{"base_url": "{}"}}"#,
                    sandbox.base_url()
                ))
                .unwrap(),
            )
            .unwrap(),
        )),
        moneykit::core::WebhookOptions {
            seen_max: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let control = moneykit::core::CallControl::default();

    // A pool of deliveries for the seen-set side: each key is new once.
    let pool_len = rounds * batch;
    let pool: Vec<Delivery> = (0..pool_len)
        .map(|i| sign(&pair, &kid, &format!("bench-{i}")))
        .collect();
    let one = sign(&pair, &kid, "bench-one");
    // Warm: the key fetch happens here, not in a timed round.
    assert_eq!(c_verify(off, &one), 0);
    assert_eq!(c_verify(seen, &sign(&pair, &kid, "bench-warm")), 0);
    assert!(rust.verify(&one.header_text, &one.body, &control).is_ok());
    let raw_key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public.as_slice());

    let sides = [
        "raw_verify",
        "raw_verify_sha256",
        "c_abi",
        "c_abi_seen",
        "rust",
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    let mut next = 0usize;
    for _ in 0..rounds {
        for (s, out) in rates.iter_mut().enumerate() {
            let c0 = thread_cpu();
            for _ in 0..batch {
                match s {
                    0 => raw_key
                        .verify(black_box(&one.input), black_box(&one.sig))
                        .unwrap(),
                    1 => {
                        raw_key
                            .verify(black_box(&one.input), black_box(&one.sig))
                            .unwrap();
                        black_box(ring::digest::digest(
                            &ring::digest::SHA256,
                            black_box(&one.body),
                        ));
                    }
                    2 => assert_eq!(c_verify(off, black_box(&one)), 0),
                    3 => {
                        let d = &pool[next];
                        next += 1;
                        assert_eq!(c_verify(seen, d), 0);
                        let key = CString::new(format!("bench-{}", next - 1)).unwrap();
                        // SAFETY: a live verifier, a NUL-terminated key.
                        unsafe { ffi::mk_webhook_done(seen, key.as_ptr(), 1, ptr::null_mut()) };
                    }
                    _ => {
                        black_box(
                            rust.verify(
                                black_box(&one.header_text),
                                black_box(&one.body),
                                &control,
                            )
                            .unwrap(),
                        );
                    }
                }
            }
            out.push(batch as f64 / (thread_cpu() - c0).as_secs_f64().max(1e-9));
        }
    }
    let mut med: Vec<f64> = rates.iter_mut().map(|r| median(r)).collect();
    // SAFETY: verifiers and client from this library, freed once, verifiers first.
    unsafe {
        ffi::mk_webhook_verifier_free(off);
        ffi::mk_webhook_verifier_free(seen);
        ffi::mk_client_free(client);
    }
    let raw = med[0];
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut o = serde_json::json!({
        "bench": "webhooks",
        "rounds": rounds,
        "batch": batch,
        "body_bytes": one.body.len(),
        "header_bytes": one.header_text.len(),
        "c_abi_over_raw": med[2] / raw,
        "rust_over_raw": med[4] / raw,
        "c_abi_seen_over_raw": med[3] / raw,
        "target_over_raw": 0.9,
        "load_avg_1m": load.split(' ').next().and_then(|l| l.parse::<f64>().ok()),
    });
    for (name, rate) in sides.iter().zip(med.iter_mut()) {
        o[format!("{name}_per_s")] = serde_json::json!(*rate);
    }
    o
}
