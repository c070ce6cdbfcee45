//! The webhook listener of `moneykit webhooks listen` and `moneykit refresh --wait-webhook`:
//! a small blocking HTTP/1.1 server (std's `TcpListener`, one thread per connection, at most
//! [`MAX_CONNECTIONS`] at once, one request per connection, `Connection: close`) that
//! verifies every delivery with the core's `WebhookVerifier` and answers as
//! docs/C-API.md "Webhooks" says: a new genuine event goes to the command's handler (200
//! when handled, then marked done; 503 or 500, released, when not), a duplicate 200, a copy
//! in flight 409, a forgery 400, anything else 503. Every delivery not given to the handler
//! is reported as one JSON line on stderr; nothing of an event is owner data, and nothing
//! of a refused request but the verifier's reason and message (which never quote input).

use crate::args::ListenOn;
use crate::common::{self, EXIT_FAILED, EXIT_USAGE};
use moneykit::core::{CallControl, Delivery, Status, Verified, WebhookVerifier};
use moneykit_cli::http::{self, HttpError, Limits, Parse, Request};
use serde_json::{json, Value};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Connections handled at once; one more is answered 503 at once.
pub const MAX_CONNECTIONS: usize = 32;
/// Time a client has to send its whole request.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// The largest request head read (a `MoneyKit-Signature` is at most 8 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// How often the accept loop looks at its stop condition.
const TICK: Duration = Duration::from_millis(10);

/// A bound listening socket.
pub struct Listener {
    tcp: TcpListener,
}

/// Binds `host:port`; an exit code (message printed) when the host is not loopback without
/// `--allow-remote` (2) or the port cannot be had (1).
pub fn bind(port: u16, on: &ListenOn) -> Result<Listener, u8> {
    let ip: IpAddr = if on.host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        match on.host.trim_matches(['[', ']']).parse() {
            Ok(ip) => ip,
            Err(_) => {
                eprintln!(
                    "moneykit: --host: expected an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0) or \
                     localhost"
                );
                return Err(EXIT_USAGE);
            }
        }
    };
    if !ip.is_loopback() && !on.allow_remote {
        eprintln!(
            "moneykit: --host {ip} is not a loopback address: other machines could send to it; \
             add --allow-remote to mean that (a tunnel to 127.0.0.1 needs nothing)"
        );
        return Err(EXIT_USAGE);
    }
    let tcp = TcpListener::bind(SocketAddr::new(ip, port)).map_err(|e| {
        eprintln!(
            "moneykit: cannot listen on {}: {e}",
            SocketAddr::new(ip, port)
        );
        EXIT_FAILED
    })?;
    let addr = tcp.local_addr().map_err(|e| {
        eprintln!("moneykit: cannot listen: {e}");
        EXIT_FAILED
    })?;
    if let Err(e) = tcp.set_nonblocking(true) {
        eprintln!("moneykit: cannot listen: {e}");
        return Err(EXIT_FAILED);
    }
    eprintln!("moneykit: listening on http://{addr}/ for MoneyKit's webhooks");
    Ok(Listener { tcp })
}

/// A verified new event, for the command's handler.
pub struct Event<'a> {
    /// The body on one line (the JSON as sent, its line breaks made spaces).
    pub line: &'a str,
    pub value: &'a Value,
    pub verified: &'a Verified,
}

/// What the handler did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done with it: 200, marked handled (its repeats are duplicates).
    Handled,
    /// Not for this command (another link's event, or after `--count`): 503 and released,
    /// so MoneyKit delivers it again later.
    NotHere,
    /// The handler failed (stdout could not be written): 500 and released.
    Failed,
}

