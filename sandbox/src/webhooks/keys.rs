//! The webhook signing keys: ES256 (P-256) key pairs, the JSON Web Key Set that publishes
//! them, rotation (the previous key stays published for a while), and the JWS compact
//! signatures of `MoneyKit-Signature`, genuine or forged on purpose.
//!
//! A key's `kid` is its RFC 7638 JWK thumbprint (base64url of the SHA-256 of
//! `{"crv":"P-256","kty":"EC","x":"…","y":"…"}`), so a key loaded from a file keeps its kid.

use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

use super::Forgery;
use crate::util;

/// base64url without padding (RFC 7515 §2), as every part of a JWS compact token.
pub fn b64url(input: &[u8]) -> String {
    util::base64_encode(input)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One P-256 key pair with its kid.
pub struct SigningKey {
    pair: EcdsaKeyPair,
    pub kid: String,
}

impl SigningKey {
    /// A fresh key pair.
    pub fn generate(rng: &SystemRandom) -> Result<SigningKey, String> {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng)
            .map_err(|_| "cannot generate a P-256 key".to_string())?;
        SigningKey::from_pkcs8(pkcs8.as_ref(), rng)
    }

    /// A key from an unencrypted PKCS#8 document (DER, or PEM `PRIVATE KEY`) holding a
    /// P-256 key with its public key (as `openssl genpkey -algorithm EC -pkeyopt
    /// ec_paramgen_curve:P-256` writes it).
    pub fn from_pkcs8(bytes: &[u8], rng: &SystemRandom) -> Result<SigningKey, String> {
        let der = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => pem_body(text, "PRIVATE KEY")?,
            _ => bytes.to_vec(),
        };
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, rng).map_err(|e| {
                format!("not an unencrypted PKCS#8 P-256 key with its public key ({e})")
            })?;
        let kid = thumbprint(pair.public_key().as_ref());
        Ok(SigningKey { pair, kid })
    }

    /// The uncompressed public point, `04 || x || y` (65 bytes).
    pub fn public(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public key as a JWK of the set.
    pub fn jwk(&self) -> Value {
        let p = self.public();
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(&p[1..33]),
            "y": b64url(&p[33..65]),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        })
    }

    /// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) text.
    pub fn public_pem(&self) -> String {
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) }
        const SPKI_P256_PREFIX: [u8; 26] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let mut der = SPKI_P256_PREFIX.to_vec();
        der.extend_from_slice(self.public());
        let b64 = util::base64_encode(&der);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// ES256 over `msg`: the raw 64-byte r || s.
    pub(super) fn sign(&self, rng: &SystemRandom, msg: &[u8]) -> Vec<u8> {
        self.pair
            .sign(rng, msg)
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default()
    }
}

/// The base64 body of the first PEM block labelled `label`.
fn pem_body(text: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .ok_or_else(|| format!("no {begin} block (a PKCS#8 key is needed)"))?
        + begin.len();
    let stop = text[start..]
        .find(&end)
        .ok_or_else(|| format!("no {end} line"))?;
    let b64: String = text[start..start + stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    util::base64_decode(&b64).ok_or_else(|| "the PEM block is not base64".to_string())
}

/// RFC 7638 thumbprint of a P-256 public point.
fn thumbprint(point: &[u8]) -> String {
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        b64url(&point[1..33]),
        b64url(&point[33..65])
    );
    b64url(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref())
}

/// The current key, the previous ones still published, and a key never published (for
/// `mk_webhook_unknown_kid`).
pub struct KeyRing {
    rng: SystemRandom,
    current: SigningKey,
    /// (key, published until) of rotated-out keys.
    retired: Vec<(SigningKey, Instant)>,
    rogue: SigningKey,
}

/// What a signed delivery carries.
pub struct Signed {
    /// The `MoneyKit-Signature` value.
    pub signature: String,
    /// The body to send (differs from the signed one only for `TamperedBody`).
    pub body: Vec<u8>,
    /// The kid the header names.
    pub kid: String,
}

impl KeyRing {
    pub fn new(loaded: Option<&[u8]>) -> Result<KeyRing, String> {
        let rng = SystemRandom::new();
        let current = match loaded {
            Some(bytes) => SigningKey::from_pkcs8(bytes, &rng)?,
            None => SigningKey::generate(&rng)?,
        };
        let rogue = SigningKey::generate(&rng)?;
        Ok(KeyRing {
            rng,
            current,
            retired: Vec::new(),
            rogue,
        })
    }

    /// The current signing key (for `GET /_sandbox/webhooks/forgeries`).
    pub(super) fn current(&self) -> &SigningKey {
        &self.current
    }

    pub fn current_kid(&self) -> &str {
        &self.current.kid
    }

    /// A new current key; the previous one stays published for `overlap`. Returns the
    /// previous kid.
    pub fn rotate(&mut self, now: Instant, overlap: Duration) -> Result<String, String> {
        let next = SigningKey::generate(&self.rng)?;
        let old = std::mem::replace(&mut self.current, next);
        let kid = old.kid.clone();
        self.retired.push((old, now + overlap));
        Ok(kid)
    }

