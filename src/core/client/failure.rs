//! Why an attempt failed and whether another one may help; and the mapping of
//! transport errors (no HTTP response, or a broken body) to a status.

use crate::core::{Error, Status};
use std::time::Duration;

/// Why an attempt failed and whether another one may help.
#[derive(Clone)]
pub(super) struct Failure {
    pub(super) error: Error,
    pub(super) retry: Retry,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Retry {
    No,
    /// Transient: wait the jittered backoff, or the server's `Retry-After` if it sent one.
    Yes(Option<Duration>),
    /// The bearer token expired: fetch a new one and repeat once.
    RefreshToken,
}

impl Failure {
    pub(super) fn new(status: Status, message: impl Into<String>, retry: Retry) -> Failure {
        Failure {
            error: Error::new(status, message),
            retry,
        }
    }
}

/// Maps a ureq error (no HTTP response, or a broken body) to a status.
pub(super) fn transport_failure(e: ureq::Error) -> Failure {
    use ureq::Error as E;
    let (status, message, retry) = match &e {
        // Name the phase a user can tune on its own (connect_timeout_ms); every other
        // timeout is an attempt's timeout_ms (the call's deadline has its own message).
        E::Timeout(ureq::Timeout::Connect) => {
            (Status::MkErrTimeout, "connect timed out".to_string(), true)
        }
        E::Timeout(_) => (Status::MkErrTimeout, "request timed out".to_string(), true),
        E::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            (Status::MkErrTimeout, "request timed out".to_string(), true)
        }
        E::BodyExceedsLimit(limit) => (
            Status::MkErrDecode,
            format!("response body exceeds max_response_bytes ({limit} bytes)"),
            false,
        ),
        E::HostNotFound => (Status::MkErrTransport, "host not found".to_string(), true),
        E::ConnectionFailed => (
            Status::MkErrTransport,
            "connection failed".to_string(),
            true,
        ),
        E::Io(io) => (Status::MkErrTransport, format!("I/O error: {io}"), true),
        E::Tls(_) | E::Pem(_) | E::Rustls(_) => {
            (Status::MkErrTransport, format!("TLS error: {e}"), false)
        }
        E::TooManyRedirects | E::RedirectFailed => {
            (Status::MkErrTransport, "redirect failed".to_string(), false)
        }
        E::ConnectProxyFailed(_) | E::InvalidProxyUrl => (
            Status::MkErrTransport,
            "proxy connection failed".to_string(),
            true,
        ),
        E::Protocol(p) => (
            Status::MkErrTransport,
            format!("HTTP protocol error: {p}"),
            true,
        ),
        _ => (
            Status::MkErrTransport,
            format!("transport error: {e}"),
            true,
        ),
    };
    Failure::new(
        status,
        message,
        if retry { Retry::Yes(None) } else { Retry::No },
    )
}
