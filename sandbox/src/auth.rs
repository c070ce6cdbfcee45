//! Authentication: the token endpoint (`POST /auth/token`), stateless tokens, and the
//! credential check in front of every identity request.

use std::hash::BuildHasher;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use crate::http::{Conn, Request, Transport};
use crate::respond::{version_error, Ctx, Flow, DOCS_URL, JSON};
use crate::util::{self, percent_decode};
use crate::Shared;

// Tokens: stateless, `sbx_` + 48 hex digits = tag, serial ^ mask1, expiry_ms ^ mask2, where the
// tag is a keyed hash of (serial, expiry) and the masks are keyed hashes of the tag. Nothing is
// stored per token; `expire_tokens` bumps a serial watermark.

fn token_tag(shared: &Shared, serial: u64, expiry_ms: u64) -> u64 {
    shared
        .token_hasher
        .hash_one((0x746f6b656eu64, serial, expiry_ms))
}

fn token_masks(shared: &Shared, tag: u64) -> (u64, u64) {
    (
        shared.token_hasher.hash_one((1u8, tag)),
        shared.token_hasher.hash_one((2u8, tag)),
    )
}

fn issue_token(shared: &Shared, ttl: Duration) -> String {
    let serial = shared.token_serial.fetch_add(1, Ordering::SeqCst);
    let expiry_ms = (shared.epoch.elapsed() + ttl).as_millis() as u64;
    let tag = token_tag(shared, serial, expiry_ms);
    let (m1, m2) = token_masks(shared, tag);
    format!("sbx_{tag:016x}{:016x}{:016x}", serial ^ m1, expiry_ms ^ m2)
}

enum TokenState {
    Valid,
    Expired,
    Invalid,
}

fn check_token(shared: &Shared, token: &str) -> TokenState {
    if token == shared.static_token {
        return TokenState::Valid;
    }
    let Some(hex) = token.strip_prefix("sbx_") else {
        return TokenState::Invalid;
    };
    if hex.len() != 48 || !hex.is_ascii() {
        return TokenState::Invalid;
    }
    let (Some(tag), Some(s), Some(e)) = (
        util::parse_hex_u64(&hex[..16]),
        util::parse_hex_u64(&hex[16..32]),
        util::parse_hex_u64(&hex[32..]),
    ) else {
        return TokenState::Invalid;
    };
    let (m1, m2) = token_masks(shared, tag);
    let (serial, expiry_ms) = (s ^ m1, e ^ m2);
    if token_tag(shared, serial, expiry_ms) != tag {
        return TokenState::Invalid;
    }
    let now_ms = shared.epoch.elapsed().as_millis() as u64;
    if serial < shared.expired_before.load(Ordering::SeqCst) || now_ms >= expiry_ms {
        TokenState::Expired
    } else {
        TokenState::Valid
    }
}

