//! `sandbox_http`: the sandbox's HTTP/1.1 request parser (`moneykit_sandbox::http`), with
//! the invariants its module documents (sandbox/src/http/parse.rs).
//!
//! Input: one byte of limits (bits 0-1: `max_head` 64, 512, 4096 or the server's 64 KiB;
//! bits 2-3: `max_body` 0, 16, 1024 or the server's 1 MiB), one byte that seeds how the
//! bytes are split across `read` calls, then the bytes of the connection.
//!
//! Invariants:
//! - `parse_request` never panics and is deterministic; on `Ok`: `consumed <= len`, the
//!   body is at most `max_body`, method / target / minor / headers are well formed, a
//!   `Content-Length` comes without `Transfer-Encoding` and is the body's length (the body
//!   being the input's last bytes of the request), neither header means an empty body,
//!   `Transfer-Encoding` is `chunked` alone, and the head is at most `max_head`;
//! - the result does not depend on how the input is split across `read` calls: a
//!   `RequestReader` fed in small pieces reads the same requests, one after another
//!   (pipelining), as `parse_request` on what each left over, with the same errors.

use moneykit_sandbox::http::{
    parse_request, Limits, ReadError, Request, RequestReader, MAX_BODY, MAX_HEAD, MAX_HEAD_CEILING,
};
use std::io::{self, Read};

/// Pipelined requests read per input at most.
const MAX_REQUESTS: usize = 4;

/// The `sandbox_http` target.
pub fn sandbox_http(data: &[u8]) {
    let [limits_byte, split_seed, ref bytes @ ..] = *data else {
        return;
    };
    let limits = Limits {
        max_head: [64, 512, 4096, MAX_HEAD][usize::from(limits_byte & 3)],
        max_body: [0, 16, 1024, MAX_BODY][usize::from((limits_byte >> 2) & 3)],
    };
    let mut reader = RequestReader::new(limits);
    let mut source = Pieces {
        data: bytes,
        at: 0,
        state: u32::from(split_seed) | 1,
    };
    let mut offset = 0;
    for _ in 0..MAX_REQUESTS {
        let rest = &bytes[offset..];
        let whole = parse_request(rest, limits);
        assert_eq!(
            whole,
            parse_request(rest, limits),
            "parse_request is not deterministic"
        );
        let piecewise = reader.read_request(&mut source);
        match (&whole, &piecewise) {
            (Ok(p), Ok(r)) => {
                assert_eq!(&p.request, r, "split reads give another request");
                // What the piecewise reader took: everything delivered, less what it holds.
                let taken = source.at - reader.buffered().len();
                assert_eq!(
                    taken,
                    offset + p.consumed,
                    "split reads consume another length"
                );
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "split reads give another error"),
            _ => panic!("parse_request {whole:?} but split reads {piecewise:?}"),
        }
        let Ok(p) = whole else {
            if let Err(e) = whole {
                error(e);
            }
            return;
        };
        assert!(
            p.consumed <= rest.len(),
            "consumed {} of {}",
            p.consumed,
            rest.len()
        );
        assert!(p.consumed > 0, "a request of 0 bytes");
        request(&p.request, &rest[..p.consumed], limits);
        offset += p.consumed;
    }
}

/// A source that hands out the input in pieces of 1 to 64 bytes, sized by a xorshift
/// generator seeded from the input: the same input always splits the same way.
struct Pieces<'a> {
    data: &'a [u8],
    at: usize,
    state: u32,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        let want = 1 + (self.state % 64) as usize;
        let n = want.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn error(e: ReadError) {
    // Every error but the end of input has a status to answer with; none is a timeout
    // (a byte source never times out).
    assert_eq!(e.status().is_none(), e == ReadError::Closed, "{e:?}");
    assert_ne!(e, ReadError::Timeout, "a timeout from a byte source");
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The documented shape of an `Ok` request; `raw` is the input it was read from.
fn request(r: &Request, raw: &[u8], limits: Limits) {
    assert!(
        r.body.len() <= limits.max_body,
        "body {} > max_body",
        r.body.len()
    );
    assert!(is_token(&r.method), "method {:?}", r.method);
    let t = &r.target;
    assert!(
        !t.is_empty()
            && t.is_ascii()
            && !t.bytes().any(|b| b == b' ' || b.is_ascii_control())
            && (t.starts_with('/')
                || t.starts_with("http://")
                || t.starts_with("https://")
                || t == "*"),
        "target {t:?}"
    );
    assert!(r.minor <= 1, "minor {}", r.minor);
    for (name, value) in &r.headers {
        assert!(is_token(name), "header name {name:?}");
        assert!(
            !value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)),
            "header {name}: value {value:?} holds CR, LF or NUL"
        );
        assert_eq!(
            value.trim_matches(|c: char| c.is_ascii_whitespace()),
            value,
            "header {name}: value with surrounding whitespace"
        );
    }
    let all = |name: &str| {
        r.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let lengths = all("content-length");
    let codings = all("transfer-encoding");
    let leading = raw
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(raw.len());
    if !lengths.is_empty() {
        assert!(codings.is_empty(), "Content-Length with Transfer-Encoding");
        for l in &lengths {
            for part in l.split(',') {
                let n: usize = part
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("Content-Length {l:?} accepted"));
                assert_eq!(
                    n,
                    r.body.len(),
                    "Content-Length {l:?}, body {}",
                    r.body.len()
                );
            }
        }
        assert!(
            raw.ends_with(&r.body),
            "the body is not the request's last bytes"
        );
    } else if codings.is_empty() {
        assert!(
            r.body.is_empty(),
            "a body without Content-Length or Transfer-Encoding"
        );
    } else {
        let list: Vec<&str> = codings
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert!(
            list.len() == 1 && list[0].eq_ignore_ascii_case("chunked"),
            "Transfer-Encoding {codings:?} accepted"
        );
    }
    if codings.is_empty() {
        // Head: the request line to the empty line, leading empty lines not counted.
        let head = raw.len() - leading - r.body.len();
        let max = limits.max_head.min(MAX_HEAD_CEILING);
        assert!(head <= max, "a {head}-byte head accepted (max_head {max})");
    }
}
