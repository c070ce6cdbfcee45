//! The `MoneyKit-Signature` header: a JWS compact token `header.claims.signature`, each part
//! base64url without padding (RFC 7515), parsed by hand and strictly. Only what ES256 with
//! MoneyKit's claims needs is accepted; everything else is refused before any key is looked
//! up, so a forged token costs no request and no signature check.
//!
//! - The header: a JSON object (no key twice), `alg` must be `ES256` (checked first: `none`,
//!   `HS256`, `RS256` are `alg`), no `crit` at all (we understand no extension), `kid` a
//!   non-empty string of at most 256 bytes. Any other member (`typ`, `jku`, `jwk`, `x5u`,
//!   ...) is ignored: keys only ever come from the JWKS endpoint.
//! - The claims: a JSON object (no key twice), `iat` a whole number of seconds from 1 to
//!   year 9999 (a fraction, a negative, an exponent or a string is `malformed`), `exp` the same
//!   when present (null is absent), `request_body_sha256` 64 hex digits (either case).
//! - The signature: exactly 64 bytes, `r || s` (not DER).
//!
//! Why not a JWT crate: the ones on crates.io either decode base64 leniently (padding,
//! non-canonical trailing bits), keep a repeated JSON key's last value, accept `crit`, or
//! bring their own crypto stack (`jsonwebtoken` pulls `ring` plus `pem`/`simple_asn1` and
//! verifies DER or raw by algorithm family); what MoneyKit's tokens need is 100 lines, and
//! every rule above is then ours to test and fuzz (fuzz/targets: `webhook_jws`).

use super::reason::Reason;
use crate::core::input_json::parse_object;
use crate::core::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Longest header value accepted (MoneyKit's are about 400 bytes).
pub(crate) const MAX_HEADER_LEN: usize = 8192;
/// Longest `kid` accepted.
pub(crate) const MAX_KID_LEN: usize = 256;
/// The latest `iat` / `exp` accepted: 9999-12-31T23:59:59Z.
const MAX_TIME: u64 = 253_402_300_799;

/// A parsed token: what the signature covers, the signature, and the checked claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kid: String,
    /// `header_b64.claims_b64`, the bytes the signature covers.
    pub signing_input: &'a [u8],
    pub signature: [u8; 64],
    pub claims: Claims,
}

/// The claims we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: Option<u64>,
    /// `request_body_sha256`, decoded.
    pub body_sha256: [u8; 32],
}

fn malformed(detail: &str) -> Error {
    Reason::Malformed.error(detail)
}

/// One part, strictly decoded: URL-safe alphabet, no padding, no whitespace, canonical
/// trailing bits.
fn part(text: &[u8], name: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| malformed(&format!("the {name} is not base64url without padding")))
}

/// A part as a JSON object, refusing a key given twice at any depth.
fn object(text: &[u8], name: &str) -> Result<Map<String, Value>, Error> {
    let bytes = part(text, name)?;
    let json =
        std::str::from_utf8(&bytes).map_err(|_| malformed(&format!("the {name} is not UTF-8")))?;
    // The strict reader's messages name a position, never the text.
    parse_object(json).map_err(|e| malformed(&format!("the {name} is not a JSON object: {e}")))
}

