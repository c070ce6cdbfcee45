//! `moneykit webhooks listen` and `moneykit webhooks trigger`.

use crate::args::{ListenArgs, TriggerArgs};
use crate::common::{self, Conn, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::listener::{self, Event, Outcome};
use crate::single::{control, print};
use moneykit::core::{Client, WebhookOptions, WebhookVerifier};
use moneykit_cli::summary::plural;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A verifier over `client` (shared), sending `client_id` when the client has an access
/// token only; an exit code (message printed) when it cannot be made.
pub fn verifier(client: Arc<Client>, client_id: Option<String>) -> Result<WebhookVerifier, u8> {
    let options = WebhookOptions {
        client_id,
        ..WebhookOptions::default()
    };
    WebhookVerifier::new(Box::new(client), options)
        .map_err(|e| common::report("cannot verify webhooks", &e))
}

/// `moneykit webhooks listen --port P [--count N] [--timeout SECS]`.
pub fn listen(conn: Conn<'_>, args: &ListenArgs) -> u8 {
    let (client, client_id) = match common::client_and_id(conn) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let verifier = match verifier(Arc::new(client), client_id) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let listener = match listener::bind(args.port, &args.on) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let ends = args
        .timeout
        .map(|s| Instant::now() + Duration::from_secs_f64(s));
    let printed = Mutex::new(0u64);
    let (stop, write_failed) = (AtomicBool::new(false), AtomicBool::new(false));
    let handle = |event: &Event<'_>| {
        // One event at a time: exactly --count lines, each whole.
        let mut n = printed.lock().unwrap_or_else(|p| p.into_inner());
        if args.count.is_some_and(|c| *n >= c) {
            return Outcome::NotHere;
        }
        let mut out = std::io::stdout().lock();
        let written = out
            .write_all(event.line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            eprintln!("moneykit: cannot write to stdout: {e}");
            write_failed.store(true, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
            return Outcome::Failed;
        }
        *n += 1;
        if args.count.is_some_and(|c| *n >= c) {
            stop.store(true, Ordering::SeqCst);
        }
        Outcome::Handled
    };
    let timed_out = AtomicBool::new(false);
    let should_stop = || {
        if ends.is_some_and(|t| Instant::now() >= t) {
            timed_out.store(true, Ordering::SeqCst);
            return true;
        }
        stop.load(Ordering::SeqCst)
    };
    listener::serve(&listener, &verifier, &handle, &should_stop);
    let n = *printed.lock().unwrap_or_else(|p| p.into_inner());
    let events = plural(n, "event", "events");
    if write_failed.load(Ordering::SeqCst) {
        EXIT_FAILED
    } else if common::interrupted() {
        eprintln!("moneykit: interrupted: {events} printed");
        EXIT_INTERRUPTED
    } else if let (Some(count), true) = (args.count, n < args.count.unwrap_or(0)) {
        eprintln!(
            "moneykit: timed out after {} s: {n} of {count} events printed",
            args.timeout.unwrap_or(0.0)
        );
        EXIT_FAILED
    } else {
        let why = if timed_out.load(Ordering::SeqCst) {
            "the time is up"
        } else {
            "the count is reached"
        };
        eprintln!("moneykit: done ({why}): {events} printed");
        EXIT_OK
    }
}

/// `moneykit webhooks trigger LINK EVENT [--idempotency-key KEY]`: MoneyKit's answer on
/// stdout.
pub fn trigger(conn: Conn<'_>, args: &TriggerArgs) -> u8 {
    let client = match common::client(conn) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match client.send_test_webhook(
        &args.link,
        &args.event,
        args.idempotency_key.as_deref(),
        &control(),
    ) {
        Ok(answer) => print(answer.trim()),
        Err(e) => common::report_json(&e),
    }
}
