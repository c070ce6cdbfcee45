//! Hand-written HTTP/1.1: the request parser ([`parse`], public, e.g. for fuzzing: see
//! [`parse_request`]) and, for the server, connections and response writing over any
//! `Read + Write`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

mod chunked;
mod parse;

pub use parse::{
    parse_request, Limits, ParsedRequest, Phase, ReadError, Request, RequestReader, Source,
    MAX_BODY, MAX_HEAD, MAX_HEAD_CEILING, MAX_LINE,
};

/// How long one read of a request body (or a chunk line) may wait.
pub(crate) const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// A socket read timeout within this of what is left of the head deadline is kept as it
/// is (saves a `setsockopt` per request on keep-alive connections).
const TIMEOUT_SLACK: Duration = Duration::from_millis(25);

/// A byte stream the server talks HTTP over: a plain `TcpStream` or a TLS stream over one.
pub(crate) trait Transport: Read + Write {
    fn tcp(&self) -> &TcpStream;
    /// Sends a TLS close_notify (no-op for plain TCP).
    fn close_notify(&mut self) {}
    /// Whether a TLS handshake is still under way (nothing can be answered yet).
    fn handshaking(&self) -> bool {
        false
    }
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
    fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }
}

/// One client connection: the transport plus the request reader (pipelining-safe).
pub(crate) struct Conn<T: Transport> {
    pub io: T,
    reader: RequestReader,
    /// The read timeout last set on the socket by `read_request` (whoever else sets one,
    /// `drain`, closes the connection afterwards).
    timeout: Option<Duration>,
    /// Reused output buffer for responses.
    pub out: Vec<u8>,
}

/// The server's [`Source`]: reads from the transport, the head within its deadline.
struct Wire<'a, T: Transport> {
    io: &'a mut T,
    timeout: &'a mut Option<Duration>,
    deadline: Instant,
}

impl<T: Transport> Wire<'_, T> {
    fn set_timeout(&mut self, t: Duration) -> io::Result<()> {
        self.io.tcp().set_read_timeout(Some(t))?;
        *self.timeout = Some(t);
        Ok(())
    }
}

impl<T: Transport> Source for Wire<'_, T> {
    fn read_for(&mut self, buf: &mut [u8], phase: Phase) -> io::Result<usize> {
        if phase == Phase::Body {
            if *self.timeout != Some(BODY_READ_TIMEOUT) {
                self.set_timeout(BODY_READ_TIMEOUT)?;
            }
            return self.io.read(buf);
        }
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            let close_enough = self
                .timeout
                .is_some_and(|t| t.abs_diff(left) <= TIMEOUT_SLACK);
            if !close_enough {
                self.set_timeout(left)?;
            }
            match self.io.read(buf) {
                // The socket's timeout was a little shorter than what was left: wait on.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) && Instant::now() < self.deadline =>
                {
                    *self.timeout = None;
                }
                r => return r,
            }
        }
    }

    fn send_continue(&mut self) {
        let _ = self.io.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = self.io.flush();
    }
}

impl<T: Transport> Conn<T> {
    pub fn new(io: T) -> Self {
        Conn {
            io,
            reader: RequestReader::new(Limits::default()),
            timeout: None,
            out: Vec::with_capacity(8 * 1024),
        }
    }

    /// Reads the next request: its head must be complete within `head_timeout` from now
    /// (else `Err(Timeout)`), each read of its body may wait [`BODY_READ_TIMEOUT`].
    /// `Err(Closed)` on a clean EOF between requests.
    pub fn read_request(&mut self, head_timeout: Duration) -> Result<Request, ReadError> {
        let mut wire = Wire {
            io: &mut self.io,
            timeout: &mut self.timeout,
            deadline: Instant::now() + head_timeout,
        };
        self.reader.read_request(&mut wire)
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
pub(crate) fn drain(tcp: &TcpStream, max: Duration) {
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

/// Reason phrase for the statuses the sandbox sends.
pub(crate) fn reason(status: u16) -> &'static str {
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
        408 => "Request Timeout",
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
pub(crate) fn write_head(
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
    use super::parse::parse_head;
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