/// Parses and checks a `MoneyKit-Signature` value (surrounding spaces and tabs, which HTTP
/// allows, are ignored). Every refusal is `MK_ERR_SIGNATURE` with reason `alg` or
/// `malformed`; no message quotes the header.
pub fn parse(header: &str) -> Result<Token<'_>, Error> {
    let header = header.trim_matches([' ', '\t']);
    if header.len() > MAX_HEADER_LEN {
        return Err(malformed(&format!(
            "the signature header is longer than {MAX_HEADER_LEN} bytes"
        )));
    }
    let bytes = header.as_bytes();
    let mut dots = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'.')
        .map(|(i, _)| i);
    let (Some(d1), Some(d2), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(malformed(
            "the signature header is not a JWS compact token (three parts separated by dots)",
        ));
    };
    let (head, claims, sig) = (&bytes[..d1], &bytes[d1 + 1..d2], &bytes[d2 + 1..]);

    let head = object(head, "JWS header")?;
    match head.get("alg") {
        Some(Value::String(a)) if a == "ES256" => {}
        Some(Value::String(_)) => {
            return Err(Reason::Alg.error("the JWS header's alg is not ES256"))
        }
        None => return Err(Reason::Alg.error("the JWS header has no alg")),
        Some(_) => return Err(malformed("the JWS header's alg is not a string")),
    }
    if head.contains_key("crit") {
        return Err(malformed(
            "the JWS header has crit (no extension is understood)",
        ));
    }
    let kid = match head.get("kid") {
        Some(Value::String(k)) if !k.is_empty() && k.len() <= MAX_KID_LEN => k.clone(),
        Some(Value::String(_)) => {
            return Err(malformed(&format!(
                "the JWS header's kid is empty or longer than {MAX_KID_LEN} bytes"
            )))
        }
        None | Some(Value::Null) => return Err(malformed("the JWS header has no kid")),
        Some(_) => return Err(malformed("the JWS header's kid is not a string")),
    };
    let claims_obj = object(claims, "JWS claims")?;
    let signature: [u8; 64] = part(sig, "JWS signature")?
        .try_into()
        .map_err(|v: Vec<u8>| {
            malformed(&format!(
                "the JWS signature is {} bytes, not the 64 of ES256's r || s",
                v.len()
            ))
        })?;
    Ok(Token {
        kid,
        signing_input: &bytes[..d2],
        signature,
        claims: read_claims(&claims_obj)?,
    })
}

/// A time claim: a whole number of seconds from 1 to year 9999; `None` when absent or null.
fn time(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, Error> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(t) if (1..=MAX_TIME).contains(&t) => Ok(Some(t)),
            _ => Err(malformed(&format!(
                "the claim {name} is not a whole number of seconds between 1 and {MAX_TIME}"
            ))),
        },
        Some(_) => Err(malformed(&format!("the claim {name} is not a number"))),
    }
}

fn read_claims(claims: &Map<String, Value>) -> Result<Claims, Error> {
    let iat = time(claims, "iat")?.ok_or_else(|| malformed("the claims have no iat"))?;
    let exp = time(claims, "exp")?;
    let hex = match claims.get("request_body_sha256") {
        Some(Value::String(h)) => h.as_bytes(),
        None | Some(Value::Null) => {
            return Err(malformed("the claims have no request_body_sha256"))
        }
        Some(_) => return Err(malformed("the claim request_body_sha256 is not a string")),
    };
    let body_sha256 = decode_hex(hex)
        .ok_or_else(|| malformed("the claim request_body_sha256 is not 64 hex digits"))?;
    Ok(Claims {
        iat,
        exp,
        body_sha256,
    })
}

