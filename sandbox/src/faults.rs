//! Fault injectors that misbehave at the transport level.

use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::Duration;

use crate::http::{write_head, Conn, Transport};
use crate::respond::{Ctx, Flow, JSON};

const STREAM_CHUNK: usize = 64 * 1024;

/// Headers + the first ~100 bytes of a body announced as 10,000 bytes, then close.
pub fn truncated<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, body: &[u8]) -> Flow {
    let mut out = Vec::with_capacity(512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(10_000),
        &ctx.request_id(),
        &[],
        Some("close"),
    );
    out.extend_from_slice(&body[..100.min(body.len())]);
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_ok()
    {
        conn.graceful_close(false);
    }
    Flow::Abort
}

/// Headers + half the body, then an abortive close (RST).
pub fn reset<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, body: &[u8]) -> Flow {
    let mut out = Vec::with_capacity(body.len() + 512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(body.len()),
        &ctx.request_id(),
        &[],
        None,
    );
    out.extend_from_slice(&body[..body.len() / 2]);
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_ok()
    {
        // Let the peer read the headers first, so it sees the reset mid-body.
        std::thread::sleep(Duration::from_millis(100));
    }
    set_linger_zero(conn.io.tcp());
    Flow::Abort
}

/// SO_LINGER {on, 0}: closing the socket then sends RST instead of FIN.
fn set_linger_zero(tcp: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: valid fd owned by `tcp`, pointer/len describe a live `linger` struct.
    unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Headers (`Content-Length: 1000`), then one body byte per second.
pub fn trickle<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, ok: &[u8]) -> Flow {
    let body = PaddedBody::new(ok, 1000);
    let mut out = Vec::with_capacity(512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(1000),
        &ctx.request_id(),
        &[],
        ctx.connection_header(),
    );
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_err()
    {
        return Flow::Abort;
    }
    let mut byte = [0u8; 1];
    for i in 0..1000 {
        std::thread::sleep(Duration::from_secs(1));
        body.fill(i, &mut byte);
        if conn
            .io
            .write_all(&byte)
            .and_then(|_| conn.io.flush())
            .is_err()
        {
            return Flow::Abort;
        }
    }
    if ctx.keep {
        Flow::Continue
    } else {
        Flow::Close
    }
}

/// A body of exactly `len` bytes that looks like JSON: `{"padding":"xxx…",<rest of ok body>`,
/// or, when `len` is too small for that, a JSON string `"xxx…"` (or `0` for one byte).
struct PaddedBody<'a> {
    prefix: &'a [u8],
    pad: u64,
    suffix: &'a [u8],
    tail: Vec<u8>,
}

impl<'a> PaddedBody<'a> {
    fn new(ok: &'a [u8], len: u64) -> Self {
        const PREFIX: &[u8] = br#"{"padding":""#;
        let rest = &ok[1..]; // after '{'
        let fixed = (PREFIX.len() + 2 + rest.len()) as u64;
        if len >= fixed {
            PaddedBody {
                prefix: PREFIX,
                pad: len - fixed,
                suffix: rest,
                tail: b"\",".to_vec(),
            }
        } else if len >= 2 {
            PaddedBody {
                prefix: b"\"",
                pad: len - 2,
                suffix: b"",
                tail: b"\"".to_vec(),
            }
        } else {
            PaddedBody {
                prefix: if len == 1 { b"0" } else { b"" },
                pad: 0,
                suffix: b"",
                tail: Vec::new(),
            }
        }
    }

    fn len(&self) -> u64 {
        (self.prefix.len() + self.tail.len() + self.suffix.len()) as u64 + self.pad
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`.
    fn fill(&self, offset: u64, buf: &mut [u8]) {
        // Layout: prefix | pad × 'x' | tail | suffix
        let p = self.prefix.len() as u64;
        let t = self.tail.len() as u64;
        for (i, b) in buf.iter_mut().enumerate() {
            let o = offset + i as u64;
            *b = if o < p {
                self.prefix[o as usize]
            } else if o < p + self.pad {
                b'x'
            } else if o < p + self.pad + t {
                self.tail[(o - p - self.pad) as usize]
            } else {
                self.suffix[(o - p - self.pad - t) as usize]
            };
        }
    }

    /// Like `fill` but fast for the long run of padding.
    fn fill_fast(&self, offset: u64, buf: &mut [u8]) {
        let p = self.prefix.len() as u64;
        let start = offset;
        let end = offset + buf.len() as u64;
        if start >= p && end <= p + self.pad {
            buf.fill(b'x');
        } else {
            self.fill(offset, buf);
        }
    }
}

/// A body of exactly `n` bytes streamed in 64 KiB writes (Content-Length or chunked).
pub fn oversized<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    ok: &[u8],
    n: u64,
    chunked: bool,
) -> Flow {
    let body = PaddedBody::new(ok, n);
    debug_assert_eq!(body.len(), n);
    let mut head = Vec::with_capacity(512);
    write_head(
        &mut head,
        200,
        JSON,
        if chunked { None } else { Some(n as usize) },
        &ctx.request_id(),
        &[],
        ctx.connection_header(),
    );
    if conn.io.write_all(&head).is_err() {
        return Flow::Abort;
    }
    let mut buf = vec![0u8; STREAM_CHUNK + 16];
    let mut off = 0u64;
    while off < n {
        let len = STREAM_CHUNK.min((n - off) as usize);
        let res = if chunked {
            let size_line = format!("{len:x}\r\n");
            let h = size_line.len();
            buf[..h].copy_from_slice(size_line.as_bytes());
            body.fill_fast(off, &mut buf[h..h + len]);
            buf[h + len..h + len + 2].copy_from_slice(b"\r\n");
            conn.io.write_all(&buf[..h + len + 2])
        } else {
            body.fill_fast(off, &mut buf[..len]);
            conn.io.write_all(&buf[..len])
        };
        if res.is_err() {
            return Flow::Abort;
        }
        off += len as u64;
    }
    if chunked && conn.io.write_all(b"0\r\n\r\n").is_err() {
        return Flow::Abort;
    }
    if conn.io.flush().is_err() {
        return Flow::Abort;
    }
    if ctx.keep {
        Flow::Continue
    } else {
        Flow::Close
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bodies::fixtures;
    use serde_json::Value;

    fn collect(b: &PaddedBody) -> Vec<u8> {
        let mut v = vec![0u8; b.len() as usize];
        let mut off = 0;
        while off < v.len() {
            let end = (off + 7).min(v.len());
            b.fill_fast(off as u64, &mut v[off..end]);
            off = end;
        }
        v
    }

    #[test]
    fn padded_body_is_exact_and_json() {
        let ok = &fixtures().ok;
        for n in [
            0u64,
            1,
            2,
            3,
            50,
            ok.len() as u64,
            ok.len() as u64 + 14,
            200_000,
        ] {
            let b = PaddedBody::new(ok, n);
            assert_eq!(b.len(), n, "n={n}");
            let v = collect(&b);
            assert_eq!(v.len() as u64, n);
            if n > 0 {
                let parsed: Value = serde_json::from_slice(&v).expect("valid JSON");
                if n >= ok.len() as u64 + 14 {
                    assert!(parsed["accounts"].is_array());
                    assert!(parsed["padding"].is_string());
                }
            }
        }
    }
}