/// Serves until `stop()` (looked at every 10 ms) or Ctrl-C, then waits for the
/// connections being handled.
pub fn serve(
    listener: &Listener,
    verifier: &WebhookVerifier,
    handle: &(dyn Fn(&Event<'_>) -> Outcome + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) {
    let active = AtomicUsize::new(0);
    std::thread::scope(|scope| loop {
        if stop() || common::interrupted() {
            break;
        }
        match listener.tcp.accept() {
            Ok((stream, _)) => {
                if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
                    answer(&stream, 503, &json!({"error": "too many connections"}));
                    continue;
                }
                let active = &active;
                scope.spawn(move || {
                    connection(stream, verifier, handle);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(TICK),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                eprintln!("moneykit: accept: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    });
}

/// Writes a whole response and closes the sending side.
fn answer(mut stream: &TcpStream, status: u16, body: &Value) {
    let _ = stream.write_all(&http::response(status, &body.to_string()));
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// One JSON line on stderr about a delivery not given to the handler.
fn report(line: Value) {
    eprintln!("{line}");
}

/// MoneyKit's delivery headers, for the reports, when they look like theirs (never
/// anything else from a request).
fn delivery_fields(request: &Request, into: &mut serde_json::Map<String, Value>) {
    let sane = |v: &str| {
        !v.is_empty()
            && v.len() <= 64
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if let Some(t) = request.one("moneykit-delivery-token").filter(|v| sane(v)) {
        into.insert("delivery_token".into(), t.into());
    }
    if let Some(n) = request
        .one("moneykit-delivery-attempt")
        .and_then(|v| v.parse::<u32>().ok())
    {
        into.insert("attempt".into(), n.into());
    }
}

/// Reads one request within [`REQUEST_TIME`].
fn read_request(mut stream: &TcpStream, limits: Limits) -> Result<Option<Request>, HttpError> {
    let deadline = Instant::now() + REQUEST_TIME;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HttpError {
                status: 408,
                message: "the request did not arrive in time",
            });
        }
        let _ = stream.set_read_timeout(Some(left));
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            // The client went away: nobody to answer.
            Err(_) => return Ok(None),
        };
        buf.extend_from_slice(&chunk[..n]);
        match http::parse(&buf, limits)? {
            Parse::Done(request) => return Ok(Some(request)),
            Parse::More { .. } if n == 0 => {
                return if buf.is_empty() {
                    Ok(None)
                } else {
                    Err(HttpError {
                        status: 400,
                        message: "the connection ended before the request did",
                    })
                }
            }
            Parse::More { .. } => {}
        }
    }
}

fn connection(
    stream: TcpStream,
    verifier: &WebhookVerifier,
    handle: &(dyn Fn(&Event<'_>) -> Outcome + Sync),
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(REQUEST_TIME));
    let limits = Limits {
        max_head: MAX_HEAD,
        max_body: verifier.max_body_bytes(),
    };
    let request = match read_request(&stream, limits) {
        Ok(Some(r)) => r,
        Ok(None) => return,
        Err(e) => {
            report(json!({"webhook": "refused", "answer": e.status, "http": e.message}));
            return answer(&stream, e.status, &json!({"error": e.message}));
        }
    };
    if request.method != "POST" {
        report(json!({"webhook": "refused", "answer": 405, "http": "not a POST"}));
        return answer(&stream, 405, &json!({"error": "webhooks are POSTed"}));
    }
    let mut fields = serde_json::Map::new();
    let signatures = request.all("moneykit-signature").count();
    let result = if signatures > 1 {
        Err(moneykit::core::Reason::Malformed.error("more than one MoneyKit-Signature header"))
    } else {
        let control = CallControl {
            deadline: Some(Instant::now() + REQUEST_TIME),
            cancel: Some(common::cancel_token()),
        };
        let signature = request.one("moneykit-signature").unwrap_or("");
        verifier.verify(signature, &request.body, &control)
    };
    let (status, body) = match result {
        Ok(v) => {
            let (status, kind) = match v.delivery {
                Delivery::New => (deliver(&request.body, &v, verifier, handle), None),
                Delivery::Duplicate => (200, Some("duplicate")),
                Delivery::InFlight => (409, Some("in_flight")),
            };
            if let Some(kind) = kind {
                fields.insert("webhook".into(), kind.into());
                fields.insert("answer".into(), status.into());
                fields.insert("webhook_event".into(), v.event.clone().into());
                fields.insert("idempotency_key".into(), v.idempotency_key.clone().into());
            }
            let ok = (200..300).contains(&status);
            (status, json!({"ok": ok}))
        }
        Err(e) => {
            let status = if e.status == Status::MkErrSignature {
                400
            } else {
                503
            };
            let kind = if status == 400 { "refused" } else { "error" };
            fields.insert("webhook".into(), kind.into());
            fields.insert("answer".into(), status.into());
            let error: Value = serde_json::from_str(&e.to_json()).unwrap_or(Value::Null);
            fields.insert("error".into(), error);
            let reason = e.reason;
            (status, json!({"error": kind, "reason": reason}))
        }
    };
    if !fields.is_empty() {
        delivery_fields(&request, &mut fields);
        report(Value::Object(fields));
    }
    answer(&stream, status, &body);
}

/// A new verified event to the handler; the status to answer. The claim is settled here.
fn deliver(
    body: &[u8],
    verified: &Verified,
    verifier: &WebhookVerifier,
    handle: &(dyn Fn(&Event<'_>) -> Outcome + Sync),
) -> u16 {
    // The verifier accepted it as a UTF-8 JSON object (an event).
    let parsed = std::str::from_utf8(body)
        .ok()
        .and_then(|text| Some((text, serde_json::from_str::<Value>(text).ok()?)));
    let Some((text, value)) = parsed else {
        verifier.done(&verified.idempotency_key, false);
        return 500;
    };
    // Outside strings, JSON's line breaks are white space; inside, they are escaped.
    let line = text.trim().replace(['\n', '\r'], " ");
    let outcome = handle(&Event {
        line: &line,
        value: &value,
        verified,
    });
    verifier.done(&verified.idempotency_key, outcome == Outcome::Handled);
    match outcome {
        Outcome::Handled => 200,
        Outcome::NotHere => 503,
        Outcome::Failed => 500,
    }
}
