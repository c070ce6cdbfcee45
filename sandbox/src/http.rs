//! Hand-written HTTP/1.1: request parsing and response writing over any `Read + Write`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Largest accepted request head (request line + headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// A byte stream the server talks HTTP over: a plain `TcpStream` or a TLS stream over one.
pub trait Transport: Read + Write {
    fn tcp(&self) -> &TcpStream;
    /// Sends a TLS close_notify (no-op for plain TCP).
    fn close_notify(&mut self) {}
}

impl Transport for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Transport for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
    fn close_notify(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

/// A parsed request.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// HTTP minor version (0 or 1).
    pub minor: u8,
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
        let tokens = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim);
        let mut close = false;
        let mut keep = false;
        for t in tokens {
            close |= t.eq_ignore_ascii_case("close");
            keep |= t.eq_ignore_ascii_case("keep-alive");
        }
        if close {
            false
        } else {
            self.minor >= 1 || keep
        }
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
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed (or timed out) between requests, or an I/O error: just close.
    Closed,
    /// Unparseable request: answer 400 and close.
    Bad(&'static str),
    /// Head too large: 431.
    HeadTooLarge,
    /// Body too large: 413.
    BodyTooLarge,
    /// Unsupported transfer-encoding: 501.
    Unsupported,
}

/// One client connection: the transport plus a read buffer (pipelining-safe).
pub struct Conn<T: Transport> {
    pub io: T,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Reused output buffer for responses.
    pub out: Vec<u8>,
}

impl<T: Transport> Conn<T> {
    pub fn new(io: T) -> Self {
        Conn {
            io,
            buf: vec![0u8; MAX_HEAD + 4096].into_boxed_slice(),
            start: 0,
            end: 0,
            out: Vec::with_capacity(8 * 1024),
        }
    }

