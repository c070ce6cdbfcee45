//! A non-2xx response → its status, retry decision and the server's error fields.

use super::failure::{Failure, Retry};
use super::response::{header_text, read_body, MAX_ERROR_BODY};
use crate::core::retry::{is_retryable_status, parse_retry_after};
use crate::core::{Error, LocationPart, RawResponse, Status, ValidationError};
use std::time::SystemTime;
use ureq::http::{HeaderMap, Response};
use ureq::Body;

/// At most this much of an error body is handed back in `response.body`.
pub(super) const MAX_RAW_BODY: usize = 16 * 1024;
/// At most this many headers, each value at most this many characters, are handed back.
const MAX_RAW_HEADERS: usize = 64;
const MAX_RAW_HEADER_VALUE: usize = 1024;
/// At most this many validation errors are passed on.
const MAX_VALIDATION_ERRORS: usize = 100;

/// The fields of a MoneyKit error body we pass on; anything else is ignored.
#[derive(Default)]
struct ErrorBody {
    error_code: Option<String>,
    error_message: Option<String>,
    documentation_url: Option<String>,
    link_error_code: Option<String>,
    validation_errors: Option<Vec<ValidationError>>,
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
            validation_errors: v
                .get("validation_errors")
                .and_then(|x| x.as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(validation_error)
                        .take(MAX_VALIDATION_ERRORS)
                        .collect()
                }),
        }
    }
}

/// One entry of `validation_errors`: an object with `location`, `message`, `type`;
/// location steps other than strings and whole numbers are left out.
fn validation_error(v: &serde_json::Value) -> Option<ValidationError> {
    let v = v.as_object()?;
    let text = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let location = v
        .get("location")
        .and_then(|x| x.as_array())
        .map(|steps| {
            steps
                .iter()
                .filter_map(|s| match s {
                    serde_json::Value::String(k) => Some(LocationPart::Key(k.clone())),
                    serde_json::Value::Number(n) => n.as_i64().map(LocationPart::Index),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(ValidationError {
        location,
        message: text("message"),
        kind: text("type"),
    })
}

/// Headers that may carry a credential or a session: never handed back.
fn is_sensitive_header(name: &str) -> bool {
    matches!(
        name,
        "set-cookie" | "set-cookie2" | "cookie" | "authorization" | "proxy-authorization"
    ) || ["secret", "token", "api-key", "apikey", "password", "auth"]
        .iter()
        .any(|w| name.contains(w))
}

/// The response's headers as handed back (before redaction): lowercase names in
/// order, repeated ones joined with `, `, sensitive ones and non-text values left out.
fn raw_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.as_str();
        let Ok(value) = value.to_str() else { continue };
        if is_sensitive_header(name) {
            continue;
        }
        let value: String = value.chars().take(MAX_RAW_HEADER_VALUE).collect();
        match out.iter().position(|(n, _)| n == name) {
            Some(i) if out[i].1.len() < MAX_RAW_HEADER_VALUE => {
                out[i].1.push_str(", ");
                out[i].1.push_str(&value);
            }
            Some(_) => {}
            None if out.len() < MAX_RAW_HEADERS => out.push((name.to_string(), value)),
            None => {}
        }
    }
    out
}

/// At most `MAX_RAW_BODY` bytes of the body as text (cut at a character boundary).
fn raw_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RAW_BODY + 4)]);
    let mut end = text.len().min(MAX_RAW_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
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
    let headers = raw_headers(response.headers());
    // A body past the limit (or broken) is left out: only its status and headers are told.
    let bytes = read_body(response, MAX_ERROR_BODY.min(max_response_bytes)).unwrap_or_default();
    let body = ErrorBody::parse(&bytes);
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
    error.validation_errors = body.validation_errors;
    error.response = Some(RawResponse {
        status,
        headers,
        body: raw_body(&bytes),
    });
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
