//! Property tests: arbitrary link ids reach the endpoint as the one path segment the
//! docs promise, and arbitrary response bytes end in exactly the status the docs give
//! for them (never a panic, never MK_OK for a body that is not an identity).

mod common;

use common::*;
use moneykit::core::{validate_identity, Status};
use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

/// The link id as one path segment, written from docs/C-API.md ("A link id is a path
/// segment, never a path") without the library's encoder: RFC 3986 unreserved bytes
/// (`A-Z a-z 0-9 - . _ ~`) as they are, every other byte of the UTF-8 as `%XX` in
/// upper-case hex.
fn expected_segment(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
    out
}

/// The conformance corpus' bodies (tests/corpus/): (name, bytes, accepted). A body is
/// accepted when the corpus gives its expected dump (`<name>.expected.json`) and refused
/// when it gives the refusal (`<name>.error`); the labels come from the corpus, not from
/// the library's validator.
fn corpus() -> &'static [(String, Vec<u8>, bool)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, Vec<u8>, bool)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("tests/corpus exists") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if !name.ends_with(".json") || name.ends_with(".expected.json") {
                continue;
            }
            let stem = name.trim_end_matches(".json");
            let accepted = dir.join(format!("{stem}.expected.json")).exists();
            let refused = dir.join(format!("{stem}.error")).exists();
            assert!(accepted != refused, "{stem}: labelled both or neither");
            out.push((stem.to_string(), std::fs::read(&path).unwrap(), accepted));
        }
        out.sort();
        assert!(out.iter().any(|c| c.2) && out.iter().any(|c| !c.2));
        out
    })
}

/// What the fake server sends as the body of its answer.
#[derive(Debug, Clone)]
enum Body {
    /// Random bytes (at most 255: shorter than any identity, so never a valid one).
    Random(Vec<u8>),
    /// A corpus body: the index into `corpus()`.
    Corpus(usize),
    /// A strict prefix of an accepted corpus body, cut before its last non-blank byte,
    /// so never complete JSON.
    Prefix(usize, prop::sample::Index),
    /// A MoneyKit error body with this `error_code`.
    Error(&'static str),
}

impl Body {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Random(b) => b.clone(),
            Body::Corpus(i) => corpus()[*i].1.clone(),
            Body::Prefix(i, cut) => {
                let full = &accepted()[*i].1;
                let end = full.trim_ascii_end().len();
                full[..cut.index(end)].to_vec()
            }
            Body::Error(code) => {
                format!(r#"{{"error_code":"{code}","error_message":"m","documentation_url":null}}"#)
                    .into_bytes()
            }
        }
    }
    /// Whether these bytes are an identity the docs say must be accepted.
    fn is_identity(&self) -> bool {
        matches!(self, Body::Corpus(i) if corpus()[*i].2)
    }
    fn error_code(&self) -> Option<&'static str> {
        match self {
            Body::Error(code) => Some(code),
            _ => None,
        }
    }
}

fn accepted() -> Vec<&'static (String, Vec<u8>, bool)> {
    corpus().iter().filter(|c| c.2).collect()
}

fn body_strategy() -> impl Strategy<Value = Body> {
    let n = corpus().len();
    let n_ok = accepted().len();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256).prop_map(Body::Random),
        (0..n).prop_map(Body::Corpus),
        (0..n_ok, any::<prop::sample::Index>()).prop_map(|(i, cut)| Body::Prefix(i, cut)),
        prop::sample::select(vec![
            "link_error.not_found",
            "link_error.bad_state",
            "link_error.deleted",
            "link_error.forbidden_action",
            "api_error.auth.expired_access_token",
            "api_error.request.validation_failed",
        ])
        .prop_map(Body::Error),
    ]
}

/// How the fake server frames the body.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    /// The body bytes alone: no status line, not HTTP at all.
    Raw,
    /// `HTTP/1.1 <status>` with a `Content-Length` that matches the body.
    Http,
    /// `Content-Length` 7 more than the bytes sent, then the server closes.
    Truncated,
}

