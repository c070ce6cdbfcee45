//! Request handling: routing, auth, fixtures, error links and faults.

use std::hash::BuildHasher;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{json, Value};

use crate::fixtures;
use crate::http::{drain, write_head, Conn, ReadError, Request, Transport};
use crate::util::{self, percent_decode};
use crate::{lock, RecordedRequest, Shared, API_VERSION, REQUEST_LOG_CAP};

pub const DOCS_URL: &str = "https://docs.moneykit.com/reference/errors";
const JSON: &str = "application/json";
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
const REFRESHED_PLACEHOLDER: &str = "@@REFRESHED_AT@@";
/// Largest `mk_fault_oversized_*` body (1 GiB).
pub const OVERSIZED_CAP: u64 = 1 << 30;
/// Longest `mk_fault_slow_*` delay.
pub const SLOW_CAP_MS: u64 = 120_000;
const STREAM_CHUNK: usize = 64 * 1024;

/// Pre-serialized bodies, built once per process.
pub struct Fixtures {
    pub ok: Vec<u8>,
    pub unicode: Vec<u8>,
    pub minimal: Vec<u8>,
    pub extra_fields: Vec<u8>,
    /// Built on first use (it takes a moment in debug builds).
    large: OnceLock<Vec<u8>>,
    /// `mk_sandbox_refreshing`, split around the refreshed_at placeholder.
    pub refreshing_parts: Vec<Vec<u8>>,
    pub deep: Vec<u8>,
}

impl Fixtures {
    pub fn large(&self) -> &[u8] {
        self.large
            .get_or_init(|| serde_json::to_vec(&fixtures::large()).expect("fixture serializes"))
    }
}

pub fn fixtures() -> Arc<Fixtures> {
    static F: OnceLock<Arc<Fixtures>> = OnceLock::new();
    static LARGE_STARTED: std::sync::Once = std::sync::Once::new();
    let f = F.get_or_init(|| {
        let ser = |v: &Value| serde_json::to_vec(v).expect("fixture serializes");
        let mut refreshing = fixtures::ok("mk_sandbox_refreshing");
        refreshing["link"]["products"]["identity"]["refreshed_at"] = json!(REFRESHED_PLACEHOLDER);
        refreshing["link"]["products"]["identity"]["last_attempted_at"] =
            json!(REFRESHED_PLACEHOLDER);
        let refreshing = String::from_utf8(ser(&refreshing)).expect("utf-8");
        let mut deep = Vec::with_capacity(200_000);
        deep.resize(100_000, b'[');
        deep.resize(200_000, b']');
        Arc::new(Fixtures {
            ok: ser(&fixtures::ok("mk_sandbox_ok")),
            unicode: ser(&fixtures::unicode()),
            minimal: ser(&fixtures::minimal()),
            extra_fields: ser(&fixtures::extra_fields()),
            large: OnceLock::new(),
            refreshing_parts: refreshing
                .split(REFRESHED_PLACEHOLDER)
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            deep,
        })
    });
    // Build the large body in the background so start-up stays fast and the first
    // `mk_sandbox_large` request is (usually) not slowed down.
    LARGE_STARTED.call_once(|| {
        let f = Arc::clone(f);
        let _ = std::thread::Builder::new()
            .name("sandbox-fixtures".to_string())
            .spawn(move || {
                f.large();
            });
    });
    Arc::clone(f)
}

/// Serves one accepted TCP connection (plain or TLS) until it closes.
pub fn connection(shared: Arc<Shared>, tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = tcp.set_write_timeout(Some(WRITE_TIMEOUT));
    match &shared.tls {
        None => serve(&shared, Conn::new(tcp)),
        Some(cfg) => {
            let Ok(conn) = rustls::ServerConnection::new(Arc::clone(cfg)) else {
                return;
            };
            serve(&shared, Conn::new(rustls::StreamOwned::new(conn, tcp)));
        }
    }
}

/// What to do with the connection after a response.
enum Flow {
    /// The response is complete; keep the connection if both sides want to.
    Continue,
    /// The response is complete but the connection must close (orderly).
    Close,
    /// The connection is already dealt with (fault): drop it as is.
    Abort,
}

/// Per-request response context.
struct Ctx<'a> {
    shared: &'a Shared,
    keep: bool,
    http10: bool,
}

