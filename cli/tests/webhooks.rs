//! Issue 26: `moneykit webhooks listen`, `moneykit webhooks trigger` and `moneykit refresh
//! --wait-webhook` over real loopback, with the sandbox sending signed (and forged)
//! webhooks to the listener.

mod common;

use common::*;
use moneykit_sandbox::{Config, Sandbox, WebhookDelivery};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `moneykit webhooks listen`: its URL and its stderr so far.
struct Listening {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Listening {
    fn start(sb: &Sandbox, extra: &[&str]) -> Listening {
        let args = [&["webhooks", "listen", "--port", "0"][..], extra].concat();
        let mut child = moneykit(sb, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let all = stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(rest) = line.trim().strip_prefix("moneykit: listening on ") {
                    let _ = tx.send(rest.split(' ').next().unwrap().to_string());
                }
                all.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("not listening: {}", stderr.lock().unwrap()));
        Listening { child, url, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for the process to end; its stdout and exit code, and all of its stderr.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let code = self.child.wait().unwrap().code();
        std::thread::sleep(Duration::from_millis(50));
        (code, out, self.stderr())
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `pred` holds for the sandbox's delivery log.
fn wait_deliveries(sb: &Sandbox, what: &str, pred: impl Fn(&[WebhookDelivery]) -> bool) {
    let t = Instant::now();
    while !pred(&sb.webhook_deliveries()) {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{what}: {:#?}",
            sb.webhook_deliveries()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn quick() -> Sandbox {
    Sandbox::start(Config {
        time_scale: SCALE,
        refresh_delay: Duration::from_secs(6),
        ..Config::default()
    })
    .unwrap()
}

fn trigger(sb: &Sandbox, link: &str, event: &str) -> Output {
    run(sb, &["webhooks", "trigger", link, event])
}

#[test]
fn listen_prints_genuine_events_refuses_forged_ones_and_skips_duplicates() {
    let sb = quick();
    let l = Listening::start(&sb, &["--count", "3", "--timeout", "60"]);
    sb.set_webhook_url(None, Some(&l.url)).unwrap();

    // A forged delivery: 400, reported on stderr with the reason, not printed.
    let o = trigger(&sb, "mk_webhook_bad_signature", "link.state_changed");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    wait_deliveries(&sb, "the forged delivery", |d| {
        d.iter()
            .any(|d| d.link_id == "mk_webhook_bad_signature" && d.status == Some(400))
    });
    let t = Instant::now();
    while !l.stderr().contains("\"refused\"") {
        assert!(t.elapsed() < Duration::from_secs(10), "{}", l.stderr());
        std::thread::sleep(Duration::from_millis(10));
    }
    let refused: Vec<Value> = json_lines(&l.stderr())
        .into_iter()
        .filter(|v| v["webhook"] == "refused")
        .collect();
    assert_eq!(refused[0]["answer"], 400, "{refused:?}");
    assert_eq!(
        refused[0]["error"]["name"], "MK_ERR_SIGNATURE",
        "{refused:?}"
    );
    assert_eq!(refused[0]["error"]["reason"], "signature", "{refused:?}");
    assert!(
        refused[0]["delivery_token"]
            .as_str()
            .unwrap()
            .starts_with("dlv_"),
        "{refused:?}"
    );

    // Delivered twice: printed once, the copy answered 200 and reported as a duplicate.
    let o = trigger(&sb, "mk_webhook_duplicate", "link.state_changed");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    wait_deliveries(&sb, "both copies", |d| {
        d.iter()
            .filter(|d| d.link_id == "mk_webhook_duplicate" && d.status == Some(200))
            .count()
            == 2
    });

    // A refresh: in_progress at once, completed after the (scaled) refresh delay.
    let o = run(&sb, &["refresh", "mk_sandbox_bulk_3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (code, out, err) = l.finish();
    assert_eq!(code, Some(0), "{err}");
    let events = json_lines(&out);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert_eq!(events[0]["link_id"], "mk_webhook_duplicate", "{out}");
    assert_eq!(events[0]["webhook_event"], "link.state_changed");
    let states: Vec<(&str, &str)> = events[1..]
        .iter()
        .map(|e| (e["link_id"].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("mk_sandbox_bulk_3", "in_progress"),
            ("mk_sandbox_bulk_3", "completed")
        ],
        "{out}"
    );
    assert!(events[1..]
        .iter()
        .all(|e| e["webhook_event"] == "link.product_refresh" && e["product"] == "identity"));
    let duplicates: Vec<Value> = json_lines(&err)
        .into_iter()
        .filter(|v| v["webhook"] == "duplicate")
        .collect();
    assert_eq!(duplicates.len(), 1, "{err}");
    assert_eq!(duplicates[0]["answer"], 200);
    assert_eq!(
        duplicates[0]["idempotency_key"],
        events[0]["webhook_idempotency_key"]
    );
    assert!(
        err.contains("done (the count is reached): 3 events printed"),
        "{err}"
    );
    // Nothing printed came from the forged link.
    assert!(!out.contains("mk_webhook_bad_signature"));
}

#[test]
fn every_forgery_is_refused_with_its_reason() {
    let sb = Sandbox::start(Config {
        time_scale: SCALE,
        webhook_max_attempts: 1,
        ..Config::default()
    })
    .unwrap();
    let l = Listening::start(&sb, &["--timeout", "60"]);
    sb.set_webhook_url(None, Some(&l.url)).unwrap();
    let cases = [
        ("mk_webhook_stale_iat", "iat_too_old"),
        ("mk_webhook_future_iat", "iat_in_future"),
        ("mk_webhook_unknown_kid", "kid_unknown"),
        ("mk_webhook_tampered_body", "body_hash"),
        ("mk_webhook_alg_none", "alg"),
        ("mk_webhook_hs256", "alg"),
    ];
    for (link, _) in cases {
        let o = trigger(&sb, link, "transactions.updates_available");
        assert_eq!(o.status.code(), Some(0), "{link}: {}", text(&o.stderr));
    }
    wait_deliveries(&sb, "every forgery", |d| d.len() == cases.len());
    for d in sb.webhook_deliveries() {
        assert_eq!(d.status, Some(400), "{d:?}");
    }
    let t = Instant::now();
    while json_lines(&l.stderr()).len() < cases.len() {
        assert!(t.elapsed() < Duration::from_secs(10), "{}", l.stderr());
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut reasons: Vec<String> = json_lines(&l.stderr())
        .iter()
        .map(|v| v["error"]["reason"].as_str().unwrap().to_string())
        .collect();
    reasons.sort();
    let mut want: Vec<&str> = cases.iter().map(|c| c.1).collect();
    want.sort();
    assert_eq!(reasons, want);
    // Not HTTP: refused by the parser, answered, reported; a GET: 405.
    let mut s =
        TcpStream::connect(l.url.trim_start_matches("http://").trim_end_matches('/')).unwrap();
    s.write_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 501 "), "{answer}");
    let mut s =
        TcpStream::connect(l.url.trim_start_matches("http://").trim_end_matches('/')).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 405 ") && answer.contains("Allow: POST\r\n"),
        "{answer}"
    );
    // Ctrl-C: 130.
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(l.child.id() as i32, libc::SIGINT) }, 0);
    let (code, out, err) = l.finish();
    assert_eq!(code, Some(130), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("interrupted: 0 events printed"), "{err}");
}

#[test]
fn listen_stops_at_its_timeout_and_refuses_other_hosts() {
    let sb = plain();
    let l = Listening::start(&sb, &["--count", "1", "--timeout", "0.5"]);
    let (code, out, err) = l.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("0 of 1 events printed"), "{err}");
    for host in ["0.0.0.0", "192.0.2.1", "example.com"] {
        let o = run(&sb, &["webhooks", "listen", "--port", "0", "--host", host]);
        assert_eq!(o.status.code(), Some(2), "{host}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("--host"), "{}", text(&o.stderr));
    }
}

#[test]
fn trigger_calls_the_test_endpoint() {
    let sb = quick();
    let l = Listening::start(&sb, &["--count", "1", "--timeout", "30"]);
    sb.set_webhook_url(Some("mk_sandbox_ok"), Some(&l.url))
        .unwrap();
    let o = run(
        &sb,
        &[
            "webhooks",
            "trigger",
            "mk_sandbox_ok",
            "link.state_changed",
            "--idempotency-key",
            "cli-test-1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let answer: Value = serde_json::from_slice(&o.stdout).unwrap();
    let token = answer["delivery_token"].as_str().unwrap();
    assert!(token.starts_with("dlv_"), "{answer}");
    let (code, out, err) = l.finish();
    assert_eq!(code, Some(0), "{err}");
    let event: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(event["webhook_idempotency_key"], "cli-test-1");
    assert_eq!(event["state"], "connected");
    let d = sb.webhook_deliveries();
    assert!(
        d.iter()
            .any(|d| d.delivery_token == token && d.status == Some(200)),
        "{d:?}"
    );
    // A link without a URL: MoneyKit's 400, exit 1; an event MoneyKit does not know: 422.
    let o = trigger(&sb, "mk_sandbox_bulk_1", "link.state_changed");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(e["http_status"], 400, "{e}");
    let o = trigger(&sb, "mk_sandbox_ok", "link.nothing");
    assert_ne!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(e["http_status"], 422, "{e}");
}

/// A free port on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn refreshed_at(v: &Value) -> Value {
    v["link"]["products"]["identity"]["refreshed_at"].clone()
}

#[test]
fn refresh_wait_webhook_returns_on_the_completed_event() {
    // Unscaled polling (one poll per 20 s) and a 1 s refresh: only the webhook is fast.
    let sb = Sandbox::start(Config {
        refresh_delay: Duration::from_secs(1),
        ..Config::default()
    })
    .unwrap();
    let link = "mk_sandbox_bulk_5";
    let before: Value = serde_json::from_slice(&run(&sb, &["identity", link]).stdout).unwrap();
    let port = free_port();
    sb.set_webhook_url(None, Some(&format!("http://127.0.0.1:{port}/hook")))
        .unwrap();
    let t = Instant::now();
    let o = bare(&[
        "refresh",
        link,
        "--wait-webhook",
        "--port",
        &port.to_string(),
        "--wait",
        "60",
        "--time-scale",
        "1",
    ])
    .env("MONEYKIT_CLIENT_ID", "sandbox-client")
    .env("MONEYKIT_CLIENT_SECRET", "sandbox-secret")
    .env("MONEYKIT_BASE_URL", sb.base_url())
    .output()
    .unwrap();
    let took = t.elapsed();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(took < Duration::from_secs(10), "{took:?}: {err}");
    let fresh: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(refreshed_at(&fresh), refreshed_at(&before), "{fresh}");
    assert!(
        err.contains("webhook link.product_refresh identity in_progress"),
        "{err}"
    );
    assert!(
        err.contains("webhook link.product_refresh identity completed"),
        "{err}"
    );
    assert!(!err.contains("polling"), "{err}");
    // Both events answered 200 on the port.
    let d = sb.webhook_deliveries();
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|d| d.status == Some(200)), "{d:?}");
}

#[test]
fn refresh_wait_webhook_reports_a_failed_refresh_and_falls_back_to_polling() {
    let sb = quick();
    let port = free_port();
    sb.set_webhook_url(None, Some(&format!("http://127.0.0.1:{port}/")))
        .unwrap();
    let port = port.to_string();
    let wait = |link: &str, extra: &[&str]| {
        let args = [
            &["refresh", link, "--wait-webhook", "--port", &port][..],
            extra,
        ]
        .concat();
        run(&sb, &args)
    };
    // MoneyKit says the refresh failed: exit 1, the reason on stderr, --stale prints.
    let o = wait("mk_webhook_refresh_failed", &["--wait", "30", "--stale"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let e: Value = err
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap();
    assert!(
        e["message"].as_str().unwrap().contains("refresh failed"),
        "{e}"
    );
    let stale: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(stale["link"].is_object());

    // No webhook comes (the URL leads elsewhere): polling after --webhook-wait.
    sb.set_webhook_url(None, Some(&format!("http://127.0.0.1:{}/", free_port())))
        .unwrap();
    let o = wait(
        "mk_sandbox_bulk_6",
        &["--wait", "30", "--webhook-wait", "0.3"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("no completed webhook for mk_sandbox_bulk_6 within 0.3 s; polling"),
        "{err}"
    );
    let fresh: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(fresh["link"].is_object());

    // Usage: --wait-webhook needs --port; --port and --webhook-wait need --wait-webhook.
    for args in [
        &["refresh", "mk_sandbox_ok", "--wait-webhook"][..],
        &["refresh", "mk_sandbox_ok", "--port", "1"][..],
        &[
            "refresh",
            "mk_sandbox_ok",
            "--wait",
            "1",
            "--webhook-wait",
            "1",
        ][..],
    ] {
        let o = run(&sb, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
}
