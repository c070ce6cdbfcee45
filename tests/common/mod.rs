//! Shared helpers: a sandbox per test and thin safe wrappers over the C ABI,
//! so these tests exercise exactly what C callers get.

#![allow(dead_code)]

pub mod redis;

use moneykit::core::Status;
use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

pub const ID: &str = "sandbox-client";
pub const SECRET: &str = "sandbox-secret";

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config::default()).expect("sandbox starts")
}

/// Takes ownership of a library string.
pub fn take(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    unsafe { mk_string_free(p) };
    Some(s)
}

pub struct Client(*mut MkClient);

// The C ABI documents clients as safe to share across threads.
unsafe impl Send for Client {}
unsafe impl Sync for Client {}

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { mk_client_free(self.0) };
    }
}

/// Creates a client through `mk_client_new`; Err is (status, error JSON).
pub fn try_client(
    id: Option<&str>,
    secret: Option<&str>,
    options: &str,
) -> Result<Client, (i32, Value)> {
    let id = id.map(|s| CString::new(s).unwrap());
    let secret = secret.map(|s| CString::new(s).unwrap());
    let opts = CString::new(options).unwrap();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let rc = unsafe {
        mk_client_new(
            id.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            secret.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            opts.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    let err = take(err);
    if rc == 0 {
        assert!(err.is_none());
        assert!(!out.is_null());
        Ok(Client(out))
    } else {
        assert!(out.is_null());
        Err((
            rc,
            serde_json::from_str(&err.expect("error JSON on failure")).unwrap(),
        ))
    }
}

/// A client for `sandbox` with the given extra options (a JSON object's inner text).
pub fn client(sandbox: &Sandbox, extra: &str) -> Client {
    let sep = if extra.is_empty() { "" } else { ", " };
    let opts = format!(
        r#"{{"base_url": "{}", "retry_base_ms": 10{sep}{extra}}}"#,
        sandbox.base_url()
    );
    try_client(Some(ID), Some(SECRET), &opts).unwrap_or_else(|e| panic!("client: {e:?}"))
}

pub struct Outcome {
    pub status: i32,
    pub json: Option<String>,
    pub error: Option<Value>,
    pub error_text: Option<String>,
}

impl Outcome {
    pub fn body(&self) -> Value {
        serde_json::from_str(self.json.as_deref().expect("a body")).unwrap()
    }
    pub fn err(&self, key: &str) -> &Value {
        &self.error.as_ref().expect("an error")[key]
    }
    /// Fails the calling test unless the call ended with `want`; shows the error JSON if not.
    #[track_caller]
    pub fn assert_status(&self, want: Status) {
        assert_eq!(
            self.status,
            want.code(),
            "want {}: {:?}",
            want.name(),
            self.error_text
        );
    }
}

impl Client {
    /// The `mk_client` pointer, for calls these helpers do not wrap.
    pub fn raw(&self) -> *mut MkClient {
        self.0
    }

    pub fn identity(&self, link_id: &str, account_ids: &[&str]) -> Outcome {
        let link = CString::new(link_id).unwrap();
        let ids: Vec<CString> = account_ids
            .iter()
            .map(|s| CString::new(*s).unwrap())
            .collect();
        let ptrs: Vec<*const c_char> = ids.iter().map(|s| s.as_ptr()).collect();
        self.identity_raw(link.as_ptr(), &ptrs)
    }

    pub fn identity_raw(&self, link: *const c_char, ids: &[*const c_char]) -> Outcome {
        let mut json = ptr::null_mut();
        let mut err = ptr::null_mut();
        let rc = unsafe {
            mk_get_identity(
                self.0,
                link,
                if ids.is_empty() {
                    ptr::null()
                } else {
                    ids.as_ptr()
                },
                ids.len(),
                &mut json,
                &mut err,
            )
        };
        let json = take(json);
        let error_text = take(err);
        if rc == 0 {
            assert!(json.is_some() && error_text.is_none());
        } else {
            assert!(json.is_none() && error_text.is_some());
        }
        let error: Option<Value> = error_text
            .as_deref()
            .map(|t| serde_json::from_str(t).unwrap());
        if let Some(e) = &error {
            assert_eq!(e["status"], rc);
            for key in moneykit::core::ERROR_JSON_KEYS {
                assert!(e.get(key).is_some(), "error JSON lacks {key}: {e}");
            }
        }
        Outcome {
            status: rc,
            json,
            error,
            error_text,
        }
    }
}

/// Runs `f` on its own thread and returns its result and how long it took; panics if it
/// has not returned within `limit` (the thread is left running, so a hang fails the test
/// at `limit` instead of blocking it).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, std::time::Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => (v, started.elapsed()),
        Err(_) => panic!("{what} did not return within {limit:?}"),
    }
}

