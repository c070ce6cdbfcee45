//! `GET /_sandbox/webhooks/forgeries`: one table of forged or damaged deliveries that every
//! language's tests check, so they all refuse the same things for the same reasons. Each
//! entry is made on the call, with the sandbox's current signing key and the current time,
//! so a verifier fetching this sandbox's key set refuses it with exactly `reason` (one of
//! `malformed`, `alg`, `kid_unknown`, `signature`, `body_hash`, `iat_too_old`,
//! `iat_in_future`, `expired`, `body_too_large`) under its default options. The table is the
//! one of tests/webhooks.rs (`forged_table`), less the kids only that test's key set has.

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};

use super::keys::{b64url, hex, SigningKey};
use super::{unix_now, Webhooks};
use crate::lock;

/// The default `max_body_bytes` of a webhook verifier (1 MiB): the oversized body is one
/// byte longer.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

fn sha256_hex(body: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, body).as_ref())
}

/// The body every entry signs: a `link.product_refresh` event.
fn event_body() -> String {
    json!({
        "webhook_event": "link.product_refresh", "webhook_major_version": 1,
        "webhook_minor_version": 0, "webhook_idempotency_key": "sandbox-forged",
        "webhook_timestamp": "2024-01-31T12:00:00Z", "link_id": "mk_sandbox_ok",
        "link_tags": ["t"], "product": "identity", "state": "completed",
        "state_changed_at": "2024-01-31T12:00:00Z"
    })
    .to_string()
}

impl Webhooks {
    /// The table: `{"forgeries": [{"name", "signature" (null: no header), "body",
    /// "reason"}]}`.
    pub fn forgeries(&self) -> Value {
        let keys = lock(&self.keys);
        let k = keys.current();
        let rng = SystemRandom::new();
        let other = SigningKey::generate(&rng).ok();
        let stranger = SigningKey::generate(&rng).ok();
        table(k, other.as_ref(), stranger.as_ref(), &rng, unix_now())
    }
}

