//! The status codes every fallible call returns: the single source of truth
//! for the C header (`enum mk_status`) and, through it, every binding.

/// Result of every fallible `mk_` function. Numbers are stable and never reused.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::enum_variant_names)] // the `Mk` prefix becomes the header's `MK_` prefix
pub enum Status {
    /// Success.
    MkOk = 0,
    /// NULL where not allowed, a string that is not UTF-8, an empty link id, bad options JSON,
    /// or a base URL that is not https (plain http is allowed for loopback hosts only).
    MkErrInvalidArgument = 1,
    /// DNS failure, connection refused or reset, TLS failure, refused or too many redirects.
    MkErrTransport = 2,
    /// The connect timeout or the whole-request deadline elapsed.
    MkErrTimeout = 3,
    /// The body is not valid JSON, lacks a required field, has a wrong type,
    /// or exceeds `max_response_bytes`.
    MkErrDecode = 4,
    /// HTTP 401, or the token endpoint refused the credentials.
    MkErrUnauthorized = 5,
    /// HTTP 403 `link_error.forbidden_action`.
    MkErrForbidden = 6,
    /// HTTP 404 `link_error.not_found`.
    MkErrNotFound = 7,
    /// HTTP 410 `link_error.deleted`.
    MkErrLinkDeleted = 8,
    /// HTTP 422 `link_error.bad_state`; the error JSON carries `link_error_code`.
    MkErrLinkBadState = 9,
    /// HTTP 429 after the retries were used up (or `Retry-After` exceeded `max_retry_after_ms`).
    MkErrRateLimited = 10,
    /// HTTP 5xx after the retries were used up.
    MkErrServer = 11,
    /// Any other unexpected HTTP status (e.g. 400, or 422 with a validation body).
    MkErrHttp = 12,
    /// A bug inside the library (e.g. a caught panic); never expected.
    MkErrInternal = 13,
}

impl Status {
    /// Every status, in numeric order.
    pub const ALL: [Status; 14] = [
        Status::MkOk,
        Status::MkErrInvalidArgument,
        Status::MkErrTransport,
        Status::MkErrTimeout,
        Status::MkErrDecode,
        Status::MkErrUnauthorized,
        Status::MkErrForbidden,
        Status::MkErrNotFound,
        Status::MkErrLinkDeleted,
        Status::MkErrLinkBadState,
        Status::MkErrRateLimited,
        Status::MkErrServer,
        Status::MkErrHttp,
        Status::MkErrInternal,
    ];

    /// The status with this number, if there is one.
    pub fn from_code(code: i32) -> Option<Status> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Status::ALL.get(i).copied())
    }

    /// The number, as the C ABI returns it.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The C name, e.g. `"MK_ERR_NOT_FOUND"`.
    pub fn name(self) -> &'static str {
        self.texts().0
    }

    /// A one-line English description.
    pub fn describe(self) -> &'static str {
        self.texts().1
    }

    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Status::MkOk => ("MK_OK", "success"),
            Status::MkErrInvalidArgument => ("MK_ERR_INVALID_ARGUMENT", "invalid argument"),
            Status::MkErrTransport => (
                "MK_ERR_TRANSPORT",
                "network error (DNS, connect, TLS, reset or redirect)",
            ),
            Status::MkErrTimeout => ("MK_ERR_TIMEOUT", "the request timed out"),
            Status::MkErrDecode => (
                "MK_ERR_DECODE",
                "the response body is not a valid identity document",
            ),
            Status::MkErrUnauthorized => (
                "MK_ERR_UNAUTHORIZED",
                "unauthorized: bad credentials or access token",
            ),
            Status::MkErrForbidden => (
                "MK_ERR_FORBIDDEN",
                "forbidden: the user did not permit access to this data",
            ),
            Status::MkErrNotFound => ("MK_ERR_NOT_FOUND", "link not found"),
            Status::MkErrLinkDeleted => ("MK_ERR_LINK_DELETED", "the link was deleted"),
            Status::MkErrLinkBadState => (
                "MK_ERR_LINK_BAD_STATE",
                "the link is in a bad state (see link_error_code)",
            ),
            Status::MkErrRateLimited => ("MK_ERR_RATE_LIMITED", "rate limit exceeded"),
            Status::MkErrServer => ("MK_ERR_SERVER", "MoneyKit server error"),
            Status::MkErrHttp => ("MK_ERR_HTTP", "unexpected HTTP status"),
            Status::MkErrInternal => ("MK_ERR_INTERNAL", "internal error in moneykit-native"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as i32);
            assert_eq!(Status::from_code(i as i32), Some(*s));
            assert!(s.name().starts_with("MK_"));
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(14), None);
    }
}
