//! The error every failed call returns: a status plus everything the server told us.

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
        #[derive(serde::Serialize)]
        struct Wire<'a> {
            status: i32,
            name: &'a str,
            message: &'a str,
            http_status: Option<u16>,
            error_code: Option<&'a str>,
            error_message: Option<&'a str>,
            documentation_url: Option<&'a str>,
            link_error_code: Option<&'a str>,
            request_id: Option<&'a str>,
            retry_after_ms: Option<u64>,
            attempts: u32,
        }
        let wire = Wire {
            status: self.status.code(),
            name: self.status.name(),
            message: &self.message,
            http_status: self.http_status,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            documentation_url: self.documentation_url.as_deref(),
            link_error_code: self.link_error_code.as_deref(),
            request_id: self.request_id.as_deref(),
            retry_after_ms: self.retry_after_ms,
            attempts: self.attempts,
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

    #[test]
    fn error_json_has_every_key() {
        let v: serde_json::Value =
            serde_json::from_str(&Error::invalid("link id is empty").to_json()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        for k in [
            "status",
            "name",
            "message",
            "http_status",
            "error_code",
            "error_message",
            "documentation_url",
            "link_error_code",
            "request_id",
            "retry_after_ms",
            "attempts",
        ] {
            assert!(keys.contains(&k), "missing {k}");
        }
        assert_eq!(v["status"], 1);
        assert_eq!(v["name"], "MK_ERR_INVALID_ARGUMENT");
        assert!(v["http_status"].is_null());
    }
}
