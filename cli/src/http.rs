//! The webhook listener's HTTP/1.1 request parser (`moneykit webhooks listen`,
//! `moneykit refresh --wait-webhook`): small and strict, for one request per connection.
//!
//! [`parse`] looks at the bytes received so far and says whether a whole request is there
//! ([`Parse::Done`]), more bytes are needed ([`Parse::More`]), or the request is refused
//! ([`HttpError`], with the status to answer). What it accepts (RFC 9112, strictly):
//! - a request line `METHOD SP TARGET SP HTTP/1.1` (or `HTTP/1.0`) ending in CRLF; the method
//!   a token of at most 16 bytes; the target origin-form (starts with `/`), visible ASCII,
//!   at most 2048 bytes; no leading empty lines;
//! - header lines `name: value` ending in CRLF (a bare LF anywhere in the head is refused);
//!   the name a token, the value visible ASCII, space and tab (surrounding spaces and tabs
//!   trimmed); no obsolete line folding; at most [`MAX_HEADERS`] headers;
//! - a head (request line to the empty line included) of at most `max_head` bytes;
//! - a body only with one `Content-Length` of digits alone (at most 19), at most `max_body`
//!   bytes (else 413, found before any byte of the body is read); `Transfer-Encoding` is
//!   refused (501); the body is exactly `Content-Length` bytes and nothing may follow it
//!   (one request per connection).
//!
//! Invariants (the `cli_http` fuzz target checks them against the sandbox's parser):
//! never panics; a `Done` request is read the same way by the sandbox's more lenient parser
//! (method, target, version, headers, body); a refusal of some bytes is a refusal of every
//! longer input that starts with them, and `Done` for some bytes becomes a refusal (bytes
//! after the body) for every longer input; error messages are fixed texts, never input.

/// Most header lines in a request.
pub const MAX_HEADERS: usize = 64;
/// Longest method.
const MAX_METHOD: usize = 16;
/// Longest request target.
const MAX_TARGET: usize = 2048;

/// Size limits of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers, with the CRLFs and the empty line.
    pub max_head: usize,
    pub max_body: usize,
}

/// A whole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// 0 or 1 (HTTP/1.0 or HTTP/1.1).
    pub minor: u8,
    /// Names as sent (compare them case-insensitively), values trimmed.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// Every value of a header (case-insensitive name), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of a header sent exactly once; `None` when absent or repeated.
    pub fn one<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let mut values = self.all(name);
        let first = values.next()?;
        values.next().is_none().then_some(first)
    }
}

/// Where parsing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parse {
    /// The bytes so far are the start of an acceptable request. `head_done` tells whether
    /// the head is complete (so a client waiting for `100 Continue` may be answered).
    More {
        head_done: bool,
    },
    Done(Request),
}

/// A refused request: the status to answer and a fixed reason (never input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpError {
    pub status: u16,
    pub message: &'static str,
}

const fn bad(message: &'static str) -> HttpError {
    HttpError {
        status: 400,
        message,
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// The head's end: the index just past its `\r\n\r\n`, if there is one.
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// Parses the bytes received so far (see the module documentation).
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Parse, HttpError> {
    let Some(end) = head_end(bytes) else {
        // A bare LF or another forbidden byte is refused as soon as it is seen; otherwise a
        // head that cannot fit is refused once it cannot.
        check_partial_head(bytes)?;
        if bytes.len() >= limits.max_head {
            return Err(HttpError {
                status: 431,
                message: "request head too large",
            });
        }
        return Ok(Parse::More { head_done: false });
    };
    if end > limits.max_head {
        return Err(HttpError {
            status: 431,
            message: "request head too large",
        });
    }
    let mut request = parse_head(&bytes[..end - 2])?;
    let length = content_length(&request, limits)?;
    let body = &bytes[end..];
    if body.len() < length {
        return Ok(Parse::More { head_done: true });
    }
    if body.len() > length {
        return Err(bad("bytes after the request body"));
    }
    request.body = body.to_vec();
    Ok(Parse::Done(request))
}

/// The bytes of an unfinished head: no NUL, no bare CR or LF (a CR must be followed by an
/// LF, unless it is the last byte so far).
fn check_partial_head(bytes: &[u8]) -> Result<(), HttpError> {
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' if i == 0 || bytes[i - 1] != b'\r' => return Err(bad("bare LF in the head")),
            b'\r' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => {
                return Err(bad("bare CR in the head"))
            }
            0 => return Err(bad("NUL in the head")),
            _ => {}
        }
    }
    Ok(())
}