impl Ctx<'_> {
    fn request_id(&self) -> String {
        let n = self.shared.id_counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "req_{:016x}",
            util::mix64(self.shared.id_seed.wrapping_add(n))
        )
    }

    fn connection_header(&self) -> Option<&'static str> {
        if !self.keep {
            Some("close")
        } else if self.http10 {
            Some("keep-alive")
        } else {
            None
        }
    }

    /// Sends a complete response in one write.
    fn send<T: Transport>(
        &self,
        conn: &mut Conn<T>,
        status: u16,
        content_type: &str,
        extra: &[(&str, &str)],
        body: &[&[u8]],
    ) -> Flow {
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

    fn json<T: Transport>(&self, conn: &mut Conn<T>, status: u16, body: &Value) -> Flow {
        self.json_with(conn, status, &[], body)
    }

    fn json_with<T: Transport>(
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
    fn error<T: Transport>(
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
    fn detail<T: Transport>(&self, conn: &mut Conn<T>, status: u16, detail: &str) -> Flow {
        self.json(conn, status, &json!({ "detail": detail }))
    }
}

fn error_value(code: &str, message: &str) -> Value {
    json!({
        "error_code": code,
        "error_message": message,
        "documentation_url": DOCS_URL,
    })
}

fn serve<T: Transport>(shared: &Shared, mut conn: Conn<T>) {
    loop {
        let req = match conn.read_request() {
            Ok(r) => r,
            Err(e) => {
                let ctx = Ctx {
                    shared,
                    keep: false,
                    http10: false,
                };
                let (status, detail) = match e {
                    ReadError::Closed => return,
                    ReadError::Bad(why) => (400, why),
                    ReadError::HeadTooLarge => (431, "Request Header Fields Too Large"),
                    ReadError::BodyTooLarge => (413, "Request body too large"),
                    ReadError::Unsupported => (501, "Unsupported Transfer-Encoding"),
                };
                if let Flow::Abort = ctx.detail(&mut conn, status, detail) {
                    return;
                }
                conn.graceful_close(true);
                return;
            }
        };
        let ctx = Ctx {
            shared,
            keep: req.keep_alive() && !shared.stop.load(Ordering::Relaxed),
            http10: req.minor == 0,
        };
        match handle(&ctx, &req, &mut conn) {
            Flow::Continue => {}
            Flow::Close => {
                conn.graceful_close(true);
                return;
            }
            Flow::Abort => return,
        }
    }
}

fn record(shared: &Shared, req: &Request) {
    let r = RecordedRequest {
        method: req.method.clone(),
        target: req.target.clone(),
        host: req.header("host").map(str::to_string),
        authorization: req.header("authorization").is_some(),
        x_client_id: req.header("x-client-id").map(str::to_string),
        x_client_secret: req.header("x-client-secret").is_some(),
        moneykit_version: req.header("moneykit-version").map(str::to_string),
        user_agent: req.header("user-agent").map(str::to_string),
        accept: req.header("accept").map(str::to_string),
    };
    let mut log = lock(&shared.log);
    if log.len() >= REQUEST_LOG_CAP {
        log.pop_front();
    }
    log.push_back(r);
}

/// `/links/<segment>/identity` → the raw (still percent-encoded) segment.
fn link_segment(path: &str) -> Option<&str> {
    let seg = path.strip_prefix("/links/")?.strip_suffix("/identity")?;
    (!seg.is_empty() && !seg.contains('/')).then_some(seg)
}

fn handle<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Flow {
    let shared = ctx.shared;
    let path = req.path();
    if let Some(admin) = path.strip_prefix("/_sandbox/") {
        return handle_admin(ctx, req, conn, admin);
    }
    shared.requests.fetch_add(1, Ordering::Relaxed);
    record(shared, req);
    if path == "/auth/token" {
        shared.token_requests.fetch_add(1, Ordering::Relaxed);
        if req.method != "POST" {
            return ctx.send(
                conn,
                405,
                JSON,
                &[("allow", "POST")],
                &[br#"{"detail":"Method Not Allowed"}"#],
            );
        }
        return handle_token(ctx, req, conn);
    }
    if let Some(seg) = link_segment(path) {
        if req.method != "GET" {
            return ctx.send(
                conn,
                405,
                JSON,
                &[("allow", "GET")],
                &[br#"{"detail":"Method Not Allowed"}"#],
            );
        }
        shared.identity_requests.fetch_add(1, Ordering::Relaxed);
        return handle_identity(ctx, req, conn, seg);
    }
    ctx.detail(conn, 404, "Not Found")
}

fn handle_admin<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>, what: &str) -> Flow {
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

fn version_error<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Option<Flow> {
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

// ---------------------------------------------------------------------------------------------
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

fn handle_token<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Flow {
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

// ---------------------------------------------------------------------------------------------
// Identity

fn auth_error<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Option<Flow> {
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

/// `<prefix>` or `<prefix>_<tag>`.
fn is_tagged(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
}

/// Parses the number after `prefix`, e.g. `mk_fault_slow_250` → 250.
fn numeric_suffix(id: &str, prefix: &str) -> Option<u64> {
    let n = id.strip_prefix(prefix)?;
    if n.is_empty() || n.len() > 19 || !n.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

fn first_time(shared: &Shared, id: &str) -> bool {
    lock(&shared.once).insert(id.to_string())
}

fn handle_identity<T: Transport>(
    ctx: &Ctx,
    req: &Request,
    conn: &mut Conn<T>,
    raw_id: &str,
) -> Flow {
    if let Some(f) = auth_error(ctx, req, conn) {
        return f;
    }
    if let Some(f) = version_error(ctx, req, conn) {
        return f;
    }
    let shared = ctx.shared;
    let fx = &*shared.fixtures;
    let id = percent_decode(raw_id, false);
    let query = req.query();
    let filter: Option<Vec<String>> = {
        let pairs = util::parse_form(query);
        // Any `account_ids` key present → filter (even down to nothing).
        pairs.iter().any(|(k, _)| k == "account_ids").then(|| {
            pairs
                .into_iter()
                .filter(|(k, _)| k == "account_ids")
                .map(|(_, v)| v)
                .collect()
        })
    };
    let filter = filter.as_deref();
    let ok = |conn: &mut Conn<T>| send_fixture(ctx, conn, &fx.ok, filter);
    let retry1 = [("retry-after", "1")];

    match id.as_str() {
        "mk_sandbox_ok" => return ok(conn),
        "mk_sandbox_unicode" => return send_fixture(ctx, conn, &fx.unicode, filter),
        "mk_sandbox_minimal" => return send_fixture(ctx, conn, &fx.minimal, filter),
        "mk_sandbox_extra_fields" => return send_fixture(ctx, conn, &fx.extra_fields, filter),
        "mk_sandbox_large" => return send_fixture(ctx, conn, fx.large(), filter),
        "mk_sandbox_refreshing" => {
            let n = shared.refreshing.fetch_add(1, Ordering::SeqCst);
            let ts = util::rfc3339(fixtures::REFRESHED_AT_UNIX + n as i64);
            let mut body = Vec::new();
            for (i, part) in fx.refreshing_parts.iter().enumerate() {
                if i > 0 {
                    body.extend_from_slice(ts.as_bytes());
                }
                body.extend_from_slice(part);
            }
            return send_fixture(ctx, conn, &body, filter);
        }
        // Error links.
        "mk_sandbox_forbidden" => {
            return ctx.error(
                conn,
                403,
                &[],
                "link_error.forbidden_action",
                "Accounts access not permitted",
            )
        }
        "mk_sandbox_deleted" => {
            return ctx.error(
                conn,
                410,
                &[],
                "link_error.deleted",
                "This link was deleted at some earlier time.",
            )
        }
        "mk_sandbox_bad_state" => {
            let mut v = error_value(
                "link_error.bad_state",
                "The link's authorization with the institution has expired; reconnect the link.",
            );
            v["link_error_code"] = json!("auth_expired");
            return ctx.json(conn, 422, &v);
        }
        "mk_sandbox_validation" => {
            let mut v = error_value(
                "api_error.request.validation_failed",
                "Request validation failed.",
            );
            v["validation_errors"] = json!([{
                "location": ["query", "account_ids", 0],
                "message": "account_ids must be MoneyKit account ids (acc_...)",
                "type": "value_error",
            }]);
            return ctx.json(conn, 422, &v);
        }
        "mk_sandbox_other_app" => {
            return ctx.error(
                conn,
                401,
                &[],
                "link_error.unauthorized_access",
                "Unauthorized link access.",
            )
        }
        "mk_sandbox_bad_request" => {
            return ctx.error(
                conn,
                400,
                &[],
                "api_error.request.bad_request",
                "Bad request.",
            )
        }
        "mk_sandbox_rate_limited" => return rate_limited(ctx, conn, "1"),
        "mk_sandbox_rate_limited_long" => return rate_limited(ctx, conn, "3600"),
        "mk_sandbox_rate_limited_date" => return rate_limited(ctx, conn, &util::http_date_in(2)),
        // Faults (always).
        "mk_fault_500" => return internal(ctx, conn, 500, &[]),
        "mk_fault_503" => return internal(ctx, conn, 503, &retry1),
        "mk_fault_html_502" => {
            return ctx.send(
                conn,
                502,
                "text/html",
                &[],
                &[b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>awselb/2.0</center>\r\n</body>\r\n</html>\r\n"],
            )
        }
        "mk_fault_malformed" => {
            return ctx.send(conn, 200, JSON, &[], &[br#"{"accounts": [{"account_id": "#])
        }
        "mk_fault_empty" => return ctx.send(conn, 200, JSON, &[], &[]),
        "mk_fault_wrong_shape" => {
            return ctx.send(conn, 200, JSON, &[], &[br#"{"accounts": 5, "link": "x"}"#])
        }
        "mk_fault_deep" => return ctx.send(conn, 200, JSON, &[], &[&fx.deep]),
        "mk_fault_truncated" => return truncated(ctx, conn, &fx.ok),
        "mk_fault_silent" => {
            drain(conn.io.tcp(), Duration::from_secs(120));
            return Flow::Abort;
        }
        "mk_fault_trickle" => return trickle(ctx, conn, &fx.ok),
        "mk_fault_reset" => return reset(ctx, conn, &fx.ok),
        "mk_fault_redirect_same_host" => {
            return redirect(ctx, conn, "/links/mk_sandbox_ok/identity")
        }
        "mk_fault_redirect_other_host" => {
            let loc = format!(
                "{}://localhost:{}/links/mk_sandbox_ok/identity",
                shared.scheme(),
                shared.port
            );
            return redirect(ctx, conn, &loc);
        }
        "mk_fault_redirect_loop" => return redirect(ctx, conn, &req.target),
        _ => {}
    }

    // Parameterised faults.
    if is_tagged(&id, "mk_fault_500_once") {
        return if first_time(shared, &id) {
            internal(ctx, conn, 500, &[])
        } else {
            ok(conn)
        };
    }
    if is_tagged(&id, "mk_fault_503_once") {
        return if first_time(shared, &id) {
            internal(ctx, conn, 503, &retry1)
        } else {
            ok(conn)
        };
    }
    if is_tagged(&id, "mk_fault_429_once") {
        return if first_time(shared, &id) {
            rate_limited(ctx, conn, "1")
        } else {
            ok(conn)
        };
    }
    if is_tagged(&id, "mk_fault_date_once") {
        return if first_time(shared, &id) {
            let date = util::http_date_in(1);
            internal(ctx, conn, 503, &[("retry-after", &date)])
        } else {
            ok(conn)
        };
    }
    if is_tagged(&id, "mk_fault_expired_once") {
        return if first_time(shared, &id) {
            ctx.error(
                conn,
                401,
                &[("www-authenticate", "Bearer")],
                "api_error.auth.expired_access_token",
                "Access token expired",
            )
        } else {
            ok(conn)
        };
    }
    if let Some(ms) = numeric_suffix(&id, "mk_fault_slow_") {
        std::thread::sleep(Duration::from_millis(ms.min(SLOW_CAP_MS)));
        return ok(conn);
    }
    if let Some(n) = numeric_suffix(&id, "mk_fault_oversized_chunked_") {
        return oversized(ctx, conn, &fx.ok, n.min(OVERSIZED_CAP), true);
    }
    if let Some(n) = numeric_suffix(&id, "mk_fault_oversized_") {
        return oversized(ctx, conn, &fx.ok, n.min(OVERSIZED_CAP), false);
    }
    ctx.error(conn, 404, &[], "link_error.not_found", "Link not found.")
}

fn send_fixture<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    body: &[u8],
    filter: Option<&[String]>,
) -> Flow {
    match filter {
        None => ctx.send(conn, 200, JSON, &[], &[body]),
        Some(ids) => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let filtered = fixtures::filter_accounts(&v, ids);
            ctx.json(conn, 200, &filtered)
        }
    }
}

fn rate_limited<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, retry_after: &str) -> Flow {
    ctx.error(
        conn,
        429,
        &[("retry-after", retry_after)],
        "api_error.rate_limit_exceeded",
        "Rate limit exceeded",
    )
}

fn internal<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    status: u16,
    extra: &[(&str, &str)],
) -> Flow {
    let msg = if status == 503 {
        "Service temporarily unavailable."
    } else {
        "Internal server error."
    };
    ctx.error(conn, status, extra, "api_error.internal", msg)
}

fn redirect<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, location: &str) -> Flow {
    ctx.send(
        conn,
        302,
        "text/plain; charset=utf-8",
        &[("location", location)],
        &[],
    )
}

/// Headers + the first ~100 bytes of a body announced as 10,000 bytes, then close.
fn truncated<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, body: &[u8]) -> Flow {
    let mut out = Vec::with_capacity(512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(10_000),
        &ctx.request_id(),
        &[],
        Some("close"),
    );
    out.extend_from_slice(&body[..100.min(body.len())]);
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_ok()
    {
        conn.graceful_close(false);
    }
    Flow::Abort
}

/// Headers + half the body, then an abortive close (RST).
fn reset<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, body: &[u8]) -> Flow {
    let mut out = Vec::with_capacity(body.len() + 512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(body.len()),
        &ctx.request_id(),
        &[],
        None,
    );
    out.extend_from_slice(&body[..body.len() / 2]);
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_ok()
    {
        // Let the peer read the headers first, so it sees the reset mid-body.
        std::thread::sleep(Duration::from_millis(100));
    }
    set_linger_zero(conn.io.tcp());
    Flow::Abort
}

/// SO_LINGER {on, 0}: closing the socket then sends RST instead of FIN.
fn set_linger_zero(tcp: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: valid fd owned by `tcp`, pointer/len describe a live `linger` struct.
    unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Headers (`Content-Length: 1000`), then one body byte per second.
fn trickle<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, ok: &[u8]) -> Flow {
    let body = PaddedBody::new(ok, 1000);
    let mut out = Vec::with_capacity(512);
    write_head(
        &mut out,
        200,
        JSON,
        Some(1000),
        &ctx.request_id(),
        &[],
        ctx.connection_header(),
    );
    if conn
        .io
        .write_all(&out)
        .and_then(|_| conn.io.flush())
        .is_err()
    {
        return Flow::Abort;
    }
    let mut byte = [0u8; 1];
    for i in 0..1000 {
        std::thread::sleep(Duration::from_secs(1));
        body.fill(i, &mut byte);
        if conn
            .io
            .write_all(&byte)
            .and_then(|_| conn.io.flush())
            .is_err()
        {
            return Flow::Abort;
        }
    }
    if ctx.keep {
        Flow::Continue
    } else {
        Flow::Close
    }
}

/// A body of exactly `len` bytes that looks like JSON: `{"padding":"xxx…",<rest of ok body>`,
/// or, when `len` is too small for that, a JSON string `"xxx…"` (or `0` for one byte).
struct PaddedBody<'a> {
    prefix: &'a [u8],
    pad: u64,
    suffix: &'a [u8],
    tail: Vec<u8>,
}

impl<'a> PaddedBody<'a> {
    fn new(ok: &'a [u8], len: u64) -> Self {
        const PREFIX: &[u8] = br#"{"padding":""#;
        let rest = &ok[1..]; // after '{'
        let fixed = (PREFIX.len() + 2 + rest.len()) as u64;
        if len >= fixed {
            PaddedBody {
                prefix: PREFIX,
                pad: len - fixed,
                suffix: rest,
                tail: b"\",".to_vec(),
            }
        } else if len >= 2 {
            PaddedBody {
                prefix: b"\"",
                pad: len - 2,
                suffix: b"",
                tail: b"\"".to_vec(),
            }
        } else {
            PaddedBody {
                prefix: if len == 1 { b"0" } else { b"" },
                pad: 0,
                suffix: b"",
                tail: Vec::new(),
            }
        }
    }

    fn len(&self) -> u64 {
        (self.prefix.len() + self.tail.len() + self.suffix.len()) as u64 + self.pad
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`.
    fn fill(&self, offset: u64, buf: &mut [u8]) {
        // Layout: prefix | pad × 'x' | tail | suffix
        let p = self.prefix.len() as u64;
        let t = self.tail.len() as u64;
        for (i, b) in buf.iter_mut().enumerate() {
            let o = offset + i as u64;
            *b = if o < p {
                self.prefix[o as usize]
            } else if o < p + self.pad {
                b'x'
            } else if o < p + self.pad + t {
                self.tail[(o - p - self.pad) as usize]
            } else {
                self.suffix[(o - p - self.pad - t) as usize]
            };
        }
    }

    /// Like `fill` but fast for the long run of padding.
    fn fill_fast(&self, offset: u64, buf: &mut [u8]) {
        let p = self.prefix.len() as u64;
        let start = offset;
        let end = offset + buf.len() as u64;
        if start >= p && end <= p + self.pad {
            buf.fill(b'x');
        } else {
            self.fill(offset, buf);
        }
    }
}

/// A body of exactly `n` bytes streamed in 64 KiB writes (Content-Length or chunked).
fn oversized<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    ok: &[u8],
    n: u64,
    chunked: bool,
) -> Flow {
    let body = PaddedBody::new(ok, n);
    debug_assert_eq!(body.len(), n);
    let mut head = Vec::with_capacity(512);
    write_head(
        &mut head,
        200,
        JSON,
        if chunked { None } else { Some(n as usize) },
        &ctx.request_id(),
        &[],
        ctx.connection_header(),
    );
    if conn.io.write_all(&head).is_err() {
        return Flow::Abort;
    }
    let mut buf = vec![0u8; STREAM_CHUNK + 16];
    let mut off = 0u64;
    while off < n {
        let len = STREAM_CHUNK.min((n - off) as usize);
        let res = if chunked {
            let size_line = format!("{len:x}\r\n");
            let h = size_line.len();
            buf[..h].copy_from_slice(size_line.as_bytes());
            body.fill_fast(off, &mut buf[h..h + len]);
            buf[h + len..h + len + 2].copy_from_slice(b"\r\n");
            conn.io.write_all(&buf[..h + len + 2])
        } else {
            body.fill_fast(off, &mut buf[..len]);
            conn.io.write_all(&buf[..len])
        };
        if res.is_err() {
            return Flow::Abort;
        }
        off += len as u64;
    }
    if chunked && conn.io.write_all(b"0\r\n\r\n").is_err() {
        return Flow::Abort;
    }
    if conn.io.flush().is_err() {
        return Flow::Abort;
    }
    if ctx.keep {
        Flow::Continue
    } else {
        Flow::Close
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(b: &PaddedBody) -> Vec<u8> {
        let mut v = vec![0u8; b.len() as usize];
        let mut off = 0;
        while off < v.len() {
            let end = (off + 7).min(v.len());
            b.fill_fast(off as u64, &mut v[off..end]);
            off = end;
        }
        v
    }

    #[test]
    fn padded_body_is_exact_and_json() {
        let ok = &fixtures().ok;
        for n in [
            0u64,
            1,
            2,
            3,
            50,
            ok.len() as u64,
            ok.len() as u64 + 14,
            200_000,
        ] {
            let b = PaddedBody::new(ok, n);
            assert_eq!(b.len(), n, "n={n}");
            let v = collect(&b);
            assert_eq!(v.len() as u64, n);
            if n > 0 {
                let parsed: Value = serde_json::from_slice(&v).expect("valid JSON");
                if n >= ok.len() as u64 + 14 {
                    assert!(parsed["accounts"].is_array());
                    assert!(parsed["padding"].is_string());
                }
            }
        }
    }

    #[test]
    fn fixtures_are_valid() {
        let f = fixtures();
        for body in [
            &f.ok[..],
            &f.unicode,
            &f.minimal,
            &f.extra_fields,
            f.large(),
        ] {
            let v: Value = serde_json::from_slice(body).unwrap();
            assert!(v["accounts"].is_array());
            assert!(v["link"]["link_id"].is_string());
        }
        let v: Value = serde_json::from_slice(&f.ok).unwrap();
        assert_eq!(v["accounts"].as_array().unwrap().len(), 2);
        assert_eq!(
            v["link"]["products"]["identity"]["refreshed_at"],
            "2023-02-16T09:14:11Z"
        );
        assert_eq!(
            util::rfc3339(fixtures::REFRESHED_AT_UNIX),
            fixtures::REFRESHED_AT
        );
        let s = String::from_utf8(f.ok.clone()).unwrap();
        assert!(s.contains("\"available\":340.12"));
        assert!(s.contains("\"current\":445.89"));
        assert!(s.contains("\"available\":500,"));
        let large: Value = serde_json::from_slice(f.large()).unwrap();
        assert_eq!(large["accounts"].as_array().unwrap().len(), 1000);
        assert_eq!(
            f.large().len(),
            3_545_125,
            "update MAGIC_IDS.md and README.md"
        );
        assert_eq!(f.refreshing_parts.len(), 3);
    }

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
