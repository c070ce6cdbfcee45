//! `webhook_jwks`: the key set document of `GET /.well-known/jwks.json`, parsed by
//! `core::webhooks::parse_key_set`. Input: the response body.
//!
//! Invariants:
//! - No panic; the same result twice.
//! - Accepted exactly when the body is UTF-8 JSON, an object, with no key repeated at any
//!   depth and a `keys` array; then the number of usable keys is what an oracle counts from
//!   the rules of src/core/webhooks/jwks.rs: among the first 64 entries, objects with `kty`
//!   `EC`, `crv` `P-256`, `alg` `ES256` or absent/null, `use` `sig` or absent/null, a `kid` of
//!   1 to 256 bytes and `x`, `y` of 32 bytes of strict base64url, one per distinct `kid`.
//! - A refusal's message is short and quotes no string of 8 bytes or more of the body.

use crate::common::{assert_no_echo, json_strings, ECHO_MIN_LEN};
use crate::webhook_jws::{b64url, repeats_a_key};
use moneykit::core::webhooks::parse_key_set;
use serde_json::Value;

/// The `webhook_jwks` target.
pub fn webhook_jwks(data: &[u8]) {
    let got = parse_key_set(data);
    assert_eq!(got, parse_key_set(data), "not deterministic");
    match (got, oracle(data)) {
        (Ok(n), Some(want)) => assert_eq!(n, want, "usable keys"),
        (Ok(n), None) => panic!("accepted ({n} keys) but not a key set"),
        (Err(e), Some(_)) => panic!("a key set refused: {e}"),
        (Err(e), None) => {
            let s = json_strings(data, ECHO_MIN_LEN);
            let mut candidates = s.values.clone();
            candidates.extend(s.keys.iter().filter(|k| k.len() >= ECHO_MIN_LEN).cloned());
            assert_no_echo("webhook_jwks", &e, &candidates, &[]);
        }
    }
}

fn oracle(data: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(data).ok()?;
    let v: Value = serde_json::from_str(text).ok()?;
    if repeats_a_key(data, &v) {
        return None;
    }
    let keys = v.as_object()?.get("keys")?.as_array()?;
    let mut kids: Vec<&str> = Vec::new();
    for jwk in keys.iter().take(64) {
        let Some(o) = jwk.as_object() else { continue };
        let s = |k: &str| o.get(k).and_then(Value::as_str);
        let absent_or = |k: &str, want: &str| {
            matches!(o.get(k), None | Some(Value::Null)) || s(k) == Some(want)
        };
        let coord = |k: &str| s(k).and_then(b64url).is_some_and(|b| b.len() == 32);
        let Some(kid) = s("kid").filter(|k| !k.is_empty() && k.len() <= 256) else {
            continue;
        };
        if s("kty") == Some("EC")
            && s("crv") == Some("P-256")
            && absent_or("alg", "ES256")
            && absent_or("use", "sig")
            && coord("x")
            && coord("y")
            && !kids.contains(&kid)
        {
            kids.push(kid);
        }
    }
    Some(kids.len())
}
