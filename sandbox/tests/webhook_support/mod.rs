//! For the webhook tests: a loopback receiver (a TcpListener answering each delivery with
//! scripted statuses) and an independent verifier (ring's ES256 verification against the
//! sandbox's JWKS, the body's SHA-256, `iat`), written from the documented format only;
//! and the calls the tests make (refresh, test delivery, JWKS, the delivery log).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver as Rx, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use moneykit_sandbox::{Config, Sandbox};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use serde_json::{json, Value};

use crate::common::{get, Client, Resp, BEARER};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
    pub fn attempt(&self) -> u32 {
        self.header("moneykit-delivery-attempt")
            .expect("MoneyKit-Delivery-Attempt")
            .parse()
            .expect("a number")
    }
    pub fn token(&self) -> &str {
        self.header("moneykit-delivery-token")
            .expect("MoneyKit-Delivery-Token")
    }
}

/// A webhook receiver on 127.0.0.1: answers the n-th request with `script[n]`, then with
/// `then`.
pub struct Receiver {
    pub url: String,
    rx: Rx<Received>,
}

impl Receiver {
    pub fn start() -> Receiver {
        Receiver::answering(&[], 200)
    }

    pub fn answering(script: &[u16], then: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hooks/moneykit",
            listener.local_addr().unwrap().port()
        );
        let (tx, rx) = channel();
        let script = Arc::new(Mutex::new(
            script.iter().copied().collect::<VecDeque<u16>>(),
        ));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut tcp) = conn else { continue };
                let Some(req) = read_request(&mut tcp) else {
                    continue;
                };
                let status = script.lock().unwrap().pop_front().unwrap_or(then);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = tcp.write_all(answer.as_bytes());
                if tx.send(req).is_err() {
                    return;
                }
            }
        });
        Receiver { url, rx }
    }

    /// The next delivery, within `timeout` (panics otherwise).
    pub fn next(&self, timeout: Duration) -> Received {
        self.rx
            .recv_timeout(timeout)
            .unwrap_or_else(|e| panic!("no delivery within {timeout:?}: {e}"))
    }

    /// `n` deliveries.
    pub fn take(&self, n: usize, timeout: Duration) -> Vec<Received> {
        (0..n).map(|_| self.next(timeout)).collect()
    }

    /// True when nothing arrives within `d`.
    pub fn quiet_for(&self, d: Duration) -> bool {
        matches!(self.rx.recv_timeout(d), Err(RecvTimeoutError::Timeout))
    }
}

fn read_request(tcp: &mut TcpStream) -> Option<Received> {
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tcp.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = tcp.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        at: Instant::now(),
        method,
        target,
        headers,
        body,
    })
}

/// base64url without padding (asserts the alphabet: no `=`, `+` or `/`).
pub fn b64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("{c:?} is not base64url without padding in {s:?}"),
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

pub fn b64url_encode(input: &[u8]) -> String {
    moneykit_sandbox::util::base64_encode(input)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

pub fn sha256_hex(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A `MoneyKit-Signature` split into its parts.
#[derive(Debug)]
pub struct Jws {
    pub header_text: String,
    pub header: Value,
    pub claims: Value,
    pub signing_input: String,
    pub signature: Vec<u8>,
}

pub fn parse_jws(token: &str) -> Jws {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "JWS compact has 3 parts: {token}");
    let header_text = String::from_utf8(b64url_decode(parts[0])).unwrap();
    let claims_text = String::from_utf8(b64url_decode(parts[1])).unwrap();
    Jws {
        header: serde_json::from_str(&header_text).unwrap(),
        header_text,
        claims: serde_json::from_str(&claims_text).unwrap(),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: b64url_decode(parts[2]),
    }
}

/// Why a delivery is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Defect {
    Alg(String),
    UnknownKid,
    BadSignature,
    StaleIat,
    FutureIat,
    BodyMismatch,
}

/// The uncompressed point of a JWK (`04 || x || y`), checking its shape.
pub fn jwk_point(jwk: &Value) -> Vec<u8> {
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(jwk["alg"], "ES256");
    assert_eq!(jwk["use"], "sig");
    let x = b64url_decode(jwk["x"].as_str().unwrap());
    let y = b64url_decode(jwk["y"].as_str().unwrap());
    assert_eq!((x.len(), y.len()), (32, 32));
    let mut p = vec![4u8];
    p.extend_from_slice(&x);
    p.extend_from_slice(&y);
    p
}