    /// The JWKS: the current key first, then the retired keys still published at `now`.
    pub fn jwks(&mut self, now: Instant) -> Value {
        self.retired.retain(|(_, until)| *until > now);
        let mut keys = vec![self.current.jwk()];
        keys.extend(self.retired.iter().rev().map(|(k, _)| k.jwk()));
        json!({ "keys": keys })
    }

    /// Signs `body` (sent at Unix time `now`) as MoneyKit does, or forged as asked.
    /// `exp`: add the claim `exp` = iat + 300.
    pub fn sign(&self, body: &[u8], now: i64, exp: bool, forgery: Forgery) -> Signed {
        let iat = match forgery {
            Forgery::StaleIat => now - 3600,
            Forgery::FutureIat => now + 3600,
            _ => now,
        };
        let key = match forgery {
            Forgery::UnknownKid => &self.rogue,
            _ => &self.current,
        };
        let alg = match forgery {
            Forgery::AlgNone => "none",
            Forgery::Hs256 => "HS256",
            _ => "ES256",
        };
        let header = format!(r#"{{"alg":"{alg}","kid":"{}","typ":"JWT"}}"#, key.kid);
        let digest = hex(ring::digest::digest(&ring::digest::SHA256, body).as_ref());
        let claims = if exp {
            format!(
                r#"{{"iat":{iat},"exp":{},"request_body_sha256":"{digest}"}}"#,
                iat + 300
            )
        } else {
            format!(r#"{{"iat":{iat},"request_body_sha256":"{digest}"}}"#)
        };
        let input = format!(
            "{}.{}",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes())
        );
        let sig = match forgery {
            Forgery::AlgNone => Vec::new(),
            Forgery::Hs256 => {
                let secret =
                    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.public_pem().as_bytes());
                ring::hmac::sign(&secret, input.as_bytes())
                    .as_ref()
                    .to_vec()
            }
            Forgery::BadSignature => {
                let mut s = key.sign(&self.rng, input.as_bytes());
                // Flip bits in both r and s: never a valid signature of anything.
                if let Some(b) = s.get_mut(0) {
                    *b ^= 0x01;
                }
                if let Some(b) = s.get_mut(63) {
                    *b ^= 0x80;
                }
                s
            }
            _ => key.sign(&self.rng, input.as_bytes()),
        };
        let mut sent = body.to_vec();
        if forgery == Forgery::TamperedBody {
            tamper(&mut sent);
        }
        Signed {
            signature: format!("{input}.{}", b64url(&sig)),
            body: sent,
            kid: key.kid.clone(),
        }
    }
}

/// Changes a JSON object body after signing: `"tampered":true` added as its first member
/// (still valid JSON; its SHA-256 differs).
fn tamper(body: &mut Vec<u8>) {
    if body.first() == Some(&b'{') {
        let rest = body.split_off(1);
        let empty = rest.first() == Some(&b'}');
        body.extend_from_slice(br#""tampered":true"#);
        if !empty {
            body.push(b',');
        }
        body.extend_from_slice(&rest);
    } else {
        body.push(b' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64url_and_hex() {
        assert_eq!(b64url(b""), "");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64url(b"foob"), "Zm9vYg");
        assert_eq!(hex(&[0, 0xab]), "00ab");
    }

    #[test]
    fn tampering_keeps_json() {
        let mut b = br#"{"a":1}"#.to_vec();
        tamper(&mut b);
        assert_eq!(b, br#"{"tampered":true,"a":1}"#);
        let mut e = b"{}".to_vec();
        tamper(&mut e);
        assert_eq!(e, br#"{"tampered":true}"#);
    }

    #[test]
    fn loaded_key_keeps_its_kid_and_rotation_publishes_both() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let a = SigningKey::from_pkcs8(pkcs8.as_ref(), &rng).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            util::base64_encode(pkcs8.as_ref())
        );
        let b = SigningKey::from_pkcs8(pem.as_bytes(), &rng).unwrap();
        assert_eq!(a.kid, b.kid);
        assert_eq!(a.kid.len(), 43);
        assert!(SigningKey::from_pkcs8(b"junk", &rng).is_err());
        let mut ring = KeyRing::new(Some(pkcs8.as_ref())).unwrap();
        let t0 = Instant::now();
        let old = ring.rotate(t0, Duration::from_secs(5)).unwrap();
        assert_eq!(old, a.kid);
        let kids = |v: &Value| -> Vec<String> {
            v["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["kid"].as_str().unwrap().to_string())
                .collect()
        };
        let now = kids(&ring.jwks(t0));
        assert_eq!(now, vec![ring.current_kid().to_string(), old.clone()]);
        let later = kids(&ring.jwks(t0 + Duration::from_secs(5)));
        assert_eq!(later, vec![ring.current_kid().to_string()]);
    }
}
