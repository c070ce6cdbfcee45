//! `webhook_jws`: the `MoneyKit-Signature` header (a JWS compact token), parsed by
//! `core::webhooks::parse_signature_header` (the verifier's first step; the C layer only adds
//! its NULL, length and UTF-8 checks). Input: the header's bytes.
//!
//! Invariants:
//! - No panic; the same result twice.
//! - The parser agrees with an independent oracle written from the rules of
//!   src/core/webhooks/jws.rs (its own base64url decoder with the canonical-bits rule,
//!   `serde_json` values plus a repeated-key count): it accepts exactly what the oracle
//!   accepts, with the same `kid`.
//! - A refusal is `MK_ERR_SIGNATURE` with reason `alg` or `malformed` (a header alone never
//!   gives another), its message `webhook refused (<reason>): ...`, short, quoting no string
//!   of 8 bytes or more of the input (a part, or a string inside the decoded header or claims).

use crate::common::{assert_no_echo, json_strings, ECHO_MIN_LEN};
use moneykit::core::webhooks::parse_signature_header;
use moneykit::core::Status;
use serde_json::Value;

/// The `webhook_jws` target.
pub fn webhook_jws(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // mk_webhook_verify refuses non-UTF-8 before parsing
    };
    let got = parse_signature_header(text);
    let again = parse_signature_header(text);
    assert_eq!(
        got.as_ref().map_err(|e| e.message.clone()),
        again.as_ref().map_err(|e| e.message.clone()),
        "not deterministic"
    );
    let want = oracle(text);
    match (&got, &want) {
        (Ok(kid), Ok(k)) => assert_eq!(kid, k, "kid"),
        (Ok(kid), Err(why)) => panic!("accepted (kid {kid:?}) but the oracle refuses: {why:?}"),
        (Err(e), Ok(_)) => panic!("refused but the oracle accepts: {}", e.message),
        (Err(e), Err(why)) => {
            assert_eq!(e.status, Status::MkErrSignature, "{}", e.message);
            let reason = e.reason.expect("a reason");
            assert!(reason == "alg" || reason == "malformed", "reason {reason}");
            assert_eq!(reason, why.0, "{} vs the oracle's {}", e.message, why.1);
            assert!(
                e.message
                    .starts_with(&format!("webhook refused ({reason}): ")),
                "{}",
                e.message
            );
            let mut candidates: Vec<String> = text
                .split('.')
                .filter(|p| p.len() >= ECHO_MIN_LEN)
                .map(str::to_string)
                .collect();
            for part in text.split('.').take(2) {
                if let Some(bytes) = b64url(part.trim_matches([' ', '\t'])) {
                    let s = json_strings(&bytes, ECHO_MIN_LEN);
                    candidates.extend(s.values.iter().cloned());
                    candidates.extend(s.keys.iter().filter(|k| k.len() >= ECHO_MIN_LEN).cloned());
                }
            }
            assert_no_echo("webhook_jws", &e.message, &candidates, &[]);
        }
    }
}

/// Strict base64url without padding: the alphabet, a length that is not 1 mod 4, and zero
/// unused bits in the last character (so each byte string has one text).
pub fn b64url(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

/// Whether the JSON text repeats a key in some object: the streaming walk sees every key,
/// a `Value` keeps one per object.
pub fn repeats_a_key(bytes: &[u8], v: &Value) -> bool {
    fn count(v: &Value) -> usize {
        match v {
            Value::Object(m) => m.len() + m.values().map(count).sum::<usize>(),
            Value::Array(a) => a.iter().map(count).sum(),
            _ => 0,
        }
    }
    json_strings(bytes, usize::MAX).keys.len() != count(v)
}

/// A JSON object from a part, or why not (the oracle's reason is always `malformed` here).
fn object(part: &str) -> Result<serde_json::Map<String, Value>, &'static str> {
    let bytes = b64url(part).ok_or("not base64url")?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "not UTF-8")?;
    let v: Value = serde_json::from_str(text).map_err(|_| "not JSON")?;
    if repeats_a_key(text.as_bytes(), &v) {
        return Err("a repeated key");
    }
    match v {
        Value::Object(m) => Ok(m),
        _ => Err("not an object"),
    }
}

fn time_ok(v: Option<&Value>, required: bool) -> bool {
    match v {
        None | Some(Value::Null) => !required,
        Some(Value::Number(n)) => n
            .as_u64()
            .is_some_and(|t| (1..=253_402_300_799).contains(&t)),
        Some(_) => false,
    }
}

/// The rules of jws.rs, written again: `Ok(kid)` or `Err((reason, why))`.
fn oracle(text: &str) -> Result<String, (&'static str, &'static str)> {
    let m = |why| ("malformed", why);
    let text = text.trim_matches([' ', '\t']);
    if text.len() > 8192 {
        return Err(m("too long"));
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 3 {
        return Err(m("not three parts"));
    }
    let header = object(parts[0]).map_err(m)?;
    match header.get("alg") {
        Some(Value::String(a)) if a == "ES256" => {}
        Some(Value::String(_)) | None => return Err(("alg", "not ES256")),
        Some(_) => return Err(m("alg not a string")),
    }
    if header.contains_key("crit") {
        return Err(m("crit"));
    }
    let kid = match header.get("kid") {
        Some(Value::String(k)) if !k.is_empty() && k.len() <= 256 => k.clone(),
        _ => return Err(m("kid")),
    };
    let claims = object(parts[1]).map_err(m)?;
    match b64url(parts[2]) {
        Some(sig) if sig.len() == 64 => {}
        _ => return Err(m("signature")),
    }
    if !time_ok(claims.get("iat"), true) || !time_ok(claims.get("exp"), false) {
        return Err(m("iat or exp"));
    }
    match claims.get("request_body_sha256") {
        Some(Value::String(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {}
        _ => return Err(m("request_body_sha256")),
    }
    Ok(kid)
}