/// MoneyKit's verification steps: ES256 only, a published kid, the signature, `iat` within
/// 5 minutes (and `exp` if present), the body's SHA-256. `Ok(claims)` when it passes.
pub fn verify(jwks: &Value, r: &Received) -> Result<Value, Defect> {
    let jws = parse_jws(r.header("moneykit-signature").expect("MoneyKit-Signature"));
    let alg = jws.header["alg"].as_str().unwrap_or_default().to_string();
    if alg != "ES256" {
        return Err(Defect::Alg(alg));
    }
    let kid = jws.header["kid"].as_str().expect("a kid");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .ok_or(Defect::UnknownKid)?;
    let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, jwk_point(jwk));
    key.verify(jws.signing_input.as_bytes(), &jws.signature)
        .map_err(|_| Defect::BadSignature)?;
    let iat = jws.claims["iat"].as_i64().expect("iat");
    let now = now_unix();
    if iat < now - 300 {
        return Err(Defect::StaleIat);
    }
    if iat > now + 300 {
        return Err(Defect::FutureIat);
    }
    if let Some(exp) = jws.claims.get("exp") {
        assert!(exp.as_i64().unwrap() > now, "expired");
    }
    if jws.claims["request_body_sha256"] != sha256_hex(&r.body).as_str() {
        return Err(Defect::BodyMismatch);
    }
    Ok(jws.claims)
}

pub const WAIT: Duration = Duration::from_secs(10);

/// Refresh delay 10 s and retry base 1 s, divided by 100: 100 ms and 10 ms.
pub fn config(url: &str) -> Config {
    Config {
        time_scale: 100.0,
        webhook_url: Some(url.to_string()),
        ..Config::default()
    }
}

pub fn post_json(sb: &Sandbox, target: &str, headers: &[(&str, &str)], body: &Value) -> Resp {
    let mut h = vec![("Content-Type", "application/json")];
    h.extend_from_slice(headers);
    let b = serde_json::to_vec(body).unwrap();
    Client::new(sb).send("POST", target, &h, &b)
}

pub fn refresh(sb: &Sandbox, id: &str) -> Resp {
    let r = post_json(
        sb,
        &format!("/links/{id}/products"),
        &[BEARER],
        &json!({"products": ["identity"]}),
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    r
}

pub fn test_delivery(sb: &Sandbox, id: &str, event: &str, key: Option<&str>) -> Resp {
    let mut body = json!({ "webhook_event": event });
    if let Some(k) = key {
        body["webhook_idempotency_key"] = json!(k);
    }
    post_json(sb, &format!("/webhooks/test/link/{id}"), &[BEARER], &body)
}

pub fn jwks(sb: &Sandbox) -> Value {
    let r = get(
        sb,
        "/.well-known/jwks.json",
        &[("X-Client-Id", "sandbox-client")],
    );
    assert_eq!(r.status, 200);
    r.json()
}

pub fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

/// The headers and fields every genuine delivery has.
pub fn check_common(r: &Received, event: &str, link_id: &str) -> Value {
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/hooks/moneykit");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.token().starts_with("dlv_") && r.token().len() > 20);
    let v = r.json();
    assert_eq!(v["webhook_event"], event);
    assert_eq!(v["webhook_major_version"], 1);
    assert_eq!(v["webhook_minor_version"], 0);
    assert!(v["webhook_idempotency_key"]
        .as_str()
        .is_some_and(|k| !k.is_empty()));
    let ts = v["webhook_timestamp"].as_str().unwrap();
    assert!(
        ts.ends_with('Z') && moneykit::core::model::Timestamp::parse(ts).is_some(),
        "{ts}"
    );
    assert_eq!(v["link_id"], link_id);
    assert!(v["link_tags"].is_array());
    v
}

/// The delivery log once it has `n` entries (an attempt is logged when it has ended,
/// just after the receiver answered).
pub fn wait_log(sb: &Sandbox, n: usize) -> Vec<moneykit_sandbox::WebhookDelivery> {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = sb.webhook_deliveries();
        if log.len() >= n || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
