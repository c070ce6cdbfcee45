//! The webhook endpoints: `GET /.well-known/jwks.json`, `POST /webhooks/test/link/{id}`,
//! and the admin calls under `/_sandbox/webhooks/`.

use serde_json::{json, Value};

use super::TEST_EVENTS;
use crate::auth::auth_error;
use crate::http::{Conn, Request, Transport};
use crate::magic::respond_as_identity;
use crate::products::fixture_link;
use crate::respond::{error_value, version_error, Ctx, Flow};
use crate::util::percent_decode;

/// `GET /.well-known/jwks.json`: needs `X-Client-Id` naming the sandbox's client id (no
/// token or secret), else 401 like the API's other credential errors.
pub fn jwks<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Flow {
    let shared = ctx.shared;
    let www = [("www-authenticate", "Bearer")];
    match req.header("x-client-id").filter(|id| !id.is_empty()) {
        None => ctx.error(
            conn,
            401,
            &www,
            "api_error.auth.unauthorized",
            "Missing credentials: send X-Client-Id.",
        ),
        Some(id) if id != shared.client_id => ctx.error(
            conn,
            401,
            &www,
            "api_error.auth.unauthorized",
            "Invalid client credentials.",
        ),
        Some(_) => {
            let cache = format!("max-age={}", shared.webhooks.settings.jwks_max_age);
            let body = shared.webhooks.jwks();
            ctx.json_with(conn, 200, &[("cache-control", &cache)], &body)
        }
    }
}

fn validation(ctx_message: &str) -> Value {
    let mut e = error_value(
        "api_error.request.validation_failed",
        "Request validation failed.",
    );
    e["validation_errors"] = json!([{
        "location": ["body", "webhook_event"],
        "message": ctx_message,
        "type": "value_error",
    }]);
    e
}

/// `POST /webhooks/test/link/{id}` with `{"webhook_event": "...",
/// "webhook_idempotency_key": "..."}` (the key optional): same credentials and version check
/// as the API; sends the event to the link's webhook URL and answers
/// `{"delivery_token": "..."}`.
pub fn test_link<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>, raw_id: &str) -> Flow {
    let shared = ctx.shared;
    if let Some(f) = auth_error(ctx, req, conn) {
        return f;
    }
    if let Some(f) = version_error(ctx, req, conn) {
        return f;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        let e = error_value(
            "api_error.request.bad_request",
            "Request body is not valid JSON.",
        );
        return ctx.json(conn, 400, &e);
    };
    let event = match body.get("webhook_event").and_then(Value::as_str) {
        Some(e) if TEST_EVENTS.contains(&e) => e,
        _ => {
            let msg = format!("webhook_event must be one of {}", TEST_EVENTS.join(", "));
            return ctx.json(conn, 422, &validation(&msg));
        }
    };
    let key = match body.get("webhook_idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) if !k.is_empty() => Some(k.clone()),
        Some(_) => {
            let mut e = validation("webhook_idempotency_key must be a non-empty string");
            e["validation_errors"][0]["location"][1] = json!("webhook_idempotency_key");
            return ctx.json(conn, 422, &e);
        }
    };
    let id = percent_decode(raw_id, false);
    let (link, answer, rest) = fixture_link(shared, &id);
    let Some(link) = link else {
        return respond_as_identity(ctx, conn, answer, &id, rest, &req.target);
    };
    match shared
        .webhooks
        .test_delivery(&id, answer, &link_tags(&link), event, key)
    {
        Some(token) => ctx.json(conn, 200, &json!({ "delivery_token": token })),
        None => ctx.error(
            conn,
            400,
            &[],
            "api_error.request.bad_request",
            "This link has no webhook URL (--webhook-url, or POST /_sandbox/webhooks/url).",
        ),
    }
}

/// A link object's `link_tags` (strings only; none when absent).
pub fn link_tags(link: &Value) -> Vec<String> {
    link.get("link_tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The admin calls `webhooks/url`, `webhooks/rotate`, `webhooks/deliveries` and
/// `webhooks/forgeries` (`what` is
/// the part after `webhooks/`); `None` for any other path.
pub fn admin_method(what: &str) -> Option<&'static str> {
    match what {
        "url" | "rotate" => Some("POST"),
        "deliveries" | "forgeries" => Some("GET"),
        _ => None,
    }
}

pub fn admin<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>, what: &str) -> Flow {
    let wh = &ctx.shared.webhooks;
    match what {
        "url" => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return ctx.detail(conn, 400, "body is not JSON");
            };
            let link_id = match body.get("link_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
                Some(_) => return ctx.detail(conn, 422, "link_id must be a non-empty string"),
            };
            let url = match body.get("url") {
                Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.as_str()),
                _ => return ctx.detail(conn, 422, "url must be a string, or null to clear"),
            };
            match wh.set_url(link_id, url) {
                Ok(()) => ctx.json(conn, 200, &json!({ "link_id": link_id, "url": url })),
                Err(why) => ctx.detail(conn, 422, &why),
            }
        }
        "rotate" => match wh.rotate() {
            Ok((kid, previous)) => {
                let ms = wh.settings.key_overlap.as_secs_f64() * 1000.0;
                ctx.json(
                    conn,
                    200,
                    &json!({ "kid": kid, "previous_kid": previous, "previous_published_ms": ms }),
                )
            }
            Err(why) => ctx.detail(conn, 500, &why),
        },
        "forgeries" => ctx.json(conn, 200, &wh.forgeries()),
        _ => {
            let list: Vec<Value> = wh.deliveries().iter().map(|d| d.to_json()).collect();
            ctx.json(conn, 200, &Value::Array(list))
        }
    }
}