/// The status docs/C-API.md gives for this answer ("Status codes", "Behaviour every
/// binding inherits"), with `max_retries` 0 and a caller-supplied access token.
fn expected_status(status: u16, body: &Body, framing: Framing) -> Status {
    if framing == Framing::Raw {
        // No HTTP response at all: a transport error.
        return Status::MkErrTransport;
    }
    // 1xx other than 101 are interim answers (RFC 9110 15.2): the client waits for the
    // final one, and what follows is the body bytes, which are not HTTP.
    if (100..200).contains(&status) && status != 101 {
        return Status::MkErrTransport;
    }
    // 204 and 304 never have a body (RFC 9112 6.3), whatever Content-Length says.
    let body_read = status != 204 && status != 304;
    let complete = framing == Framing::Http || !body_read;
    match status {
        200..=299 if !complete => Status::MkErrTransport, // truncated body
        200..=299 if body_read && body.is_identity() => Status::MkOk,
        200..=299 => Status::MkErrDecode,
        401 => Status::MkErrUnauthorized, // a caller's token is never refreshed
        403 => Status::MkErrForbidden,
        404 if complete && body.error_code() == Some("link_error.not_found") => {
            Status::MkErrNotFound
        }
        410 => Status::MkErrLinkDeleted,
        422 if complete && body.error_code() == Some("link_error.bad_state") => {
            Status::MkErrLinkBadState
        }
        429 => Status::MkErrRateLimited,
        500..=599 => Status::MkErrServer,
        // 101, 3xx without Location, other 4xx, a 404/422 without its link error.
        _ => Status::MkErrHttp,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any link id reaches the identity endpoint as exactly one path segment, encoded
    /// as the docs say; `.` and `..` are refused before any request.
    #[test]
    fn arbitrary_link_ids_are_one_segment(
        id in prop_oneof![
            "[ -~]{1,12}",
            "[^\u{0}]{1,40}",
            prop::sample::select(vec![".", "..", "...", "~", "%", "+", "a.b-c_d~e"])
                .prop_map(str::to_string),
        ],
    ) {
        let sb = sandbox();
        let c = client(&sb, r#""access_token": "sandbox-access-token", "max_retries": 0"#);
        let out = c.identity(&id, &[]);
        let reqs = sb.requests();
        if id == "." || id == ".." {
            prop_assert_eq!(out.status, Status::MkErrInvalidArgument.code(), "{:?}", out.error_text);
            prop_assert_eq!(out.err("attempts"), 0);
            prop_assert_eq!(reqs.len(), 0);
            return Ok(());
        }
        prop_assert_eq!(out.status, Status::MkErrNotFound.code(), "{:?}", out.error_text);
        prop_assert_eq!(out.err("error_code"), "link_error.not_found");
        prop_assert_eq!(reqs.len(), 1);
        prop_assert_eq!(&reqs[0].target, &format!("/links/{}/identity", expected_segment(&id)));
    }

    /// The schema check is total: any bytes give Ok or Err, never a panic.
    #[test]
    fn validation_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = validate_identity(&bytes);
    }

    /// Whatever a server answers, the call ends in the status the docs give for that
    /// answer: MK_OK only for an identity (returned byte for byte), MK_ERR_DECODE for a
    /// 2xx body that is not one, the HTTP mapping for other statuses, MK_ERR_TRANSPORT
    /// for bytes that are not HTTP or a body cut short.
    #[test]
    fn arbitrary_responses_give_documented_statuses(
        status in prop_oneof![
            4 => Just(200u16),
            1 => prop::sample::select(vec![101u16, 204, 302, 304, 401, 403, 404, 410, 422, 429, 500, 503]),
            2 => 100u16..600,
        ],
        body in body_strategy(),
        framing in prop_oneof![
            1 => Just(Framing::Raw),
            3 => Just(Framing::Http),
            1 => Just(Framing::Truncated),
        ],
    ) {
        let bytes = body.bytes();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut response = match framing {
            Framing::Raw => Vec::new(),
            Framing::Http | Framing::Truncated => {
                let extra = if framing == Framing::Truncated { 7 } else { 0 };
                format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    bytes.len() + extra
                )
                .into_bytes()
            }
        };
        response.extend_from_slice(&bytes);
        let server = std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                // Read the whole request head (a GET has no body) before answering.
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s.write_all(&response);
                let _ = s.shutdown(std::net::Shutdown::Write);
                // Wait for the client to close, so the close is never a reset.
                let _ = s.read(&mut buf);
            }
        });
        let c = try_client(
            None,
            None,
            &format!(r#"{{"base_url": "http://127.0.0.1:{port}", "access_token": "t", "max_retries": 0, "timeout_ms": 10000}}"#),
        )
        .unwrap();
        let out = c.identity("mk_x", &[]);
        drop(c);
        server.join().unwrap();
        let want = expected_status(status, &body, framing);
        prop_assert_eq!(
            out.status,
            want.code(),
            "HTTP {} {:?} {:?}: want {}, got {:?}",
            status, framing, body, want.name(), out.error_text
        );
        if want == Status::MkOk {
            prop_assert_eq!(out.json.as_deref().map(str::as_bytes), Some(&bytes[..]));
            return Ok(());
        }
        prop_assert_eq!(out.err("attempts"), 1);
        let final_answer = framing != Framing::Raw && !((100..200).contains(&status) && status != 101);
        if final_answer {
            prop_assert_eq!(out.err("http_status"), status, "{:?}", out.error_text);
        } else {
            prop_assert!(out.err("http_status").is_null(), "{:?}", out.error_text);
        }
        if let (Some(code), false, Framing::Http) = (body.error_code(), (200..300).contains(&status), framing) {
            if status >= 300 && status != 304 {
                prop_assert_eq!(out.err("error_code"), code, "{:?}", out.error_text);
            }
        }
    }
}
