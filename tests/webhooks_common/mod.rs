//! For the webhook tests: an ES256 signer written from the documented format (JWS compact,
//! raw r || s, `request_body_sha256`), an in-test key-set server on loopback whose answers the
//! tests script (and which counts requests), and thin safe wrappers over `mk_webhook_*`, so
//! the tests exercise exactly what C callers get.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use moneykit::ffi::*;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const CLIENT_ID: &str = "wh-test-client";

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(body: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, body).as_ref())
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A P-256 key pair and its kid.
pub struct Signer {
    pair: EcdsaKeyPair,
    pub kid: String,
}

impl Signer {
    pub fn new(kid: &str) -> Signer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        Signer {
            pair: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                .unwrap(),
            kid: kid.to_string(),
        }
    }

    pub fn public(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        let p = self.public();
        json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..65]),
               "kid": self.kid, "alg": "ES256", "use": "sig"})
    }

    /// ES256 over `input`: raw r || s.
    pub fn sign(&self, input: &[u8]) -> Vec<u8> {
        self.pair
            .sign(&SystemRandom::new(), input)
            .unwrap()
            .as_ref()
            .to_vec()
    }

    /// `b64(header).b64(claims).b64(sig)` with the header and claims texts as given.
    pub fn token_raw(&self, header: &str, claims: &str) -> String {
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let sig = self.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig))
    }

    /// The header a genuine delivery has.
    pub fn header(&self) -> String {
        json!({"alg": "ES256", "kid": self.kid, "typ": "JWT"}).to_string()
    }

    /// A genuine signature of `body`, issued now.
    pub fn genuine(&self, body: &[u8]) -> String {
        let claims = json!({"iat": now(), "request_body_sha256": sha256_hex(body)}).to_string();
        self.token_raw(&self.header(), &claims)
    }
}

/// `{"keys": [...]}`.
pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// A `link.product_refresh` body with idempotency key `key`.
pub fn event_body(key: &str) -> Vec<u8> {
    json!({
        "webhook_event": "link.product_refresh", "webhook_major_version": 1,
        "webhook_minor_version": 0, "webhook_idempotency_key": key,
        "webhook_timestamp": "2024-01-31T12:00:00Z", "link_id": "mk_sandbox_ok",
        "link_tags": ["t"], "product": "identity", "state": "completed",
        "state_changed_at": "2024-01-31T12:00:00Z"
    })
    .to_string()
    .into_bytes()
}

/// How the key server answers.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    pub cache_control: Option<String>,
    /// Close the connection without answering.
    pub hang_up: bool,
}

impl Answer {
    pub fn ok(body: String) -> Answer {
        Answer {
            status: 200,
            body,
            delay: Duration::ZERO,
            cache_control: None,
            hang_up: false,
        }
    }
}

/// An in-test `GET /.well-known/jwks.json` on 127.0.0.1 with a scripted answer; counts the
/// requests and keeps the `X-Client-Id` of the last one.
pub struct KeyServer {
    pub base_url: String,
    pub answer: Arc<Mutex<Answer>>,
    pub requests: Arc<AtomicUsize>,
    pub client_ids: Arc<Mutex<Vec<String>>>,
}

fn read_head(tcp: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tcp.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(buf).ok()
}

impl KeyServer {
    pub fn start(answer: Answer) -> KeyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let answer = Arc::new(Mutex::new(answer));
        let requests = Arc::new(AtomicUsize::new(0));
        let client_ids = Arc::new(Mutex::new(Vec::new()));
        let (a, r, ids) = (answer.clone(), requests.clone(), client_ids.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut tcp) = conn else { continue };
                let (a, r, ids) = (a.clone(), r.clone(), ids.clone());
                std::thread::spawn(move || {
                    let Some(head) = read_head(&mut tcp) else {
                        return;
                    };
                    r.fetch_add(1, Ordering::SeqCst);
                    let id = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("x-client-id")
                                .then(|| v.trim().to_string())
                        })
                        .unwrap_or_default();
                    ids.lock().unwrap().push(id);
                    let answer = a.lock().unwrap().clone();
                    std::thread::sleep(answer.delay);
                    if answer.hang_up {
                        return;
                    }
                    let path_ok = head.starts_with("GET /.well-known/jwks.json ");
                    let (status, body) = if path_ok {
                        (answer.status, answer.body)
                    } else {
                        (404, "{}".to_string())
                    };
                    let cc = answer
                        .cache_control
                        .map(|c| format!("cache-control: {c}\r\n"))
                        .unwrap_or_default();
                    let _ = write!(
                        tcp,
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{cc}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        KeyServer {
            base_url,
            answer,
            requests,
            client_ids,
        }
    }

    /// A server publishing `keys`.
    pub fn with_keys(keys: &[Value]) -> KeyServer {
        KeyServer::start(Answer::ok(jwks(keys)))
    }

    pub fn set(&self, f: impl FnOnce(&mut Answer)) {
        f(&mut self.answer.lock().unwrap());
    }

    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Takes ownership of a library string.
pub fn take(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string from the library, freed once below.
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    // SAFETY: from the library, not freed yet.
    unsafe { mk_string_free(p) };
    Some(s)
}

/// A client (through `mk_client_new`) for `base_url`: client id [`CLIENT_ID`], no retries,
/// short timeouts, and `extra` options (a JSON object's inner text) over those.
pub struct Client(pub *mut MkClient);

// SAFETY: the C ABI documents clients as safe to share across threads.
unsafe impl Send for Client {}
// SAFETY: as above.
unsafe impl Sync for Client {}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: from mk_client_new, freed once; verifiers are dropped first by the tests.
        unsafe { mk_client_free(self.0) };
    }
}