    /// Reads more bytes into the buffer; Ok(0) on EOF.
    fn fill(&mut self) -> io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Err(io::Error::other("buffer full"));
        }
        loop {
            match self.io.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one line (for chunked bodies), without its line ending.
    fn read_line(&mut self, max: usize) -> Result<String, ReadError> {
        let mut scanned = 0;
        loop {
            if let Some(i) = self.buf[self.start + scanned..self.end]
                .iter()
                .position(|&c| c == b'\n')
            {
                let line_end = self.start + scanned + i;
                let mut line = &self.buf[self.start..line_end];
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                let s = String::from_utf8_lossy(line).into_owned();
                self.start = line_end + 1;
                return Ok(s);
            }
            scanned = self.end - self.start;
            if scanned > max {
                return Err(ReadError::Bad("line too long"));
            }
            match self.fill() {
                Ok(0) | Err(_) => return Err(ReadError::Closed),
                Ok(_) => {}
            }
        }
    }

    /// Appends exactly `n` bytes of body to `out`.
    fn read_exact_into(&mut self, mut n: usize, out: &mut Vec<u8>) -> Result<(), ReadError> {
        while n > 0 {
            if self.start == self.end {
                match self.fill() {
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

    /// Reads the next request. `Err(Closed)` on a clean EOF between requests.
    pub fn read_request(&mut self) -> Result<Request, ReadError> {
        // Find the end of the head, skipping leading empty lines.
        let mut scan = self.start;
        let head_end = loop {
            while self.start < self.end
                && (self.buf[self.start] == b'\r' || self.buf[self.start] == b'\n')
            {
                self.start += 1;
            }
            scan = scan.max(self.start);
            let mut found = None;
            let mut i = scan;
            while i < self.end {
                if self.buf[i] == b'\n' {
                    if i + 1 < self.end && self.buf[i + 1] == b'\n' {
                        found = Some(i + 2);
                        break;
                    }
                    if i + 2 < self.end && self.buf[i + 1] == b'\r' && self.buf[i + 2] == b'\n' {
                        found = Some(i + 3);
                        break;
                    }
                }
                i += 1;
            }
            if let Some(e) = found {
                break e;
            }
            scan = self.end.saturating_sub(2).max(self.start);
            if self.end - self.start > MAX_HEAD {
                return Err(ReadError::HeadTooLarge);
            }
            let before = self.start;
            match self.fill() {
                Ok(0) => {
                    return Err(if self.start == self.end {
                        ReadError::Closed
                    } else {
                        ReadError::Bad("incomplete request")
                    })
                }
                Ok(_) => {
                    // `fill` may have moved the data to the front of the buffer.
                    scan = scan - before + self.start;
                }
                Err(_) => return Err(ReadError::Closed),
            }
        };
        let head = &self.buf[self.start..head_end];
        let mut req = parse_head(head)?;
        self.start = head_end;

        // Body framing.
        let te = req.header("transfer-encoding").map(str::to_string);
        let cls: Vec<&str> = req
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .collect();
        let content_length = if cls.is_empty() {
            None
        } else {
            let first = cls[0];
            if first.is_empty()
                || first.len() > 18
                || !first.bytes().all(|c| c.is_ascii_digit())
                || cls.iter().any(|c| *c != first)
            {
                return Err(ReadError::Bad("invalid content-length"));
            }
            Some(
                first
                    .parse::<usize>()
                    .map_err(|_| ReadError::Bad("invalid content-length"))?,
            )
        };
        let expect_continue = req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        if let Some(te) = te {
            if content_length.is_some() {
                return Err(ReadError::Bad("both transfer-encoding and content-length"));
            }
            let last = te.rsplit(',').next().unwrap_or("").trim();
            if !last.eq_ignore_ascii_case("chunked") || te.split(',').count() != 1 {
                return Err(ReadError::Unsupported);
            }
            if expect_continue && self.start == self.end {
                self.send_continue();
            }
            let mut body = Vec::new();
            loop {
                let line = self.read_line(4096)?;
                let size_str = line.split(';').next().unwrap_or("").trim();
                let size = crate::util::parse_hex_u64(size_str)
                    .ok_or(ReadError::Bad("invalid chunk size"))?
                    as usize;
                if size == 0 {
                    // Trailer section.
                    loop {
                        let t = self.read_line(8192)?;
                        if t.is_empty() {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_BODY {
                    return Err(ReadError::BodyTooLarge);
                }
                self.read_exact_into(size, &mut body)?;
                let crlf = self.read_line(2)?;
                if !crlf.is_empty() {
                    return Err(ReadError::Bad("invalid chunk"));
                }
            }
            req.body = body;
        } else if let Some(n) = content_length {
            if n > MAX_BODY {
                return Err(ReadError::BodyTooLarge);
            }
            if n > 0 {
                if expect_continue && self.start == self.end {
                    self.send_continue();
                }
                let mut body = Vec::with_capacity(n);
                self.read_exact_into(n, &mut body)?;
                req.body = body;
            }
        }
        Ok(req)
    }

    fn send_continue(&mut self) {
        let _ = self.io.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = self.io.flush();
    }

    /// Writes `out` (a complete response) in one write call and flushes.
    pub fn send_out(&mut self) -> io::Result<()> {
        let r = self.io.write_all(&self.out).and_then(|_| self.io.flush());
        if self.out.capacity() > 1024 * 1024 {
            self.out = Vec::with_capacity(8 * 1024);
        } else {
            self.out.clear();
        }
        r
    }

    /// Orderly close: TLS close_notify, FIN, then drain what the peer still sends (briefly) so
    /// the kernel does not turn the close into a reset.
    pub fn graceful_close(&mut self, notify: bool) {
        if notify {
            self.io.close_notify();
        }
        let tcp = self.io.tcp();
        let _ = tcp.shutdown(Shutdown::Write);
        drain(tcp, Duration::from_secs(1));
    }
}

/// Reads and discards from `tcp` until EOF, an error, or `max` elapsed.
pub fn drain(tcp: &TcpStream, max: Duration) {
    let deadline = Instant::now() + max;
    let mut sink = [0u8; 4096];
    let mut t = tcp;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || tcp.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match t.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Parses the request line and header fields.
fn parse_head(head: &[u8]) -> Result<Request, ReadError> {
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
    if target.is_empty() || target.iter().any(|&c| c <= b' ' || c == 0x7f) {
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
        method: String::from_utf8_lossy(method).into_owned(),
        target: String::from_utf8_lossy(target).into_owned(),
        minor,
        headers,
        body: Vec::new(),
    })
}

/// Reason phrase for the statuses the sandbox sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Appends a status line and the standard headers (without the final empty line when
/// `finish` is false) to `out`.
pub fn write_head(
    out: &mut Vec<u8>,
    status: u16,
    content_type: &str,
    content_length: Option<usize>,
    request_id: &str,
    extra: &[(&str, &str)],
    connection: Option<&str>,
) {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(256);
    let _ = write!(s, "HTTP/1.1 {} {}\r\n", status, reason(status));
    let _ = write!(s, "content-type: {content_type}\r\n");
    match content_length {
        Some(n) => {
            let _ = write!(s, "content-length: {n}\r\n");
        }
        None => s.push_str("transfer-encoding: chunked\r\n"),
    }
    let _ = write!(s, "x-request-id: {request_id}\r\n");
    let _ = write!(
        s,
        "date: {}\r\n",
        crate::util::http_date(crate::util::now_unix_f64() as i64)
    );
    s.push_str("server: moneykit-sandbox\r\n");
    for (k, v) in extra {
        let _ = write!(s, "{k}: {v}\r\n");
    }
    if let Some(c) = connection {
        let _ = write!(s, "connection: {c}\r\n");
    }
    s.push_str("\r\n");
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(target: &str) -> Request {
        Request {
            method: "GET".into(),
            target: target.into(),
            minor: 1,
            headers: vec![],
            body: vec![],
        }
    }

    #[test]
    fn path_and_query() {
        let r = req("/links/a%2Fb/identity?account_ids=x&account_ids=y");
        assert_eq!(r.path(), "/links/a%2Fb/identity");
        assert_eq!(r.query(), "account_ids=x&account_ids=y");
        let r = req("http://127.0.0.1:9/links/x/identity?q=1");
        assert_eq!(r.path(), "/links/x/identity");
        assert_eq!(r.query(), "q=1");
        assert_eq!(req("http://h").path(), "/");
    }

    #[test]
    fn head_parsing() {
        let r = parse_head(b"GET / HTTP/1.1\r\nHost: x\r\nX-A:  b c \r\n\r\n").unwrap();
        assert_eq!(r.header("host"), Some("x"));
        assert_eq!(r.header("x-a"), Some("b c"));
        assert!(r.keep_alive());
        assert!(parse_head(b"GET /\r\n\r\n").is_err());
        assert!(parse_head(b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n").is_err());
        assert!(parse_head(b"GET / HTTP/1.1\r\n folded\r\n\r\n").is_err());
        assert!(parse_head(b"G(T / HTTP/1.1\r\n\r\n").is_err());
        let r = parse_head(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!r.keep_alive());
    }
}
