//! Connections and routing: one thread per connection, requests dispatched by path.

use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::http::{Conn, ReadError, Request, Transport};
use crate::respond::{Ctx, Flow, JSON};
use crate::{admin, auth, lock, magic, products, RecordedRequest, Shared, REQUEST_LOG_CAP};

const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

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

fn serve<T: Transport>(shared: &Shared, mut conn: Conn<T>) {
    loop {
        let req = match conn.read_request() {
            Ok(r) => r,
            Err(e) => {
                let ctx = Ctx::new(shared, false, false);
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
    ctx.detail(conn, 404, "Not Found")
}
