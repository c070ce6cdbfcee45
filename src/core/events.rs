//! One structured event per HTTP attempt, for callers who route diagnostics
//! into their own logging (Python `logging`, Go `slog`, a C++ callback) instead
//! of the process's stderr. An event never carries owner data or a secret: the
//! path is a template (`/links/{id}/identity`), not the link id.

use super::Status;
use std::sync::Arc;
use std::time::Duration;

/// The identity request's path template.
pub const IDENTITY_PATH: &str = "/links/{id}/identity";
/// The token request's path.
pub const TOKEN_PATH: &str = "/auth/token";

/// What happened in one attempt.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// `GET` (identity) or `POST` (token).
    pub method: &'static str,
    /// [`IDENTITY_PATH`] or [`TOKEN_PATH`].
    pub path: &'static str,
    /// The HTTP status, or `None` when no response arrived.
    pub http_status: Option<u16>,
    /// The attempt's outcome (`MkOk` on success).
    pub status: Status,
    /// 1 for the first attempt of a call.
    pub attempt: u32,
    pub elapsed: Duration,
    /// The response's `x-request-id`, when it had one.
    pub request_id: Option<&'a str>,
    /// `Some`: the call waits this long and tries again; `None`: no retry follows.
    pub retry_wait: Option<Duration>,
}

/// Receives events on the thread that made the call.
pub type EventSink = Arc<dyn Fn(&Event<'_>) + Send + Sync>;
