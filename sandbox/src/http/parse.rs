//! The HTTP/1.1 request parser: the one the server uses on every connection, also callable
//! without a socket ([`parse_request`] on bytes, [`RequestReader`] on any `std::io::Read`),
//! e.g. by a fuzzer.
//!
//! Invariants (for every input and every [`Limits`]; a fuzzer can check them):
//! - no input makes it panic, and it reads at most `limits.max_body` bytes of body into
//!   memory (plus a read buffer of about `max_head` + 8 KiB);
//! - in an `Ok` request, `body.len() <= limits.max_body`;
//! - `method` is non-empty and made of RFC 9110 token characters (ASCII, no space or
//!   control); `target` is non-empty, ASCII, without space or control characters, and starts
//!   with `/`, `http://`, `https://`, or is `*`; `minor` is 0 or 1;
//! - header names are non-empty token characters; header values hold no CR, LF or NUL and
//!   have no leading or trailing ASCII whitespace;
//! - with a `Content-Length` header, there is no `Transfer-Encoding` header and
//!   `body.len()` equals its value; with neither header, the body is empty; with
//!   `Transfer-Encoding`, its only coding is `chunked` and the body is the chunks' data;
//! - the head (request line to the empty line, leading empty lines not counted) is at most
//!   `limits.max_head` bytes, else [`ReadError::HeadTooLarge`];
//! - the result does not depend on how the input is split across `read` calls.

use std::io::{self, Read};

/// Largest accepted request head (request line + headers) by default.
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body by default.
pub const MAX_BODY: usize = 1024 * 1024;
/// Largest accepted chunk-size line (size and extensions) or trailer field line.
pub const MAX_LINE: usize = 4096;
/// `Limits::max_head` above this is taken as this (the read buffer is sized from it).
pub const MAX_HEAD_CEILING: usize = 1024 * 1024;

/// Size limits of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request head, in bytes (at most [`MAX_HEAD_CEILING`] is used); the trailer
    /// section of a chunked body has the same limit.
    pub max_head: usize,
    /// Largest request body, in bytes (Content-Length or the sum of the chunks).
    pub max_body: usize,
}

impl Default for Limits {
    /// What the server uses: [`MAX_HEAD`] and [`MAX_BODY`].
    fn default() -> Self {
        Limits {
            max_head: MAX_HEAD,
            max_body: MAX_BODY,
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// HTTP minor version (0 or 1).
    pub minor: u8,
    /// Header fields in order, names as sent (compare them case-insensitively).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection should stay open after this request.
    pub fn keep_alive(&self) -> bool {
        let mut close = false;
        let mut keep = false;
        for t in self.list("connection") {
            close |= t.eq_ignore_ascii_case("close");
            keep |= t.eq_ignore_ascii_case("keep-alive");
        }
        if close {
            false
        } else {
            self.minor >= 1 || keep
        }
    }

    /// The comma-separated elements of every `name` header, trimmed, in order.
    fn list<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
    }

    /// The path part of the target (absolute-form targets are reduced to their path).
    pub fn path(&self) -> &str {
        let t = self.target.as_str();
        let t = match t.find("://") {
            Some(i) if !t.starts_with('/') => {
                let rest = &t[i + 3..];
                match rest.find(['/', '?']) {
                    Some(j) if rest.as_bytes()[j] == b'/' => &rest[j..],
                    _ => "/",
                }
            }
            _ => t,
        };
        let end = t.find(['?', '#']).unwrap_or(t.len());
        &t[..end]
    }

    /// The query string (without `?`), empty when absent.
    pub fn query(&self) -> &str {
        let t = self.target.as_str();
        match t.find('?') {
            Some(i) => {
                let q = &t[i + 1..];
                &q[..q.find('#').unwrap_or(q.len())]
            }
            None => "",
        }
    }
}

/// Why reading a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// The input ended (or an I/O error) before a request was complete, other than in the
    /// head: nothing to answer, just close. Also: a clean end of input between requests.
    Closed,
    /// Unparseable request (including an input ending inside a head): 400 and close.
    Bad(&'static str),
    /// Head (or trailer section) larger than `max_head`: 431.
    HeadTooLarge,
    /// Body larger than `max_body`: 413. Found before the body is read (Content-Length) or at
    /// the first chunk-size line past it, so at most `max_body` bytes are ever held.
    BodyTooLarge,
    /// A transfer coding other than `chunked` alone: 501.
    Unsupported,
    /// The [`Source`] timed out while the head was begun and incomplete (the server's head
    /// deadline): 408 and close. A timeout before any byte of a request is `Closed`.
    Timeout,
}

impl ReadError {
    /// The status the server answers with, `None` for [`ReadError::Closed`].
    pub fn status(&self) -> Option<u16> {
        match self {
            ReadError::Closed => None,
            ReadError::Bad(_) => Some(400),
            ReadError::HeadTooLarge => Some(431),
            ReadError::BodyTooLarge => Some(413),
            ReadError::Unsupported => Some(501),
            ReadError::Timeout => Some(408),
        }
    }
}

/// What the parser is waiting for when it asks its [`Source`] for more bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The request head is not complete yet (the server applies its head deadline).
    Head,
    /// The body (or the chunked framing around it).
    Body,
}