fn decode_hex(hex: &[u8]) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn token(header: &str, claims: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64(header.as_bytes()),
            b64(claims.as_bytes()),
            b64(sig)
        )
    }

    const H: &str = r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#;
    const HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn claims(iat: &str) -> String {
        format!(r#"{{"iat":{iat},"request_body_sha256":"{HASH}"}}"#)
    }

    fn reason(text: &str) -> Option<&'static str> {
        parse(text).err().and_then(|e| e.reason)
    }

    #[test]
    fn a_good_token_parses() {
        let t = token(H, &claims("1700000000"), &[7u8; 64]);
        let p = parse(&t).unwrap();
        assert_eq!(p.kid, "k1");
        assert_eq!(p.claims.iat, 1_700_000_000);
        assert_eq!(p.claims.exp, None);
        assert_eq!(p.signature, [7u8; 64]);
        assert_eq!(p.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
        assert_eq!(p.claims.body_sha256[0], 0xe3);
        // Surrounding OWS is allowed; uppercase hex too.
        let upper = claims("1700000000")
            .to_uppercase()
            .replace("IAT", "iat")
            .replace("REQUEST_BODY_SHA256", "request_body_sha256");
        assert!(parse(&format!(" {} \t", token(H, &upper, &[7u8; 64]))).is_ok());
    }

    #[test]
    fn refusals_have_their_reason() {
        let c = claims("1700000000");
        let sig = [1u8; 64];
        let cases: Vec<(String, &str)> = vec![
            (token(r#"{"alg":"none","kid":"k1"}"#, &c, &[]), "alg"),
            (token(r#"{"alg":"HS256","kid":"k1"}"#, &c, &sig), "alg"),
            (token(r#"{"alg":"RS256","kid":"k1"}"#, &c, &sig), "alg"),
            (token(r#"{"alg":"es256","kid":"k1"}"#, &c, &sig), "alg"),
            (token(r#"{"kid":"k1"}"#, &c, &sig), "alg"),
            (token(r#"{"alg":1,"kid":"k1"}"#, &c, &sig), "malformed"),
            (token(r#"{"alg":"ES256"}"#, &c, &sig), "malformed"),
            (token(r#"{"alg":"ES256","kid":""}"#, &c, &sig), "malformed"),
            (token(r#"{"alg":"ES256","kid":7}"#, &c, &sig), "malformed"),
            (
                token(r#"{"alg":"ES256","kid":"k1","crit":["b64"]}"#, &c, &sig),
                "malformed",
            ),
            (
                token(r#"{"alg":"ES256","kid":"k1","kid":"k2"}"#, &c, &sig),
                "malformed",
            ),
            (token(r#"["ES256"]"#, &c, &sig), "malformed"),
            (token(H, &c, &[1u8; 63]), "malformed"),
            (token(H, &c, &[1u8; 72]), "malformed"),
            (token(H, &claims("1700000000.0"), &sig), "malformed"),
            (token(H, &claims("-5"), &sig), "malformed"),
            (token(H, &claims("1e9"), &sig), "malformed"),
            (token(H, &claims("\"1700000000\""), &sig), "malformed"),
            (token(H, &claims("99999999999999999999"), &sig), "malformed"),
            (token(H, &claims("0"), &sig), "malformed"),
            (
                token(H, r#"{"request_body_sha256":"00"}"#, &sig),
                "malformed",
            ),
            (token(H, r#"{"iat":1700000000}"#, &sig), "malformed"),
            (
                token(
                    H,
                    &format!(r#"{{"iat":1700000000,"iat":1,"request_body_sha256":"{HASH}"}}"#),
                    &sig,
                ),
                "malformed",
            ),
            (
                token(
                    H,
                    &format!(r#"{{"iat":1700000000,"exp":"x","request_body_sha256":"{HASH}"}}"#),
                    &sig,
                ),
                "malformed",
            ),
            (
                token(H, r#"{"iat":1700000000,"request_body_sha256":"zz"}"#, &sig),
                "malformed",
            ),
            (format!("{}=", token(H, &c, &sig)), "malformed"),
            (token(H, &c, &sig).replacen('.', "..", 1), "malformed"),
            (format!("{}.x", token(H, &c, &sig)), "malformed"),
            ("".to_string(), "malformed"),
            ("a.b".to_string(), "malformed"),
            (
                token(H, &c, &sig).replace('-', "+").replace('_', "/") + "+/",
                "malformed",
            ),
            ("x".repeat(MAX_HEADER_LEN + 1), "malformed"),
        ];
        for (text, want) in cases {
            assert_eq!(reason(&text), Some(want), "{text}");
        }
    }

    #[test]
    fn non_canonical_base64_is_refused() {
        // "QQ" is "A"; "QR" has non-zero trailing bits: the same byte written another way.
        let c = b64(claims("1700000000").as_bytes());
        let h = b64(H.as_bytes());
        let sig = b64(&[1u8; 64]);
        assert!(parse(&format!("{h}.{c}.{sig}")).is_ok());
        let mut bad = sig.clone().into_bytes();
        let last = bad.last_mut().unwrap();
        // 64 bytes encode to 86 chars: the last carries 4 data bits, 2 zero bits.
        *last = if *last == b'Q' { b'R' } else { b'B' };
        let bad = String::from_utf8(bad).unwrap();
        assert_eq!(reason(&format!("{h}.{c}.{bad}")), Some("malformed"));
    }

    #[test]
    fn messages_never_quote_the_header() {
        let secret = "SeKrEtKid1234567";
        let t = token(
            &format!(r#"{{"alg":"{secret}","kid":"{secret}"}}"#),
            &claims("1"),
            &[0; 64],
        );
        let e = parse(&t).unwrap_err();
        assert!(!e.to_json().contains(secret), "{}", e.to_json());
    }
}
