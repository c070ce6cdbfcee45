//! The admin endpoints under `/_sandbox/` (no auth; not counted, not recorded).

use serde_json::{json, Value};

use crate::http::{Conn, Request, Transport};
use crate::respond::{Ctx, Flow, JSON};

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
        _ => ("", false),
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
                }),
            )
        }
        "requests" => {
            let list: Vec<Value> = shared.requests_log().iter().map(|r| r.to_json()).collect();
            ctx.json(conn, 200, &Value::Array(list))
        }
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