/// Where the parser's bytes come from. Every `std::io::Read` is a `Source` (a `&[u8]` too);
/// the server's own adds its read deadlines and `100 Continue`.
pub trait Source {
    /// Like `Read::read`; `phase` tells what the bytes are for. An error of kind `TimedOut`
    /// or `WouldBlock` in [`Phase::Head`] becomes [`ReadError::Timeout`].
    fn read_for(&mut self, buf: &mut [u8], phase: Phase) -> io::Result<usize>;
    /// Called once when a request with `Expect: 100-continue` waits for its body.
    fn send_continue(&mut self) {}
}

impl<R: Read + ?Sized> Source for R {
    fn read_for(&mut self, buf: &mut [u8], _phase: Phase) -> io::Result<usize> {
        self.read(buf)
    }
}

/// A request parsed from bytes by [`parse_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub request: Request,
    /// How many bytes of the input the request took (≤ the input's length); the rest is the
    /// next pipelined request.
    pub consumed: usize,
}

/// Parses the first request in `bytes`, exactly as the server parses one from a
/// connection (the same code, over a `&[u8]`). Never panics; see the module documentation
/// for the invariants of the result. The end of `bytes` is the end of the input:
/// `Err(Closed)` for empty input or a truncated body, `Err(Bad("incomplete request"))` for
/// a truncated head.
pub fn parse_request(bytes: &[u8], limits: Limits) -> Result<ParsedRequest, ReadError> {
    let mut reader = RequestReader::new(limits);
    let mut rest = bytes;
    let request = reader.read_request(&mut rest)?;
    let consumed = bytes.len() - rest.len() - reader.buffered().len();
    Ok(ParsedRequest { request, consumed })
}

/// Reads requests one after another from a [`Source`], keeping what it read past one
/// request (pipelining) for the next.
pub struct RequestReader {
    pub(super) buf: Box<[u8]>,
    pub(super) start: usize,
    pub(super) end: usize,
    limits: Limits,
}

impl RequestReader {
    pub fn new(limits: Limits) -> Self {
        let limits = Limits {
            max_head: limits.max_head.min(MAX_HEAD_CEILING),
            ..limits
        };
        RequestReader {
            // Room for a whole head, or a whole chunk-size or trailer line with its CRLF.
            buf: vec![0u8; limits.max_head.max(MAX_LINE) + 4096].into_boxed_slice(),
            start: 0,
            end: 0,
            limits,
        }
    }

