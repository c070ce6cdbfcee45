//! Chunked request bodies (RFC 9112 §7.1), decoded as they stream: a chunk whose size
//! would take the body past the limit is refused at its size line, before its data is read.

use super::parse::{Phase, ReadError, RequestReader, Source, MAX_LINE};

impl RequestReader {
    /// Reads a chunked body (after the head) and its trailer section; returns the data.
    pub(super) fn read_chunked<S: Source + ?Sized>(
        &mut self,
        src: &mut S,
        max_body: usize,
    ) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let (a, b) = self.read_line(src, MAX_LINE)?;
            let size = chunk_size(&self.buf[a..b])?;
            if size == 0 {
                self.skip_trailers(src)?;
                return Ok(body);
            }
            // `body.len() <= max_body` holds here, so the room never underflows.
            let room = max_body - body.len();
            let size = usize::try_from(size)
                .ok()
                .filter(|&s| s <= room)
                .ok_or(ReadError::BodyTooLarge)?;
            self.read_exact_into(src, size, &mut body)?;
            let (a, b) = self.read_line(src, 0)?;
            if a != b {
                return Err(ReadError::Bad("invalid chunk"));
            }
        }
    }

    /// Reads the trailer section up to its empty line; the fields are discarded. The whole
    /// section counts against `max_head`.
    fn skip_trailers<S: Source + ?Sized>(&mut self, src: &mut S) -> Result<(), ReadError> {
        let mut total = 0usize;
        loop {
            let (a, b) = self.read_line(src, MAX_LINE)?;
            if a == b {
                return Ok(());
            }
            total = total.saturating_add(b - a + 2);
            if total > self.limits().max_head {
                return Err(ReadError::HeadTooLarge);
            }
        }
    }

    /// Reads one line; returns its bounds in `self.buf` without the line ending (LF or
    /// CRLF). A line longer than `max` bytes is `Bad`, however it arrives.
    fn read_line<S: Source + ?Sized>(
        &mut self,
        src: &mut S,
        max: usize,
    ) -> Result<(usize, usize), ReadError> {
        let mut scanned = 0;
        loop {
            if let Some(i) = self.buf[self.start + scanned..self.end]
                .iter()
                .position(|&c| c == b'\n')
            {
                let nl = self.start + scanned + i;
                let mut line_end = nl;
                if line_end > self.start && self.buf[line_end - 1] == b'\r' {
                    line_end -= 1;
                }
                if line_end - self.start > max {
                    return Err(ReadError::Bad("line too long"));
                }
                let line = (self.start, line_end);
                self.start = nl + 1;
                return Ok(line);
            }
            scanned = self.end - self.start;
            // Without its ending yet; the last byte may be the CR of a CRLF.
            if scanned > max + 1 {
                return Err(ReadError::Bad("line too long"));
            }
            match self.fill(src, Phase::Body) {
                Ok(0) | Err(_) => return Err(ReadError::Closed),
                Ok(_) => {}
            }
        }
    }
}

/// The size in a chunk-size line (`HEX [ws] [; extensions]`): at least one hex digit, any
/// number of leading zeros, a value that fits in 64 bits; else `Bad`.
fn chunk_size(line: &[u8]) -> Result<u64, ReadError> {
    let digits = line.split(|&c| c == b';').next().unwrap_or(&[]);
    let digits = digits.trim_ascii();
    if digits.is_empty() {
        return Err(ReadError::Bad("invalid chunk size"));
    }
    let mut n = 0u64;
    for &c in digits {
        let d = (c as char)
            .to_digit(16)
            .ok_or(ReadError::Bad("invalid chunk size"))?;
        n = n
            .checked_mul(16)
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(ReadError::Bad("chunk size overflows"))?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size(b"0"), Ok(0));
        assert_eq!(chunk_size(b"1A;name=value"), Ok(26));
        assert_eq!(chunk_size(b"ffffffffffffffff"), Ok(u64::MAX));
        assert_eq!(chunk_size(b"0000000000000000000000ff"), Ok(255));
        assert_eq!(chunk_size(b"f \t; x"), Ok(15));
        for bad in [&b""[..], b"x", b"-1", b"+1", b"0x1", b"1 2", b";", b"\xff"] {
            assert_eq!(
                chunk_size(bad),
                Err(ReadError::Bad("invalid chunk size")),
                "{bad:?}"
            );
        }
        assert_eq!(
            chunk_size(b"10000000000000000"),
            Err(ReadError::Bad("chunk size overflows"))
        );
    }
}
