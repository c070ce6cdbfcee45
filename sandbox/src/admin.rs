//! The admin endpoints under `/_sandbox/` (no auth; not counted, not recorded).

use serde_json::{json, Value};

use crate::http::{Conn, Request, Transport};
use crate::respond::{Ctx, Flow, JSON};
use crate::util::{self, percent_decode};
use crate::webhooks::handlers;
use crate::LinkStats;

/// `links/<id>` → the raw (still percent-encoded) id.
fn link_id(what: &str) -> Option<&str> {
    what.strip_prefix("links/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The JSON of `GET /_sandbox/links/<id>`: times in milliseconds since start.
pub fn link_stats_json(s: &LinkStats) -> Value {
    let times: Vec<f64> = s.times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    json!({
        "identity_requests": s.identity_requests,
        "rate_limited": s.rate_limited,
        "max_in_window": s.max_in_window,
        "times_ms": times,
        "refresh_requests": s.refresh_requests,
        "refreshes_refused": s.refreshes_refused,
        "refreshes_completed": s.refreshes_completed,
        "refreshed_at": s.refreshed_at.map(util::rfc3339),
    })
}

pub fn handle_admin<T: Transport>(
    ctx: &Ctx,
    req: &Request,
    conn: &mut Conn<T>,
    what: &str,
) -> Flow {
    let shared = ctx.shared;
    let (method, ok) = match what {
        "stats" => ("GET", true),
        "requests" => ("GET", true),
        "reset" => ("POST", true),
        "expire_tokens" => ("POST", true),
        w if link_id(w).is_some() => ("GET", true),
        w => match w.strip_prefix("webhooks/").and_then(handlers::admin_method) {
            Some(m) => (m, true),
            None => ("", false),
        },
    };
    if !ok {
        return ctx.detail(conn, 404, "Not Found");
    }
    if req.method != method {
        return ctx.send(
            conn,
            405,
            JSON,
            &[("allow", method)],
            &[br#"{"detail":"Method Not Allowed"}"#],
        );
    }
    match what {
        "stats" => {
            let s = shared.stats();
            ctx.json(
                conn,
                200,
                &json!({
                    "requests": s.requests,
                    "token_requests": s.token_requests,
                    "identity_requests": s.identity_requests,
                    "rate_limited": s.rate_limited,
                    "rate_limited_link": s.rate_limited_link,
                    "rate_limited_app": s.rate_limited_app,
                    "refresh_requests": s.refresh_requests,
                    "refreshes_refused": s.refreshes_refused,
                }),
            )
        }
        "requests" => {
            let list: Vec<Value> = shared.requests_log().iter().map(|r| r.to_json()).collect();
            ctx.json(conn, 200, &Value::Array(list))
        }
        w if link_id(w).is_some() => {
            let id = percent_decode(link_id(w).unwrap_or_default(), false);
            ctx.json(conn, 200, &link_stats_json(&shared.tracker.link_stats(&id)))
        }
        w if w.starts_with("webhooks/") => handlers::admin(ctx, req, conn, &w[9..]),
        "reset" => {
            shared.reset();
            ctx.json(conn, 200, &json!({"ok": true}))
        }
        _ => {
            shared.expire_tokens();
            ctx.json(conn, 200, &json!({"ok": true}))
        }
    }
}
