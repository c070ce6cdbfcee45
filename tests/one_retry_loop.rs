//! Issue 24, item 7: the identity GET and the refresh POST go through one retry loop
//! (`core/client/retries.rs`). What stays each kind's own: the refresh POST's own 429 is
//! MoneyKit's daily refresh limit, returned at once (docs/C-API.md, "Refresh and wait"),
//! while every other failure of a refresh request (a token request's 429, a cancelled
//! attempt) is handled and reported exactly as in an identity call.

mod common;

use common::{read_request, write_response};

use moneykit::core::{CallControl, CancelToken, Client, Event, Options, Status};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A server answering the `i`-th request (one per connection) with `answers[i]`, a
/// status line and headers without `content-length` and `connection`, and a body;
/// the request count is shared. Requests beyond the script get a 500.
fn scripted_server(answers: Vec<(&'static str, &'static str)>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let _ = read_request(&stream);
            let i = seen.fetch_add(1, Ordering::SeqCst);
            let (head, body) = answers
                .get(i)
                .copied()
                .unwrap_or(("HTTP/1.1 500 Unscripted", ""));
            write_response(&stream, head, body);
        }
    });
    (base, count)
}

/// `(method path, http status, status, attempt, retry_wait_ms)` of an event.
type Row = (String, Option<u16>, Status, u32, Option<u128>);
type Seen = Arc<Mutex<Vec<Row>>>;

fn core_client(options: &str) -> (Client, Seen) {
    let options = Options::from_json(options).unwrap();
    let client = Client::new(Some("id"), Some("secret-0123456789"), options).unwrap();
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    client.set_event_sink(Some(Arc::new(move |e: &Event<'_>| {
        sink.lock().unwrap().push((
            format!("{} {}", e.method, e.path),
            e.http_status,
            e.status,
            e.attempt,
            e.retry_wait.map(|w| w.as_millis()),
        ));
    })));
    (client, seen)
}

fn events(seen: &Seen) -> Vec<Row> {
    seen.lock().unwrap().clone()
}

const TOKEN: &str =
    r#"{"access_token":"tok-0123456789abcdef","token_type":"bearer","expires_in":3600}"#;

#[test]
fn a_token_requests_429_during_a_refresh_request_is_retried_not_called_the_daily_limit() {
    // Before issue 24 the refresh POST treated any rate-limited attempt as the daily
    // refresh limit: the token endpoint's 429 ended the call at once as
    // "identity refresh refused: the daily refresh limit for this link is reached
    // (...; token request refused: MoneyKit answered HTTP 429)".
    let (base, requests) = scripted_server(vec![
        ("HTTP/1.1 429 Too Many Requests\r\nretry-after: 0", "{}"),
        ("HTTP/1.1 200 OK", TOKEN),
        ("HTTP/1.1 202 Accepted\r\nx-request-id: req-refresh", "{}"),
    ]);
    let (client, seen) = core_client(&format!(r#"{{"base_url": "{base}", "max_retries": 2}}"#));
    let out = client.request_refresh("mk_link", &["identity"], &CallControl::default());
    assert_eq!(out, Ok(Some("req-refresh".to_string())));
    assert_eq!(requests.load(Ordering::SeqCst), 3);
    let rl = Status::MkErrRateLimited;
    assert_eq!(
        events(&seen),
        [
            ("POST /auth/token".into(), Some(429), rl, 1, None),
            (
                "POST /links/{id}/products".into(),
                Some(429),
                rl,
                1,
                Some(0)
            ),
            ("POST /auth/token".into(), Some(200), Status::MkOk, 2, None),
            (
                "POST /links/{id}/products".into(),
                Some(202),
                Status::MkOk,
                2,
                None
            ),
        ]
    );
}

#[test]
fn the_refresh_requests_own_429_is_final_and_invents_no_wait() {
    // An identity call's 429 without Retry-After waits 20 s or, when that does not fit,
    // returns retry_after_ms 20000; the refresh POST's is the daily limit: one attempt,
    // retry_after_ms only when the server sent one.
    let (base, requests) = scripted_server(vec![("HTTP/1.1 429 Too Many Requests", "{}")]);
    let (client, seen) = core_client(&format!(
        r#"{{"base_url": "{base}", "access_token": "tok-caller", "max_retries": 3}}"#
    ));
    let e = client
        .request_refresh("mk_link", &["identity"], &CallControl::default())
        .unwrap_err();
    assert_eq!(e.status, Status::MkErrRateLimited);
    assert!(
        e.message.starts_with(
            "identity refresh refused: the daily refresh limit for this link is reached"
        ),
        "{}",
        e.message
    );
    assert_eq!(
        (e.attempts, e.retry_after_ms, e.http_status),
        (1, None, Some(429))
    );
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert_eq!(
        events(&seen),
        [(
            "POST /links/{id}/products".into(),
            Some(429),
            Status::MkErrRateLimited,
            1,
            None
        )]
    );
}

#[test]
fn a_cancelled_refresh_request_reports_the_cancellation_as_an_identity_call_does() {
    // Before issue 24 the refresh POST's event for the cancelled attempt had the status of
    // the cut socket read (MK_ERR_TRANSPORT, "I/O error: call cancelled"); the identity
    // call's has always been MK_ERR_CANCELLED.
    let sb = common::sandbox();
    let (client, seen) = core_client(&format!(
        r#"{{"base_url": "{}", "access_token": "sandbox-access-token"}}"#,
        sb.base_url()
    ));
    for kind in ["GET /links/{id}/identity", "POST /links/{id}/products"] {
        seen.lock().unwrap().clear();
        let cancel = CancelToken::new();
        let control = CallControl {
            deadline: None,
            cancel: Some(cancel.clone()),
        };
        let trigger = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            cancel.cancel();
            Instant::now()
        });
        let status = if kind.starts_with("GET") {
            client
                .get_identity_with("mk_fault_silent", &[], &control)
                .map(|_| ())
                .unwrap_err()
        } else {
            client
                .request_refresh("mk_fault_silent", &["identity"], &control)
                .map(|_| ())
                .unwrap_err()
        };
        let triggered = trigger.join().unwrap();
        assert!(triggered.elapsed() < Duration::from_millis(150), "{kind}");
        assert_eq!(
            (status.status, status.attempts),
            (Status::MkErrCancelled, 1),
            "{kind}"
        );
        assert_eq!(
            events(&seen),
            [(kind.to_string(), None, Status::MkErrCancelled, 1, None)],
            "{kind}"
        );
    }
}
