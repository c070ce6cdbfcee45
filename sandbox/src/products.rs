//! `POST /links/{id}/products` with `{"products": ["identity", ...]}`: queues a refresh
//! and answers 202 with the link object (`LinkCommon`). Same authentication and
//! `moneykit-version` check as the identity endpoint; then the body is checked (400 not
//! JSON, 422 not `{"products": [known product names, at least one]}`); then the link id:
//! a 200 fixture (built-in, bulk, corpus or `--fixtures`) is refreshed, any other id answers
//! exactly what `GET /links/{id}/identity` would (404, 410, faults, ...). Naming
//! `identity` counts against `refresh_per_day` (429 + `Retry-After` when used up) and,
//! `refresh_delay` later, advances that link's `products.identity.refreshed_at` (and
//! `last_attempted_at`) in identity answers (never for `mk_webhook_refresh_failed`, whose
//! refreshes fail). An accepted identity refresh sends `link.product_refresh` webhooks
//! (webhooks/). Other product names are accepted and ignored.

use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::{json, Value};

use crate::auth::auth_error;
use crate::http::{Conn, Request, Transport};
use crate::magic::{fixture_body, respond_as_identity};
use crate::magic_gen::{classify, Answer};
use crate::realistic::retry_after_secs;
use crate::respond::{error_value, version_error, Ctx, Flow};
use crate::util::{self, percent_decode};
use crate::webhooks::{self, handlers::link_tags};
use crate::Shared;

/// The product names `POST /links/{id}/products` accepts (MoneyKit's `Product` enum).
pub const PRODUCTS: [&str; 5] = [
    "accounts",
    "account_numbers",
    "identity",
    "transactions",
    "investments",
];

/// Sets `products.identity.refreshed_at` and `last_attempted_at` of a link object to
/// `unix` (creating `products.identity` when `products` is an object without it).
pub fn set_refreshed_at(link: &mut Value, unix: i64) {
    let Some(products) = link.get_mut("products").and_then(Value::as_object_mut) else {
        return;
    };
    let identity = products.entry("identity").or_insert_with(|| json!({}));
    if let Some(identity) = identity.as_object_mut() {
        let t = Value::String(util::rfc3339(unix));
        identity.insert("refreshed_at".to_string(), t.clone());
        identity.insert("last_attempted_at".to_string(), t);
    }
}

/// The body's product names, or the 400/422 answer's (status, error body).
fn parse_body(body: &[u8]) -> Result<Vec<String>, (u16, Value)> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        (
            400,
            error_value(
                "api_error.request.bad_request",
                "Request body is not valid JSON.",
            ),
        )
    })?;
    let invalid = |message: &str| {
        let mut e = error_value(
            "api_error.request.validation_failed",
            "Request validation failed.",
        );
        e["validation_errors"] = json!([{
            "location": ["body", "products"],
            "message": message,
            "type": "value_error",
        }]);
        (422, e)
    };
    let list = v
        .get("products")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("products must be a list of product names"))?;
    if list.is_empty() {
        return Err(invalid("products must name at least one product"));
    }
    list.iter()
        .map(|p| match p.as_str() {
            Some(name) if PRODUCTS.contains(&name) => Ok(name.to_string()),
            _ => Err(invalid(
                "products must be among accounts, account_numbers, identity, transactions, investments",
            )),
        })
        .collect()
}

/// The link object of a link id whose identity answer is a 200 fixture (`--fixtures`
/// files first), with the id's answer and what follows its prefix; `None` for any other id
/// (errors, faults, unknown ids).
pub fn fixture_link<'i>(shared: &Shared, id: &'i str) -> (Option<Value>, Answer, &'i str) {
    let (answer, rest) = classify(id);
    let body = match shared.user_fixtures.get(id) {
        Some(b) => Some(std::borrow::Cow::Borrowed(&b[..])),
        None => fixture_body(shared, answer, rest),
    };
    let link = body
        .as_deref()
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|mut v| v.get_mut("link").map(Value::take))
        .filter(Value::is_object);
    (link, answer, rest)
}

/// The `refreshed_at` of a link object, as Unix seconds (rounded down).
fn refreshed_at(link: &Value) -> Option<i64> {
    let text = link
        .get("products")?
        .get("identity")?
        .get("refreshed_at")?
        .as_str()?;
    let t = moneykit::core::model::Timestamp::parse(text)?;
    Some(t.unix_micros().div_euclid(1_000_000))
}

pub fn handle_products<T: Transport>(
    ctx: &Ctx,
    req: &Request,
    conn: &mut Conn<T>,
    raw_id: &str,
) -> Flow {
    let shared = ctx.shared;
    ctx.arm_latency();
    let arrival = Instant::now();
    let arrival_unix = util::now_unix_f64();
    if let Some(f) = auth_error(ctx, req, conn) {
        return f;
    }
    if let Some(f) = version_error(ctx, req, conn) {
        return f;
    }
    let products = match parse_body(&req.body) {
        Ok(p) => p,
        Err((status, body)) => return ctx.json(conn, status, &body),
    };
    let id = percent_decode(raw_id, false);
    let (link, answer, rest) = fixture_link(shared, &id);
    let Some(mut link) = link else {
        return respond_as_identity(ctx, conn, answer, &id, rest, &req.target);
    };
    let served = if products.iter().any(|p| p == "identity") {
        let fails = webhooks::behaviour(answer).refresh_fails;
        match shared
            .tracker
            .refresh(&id, arrival, arrival_unix, refreshed_at(&link), fails)
        {
            Ok(served) => {
                let due = arrival + shared.tracker.settings().refresh_delay;
                let tags = link_tags(&link);
                let wh = &shared.webhooks;
                wh.on_refresh(&id, answer, &tags, arrival, arrival_unix, due);
                served
            }
            Err(wait) => {
                shared.refreshes_refused.fetch_add(1, Ordering::Relaxed);
                let secs = retry_after_secs(wait).to_string();
                let body = error_value("api_error.rate_limit_exceeded", "Rate limit exceeded");
                return ctx.json_with(conn, 429, &[("retry-after", &secs)], &body);
            }
        }
    } else {
        shared.tracker.refreshed_at(&id, arrival)
    };
    if let Some(t) = served {
        set_refreshed_at(&mut link, t);
    }
    ctx.json(conn, 202, &link)
}
