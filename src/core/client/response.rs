//! Reading a response: header values and the body, each bounded.

use super::failure::{transport_failure, Failure};
use std::io::Read;
use ureq::http::{HeaderMap, Response};
use ureq::Body;

/// Error bodies larger than this are not read (they are only informative).
pub(super) const MAX_ERROR_BODY: u64 = 64 * 1024;

/// A header's value as text. Values we pass on to callers (request ids) are
/// capped so a hostile server cannot bloat every error.
pub(super) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(if name == "x-request-id" {
        value.chars().take(256).collect()
    } else {
        value.to_string()
    })
}

/// Reads the whole body, refusing (without buffering the rest) once it passes `limit`.
pub(super) fn read_body(response: &mut Response<Body>, limit: u64) -> Result<Vec<u8>, Failure> {
    let hint = response.body().content_length().unwrap_or(0).min(limit) as usize;
    // +1: the C layer appends a NUL; room for it now avoids copying the body later.
    let mut buf = Vec::with_capacity(hint.max(1024) + 1);
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .reader()
        .read_to_end(&mut buf)
        .map_err(|e| transport_failure(ureq::Error::from(e)))?;
    Ok(buf)
}