fn table(
    k: &SigningKey,
    other: Option<&SigningKey>,
    stranger: Option<&SigningKey>,
    rng: &SystemRandom,
    t: i64,
) -> Value {
    let body = event_body();
    let b = body.as_str();
    let hash = sha256_hex(b.as_bytes());
    let kid = k.kid.as_str();
    let claims = |extra: Value| {
        let mut c = json!({"iat": t, "request_body_sha256": hash});
        for (key, v) in extra.as_object().into_iter().flatten() {
            if v.is_null() {
                c.as_object_mut().map(|o| o.remove(key));
            } else {
                c[key] = v.clone();
            }
        }
        c.to_string()
    };
    let good_claims = claims(json!({}));
    let es = |kid: &str| json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string();
    let token = |key: &SigningKey, h: &str, c: &str| {
        let input = format!("{}.{}", b64url(h.as_bytes()), b64url(c.as_bytes()));
        let sig = key.sign(rng, input.as_bytes());
        format!("{input}.{}", b64url(&sig))
    };
    let signed = |h: &str, c: &str| token(k, h, c);
    let genuine = signed(&es(kid), &good_claims);
    let (h64, c64) = {
        let mut p = genuine.split('.');
        (
            p.next().unwrap_or_default().to_string(),
            p.next().unwrap_or_default().to_string(),
        )
    };
    let input = format!("{h64}.{c64}");
    let sig = k.sign(rng, input.as_bytes());
    let s64 = b64url(&sig);
    let with_sig = |s: &[u8]| format!("{input}.{}", b64url(s));
    let mut flipped_r = sig.clone();
    flipped_r[10] ^= 1;
    let mut flipped_s = sig.clone();
    flipped_s[63] ^= 0x80;
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, rng)
        .ok()
        .and_then(|p| {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, p.as_ref(), rng).ok()
        })
        .and_then(|pair| pair.sign(rng, input.as_bytes()).ok())
        .map(|s| s.as_ref().to_vec())
        .unwrap_or_else(|| vec![0x30; 71]);
    let hmac = |secret: &[u8]| {
        let i = format!(
            "{}.{c64}",
            b64url(json!({"alg": "HS256", "kid": kid}).to_string().as_bytes())
        );
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
        let tag = ring::hmac::sign(&key, i.as_bytes());
        format!("{i}.{}", b64url(tag.as_ref()))
    };
    let raw = |h: &str, c: &str| format!("{}.{}.{s64}", b64url(h.as_bytes()), b64url(c.as_bytes()));
    let alg_none = b64url(json!({"alg": "none", "kid": kid}).to_string().as_bytes());
    let hdr = |h: Value| signed(&h.to_string(), &good_claims);
    let at = b.find('c').unwrap_or(0);
    let tampered = format!("{}C{}", &b[..at], &b[at + 1..]);
    let big = " ".repeat(DEFAULT_MAX_BODY_BYTES + 1);
    let padded = format!("{b}\n");

    let list: Vec<(&str, Option<String>, &str, &str)> = vec![
        // The header's alg.
        (
            "alg none, no signature",
            Some(format!("{alg_none}.{c64}.")),
            b,
            "alg",
        ),
        (
            "alg none with the real signature",
            Some(format!("{alg_none}.{c64}.{s64}")),
            b,
            "alg",
        ),
        (
            "alg HS256 keyed with the public key's PEM",
            Some(hmac(k.public_pem().as_bytes())),
            b,
            "alg",
        ),
        (
            "alg HS256 keyed with the public point",
            Some(hmac(k.public())),
            b,
            "alg",
        ),
        (
            "alg RS256",
            Some(hdr(json!({"alg": "RS256", "kid": kid}))),
            b,
            "alg",
        ),
        (
            "alg ES384",
            Some(hdr(json!({"alg": "ES384", "kid": kid}))),
            b,
            "alg",
        ),
        (
            "alg es256 (case)",
            Some(hdr(json!({"alg": "es256", "kid": kid}))),
            b,
            "alg",
        ),
        ("no alg", Some(hdr(json!({"kid": kid}))), b, "alg"),
        (
            "alg not a string",
            Some(hdr(json!({"alg": ["ES256"], "kid": kid}))),
            b,
            "malformed",
        ),
        // The header's kid, crit, shape.
        ("no kid", Some(hdr(json!({"alg": "ES256"}))), b, "malformed"),
        (
            "empty kid",
            Some(signed(&es(""), &good_claims)),
            b,
            "malformed",
        ),
        (
            "kid a number",
            Some(hdr(json!({"alg": "ES256", "kid": 1}))),
            b,
            "malformed",
        ),
        (
            "kid never published",
            Some(signed(&es("sandbox-never-published"), &good_claims)),
            b,
            "kid_unknown",
        ),
        (
            "crit header",
            Some(hdr(
                json!({"alg": "ES256", "kid": kid, "crit": ["exp"], "exp": 1}),
            )),
            b,
            "malformed",
        ),
        (
            "kid given twice",
            Some(signed(
                &format!(r#"{{"alg":"ES256","kid":"x","kid":"{kid}"}}"#),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        (
            "alg given twice",
            Some(signed(
                &format!(r#"{{"alg":"none","alg":"ES256","kid":"{kid}"}}"#),
                &good_claims,
            )),
            b,
            "malformed",
        ),
        (
            "header not JSON",
            Some(signed("{alg: ES256}", &good_claims)),
            b,
            "malformed",
        ),
        (
            "header an array",
            Some(signed(r#"["ES256","kid"]"#, &good_claims)),
            b,
            "malformed",
        ),
        // The token's form.
        ("padding", Some(format!("{input}.{s64}==")), b, "malformed"),
        (
            "standard base64 alphabet",
            Some(format!(
                "{input}.{}+",
                s64.replace('-', "+").replace('_', "/")
            )),
            b,
            "malformed",
        ),
        (
            "a space inside",
            Some(format!("{h64}.{c64} .{s64}")),
            b,
            "malformed",
        ),
        ("two parts", Some(input.clone()), b, "malformed"),
        (
            "four parts",
            Some(format!("{genuine}.{s64}")),
            b,
            "malformed",
        ),
        ("empty header value", Some(String::new()), b, "malformed"),
        ("no header", None, b, "malformed"),
        (
            "header over 8 KiB",
            Some(format!("{h64}.{}.{s64}", "A".repeat(9000))),
            b,
            "malformed",
        ),
        // The signature.
        (
            "signature bit flipped in r",
            Some(with_sig(&flipped_r)),
            b,
            "signature",
        ),
        (
            "signature bit flipped in s",
            Some(with_sig(&flipped_s)),
            b,
            "signature",
        ),
        (
            "signature all zero",
            Some(with_sig(&[0u8; 64])),
            b,
            "signature",
        ),
        (
            "signature 63 bytes",
            Some(with_sig(&sig[..63])),
            b,
            "malformed",
        ),
        (
            "signature 65 bytes",
            Some(with_sig(&[&sig[..], &[0]].concat())),
            b,
            "malformed",
        ),
        (
            "signature DER-encoded",
            Some(with_sig(&der)),
            b,
            "malformed",
        ),
        (
            "claims swapped after signing",
            Some(format!(
                "{h64}.{}.{s64}",
                b64url(claims(json!({"iat": t + 1})).as_bytes())
            )),
            b,
            "signature",
        ),
        (
            "kid swapped after signing",
            Some(format!(
                "{}.{c64}.{s64}",
                b64url(es("sandbox-never-published").as_bytes())
            )),
            b,
            "kid_unknown",
        ),
        // The claims.
        (
            "iat an hour old",
            Some(signed(&es(kid), &claims(json!({"iat": t - 3600})))),
            b,
            "iat_too_old",
        ),
        (
            "iat an hour ahead",
            Some(signed(&es(kid), &claims(json!({"iat": t + 3600})))),
            b,
            "iat_in_future",
        ),
        (
            "iat 6 minutes old",
            Some(signed(&es(kid), &claims(json!({"iat": t - 360})))),
            b,
            "iat_too_old",
        ),
        (
            "iat 6 minutes ahead",
            Some(signed(&es(kid), &claims(json!({"iat": t + 360})))),
            b,
            "iat_in_future",
        ),
        (
            "exp an hour ago",
            Some(signed(&es(kid), &claims(json!({"exp": t - 3600})))),
            b,
            "expired",
        ),
        (
            "iat a fraction",
            Some(signed(&es(kid), &claims(json!({"iat": t as f64 + 0.5})))),
            b,
            "malformed",
        ),
        (
            "iat a string",
            Some(signed(&es(kid), &claims(json!({"iat": t.to_string()})))),
            b,
            "malformed",
        ),
        (
            "iat negative",
            Some(signed(&es(kid), &claims(json!({"iat": -1})))),
            b,
            "malformed",
        ),
        (
            "iat huge",
            Some(signed(
                &es(kid),
                &format!(
                    r#"{{"iat":1{},"request_body_sha256":"{hash}"}}"#,
                    "0".repeat(30)
                ),
            )),
            b,
            "malformed",
        ),
        (
            "no iat",
            Some(signed(&es(kid), &claims(json!({"iat": null})))),
            b,
            "malformed",
        ),
        (
            "iat given twice",
            Some(signed(
                &es(kid),
                &format!(
                    r#"{{"iat":{},"iat":{t},"request_body_sha256":"{hash}"}}"#,
                    t - 3600
                ),
            )),
            b,
            "malformed",
        ),
        (
            "exp a string",
            Some(signed(&es(kid), &claims(json!({"exp": "tomorrow"})))),
            b,
            "malformed",
        ),
        (
            "no request_body_sha256",
            Some(signed(
                &es(kid),
                &claims(json!({"request_body_sha256": null})),
            )),
            b,
            "malformed",
        ),
        (
            "request_body_sha256 not hex",
            Some(signed(
                &es(kid),
                &claims(json!({"request_body_sha256": "z".repeat(64)})),
            )),
            b,
            "malformed",
        ),
        (
            "request_body_sha256 base64",
            Some(signed(
                &es(kid),
                &claims(json!({"request_body_sha256": b64url(&[0u8; 32])})),
            )),
            b,
            "malformed",
        ),
        (
            "request_body_sha256 of another body",
            Some(signed(
                &es(kid),
                &claims(json!({"request_body_sha256": sha256_hex(b"{}")})),
            )),
            b,
            "body_hash",
        ),
        (
            "claims not JSON",
            Some(raw(&es(kid), "iat=1")),
            b,
            "malformed",
        ),
        (
            "claims an array",
            Some(signed(&es(kid), &format!("[{t}]"))),
            b,
            "malformed",
        ),
        // The body.
        (
            "body tampered",
            Some(genuine.clone()),
            &tampered,
            "body_hash",
        ),
        (
            "body with a newline added",
            Some(genuine.clone()),
            &padded,
            "body_hash",
        ),
        ("body empty", Some(genuine.clone()), "", "body_hash"),
        (
            "body over the default max_body_bytes",
            Some(genuine.clone()),
            &big,
            "body_too_large",
        ),
    ];
    // The key set.
    let mut keyed = Vec::new();
    if let Some(o) = other {
        keyed.push((
            "signed by another key under the current kid",
            Some(token(o, &es(kid), &good_claims)),
            "signature",
        ));
    }
    if let Some(s) = stranger {
        keyed.push((
            "signed by a key never published, under its own kid",
            Some(token(s, &es(&s.kid), &good_claims)),
            "kid_unknown",
        ));
    }
    let mut out: Vec<Value> = list
        .into_iter()
        .map(|(name, signature, body, reason)| {
            json!({"name": name, "signature": signature, "body": body, "reason": reason})
        })
        .collect();
    out.extend(keyed.into_iter().map(|(name, signature, reason)| {
        json!({"name": name, "signature": signature, "body": b, "reason": reason})
    }));
    json!({ "forgeries": out })
}
