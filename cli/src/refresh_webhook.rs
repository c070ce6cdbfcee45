//! `moneykit refresh LINK --wait-webhook --port P`: request an identity refresh, then wait
//! for MoneyKit's verified `link.product_refresh` webhook of that link and product
//! (`completed` or `failed`) on the port instead of polling; then print the fresh identity
//! as `refresh --wait` does. When no such webhook came within `--webhook-wait` seconds (a
//! URL that does not lead here, a tunnel down), it polls for the rest of `--wait`, as
//! `refresh --wait` does.
//!
//! The listener answers this link's other events 200 (reported on stderr) and other links'
//! events 503 and leaves them undone, so MoneyKit delivers them again to whoever listens
//! next.

use crate::args::RefreshArgs;
use crate::common::{self, Conn, EXIT_FAILED};
use crate::listener::{self, Event, Outcome};
use crate::single::{control, print};
use crate::webhooks::verifier;
use moneykit::core::refresh::{identity_refreshed_at, wait_identity_newer, RefreshOptions};
use moneykit::core::{Error, Status};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the refresh ended, by webhook.
enum Ended {
    Completed,
    Failed(Option<String>),
}

pub fn run(conn: Conn<'_>, args: &RefreshArgs) -> u8 {
    let (client, client_id) = match common::client_and_id(conn) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let client = Arc::new(client);
    let verifier = match verifier(client.clone(), client_id) {
        Ok(v) => v,
        Err(code) => return code,
    };
    // Listening before the refresh is requested: no event can come too early.
    let port = args.port.unwrap_or(0);
    let listener = match listener::bind(port, &args.on) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let started = Instant::now();
    let wait = Duration::from_secs_f64(args.wait.unwrap_or(300.0));
    let (tx, rx) = mpsc::channel::<Ended>();
    let link = args.link.as_str();
    let handle = |event: &Event<'_>| {
        let v = event.value;
        if v.get("link_id").and_then(Value::as_str) != Some(link) {
            return Outcome::NotHere;
        }
        let state = v.get("state").and_then(Value::as_str).unwrap_or("");
        let refresh = event.verified.event == "link.product_refresh"
            && v.get("product").and_then(Value::as_str) == Some("identity");
        eprintln!(
            "moneykit: webhook {}{}{}",
            event.verified.event,
            if refresh { " identity " } else { " " },
            state
        );
        if refresh {
            match state {
                "completed" => {
                    let _ = tx.send(Ended::Completed);
                }
                "failed" => {
                    let message = v.get("error_message").and_then(Value::as_str);
                    let _ = tx.send(Ended::Failed(message.map(str::to_string)));
                }
                _ => {}
            }
        }
        Outcome::Handled
    };
    let stop = AtomicBool::new(false);
    let should_stop = || stop.load(Ordering::SeqCst);
    std::thread::scope(|scope| {
        scope.spawn(|| listener::serve(&listener, &verifier, &handle, &should_stop));
        let code = wait_for_it(&client, args, &rx, started, wait);
        stop.store(true, Ordering::SeqCst);
        code
    })
}

/// The refresh itself, with the listener running.
fn wait_for_it(
    client: &moneykit::core::Client,
    args: &RefreshArgs,
    rx: &mpsc::Receiver<Ended>,
    started: Instant,
    wait: Duration,
) -> u8 {
    let link = args.link.as_str();
    let before = match client.get_identity_with(link, &[], &control()) {
        Ok(identity) => identity.body,
        Err(e) => return common::report_json(&e),
    };
    let before_at = match identity_refreshed_at(&before) {
        Ok(at) => at,
        Err(e) => return common::report_json(&e),
    };
    if let Err(e) = client.request_refresh(link, &["identity"], &control()) {
        return not_fresh(args, &e, &before);
    }
    let webhook_until = started + Duration::from_secs_f64(args.webhook_wait).min(wait);
    let ended = loop {
        if common::interrupted() {
            let e = Error::new(Status::MkErrCancelled, "the call was cancelled");
            return not_fresh(args, &e, &before);
        }
        let left = webhook_until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break None;
        }
        match rx.recv_timeout(left.min(Duration::from_millis(100))) {
            Ok(ended) => break Some(ended),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break None,
        }
    };
    match ended {
        Some(Ended::Failed(message)) => {
            let detail = message.map_or(String::new(), |m| format!(": {m}"));
            let e = Error::new(
                Status::MkErrServer,
                format!(
                    "the identity refresh failed (webhook link.product_refresh, state \
                     failed){detail}"
                ),
            );
            return not_fresh(args, &e, &before);
        }
        Some(Ended::Completed) => match client.get_identity_with(link, &[], &control()) {
            Ok(identity) => {
                let newer = match (identity_refreshed_at(&identity.body), &before_at) {
                    (Ok(Some(at)), Some(b)) => at.unix_micros() > b.unix_micros(),
                    (Ok(Some(_)), None) => true,
                    _ => false,
                };
                if newer {
                    return print(&identity.body);
                }
                eprintln!(
                    "moneykit: the completed webhook came, but the identity is not newer yet; \
                     polling"
                );
            }
            Err(e) => return not_fresh(args, &e, &before),
        },
        None => eprintln!(
            "moneykit: no completed webhook for {link} within {} s; polling for the rest of \
             the wait",
            args.webhook_wait.min(wait.as_secs_f64())
        ),
    }
    let options = RefreshOptions {
        time_scale: args.pace.time_scale,
        ..RefreshOptions::default()
    };
    let left = (started + wait).saturating_duration_since(Instant::now());
    let token = common::cancel_token();
    match wait_identity_newer(
        client,
        link,
        before_at.as_ref(),
        left,
        &options,
        Some(&token),
    ) {
        Ok(identity) => print(&identity.body),
        Err(nf) => {
            let stale = nf.stale.unwrap_or(before);
            not_fresh(args, &nf.error, &stale)
        }
    }
}

/// The error JSON on stderr, the stale body on stdout with `--stale`; the exit code.
fn not_fresh(args: &RefreshArgs, e: &Error, stale: &str) -> u8 {
    let code = common::report_json(e);
    if args.stale {
        print(stale);
    }
    code.max(EXIT_FAILED)
}
