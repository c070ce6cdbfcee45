//! The error every failed call returns: a status plus everything the server told us.

use super::error_json_gen::ErrorJson;
use super::Status;
use std::fmt;

/// A failed call. Never holds a secret: messages are built from fixed text,
/// HTTP statuses and the server's own error fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub status: Status,
    /// A human sentence for logs.
    pub message: String,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub documentation_url: Option<String>,
    pub link_error_code: Option<String>,
    pub request_id: Option<String>,
    pub retry_after_ms: Option<u64>,
    /// HTTP requests made for this call (0 when it failed before sending any).
    pub attempts: u32,
    /// With `MK_ERR_SIGNATURE`: which webhook check failed (`core::webhooks::Reason`).
    pub reason: Option<&'static str>,
    /// With a 422 `api_error.request.validation_failed`: the server's `validation_errors`.
    pub validation_errors: Option<Vec<ValidationError>>,
    /// Whether a later retry of the same call can help (docs/C-API.md, "Error JSON").
    pub retryable: bool,
    /// The last HTTP error response (never a 2xx one), redacted.
    pub response: Option<RawResponse>,
}

/// One entry of a 422 `api_error.request.validation_failed`'s `validation_errors`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ValidationError {
    /// Where, as the server sent it: strings and whole numbers (`["query", "account_ids", 0]`).
    pub location: Vec<LocationPart>,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// One step of a validation error's `location`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum LocationPart {
    Key(String),
    Index(i64),
}

/// An HTTP error response as the caller may see it: its status, headers (lowercase
/// names, cookies and credentials left out) and body (at most 16 KiB of text), every
/// text redacted (docs/C-API.md, "Error JSON").
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RawResponse {
    pub status: u16,
    #[serde(serialize_with = "headers_as_object")]
    pub headers: Vec<(String, String)>,
    pub body: String,
}

fn headers_as_object<S: serde::Serializer>(
    headers: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(headers.iter().map(|(k, v)| (k, v)))
}

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            http_status: None,
            error_code: None,
            error_message: None,
            documentation_url: None,
            link_error_code: None,
            request_id: None,
            retry_after_ms: None,
            attempts: 0,
            reason: None,
            validation_errors: None,
            retryable: false,
            response: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Status::MkErrInvalidArgument, message)
    }

    pub fn decode(message: impl Into<String>) -> Error {
        Error::new(Status::MkErrDecode, message)
    }

    /// The error as the C API's error JSON: every key present (in the documented
    /// order), null when unknown.
    pub fn to_json(&self) -> String {
        let wire = ErrorJson {
            status: i64::from(self.status.code()),
            name: self.status.name(),
            message: &self.message,
            http_status: self.http_status.map(i64::from),
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            documentation_url: self.documentation_url.as_deref(),
            link_error_code: self.link_error_code.as_deref(),
            request_id: self.request_id.as_deref(),
            retry_after_ms: self.retry_after_ms.and_then(|ms| i64::try_from(ms).ok()),
            attempts: i64::from(self.attempts),
            reason: self.reason,
            validation_errors: self.validation_errors.as_deref(),
            retryable: self.retryable,
            response: self.response.as_ref(),
        };
        serde_json::to_string(&wire).expect("serializing plain fields cannot fail")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.name(), self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ERROR_JSON_KEYS;

    #[test]
    fn error_json_has_every_key() {
        let v: serde_json::Value =
            serde_json::from_str(&Error::invalid("link id is empty").to_json()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys.len(), ERROR_JSON_KEYS.len());
        // Order is checked on the text (serde_json's Map sorts keys).
        let text = Error::invalid("x").to_json();
        let at: Vec<usize> = ERROR_JSON_KEYS
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")).expect(k))
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "documented order: {text}"
        );
        assert_eq!(v["status"], 1);
        assert_eq!(v["name"], "MK_ERR_INVALID_ARGUMENT");
        assert!(v["http_status"].is_null());
    }
}