pub fn client_with(id: Option<&str>, base_url: &str, extra: &str) -> Client {
    let mut o =
        json!({"base_url": base_url, "max_retries": 0, "timeout_ms": 2000, "deadline_ms": 3000});
    let extra: Value = serde_json::from_str(&format!("{{{extra}}}")).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    let opts = CString::new(o.to_string()).unwrap();
    let id = id.map(|i| CString::new(i).unwrap());
    let secret = CString::new("wh-test-secret").unwrap();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: valid strings and out pointers for the call.
    let rc = unsafe {
        mk_client_new(
            id.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            if id.is_some() {
                secret.as_ptr()
            } else {
                ptr::null()
            },
            opts.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    assert_eq!(rc, 0, "{:?}", take(err));
    Client(out)
}

pub fn client(base_url: &str, extra: &str) -> Client {
    client_with(Some(CLIENT_ID), base_url, extra)
}

/// A verifier through `mk_webhook_verifier_new`.
pub struct Verifier(pub *mut MkWebhookVerifier);

// SAFETY: the C ABI documents verifiers as safe to share across threads.
unsafe impl Send for Verifier {}
// SAFETY: as above.
unsafe impl Sync for Verifier {}

impl Drop for Verifier {
    fn drop(&mut self) {
        // SAFETY: from mk_webhook_verifier_new, freed once.
        unsafe { mk_webhook_verifier_free(self.0) };
    }
}

/// What `mk_webhook_verify` gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rc: i32,
    pub event_json: Option<String>,
    pub event_type: Option<String>,
    pub key: Option<String>,
    pub error: Option<Value>,
}

impl Outcome {
    /// The error JSON's `reason`.
    pub fn reason(&self) -> Option<String> {
        self.error
            .as_ref()
            .and_then(|e| e["reason"].as_str().map(str::to_string))
    }
    pub fn message(&self) -> String {
        self.error
            .as_ref()
            .and_then(|e| e["message"].as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

pub fn try_verifier(c: &Client, options: Option<&str>) -> Result<Verifier, (i32, Value)> {
    let opts = options.map(|o| CString::new(o).unwrap());
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: a live client, valid strings and out pointers.
    let rc = unsafe {
        mk_webhook_verifier_new(
            c.0,
            opts.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            &mut out,
            &mut err,
        )
    };
    let err = take(err);
    if rc == 0 {
        assert!(err.is_none() && !out.is_null());
        Ok(Verifier(out))
    } else {
        assert!(out.is_null());
        Err((rc, serde_json::from_str(&err.unwrap()).unwrap()))
    }
}

pub fn verifier(c: &Client, options: &str) -> Verifier {
    try_verifier(c, Some(options)).expect("verifier")
}

impl Verifier {
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> Outcome {
        self.verify_cancel(signature, body, ptr::null())
    }

    pub fn verify_cancel(
        &self,
        signature: Option<&str>,
        body: &[u8],
        cancel: *const MkCancel,
    ) -> Outcome {
        let sig = signature.map(|s| CString::new(s).unwrap());
        let (mut json, mut ty, mut key, mut err) = (
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        // SAFETY: a live verifier, valid strings, `body` valid for its length, out pointers.
        let rc = unsafe {
            mk_webhook_verify(
                self.0,
                sig.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
                body.as_ptr().cast(),
                body.len(),
                cancel,
                &mut json,
                &mut ty,
                &mut key,
                &mut err,
            )
        };
        let o = Outcome {
            rc,
            event_json: take(json),
            event_type: take(ty),
            key: take(key),
            error: take(err).map(|e| serde_json::from_str(&e).unwrap()),
        };
        let delivered = matches!(rc, 0 | MK_WEBHOOK_DUPLICATE | MK_WEBHOOK_IN_FLIGHT);
        assert_eq!(o.event_json.is_some(), delivered, "{o:?}");
        assert_eq!(o.error.is_some(), !delivered, "{o:?}");
        if let Some(e) = &o.error {
            assert_eq!(e["status"], rc, "{o:?}");
        }
        o
    }

    pub fn done(&self, key: &str, ok: bool) {
        let k = CString::new(key).unwrap();
        let mut err = ptr::null_mut();
        // SAFETY: a live verifier, a valid string, an out pointer.
        let rc = unsafe { mk_webhook_done(self.0, k.as_ptr(), i32::from(ok), &mut err) };
        assert_eq!(rc, 0, "{:?}", take(err));
    }
}

/// One delivery a [`Receiver`] got: its headers (lowercase names) and raw body.
#[derive(Debug, Clone)]
pub struct Received {
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
}

/// A webhook receiver on 127.0.0.1 answering every POST 200; deliveries arrive on a channel.
pub struct Receiver {
    pub url: String,
    rx: std::sync::mpsc::Receiver<Received>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hooks",
            listener.local_addr().unwrap().port()
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut tcp) = conn else { continue };
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break Some(i + 4);
                    }
                    match tcp.read(&mut chunk) {
                        Ok(0) | Err(_) => break None,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let Some(head_end) = head_end else { continue };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let headers: Vec<(String, String)> = head
                    .split("\r\n")
                    .skip(1)
                    .filter_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    })
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = buf[head_end..].to_vec();
                while body.len() < len {
                    match tcp.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = tcp.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
                if tx.send(Received { headers, body }).is_err() {
                    return;
                }
            }
        });
        Receiver { url, rx }
    }

    /// The next delivery within `timeout` (panics otherwise).
    pub fn next(&self, timeout: Duration) -> Received {
        self.rx
            .recv_timeout(timeout)
            .unwrap_or_else(|e| panic!("no delivery within {timeout:?}: {e}"))
    }
}