pub fn handle_token<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Flow {
    let shared = ctx.shared;
    let form = util::parse_form(&String::from_utf8_lossy(&req.body));
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("grant_type") != Some("client_credentials") {
        let got = field("grant_type");
        return ctx.json(
            conn,
            400,
            &json!({
                "error_code": "api_error.request.validation_failed",
                "error_message": "Request validation failed.",
                "documentation_url": DOCS_URL,
                "validation_errors": [{
                    "location": ["body", "grant_type"],
                    "message": match got {
                        None => "field required: grant_type must be \"client_credentials\"".to_string(),
                        Some(g) => format!("unsupported grant_type {g:?}; expected \"client_credentials\""),
                    },
                    "type": "value_error",
                }],
            }),
        );
    }
    // Credentials: HTTP Basic first, else form fields.
    let basic = req.header("authorization").and_then(|a| {
        let (scheme, rest) = a.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = util::base64_decode(rest.trim())?;
        let s = String::from_utf8(raw).ok()?;
        let (id, secret) = s.split_once(':')?;
        Some((id.to_string(), secret.to_string()))
    });
    let (id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            field("client_id").map(str::to_string),
            field("client_secret").map(str::to_string),
        ),
    };
    let unauthorized = |conn: &mut Conn<T>| {
        ctx.error(
            conn,
            401,
            &[("www-authenticate", "Basic realm=\"moneykit\"")],
            "api_error.auth.unauthorized",
            "Invalid client credentials.",
        )
    };
    let Some(id) = id else {
        return unauthorized(conn);
    };
    let mut ttl = shared.token_ttl;
    match id.as_str() {
        "sandbox-token-500" => {
            return ctx.error(
                conn,
                500,
                &[],
                "api_error.internal",
                "Internal server error.",
            )
        }
        "sandbox-token-garbage" => return ctx.send(conn, 201, JSON, &[], &[b"this is not json"]),
        "sandbox-token-short" => ttl = Duration::from_secs(1),
        // A token that is not a valid header value (CR/LF inside).
        "sandbox-token-crlf" => {
            let body = br#"{"access_token":"abc\r\nX-Injected: 1","token_type":"bearer","expires_in":3600}"#;
            return ctx.send(conn, 201, JSON, &[], &[body]);
        }
        // A valid token with a nonsense lifetime: expires_in absent, or 0.
        "sandbox-token-no-expiry" | "sandbox-token-zero-expiry" => {
            let token = issue_token(shared, shared.token_ttl);
            let expiry = if id == "sandbox-token-zero-expiry" {
                r#","expires_in":0"#
            } else {
                ""
            };
            let body = format!(r#"{{"access_token":"{token}","token_type":"bearer"{expiry}}}"#);
            return ctx.send(conn, 201, JSON, &[], &[body.as_bytes()]);
        }
        // Waits <ms> milliseconds, then answers 500 (a slow, failing token endpoint).
        slow if slow.starts_with("sandbox-token-slow500-") => {
            let ms: u64 = slow["sandbox-token-slow500-".len()..]
                .parse()
                .unwrap_or(0)
                .min(120_000);
            std::thread::sleep(Duration::from_millis(ms));
            return ctx.error(
                conn,
                500,
                &[],
                "api_error.internal",
                "Internal server error.",
            );
        }
        _ => {
            let good =
                |given: &str, want: &str| given == want || percent_decode(given, true) == want;
            if !(good(&id, &shared.client_id)
                && secret
                    .as_deref()
                    .is_some_and(|s| good(s, &shared.client_secret)))
            {
                return unauthorized(conn);
            }
        }
    }
    if let Some(f) = version_error(ctx, req, conn) {
        return f;
    }
    let token = issue_token(shared, ttl);
    ctx.send(
        conn,
        201,
        JSON,
        &[("cache-control", "no-store")],
        &[format!(
            r#"{{"access_token":"{token}","token_type":"bearer","expires_in":{}}}"#,
            ttl.as_secs()
        )
        .as_bytes()],
    )
}

pub fn auth_error<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Option<Flow> {
    let shared = ctx.shared;
    let bearer = req.header("authorization").and_then(|a| {
        let (scheme, rest) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
    });
    let www = [("www-authenticate", "Bearer")];
    if let Some(token) = bearer {
        return match check_token(shared, token) {
            TokenState::Valid => None,
            TokenState::Expired => Some(ctx.error(
                conn,
                401,
                &www,
                "api_error.auth.expired_access_token",
                "Access token expired",
            )),
            TokenState::Invalid => Some(ctx.error(
                conn,
                401,
                &www,
                "api_error.auth.unauthorized",
                "Invalid access token.",
            )),
        };
    }
    match (req.header("x-client-id"), req.header("x-client-secret")) {
        (Some(id), Some(secret)) => {
            if id == shared.client_id && secret == shared.client_secret {
                None
            } else {
                Some(ctx.error(
                    conn,
                    401,
                    &www,
                    "api_error.auth.unauthorized",
                    "Invalid client credentials.",
                ))
            }
        }
        _ => Some(ctx.error(
            conn,
            401,
            &www,
            "api_error.auth.unauthorized",
            "Missing credentials: send Authorization: Bearer <access_token>, or X-Client-Id and X-Client-Secret.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_roundtrip() {
        let sb = crate::Sandbox::start(crate::Config::default()).unwrap();
        let sh = &sb.shared;
        let t = issue_token(sh, Duration::from_secs(60));
        assert!(t.starts_with("sbx_") && t.len() == 52);
        assert!(matches!(check_token(sh, &t), TokenState::Valid));
        let mut bad = t.clone();
        bad.replace_range(10..11, if &t[10..11] == "0" { "1" } else { "0" });
        assert!(matches!(check_token(sh, &bad), TokenState::Invalid));
        let short = issue_token(sh, Duration::ZERO);
        assert!(matches!(check_token(sh, &short), TokenState::Expired));
        sh.expire_tokens();
        assert!(matches!(check_token(sh, &t), TokenState::Expired));
        let t2 = issue_token(sh, Duration::from_secs(60));
        assert!(matches!(check_token(sh, &t2), TokenState::Valid));
        assert!(matches!(
            check_token(sh, "sandbox-access-token"),
            TokenState::Valid
        ));
    }
}