/// An HTTP response read off the wire by `raw_get`.
pub struct RawResponse {
    pub status: u16,
    /// Header names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET target` on the sandbox over a plain TcpStream with a hand-written HTTP/1.1
/// request (`Connection: close`), without the library: the server's own bytes.
pub fn raw_get(sandbox: &Sandbox, target: &str, headers: &[(&str, &str)]) -> RawResponse {
    use std::io::{Read, Write};
    let addr = sandbox.addr();
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the sandbox");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the whole response");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = std::str::from_utf8(&raw[..end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').expect("header line");
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let (mut out, mut rest) = (Vec::new(), &body[..]);
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size_text = std::str::from_utf8(&rest[..nl]).unwrap();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .expect("chunk size");
            rest = &rest[nl + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body = out;
    } else if let Some(len) = header("content-length") {
        assert_eq!(body.len(), len.parse::<usize>().unwrap(), "Content-Length");
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

/// A cancel handle owned by the test.
pub struct Cancel(pub *mut MkCancel);
// SAFETY: the C API documents cancel handles as usable from any thread.
unsafe impl Send for Cancel {}
// SAFETY: as above; triggering is thread-safe.
unsafe impl Sync for Cancel {}

impl Cancel {
    pub fn new() -> Cancel {
        let mut c = ptr::null_mut();
        // SAFETY: valid out pointer; NULL out_error is allowed.
        assert_eq!(unsafe { mk_cancel_new(&mut c, ptr::null_mut()) }, 0);
        Cancel(c)
    }
    pub fn trigger(&self) {
        // SAFETY: a live handle.
        unsafe { mk_cancel_trigger(self.0) }
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        // SAFETY: freed once, after every call using it returned.
        unsafe { mk_cancel_free(self.0) }
    }
}

/// What `mk_get_identity_ex` returned (the body is freed unread).
pub struct Ex {
    pub status: i32,
    pub request_id: Option<String>,
    pub error: Option<Value>,
}

/// `mk_get_identity_ex` on `c`, with a per-call timeout and an optional cancel handle.
pub fn get_ex(c: &Client, link: &str, timeout_ms: u64, cancel: Option<&Cancel>) -> Ex {
    let link = CString::new(link).unwrap();
    let (mut json, mut rid, mut err) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: a live client and handle; valid strings and out pointers.
    let status = unsafe {
        mk_get_identity_ex(
            c.raw(),
            link.as_ptr(),
            ptr::null(),
            0,
            timeout_ms,
            cancel.map_or(ptr::null(), |c| c.0),
            &mut json,
            &mut rid,
            &mut err,
        )
    };
    let _ = take(json);
    Ex {
        status,
        request_id: take(rid),
        error: take(err).map(|e| serde_json::from_str(&e).unwrap()),
    }
}

/// What a child test process wrote to stderr, and the library's log lines in it.
pub struct ChildLog {
    pub stderr: String,
    pub lines: Vec<String>,
}

/// Runs the ignored test `child` of this test binary in a child process (with no
/// `MONEYKIT_LOG`) and returns its stderr: the library logs per process.
pub fn child_log(child: &str) -> ChildLog {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            child,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("MONEYKIT_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "child failed: {stderr}");
    let lines = stderr
        .lines()
        .filter(|l| l.starts_with("moneykit-native "))
        .map(str::to_string)
        .collect();
    ChildLog { stderr, lines }
}

/// One HTTP/1.1 request read off `stream` by a test's own server: the head's lines
/// (without CRLF) and the `content-length` body.
pub fn read_request(stream: &std::net::TcpStream) -> (Vec<String>, Vec<u8>) {
    use std::io::{BufRead, Read};
    let mut reader = std::io::BufReader::new(stream);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push(line.trim_end().to_string());
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    (head, body)
}

/// Writes a JSON response (`head`: the status line and any headers, without
/// `content-length` and `connection`) and closes the connection after it.
pub fn write_response(mut stream: &std::net::TcpStream, head: &str, body: &str) {
    use std::io::Write;
    let response = format!(
        "{head}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}