    /// The limits in force (`max_head` capped at [`MAX_HEAD_CEILING`]).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Bytes read from the source but not yet part of a request.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Reads more bytes into the buffer; `Ok(0)` at the end of input.
    pub(super) fn fill<S: Source + ?Sized>(
        &mut self,
        src: &mut S,
        phase: Phase,
    ) -> io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let room = self.buf.len() - self.end;
        if room == 0 {
            return Err(io::Error::other("buffer full"));
        }
        loop {
            match src.read_for(&mut self.buf[self.end..], phase) {
                Ok(n) => {
                    // A misbehaving reader claiming more than it was given is not believed.
                    let n = n.min(room);
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Appends exactly `n` bytes of body to `out`.
    pub(super) fn read_exact_into<S: Source + ?Sized>(
        &mut self,
        src: &mut S,
        mut n: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), ReadError> {
        while n > 0 {
            if self.start == self.end {
                match self.fill(src, Phase::Body) {
                    Ok(0) | Err(_) => return Err(ReadError::Closed),
                    Ok(_) => {}
                }
            }
            let take = n.min(self.end - self.start);
            out.extend_from_slice(&self.buf[self.start..self.start + take]);
            self.start += take;
            n -= take;
        }
        Ok(())
    }

    /// Reads the next request. `Err(Closed)` at a clean end of input between requests.
    pub fn read_request<S: Source + ?Sized>(&mut self, src: &mut S) -> Result<Request, ReadError> {
        let head_end = self.read_head(src)?;
        let mut req = parse_head(&self.buf[self.start..head_end])?;
        self.start = head_end;

        // Body framing.
        let content_length = content_length(&req)?;
        let expect_continue = req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        let chunked = match req.list("transfer-encoding").collect::<Vec<_>>()[..] {
            [] => false,
            _ if content_length.is_some() => {
                return Err(ReadError::Bad("both transfer-encoding and content-length"))
            }
            [one] if one.eq_ignore_ascii_case("chunked") => true,
            _ => return Err(ReadError::Unsupported),
        };
        let max_body = self.limits.max_body;
        if chunked {
            if expect_continue && self.start == self.end {
                src.send_continue();
            }
            req.body = self.read_chunked(src, max_body)?;
        } else if let Some(n) = content_length {
            let n = usize::try_from(n)
                .ok()
                .filter(|&n| n <= max_body)
                .ok_or(ReadError::BodyTooLarge)?;
            if n > 0 {
                if expect_continue && self.start == self.end {
                    src.send_continue();
                }
                let mut body = Vec::with_capacity(n);
                self.read_exact_into(src, n, &mut body)?;
                req.body = body;
            }
        }
        Ok(req)
    }

    /// Skips leading empty lines and reads until the buffer holds a whole head; returns the
    /// end of the head (just past its empty line), the head starting at `self.start`.
    fn read_head<S: Source + ?Sized>(&mut self, src: &mut S) -> Result<usize, ReadError> {
        let max_head = self.limits.max_head;
        let mut scan = self.start;
        loop {
            while self.start < self.end && matches!(self.buf[self.start], b'\r' | b'\n') {
                self.start += 1;
            }
            scan = scan.max(self.start);
            if let Some(e) = find_head_end(&self.buf[..self.end], scan) {
                if e - self.start > max_head {
                    return Err(ReadError::HeadTooLarge);
                }
                return Ok(e);
            }
            // No end yet: everything buffered belongs to this head.
            if self.end - self.start > max_head {
                return Err(ReadError::HeadTooLarge);
            }
            // An end may straddle the data read next: look again from two bytes back.
            scan = self.end.saturating_sub(2).max(self.start);
            let before = self.start;
            match self.fill(src, Phase::Head) {
                Ok(0) if self.start == self.end => return Err(ReadError::Closed),
                Ok(0) => return Err(ReadError::Bad("incomplete request")),
                // `fill` may have moved the data to the front of the buffer.
                Ok(_) => scan = scan - before + self.start,
                // Idle (not a byte of a request yet): closed without an answer, as load
                // balancers close idle keep-alive connections; an unsolicited 408 could be
                // read by a client's pool as the answer to its next request. A head begun
                // and not finished in time: 408.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Err(if self.start == self.end {
                        ReadError::Closed
                    } else {
                        ReadError::Timeout
                    })
                }
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }
}

/// The end (index just past it) of the first `\n\n` or `\n\r\n` whose `\n` is at or after
/// `from` in `buf`.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            match (buf.get(i + 1), buf.get(i + 2)) {
                (Some(b'\n'), _) => return Some(i + 2),
                (Some(b'\r'), Some(b'\n')) => return Some(i + 3),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The request's Content-Length: every value of every `Content-Length` header must be the
/// same decimal number. A number past `u64` is `u64::MAX` (too large for any body).
fn content_length(req: &Request) -> Result<Option<u64>, ReadError> {
    let mut found = None;
    for v in req.list("content-length") {
        if v.is_empty() || !v.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ReadError::Bad("invalid content-length"));
        }
        let n = v.bytes().fold(0u64, |n, c| {
            n.saturating_mul(10).saturating_add(u64::from(c - b'0'))
        });
        if found.is_some_and(|f| f != n) {
            return Err(ReadError::Bad("invalid content-length"));
        }
        found = Some(n);
    }
    Ok(found)
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Parses the request line and header fields.
pub(super) fn parse_head(head: &[u8]) -> Result<Request, ReadError> {
    let mut lines = head
        .split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let line = lines.next().ok_or(ReadError::Bad("empty request"))?;
    let mut parts = line.split(|&c| c == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad("malformed request line"));
    };
    if method.is_empty() || !method.iter().all(|&c| is_tchar(c)) {
        return Err(ReadError::Bad("malformed method"));
    }
    // Visible ASCII only (RFC 3986 has no other bytes; clients percent-encode the rest).
    if target.is_empty() || !target.iter().all(|&c| c.is_ascii_graphic()) {
        return Err(ReadError::Bad("malformed request target"));
    }
    if !(target[0] == b'/'
        || target.starts_with(b"http://")
        || target.starts_with(b"https://")
        || target == b"*")
    {
        return Err(ReadError::Bad("malformed request target"));
    }
    let minor = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        _ => return Err(ReadError::Bad("unsupported HTTP version")),
    };
    let mut headers = Vec::with_capacity(12);
    for l in lines {
        if l.is_empty() {
            continue; // the terminating empty line(s)
        }
        if l[0] == b' ' || l[0] == b'\t' {
            return Err(ReadError::Bad("obsolete line folding"));
        }
        let colon = l
            .iter()
            .position(|&c| c == b':')
            .ok_or(ReadError::Bad("header without colon"))?;
        let name = &l[..colon];
        if name.is_empty() || !name.iter().all(|&c| is_tchar(c)) {
            return Err(ReadError::Bad("malformed header name"));
        }
        let value = l[colon + 1..].trim_ascii();
        if value.iter().any(|&c| c == 0 || c == b'\r' || c == b'\n') {
            return Err(ReadError::Bad("malformed header value"));
        }
        headers.push((
            // Names are tchars: ASCII.
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        ));
    }
    Ok(Request {
        // Both checked ASCII above.
        method: String::from_utf8_lossy(method).into_owned(),
        target: String::from_utf8_lossy(target).into_owned(),
        minor,
        headers,
        body: Vec::new(),
    })
}
