//! A non-2xx response → its status, retry decision and the server's error fields.

use super::failure::{Failure, Retry};
use super::response::{header_text, read_body, MAX_ERROR_BODY};
use crate::core::retry::{is_retryable_status, parse_retry_after};
use crate::core::{Error, Status};
use std::time::SystemTime;
use ureq::http::Response;
use ureq::Body;

/// The fields of a MoneyKit error body we pass on; anything else is ignored.
#[derive(Default)]
struct ErrorBody {
    error_code: Option<String>,
    error_message: Option<String>,
    documentation_url: Option<String>,
    link_error_code: Option<String>,
}

impl ErrorBody {
    /// Tolerant: a body that is not JSON, or has other types, simply yields nothing.
    fn parse(bytes: &[u8]) -> ErrorBody {
        let v: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(_) => return ErrorBody::default(),
        };
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        ErrorBody {
            error_code: text("error_code"),
            error_message: text("error_message"),
            documentation_url: text("documentation_url"),
            link_error_code: text("link_error_code"),
        }
    }
}

/// Maps a non-2xx response to its status, passing on the server's error fields.
/// The body is read up to `max_response_bytes` (and never past `MAX_ERROR_BODY`).
pub(super) fn http_failure(
    status: u16,
    response: &mut Response<Body>,
    max_response_bytes: u64,
) -> Failure {
    let retry_after = header_text(response.headers(), "retry-after")
        .and_then(|v| parse_retry_after(&v, SystemTime::now()));
    let body = read_body(response, MAX_ERROR_BODY.min(max_response_bytes))
        .map(|b| ErrorBody::parse(&b))
        .unwrap_or_default();
    let code = body.error_code.as_deref();
    let status_kind = status_for_http(status, code);
    let retry = if status == 401 && code == Some("api_error.auth.expired_access_token") {
        Retry::RefreshToken
    } else if is_retryable_status(status) {
        Retry::Yes(retry_after)
    } else {
        Retry::No
    };
    let mut message = format!("MoneyKit answered HTTP {status}");
    if let Some(c) = code {
        message.push_str(&format!(" ({c})"));
    }
    if let Some(m) = &body.error_message {
        message.push_str(": ");
        message.push_str(m);
    }
    let mut error = Error::new(status_kind, message);
    error.http_status = Some(status);
    error.error_code = body.error_code;
    error.error_message = body.error_message;
    error.documentation_url = body.documentation_url;
    error.link_error_code = body.link_error_code;
    error.retry_after_ms = retry_after.map(|d| d.as_millis().min(u64::MAX as u128) as u64);
    Failure { error, retry }
}

/// The library status for a non-2xx identity response (docs/C-API.md, "Status codes").
fn status_for_http(status: u16, error_code: Option<&str>) -> Status {
    match status {
        401 => Status::MkErrUnauthorized,
        403 => Status::MkErrForbidden,
        // A 404 without MoneyKit's link error is a route miss (e.g. a wrong base_url
        // prefix), not an unknown link: report it as an unexpected HTTP status.
        404 if error_code == Some("link_error.not_found") => Status::MkErrNotFound,
        410 => Status::MkErrLinkDeleted,
        422 if error_code == Some("link_error.bad_state") => Status::MkErrLinkBadState,
        429 => Status::MkErrRateLimited,
        500..=599 => Status::MkErrServer,
        _ => Status::MkErrHttp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_status_mapping() {
        use Status::*;
        let cases = [
            (401, Some("api_error.auth.unauthorized"), MkErrUnauthorized),
            (
                401,
                Some("link_error.unauthorized_access"),
                MkErrUnauthorized,
            ),
            (401, None, MkErrUnauthorized),
            (403, Some("link_error.forbidden_action"), MkErrForbidden),
            (404, Some("link_error.not_found"), MkErrNotFound),
            (404, None, MkErrHttp),
            (410, Some("link_error.deleted"), MkErrLinkDeleted),
            (422, Some("link_error.bad_state"), MkErrLinkBadState),
            (422, Some("api_error.request.validation_failed"), MkErrHttp),
            (429, None, MkErrRateLimited),
            (500, None, MkErrServer),
            (503, Some("x"), MkErrServer),
            (599, None, MkErrServer),
            (400, None, MkErrHttp),
            (418, None, MkErrHttp),
            (304, None, MkErrHttp),
        ];
        for (http, code, want) in cases {
            assert_eq!(status_for_http(http, code), want, "{http} {code:?}");
        }
    }

    #[test]
    fn error_bodies_are_parsed_tolerantly() {
        let b = ErrorBody::parse(
            br#"{"error_code":"link_error.bad_state","error_message":"m","documentation_url":null,"link_error_code":"auth_expired","x":1}"#,
        );
        assert_eq!(b.error_code.as_deref(), Some("link_error.bad_state"));
        assert_eq!(b.link_error_code.as_deref(), Some("auth_expired"));
        assert!(b.documentation_url.is_none());
        for junk in [&b"<html>"[..], b"", b"[1]", br#"{"error_code": 5}"#] {
            assert!(ErrorBody::parse(junk).error_code.is_none());
        }
    }
}
