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

impl super::Client {
    /// Finishes the error of a call's last attempt: whether a later retry can help
    /// (`retryable`, docs/C-API.md "Error JSON") and, for a transport error, where the
    /// call went and how often it tried (`... (api.example.com:443, after 3 attempts)`).
    pub(super) fn finish_failure(&self, error: &mut Error, retry: Retry) {
        error.retryable = matches!(retry, Retry::Yes(_))
            || error
                .http_status
                .is_some_and(crate::core::retry::is_retryable_status)
            || (error.status == Status::MkErrTimeout && error.http_status.is_none());
        if error.status == Status::MkErrTransport && error.http_status.is_none() {
            let target = host_port(&self.config.base.origin);
            let proxy = self.agent.config().proxy().map(|p| {
                let host = p.host();
                if host.contains(':') {
                    format!("[{host}]:{}", p.port())
                } else {
                    format!("{host}:{}", p.port())
                }
            });
            let at = match proxy {
                Some(p) => format!("{target} via proxy {p}"),
                None => target,
            };
            let n = error.attempts;
            let plural = if n == 1 { "" } else { "s" };
            error.message = format!("{} ({at}, after {n} attempt{plural})", error.message);
        }
    }
}

/// `host:port` of a `scheme://authority` origin (the base URL never carries credentials
/// or a path here): the scheme's default port when none is written.
pub(super) fn host_port(origin: &str) -> String {
    let (scheme, authority) = origin.split_once("://").unwrap_or(("https", origin));
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let has_port = match authority.rfind(']') {
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    };
    if has_port {
        authority.to_string()
    } else {
        let port = if scheme == "http" { 80 } else { 443 };
        format!("{authority}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn host_port_of_an_origin() {
        assert_eq!(
            host_port("https://api.moneykit.com"),
            "api.moneykit.com:443"
        );
        assert_eq!(host_port("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(host_port("http://[::1]"), "[::1]:80");
        assert_eq!(host_port("http://[::1]:9"), "[::1]:9");
    }
}
