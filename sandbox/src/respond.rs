//! The per-request response context and MoneyKit's error bodies.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{json, Value};

use crate::http::{write_head, Conn, Request, Transport};
use crate::{util, Shared, API_VERSION};

pub const DOCS_URL: &str = "https://docs.moneykit.com/reference/errors";
pub const JSON: &str = "application/json";

/// What to do with the connection after a response.
pub enum Flow {
    /// The response is complete; keep the connection if both sides want to.
    Continue,
    /// The response is complete but the connection must close (orderly).
    Close,
    /// The connection is already dealt with (fault): drop it as is.
    Abort,
}

/// Per-request response context.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub keep: bool,
    pub http10: bool,
    /// Latency still to add before this request's answer (realistic mode).
    pub delay: Cell<Duration>,
}

impl<'a> Ctx<'a> {
    pub fn new(shared: &'a Shared, keep: bool, http10: bool) -> Ctx<'a> {
        Ctx {
            shared,
            keep,
            http10,
            delay: Cell::new(Duration::ZERO),
        }
    }

    /// Arms the configured latency (if any) for this request's answer.
    pub fn arm_latency(&self) {
        let settings = self.shared.tracker.settings();
        if settings.latency.is_some() {
            let k = self.shared.latency_counter.fetch_add(1, Ordering::Relaxed);
            self.delay.set(settings.latency(k));
        }
    }

    /// Waits out the armed latency (once); every answer calls this before its first byte.
    pub fn pause(&self) {
        let d = self.delay.take();
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }

    pub fn request_id(&self) -> String {
        let n = self.shared.id_counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "req_{:016x}",
            util::mix64(self.shared.id_seed.wrapping_add(n))
        )
    }

    pub fn connection_header(&self) -> Option<&'static str> {
        if !self.keep {
            Some("close")
        } else if self.http10 {
            Some("keep-alive")
        } else {
            None
        }
    }

    /// Sends a complete response in one write.
    pub fn send<T: Transport>(
        &self,
        conn: &mut Conn<T>,
        status: u16,
        content_type: &str,
        extra: &[(&str, &str)],
        body: &[&[u8]],
    ) -> Flow {
        self.pause();
        let len = body.iter().map(|b| b.len()).sum();
        conn.out.reserve(len + 320);
        write_head(
            &mut conn.out,
            status,
            content_type,
            Some(len),
            &self.request_id(),
            extra,
            self.connection_header(),
        );
        for b in body {
            conn.out.extend_from_slice(b);
        }
        match conn.send_out() {
            Ok(()) if self.keep => Flow::Continue,
            Ok(()) => Flow::Close,
            Err(_) => Flow::Abort,
        }
    }

    pub fn json<T: Transport>(&self, conn: &mut Conn<T>, status: u16, body: &Value) -> Flow {
        self.json_with(conn, status, &[], body)
    }

    pub fn json_with<T: Transport>(
        &self,
        conn: &mut Conn<T>,
        status: u16,
        extra: &[(&str, &str)],
        body: &Value,
    ) -> Flow {
        let b = serde_json::to_vec(body).unwrap_or_default();
        self.send(conn, status, JSON, extra, &[&b])
    }

    /// A MoneyKit error body.
    pub fn error<T: Transport>(
        &self,
        conn: &mut Conn<T>,
        status: u16,
        extra: &[(&str, &str)],
        code: &str,
        message: &str,
    ) -> Flow {
        let body = error_value(code, message);
        self.json_with(conn, status, extra, &body)
    }

    /// FastAPI-style `{"detail": ...}`.
    pub fn detail<T: Transport>(&self, conn: &mut Conn<T>, status: u16, detail: &str) -> Flow {
        self.json(conn, status, &json!({ "detail": detail }))
    }
}

pub fn error_value(code: &str, message: &str) -> Value {
    json!({
        "error_code": code,
        "error_message": message,
        "documentation_url": DOCS_URL,
    })
}

pub fn version_error<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Option<Flow> {
    let v = req.header("moneykit-version")?;
    if v == API_VERSION {
        return None;
    }
    Some(ctx.json(
        conn,
        422,
        &json!({
            "error_code": "api_error.request.validation_failed",
            "error_message": "Request validation failed.",
            "documentation_url": DOCS_URL,
            "validation_errors": [{
                "location": ["header", "moneykit-version"],
                "message": format!("unsupported API version {v:?}; the only supported version is {API_VERSION}"),
                "type": "value_error",
            }],
        }),
    ))
}
