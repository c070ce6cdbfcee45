//! The JSON Web Key Set of `GET /.well-known/jwks.json`: `{"keys": [JWK, ...]}`.
//!
//! The document must be a JSON object (no key twice at any depth) with a `keys` array, else
//! the whole set is refused (`MK_ERR_DECODE`, and the keys cached before stay in use). Within
//! it each key is taken or ignored on its own: only `kty` `EC`, `crv` `P-256`, `alg` `ES256`
//! or absent, `use` `sig` or absent, a non-empty `kid` of at most 256 bytes and `x`, `y` each
//! 32 bytes of strict base64url are used. Any other key (RSA, another curve, an
//! encryption key, a malformed one) is ignored; its `kid` is remembered only to say so in
//! the message of a delivery signed under it (`kid_unknown`). When two usable keys share a
//! `kid`, the first is used. At most [`MAX_KEYS`] entries are looked at.

use super::jws::MAX_KID_LEN;
use crate::core::input_json::parse_object;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// Most JWKs read from one set (MoneyKit publishes two or three).
pub(crate) const MAX_KEYS: usize = 64;

/// The usable keys of a set, and the kids of the ignored ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    /// (kid, uncompressed point `04 || x || y`).
    keys: Vec<(String, [u8; 65])>,
    /// Kids of entries that are not EC P-256 ES256 signing keys.
    ignored: Vec<String>,
}

impl KeySet {
    /// The public point of `kid`, if the set has a usable key with it.
    pub fn get(&self, kid: &str) -> Option<&[u8; 65]> {
        self.keys.iter().find(|(k, _)| k == kid).map(|(_, p)| p)
    }

    /// Whether `kid` names a key of the set that is not usable (another curve or type).
    pub fn ignored(&self, kid: &str) -> bool {
        self.ignored.iter().any(|k| k == kid)
    }

    /// How many usable keys the set has.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Parses a JWKS document. The error is a message without any value from the body.
pub fn parse(body: &[u8]) -> Result<KeySet, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the key set is not UTF-8".to_string())?;
    let doc = parse_object(text).map_err(|e| format!("the key set is not a JSON object: {e}"))?;
    let Some(Value::Array(entries)) = doc.get("keys") else {
        return Err("the key set has no keys array".to_string());
    };
    let mut set = KeySet::default();
    for entry in entries.iter().take(MAX_KEYS) {
        let Value::Object(jwk) = entry else { continue };
        let kid = match jwk.get("kid") {
            Some(Value::String(k)) if !k.is_empty() && k.len() <= MAX_KID_LEN => k.clone(),
            _ => continue,
        };
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        let coordinate = |name: &str| -> Option<[u8; 32]> {
            URL_SAFE_NO_PAD.decode(text(name)?).ok()?.try_into().ok()
        };
        // Absent (or null), or exactly `want`.
        let absent_or = |name: &str, want: &str| match jwk.get(name) {
            None | Some(Value::Null) => true,
            Some(v) => v.as_str() == Some(want),
        };
        let usable = text("kty") == Some("EC")
            && text("crv") == Some("P-256")
            && absent_or("alg", "ES256")
            && absent_or("use", "sig");
        let point = match (usable, coordinate("x"), coordinate("y")) {
            (true, Some(x), Some(y)) => {
                let mut p = [0u8; 65];
                p[0] = 4;
                p[1..33].copy_from_slice(&x);
                p[33..].copy_from_slice(&y);
                p
            }
            _ => {
                set.ignored.push(kid);
                continue;
            }
        };
        if set.get(&kid).is_none() {
            set.keys.push((kid, point));
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(extra: &str) -> String {
        let x = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let y = URL_SAFE_NO_PAD.encode([2u8; 32]);
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","kid":"k1"{extra}}}"#)
    }

    #[test]
    fn usable_keys_only() {
        let set =
            parse(format!(r#"{{"keys":[{}]}}"#, jwk(r#","alg":"ES256","use":"sig""#)).as_bytes())
                .unwrap();
        let p = set.get("k1").unwrap();
        assert_eq!(p[0], 4);
        assert_eq!(p[1], 1);
        assert_eq!(p[64], 2);
        assert!(parse(format!(r#"{{"keys":[{}]}}"#, jwk("")).as_bytes())
            .unwrap()
            .get("k1")
            .is_some());
        for extra in [r#","alg":"ES384""#, r#","use":"enc""#, r#","alg":"RS256""#] {
            let set = parse(format!(r#"{{"keys":[{}]}}"#, jwk(extra)).as_bytes()).unwrap();
            assert!(set.get("k1").is_none(), "{extra}");
            assert!(set.ignored("k1"), "{extra}");
        }
        let p384 = jwk("").replace("P-256", "P-384");
        let set = parse(format!(r#"{{"keys":[{p384}]}}"#).as_bytes()).unwrap();
        assert!(set.is_empty() && set.ignored("k1"));
        let short = jwk("").replace(
            &URL_SAFE_NO_PAD.encode([1u8; 32]),
            &URL_SAFE_NO_PAD.encode([1u8; 31]),
        );
        assert!(parse(format!(r#"{{"keys":[{short}]}}"#).as_bytes())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn the_document_must_be_a_key_set() {
        for body in [
            &b"[]"[..],
            b"{}",
            b"{\"keys\": {}}",
            b"{\"keys\": [], \"keys\": []}",
            b"not json",
            b"\xff",
        ] {
            assert!(parse(body).is_err(), "{body:?}");
        }
        assert!(parse(b"{\"keys\": [1, null, \"x\", {}]}")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn the_first_of_two_keys_with_one_kid_wins() {
        let other = jwk("").replace(
            &URL_SAFE_NO_PAD.encode([2u8; 32]),
            &URL_SAFE_NO_PAD.encode([3u8; 32]),
        );
        let set = parse(format!(r#"{{"keys":[{},{other}]}}"#, jwk("")).as_bytes()).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.get("k1").unwrap()[64], 2);
    }
}