/// The head, each line ending in CRLF (`text` ends with the last header's CRLF).
fn parse_head(text: &[u8]) -> Result<Request, HttpError> {
    check_partial_head(text)?;
    let mut lines = text
        .strip_suffix(b"\r\n")
        .ok_or(bad("malformed head"))?
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let line = lines.next().ok_or(bad("no request line"))?;
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if !is_token(method) || method.len() > MAX_METHOD {
        return Err(bad("malformed method"));
    }
    if target.len() > MAX_TARGET {
        return Err(HttpError {
            status: 414,
            message: "request target too long",
        });
    }
    if target.first() != Some(&b'/') || !target.iter().all(|b| b.is_ascii_graphic()) {
        return Err(bad("malformed request target"));
    }
    let minor = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        _ if version.starts_with(b"HTTP/") => {
            return Err(HttpError {
                status: 505,
                message: "HTTP version not supported",
            })
        }
        _ => return Err(bad("malformed HTTP version")),
    };
    let mut headers = Vec::new();
    for line in lines {
        if headers.len() == MAX_HEADERS {
            return Err(HttpError {
                status: 431,
                message: "too many header lines",
            });
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(bad("a header line without a colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if !is_token(name) {
            return Err(bad("malformed header name"));
        }
        if !value
            .iter()
            .all(|&b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
        {
            return Err(bad("malformed header value"));
        }
        let value = value.trim_ascii();
        // Both are ASCII, checked above.
        headers.push((ascii(name), ascii(value)));
    }
    Ok(Request {
        method: ascii(method),
        target: ascii(target),
        minor,
        headers,
        body: Vec::new(),
    })
}

fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The body's length the head announces.
fn content_length(request: &Request, limits: Limits) -> Result<usize, HttpError> {
    if request.all("transfer-encoding").next().is_some() {
        return Err(HttpError {
            status: 501,
            message: "Transfer-Encoding is not supported (send Content-Length)",
        });
    }
    let mut lengths = request.all("content-length");
    let Some(text) = lengths.next() else {
        return Ok(0);
    };
    if lengths.next().is_some() {
        return Err(bad("more than one Content-Length"));
    }
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("malformed Content-Length"));
    }
    let n: u64 = text.parse().map_err(|_| bad("malformed Content-Length"))?;
    if n > limits.max_body as u64 {
        return Err(HttpError {
            status: 413,
            message: "request body too large",
        });
    }
    Ok(n as usize)
}

/// The reason phrase of a status this listener answers with.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// A whole response: `Connection: close`, a JSON body.
pub fn response(status: u16, json: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        reason_phrase(status),
        json.len() + 1
    );
    if status == 405 {
        out.push_str("Allow: POST\r\n");
    }
    out.push_str("\r\n");
    out.push_str(json);
    out.push('\n');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits {
        max_head: 1024,
        max_body: 64,
    };

    fn done(bytes: &[u8]) -> Request {
        match parse(bytes, L) {
            Ok(Parse::Done(r)) => r,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    fn status(bytes: &[u8]) -> u16 {
        match parse(bytes, L) {
            Err(e) => e.status,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn a_webhook_delivery() {
        let req = b"POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nMoneyKit-Signature:  a.b.c \r\n\
                    Content-Length: 2\r\n\r\n{}";
        let r = done(req);
        assert_eq!(
            (r.method.as_str(), r.target.as_str(), r.minor),
            ("POST", "/hook?x=1", 1)
        );
        assert_eq!(r.one("moneykit-signature"), Some("a.b.c"));
        assert_eq!(r.body, b"{}");
        // Every shorter prefix asks for more.
        for n in 0..req.len() {
            assert!(
                matches!(parse(&req[..n], L), Ok(Parse::More { .. })),
                "{n}: {:?}",
                parse(&req[..n], L)
            );
        }
        assert_eq!(
            parse(&req[..req.len() - 2], L),
            Ok(Parse::More { head_done: true })
        );
        let r = done(b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!((r.minor, r.body.len(), r.headers.len()), (0, 0, 0));
    }

    #[test]
    fn refusals() {
        for (req, want) in [
            (&b"POST / HTTP/1.1\nHost: x\r\n\r\n"[..], 400),
            (b"POST / HTTP/1.1\r\nHost: x\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nHost: x\rx\r\n\r\n", 400),
            (b"\r\nPOST / HTTP/1.1\r\n\r\n", 400),
            (b"POST  / HTTP/1.1\r\n\r\n", 400),
            (b"POST / HTTP/2.0\r\n\r\n", 505),
            (b"POST http://x/ HTTP/1.1\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\n folded\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nA b: c\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nA: \x01\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nA: \xc3\xa9\r\n\r\n", 400),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
                400,
            ),
            (b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx", 400),
            (b"POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx", 400),
            (b"POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                400,
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                501,
            ),
            (b"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nxy", 400),
            (b"POST / HTTP/1.1\r\nA: \0\r\n\r\n", 400),
        ] {
            assert_eq!(status(req), want, "{:?}", String::from_utf8_lossy(req));
        }
        let big = format!("POST /{} HTTP/1.1\r\n", "a".repeat(1100));
        assert_eq!(status(big.as_bytes()), 431);
        let long = format!("POST /{} HTTP/1.1\r\n\r\n", "a".repeat(2100));
        let limits = Limits {
            max_head: 8192,
            max_body: 0,
        };
        assert_eq!(parse(long.as_bytes(), limits).unwrap_err().status, 414);
        let many: String = (0..65).map(|i| format!("h{i}: v\r\n")).collect();
        let req = format!("POST / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(req.as_bytes(), limits).unwrap_err().status, 431);
    }

    #[test]
    fn responses() {
        let r = String::from_utf8(response(405, "{}")).unwrap();
        assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{r}");
        assert!(
            r.contains("Allow: POST\r\n") && r.ends_with("\r\n\r\n{}\n"),
            "{r}"
        );
        assert!(r.contains("Content-Length: 3\r\n"), "{r}");
    }
}
