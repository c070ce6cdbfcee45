//! Connections and routing: one thread per connection (at most `max_connections` at once),
//! requests dispatched by path.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::http::{write_head, Conn, ReadError, Request, Transport};
use crate::respond::{Ctx, Flow, JSON};
use crate::{
    admin, auth, lock, magic, products, webhooks, RecordedRequest, Shared, REQUEST_LOG_CAP,
};

const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts connections until the sandbox stops: each on a thread of its own while fewer
/// than `max_connections` are open, else refused on the spot (see [`refuse`]).
pub fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let res = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        match res {
            Ok((tcp, _)) => {
                // Only this thread adds to `open`, so the count cannot pass the cap.
                if shared.open.load(Ordering::SeqCst) >= shared.max_connections {
                    refuse(&shared, tcp);
                    continue;
                }
                shared.open.fetch_add(1, Ordering::SeqCst);
                let slot = OpenSlot(Arc::clone(&shared));
                let spawned = std::thread::Builder::new()
                    .name("sandbox-conn".to_string())
                    .spawn(move || {
                        let slot = slot;
                        connection(Arc::clone(&slot.0), tcp)
                    });
                // On failure the closure, and so the slot, is already dropped.
                if spawned.is_err() {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            // E.g. EMFILE: back off a little instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// One open connection counted in `Shared::open`, given back when dropped.
struct OpenSlot(Arc<Shared>);

impl Drop for OpenSlot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection past the cap, on the accept thread, without blocking: plain HTTP gets
/// `503` + `Retry-After: 1` + `connection: close` and a FIN; TLS is closed at once (no
/// answer is possible before a handshake).
fn refuse(shared: &Shared, tcp: TcpStream) {
    if shared.tls.is_some() || tcp.set_nonblocking(true).is_err() {
        return;
    }
    let body = br#"{"detail":"Too many connections"}"#;
    let mut out = Vec::with_capacity(512);
    let id = Ctx::new(shared, false, false).request_id();
    let extra = [("retry-after", "1")];
    write_head(
        &mut out,
        503,
        JSON,
        Some(body.len()),
        &id,
        &extra,
        Some("close"),
    );
    out.extend_from_slice(body);
    // A fresh socket's send buffer takes the whole answer.
    let _ = (&tcp).write_all(&out);
    let _ = tcp.shutdown(Shutdown::Write);
    // Take in what already arrived (bounded), so that the close is a FIN, not a reset that
    // could destroy the answer before the client reads it.
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match (&tcp).read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// Serves one accepted TCP connection (plain or TLS) until it closes.
pub fn connection(shared: Arc<Shared>, tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    // Read timeouts are set by `Conn::read_request`: the head deadline, then per body read.
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

fn serve<T: Transport>(shared: &Shared, mut conn: Conn<T>) {
    loop {
        let req = match conn.read_request(shared.header_timeout) {
            Ok(r) => r,
            Err(e) => {
                let ctx = Ctx::new(shared, false, false);
                let (status, detail) = match e {
                    ReadError::Closed => return,
                    // A TLS handshake that did not finish: nothing can be answered.
                    ReadError::Timeout if conn.io.handshaking() => return,
                    ReadError::Timeout => (408, "Request head not received in time"),
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
        let ctx = Ctx::new(
            shared,
            req.keep_alive() && !shared.stop.load(Ordering::Relaxed),
            req.minor == 0,
        );
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

/// `/links/<segment><suffix>` → the raw (still percent-encoded) segment.
fn link_segment<'p>(path: &'p str, suffix: &str) -> Option<&'p str> {
    let seg = path.strip_prefix("/links/")?.strip_suffix(suffix)?;
    (!seg.is_empty() && !seg.contains('/')).then_some(seg)
}

fn handle<T: Transport>(ctx: &Ctx, req: &Request, conn: &mut Conn<T>) -> Flow {
    let shared = ctx.shared;
    let path = req.path();
    if let Some(admin) = path.strip_prefix("/_sandbox/") {
        return admin::handle_admin(ctx, req, conn, admin);
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
        return auth::handle_token(ctx, req, conn);
    }
    if let Some(seg) = link_segment(path, "/products") {
        if req.method != "POST" {
            return ctx.send(
                conn,
                405,
                JSON,
                &[("allow", "POST")],
                &[br#"{"detail":"Method Not Allowed"}"#],
            );
        }
        shared.refresh_requests.fetch_add(1, Ordering::Relaxed);
        return products::handle_products(ctx, req, conn, seg);
    }
    if let Some(seg) = link_segment(path, "/identity") {
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
        return magic::handle_identity(ctx, req, conn, seg);
    }
    if path == "/.well-known/jwks.json" {
        if req.method != "GET" {
            return method_not_allowed(ctx, conn, "GET");
        }
        return webhooks::handlers::jwks(ctx, req, conn);
    }
    if let Some(seg) = path
        .strip_prefix("/webhooks/test/link/")
        .filter(|s| !s.is_empty() && !s.contains('/'))
    {
        if req.method != "POST" {
            return method_not_allowed(ctx, conn, "POST");
        }
        return webhooks::handlers::test_link(ctx, req, conn, seg);
    }
    ctx.detail(conn, 404, "Not Found")
}

fn method_not_allowed<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, allow: &str) -> Flow {
    ctx.send(
        conn,
        405,
        JSON,
        &[("allow", allow)],
        &[br#"{"detail":"Method Not Allowed"}"#],
    )
}
