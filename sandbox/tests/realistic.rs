//! The realistic mode over real HTTP: rate limits, Retry-After, latency, time scale,
//! `POST /links/{id}/products` and `refreshed_at`, the daily refresh limit, bulk links,
//! stats, reset and the command-line flags. `time_scale` makes each window last seconds:
//! short for a test, long beside the requests that must fall inside it on a loaded machine
//! (a 1 s window could close before the requests meant for it); timing asserts are generous
//! (lower bounds, or upper bounds with a wide margin).

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{get, identity, Client, Resp, BEARER};
use moneykit::core::validate_identity;
use moneykit_sandbox::{Config, LinkStats, Sandbox, Stats};
use serde_json::Value;

fn start(c: Config) -> Sandbox {
    Sandbox::start(c).unwrap()
}

fn refresh(sb: &Sandbox, id: &str, body: &str) -> Resp {
    Client::new(sb).send(
        "POST",
        &format!("/links/{id}/products"),
        &[BEARER, ("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

fn refresh_identity(sb: &Sandbox, id: &str) -> Resp {
    refresh(sb, id, r#"{"products": ["identity"]}"#)
}

fn refreshed_at(r: &Resp) -> String {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let p = &v["link"]["products"]["identity"];
    assert_eq!(p["refreshed_at"], p["last_attempted_at"]);
    p["refreshed_at"].as_str().unwrap().to_string()
}

fn assert_429(r: &Resp, retry_after: &str) {
    assert_eq!(r.status, 429, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["error_code"], "api_error.rate_limit_exceeded");
    assert_eq!(r.header("retry-after"), Some(retry_after));
}

/// A 429 whose Retry-After is what is left of a `window_s` window: 1 ..= window_s seconds
/// (how much is left depends on how long the requests before it took).
fn assert_429_in_window(r: &Resp, window_s: u64) {
    assert_eq!(r.status, 429, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["error_code"], "api_error.rate_limit_exceeded");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=window_s).contains(&wait), "Retry-After {wait}");
}

/// Rate windows in these tests: a minute at time_scale 6 is 10 s, long beside the few
/// milliseconds the requests of one window take even on a loaded machine.
const WINDOW_SCALE: f64 = 6.0;
const WINDOW: Duration = Duration::from_secs(10);

#[test]
fn per_link_limit_refuses_the_n_plus_1th_and_frees_up_after_the_window() {
    // The window lasts WINDOW (10 s).
    let sb = start(Config {
        rate_limit_link: Some(3),
        time_scale: WINDOW_SCALE,
        ..Config::default()
    });
    for _ in 0..3 {
        assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    }
    // All three arrived before this instant: one window later, all have left it.
    let third = Instant::now();
    assert_429_in_window(&identity(&sb, "mk_sandbox_ok"), 10);
    assert_429_in_window(&identity(&sb, "mk_sandbox_ok"), 10);
    // Other links have their own budget; error ids count like any other.
    assert_eq!(identity(&sb, "mk_sandbox_bulk_1").status, 200);
    for _ in 0..3 {
        assert_eq!(identity(&sb, "mk_sandbox_deleted").status, 410);
    }
    assert_429_in_window(&identity(&sb, "mk_sandbox_deleted"), 10);
    // Unauthenticated requests are answered 401 and never counted.
    assert_eq!(
        get(&sb, "/links/mk_sandbox_bulk_1/identity", &[]).status,
        401
    );

    std::thread::sleep((WINDOW + Duration::from_millis(50)).saturating_sub(third.elapsed()));
    for _ in 0..3 {
        assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    }
    assert_429_in_window(&identity(&sb, "mk_sandbox_ok"), 10);

    let s = sb.stats();
    assert_eq!(
        (s.rate_limited, s.rate_limited_link, s.rate_limited_app),
        (4, 4, 0)
    );
    let ls = sb.link_stats("mk_sandbox_ok");
    assert_eq!(ls.identity_requests, 9);
    assert_eq!(ls.rate_limited, 3);
    assert_eq!(ls.max_in_window, 5);
    assert_eq!(ls.times.len(), 9);
    assert!(ls.times.windows(2).all(|w| w[0] <= w[1]));
    assert!(ls.times[8] - ls.times[0] >= WINDOW);
    assert_eq!(sb.link_stats("mk_sandbox_bulk_1").identity_requests, 1);
    assert_eq!(sb.link_stats("never_requested"), LinkStats::default());
}

#[test]
fn per_app_limit_counts_every_link() {
    let sb = start(Config {
        rate_limit_app: Some(5),
        time_scale: WINDOW_SCALE,
        ..Config::default()
    });
    for n in 0..5 {
        assert_eq!(identity(&sb, &format!("mk_sandbox_bulk_{n}")).status, 200);
    }
    let fifth = Instant::now();
    assert_429_in_window(&identity(&sb, "mk_sandbox_bulk_5"), 10);
    assert_429_in_window(&identity(&sb, "mk_sandbox_ok"), 10);
    std::thread::sleep((WINDOW + Duration::from_millis(50)).saturating_sub(fifth.elapsed()));
    assert_eq!(identity(&sb, "mk_sandbox_bulk_5").status, 200);
    let s = sb.stats();
    assert_eq!(
        (s.rate_limited, s.rate_limited_link, s.rate_limited_app),
        (2, 0, 2)
    );
    assert_eq!(s.identity_requests, 8);
}

#[test]
fn retry_after_is_the_real_time_until_allowed() {
    // Unscaled: a full minute (rounded up to whole seconds).
    let sb = start(Config {
        rate_limit_link: Some(1),
        ..Config::default()
    });
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    assert_429(&identity(&sb, "mk_sandbox_ok"), "60");
    // Scaled by 4: 15 s, and the day (refresh limit) lasts 6 hours.
    let sb = start(Config {
        rate_limit_link: Some(2),
        refresh_per_day: Some(1),
        time_scale: 4.0,
        ..Config::default()
    });
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    assert_429(&identity(&sb, "mk_sandbox_ok"), "15");
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    assert_429(&refresh_identity(&sb, "mk_sandbox_ok"), "21600");
    // A limit of 0 refuses everything, for a whole window.
    let sb = start(Config {
        rate_limit_app: Some(0),
        time_scale: 2.0,
        ..Config::default()
    });
    assert_429(&identity(&sb, "mk_sandbox_ok"), "30");
}

#[test]
fn latency_delays_identity_and_products_answers() {
    let sb = start(Config {
        latency: Some((Duration::from_millis(150), Duration::from_millis(50))),
        ..Config::default()
    });
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
        assert!(
            t.elapsed() >= Duration::from_millis(95),
            "{:?}",
            t.elapsed()
        );
    }
    let t = Instant::now();
    assert_eq!(identity(&sb, "mk_sandbox_not_there").status, 404);
    assert_eq!(get(&sb, "/links/mk_sandbox_ok/identity", &[]).status, 401);
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    assert!(
        t.elapsed() >= Duration::from_millis(290),
        "{:?}",
        t.elapsed()
    );
    // Neither the token endpoint nor the admin endpoints are delayed: with a 60 s latency,
    // a wide 10 s bound still tells a delayed answer from an undelayed one.
    let sb = start(Config {
        latency: Some((Duration::from_secs(60), Duration::ZERO)),
        ..Config::default()
    });
    let t = Instant::now();
    assert_eq!(get(&sb, "/_sandbox/stats", &[]).status, 200);
    let token = Client::new(&sb).send(
        "POST",
        "/auth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
    );
    assert_eq!(
        token.status,
        201,
        "{}",
        String::from_utf8_lossy(&token.body)
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());

    // Scaled by 600: 60 s ± 0 becomes 100 ms (unscaled it would be 60 s, far past the
    // wide bound).
    let sb = start(Config {
        latency: Some((Duration::from_secs(60), Duration::ZERO)),
        time_scale: 600.0,
        ..Config::default()
    });
    let t = Instant::now();
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(99), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn products_202_then_refreshed_at_advances_after_the_delay() {
    // 2 s of service time at scale 2: 1 s, long beside the read that must come before it
    // completes; each wait for completion is 1.5 s.
    let sb = start(Config {
        refresh_delay: Duration::from_secs(2),
        time_scale: 2.0,
        ..Config::default()
    });
    for id in ["mk_sandbox_ok", "mk_sandbox_bulk_17", "mk_sandbox_unicode"] {
        let before = refreshed_at(&identity(&sb, id));
        let r = refresh_identity(&sb, id);
        assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
        let link = r.json();
        assert_eq!(link["link_id"], id);
        assert!(link["products"]["identity"].is_object());
        assert!(
            link.get("accounts").is_none(),
            "the link object, not the identity"
        );
        assert_eq!(
            refreshed_at(&identity(&sb, id)),
            before,
            "not before the delay"
        );
        std::thread::sleep(Duration::from_millis(1500));
        let r = identity(&sb, id);
        validate_identity(&r.body).unwrap();
        let after = refreshed_at(&r);
        assert!(after > before, "{after} > {before}");
        assert_eq!(sb.link_stats(id).refreshed_at.map(|_| ()), Some(()));
        // A second refresh: strictly later again (even within the same second).
        assert_eq!(refresh_identity(&sb, id).status, 202);
        std::thread::sleep(Duration::from_millis(1500));
        let again = refreshed_at(&identity(&sb, id));
        assert!(again > after, "{again} > {after}");
        // The 202's link object shows what identity serves now.
        let link = refresh(&sb, id, r#"{"products": ["accounts"]}"#).json();
        assert_eq!(link["products"]["identity"]["refreshed_at"], again.as_str());
    }
    // account_ids filtering still applies to a refreshed body.
    let r = get(
        &sb,
        &format!(
            "/links/mk_sandbox_ok/identity?account_ids={}",
            moneykit_sandbox::OK_SAVINGS_ID
        ),
        &[BEARER],
    );
    assert_eq!(r.json()["accounts"].as_array().unwrap().len(), 1);
    assert_ne!(refreshed_at(&r), "2023-02-16T09:14:11Z");
    // Other links are untouched.
    assert_eq!(
        refreshed_at(&identity(&sb, "mk_sandbox_bulk_18")),
        "2023-02-16T09:14:11Z"
    );
    let s = sb.stats();
    assert_eq!((s.refresh_requests, s.refreshes_refused), (9, 0));
    let ls = sb.link_stats("mk_sandbox_ok");
    assert_eq!((ls.refresh_requests, ls.refreshes_completed), (2, 2));
}

#[test]
fn daily_refresh_limit() {
    // A day lasts 10 s (long beside the requests made within it).
    let sb = start(Config {
        refresh_per_day: Some(1),
        refresh_delay: Duration::ZERO,
        time_scale: 8_640.0,
        ..Config::default()
    });
    assert_eq!(refresh_identity(&sb, "mk_sandbox_bulk_3").status, 202);
    let first = Instant::now();
    assert_429_in_window(&refresh_identity(&sb, "mk_sandbox_bulk_3"), 10);
    // Other products and other links are not limited.
    assert_eq!(
        refresh(
            &sb,
            "mk_sandbox_bulk_3",
            r#"{"products": ["transactions"]}"#
        )
        .status,
        202
    );
    assert_eq!(refresh_identity(&sb, "mk_sandbox_bulk_4").status, 202);
    std::thread::sleep(Duration::from_millis(10_050).saturating_sub(first.elapsed()));
    assert_eq!(refresh_identity(&sb, "mk_sandbox_bulk_3").status, 202);
    let s = sb.stats();
    assert_eq!((s.refresh_requests, s.refreshes_refused), (5, 1));
    assert_eq!(s.rate_limited, 0, "refresh refusals are counted apart");
    let ls = sb.link_stats("mk_sandbox_bulk_3");
    assert_eq!((ls.refresh_requests, ls.refreshes_refused), (3, 1));
}

#[test]
fn products_request_errors() {
    let sb = start(Config::default());
    let r = refresh(&sb, "mk_sandbox_ok", "{not json");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_code"], "api_error.request.bad_request");
    for body in [
        "{}",
        r#"{"products": "identity"}"#,
        r#"{"products": []}"#,
        r#"{"products": ["identity", "nope"]}"#,
        r#"{"products": [1]}"#,
    ] {
        let r = refresh(&sb, "mk_sandbox_ok", body);
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(
            r.json()["error_code"],
            "api_error.request.validation_failed"
        );
        assert_eq!(
            r.json()["validation_errors"][0]["location"],
            serde_json::json!(["body", "products"])
        );
    }
    let body = br#"{"products": ["identity"]}"#;
    let r = Client::new(&sb).send("POST", "/links/mk_sandbox_ok/products", &[], body);
    assert_eq!(r.status, 401);
    let r = Client::new(&sb).send(
        "POST",
        "/links/mk_sandbox_ok/products",
        &[BEARER, ("moneykit-version", "2020-01-01")],
        body,
    );
    assert_eq!(r.status, 422);
    let r = get(&sb, "/links/mk_sandbox_ok/products", &[BEARER]);
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    for (id, status, code) in [
        ("mk_sandbox_deleted", 410, "link_error.deleted"),
        ("mk_sandbox_forbidden", 403, "link_error.forbidden_action"),
        ("mk_sandbox_bad_state", 422, "link_error.bad_state"),
        ("mk_no_such_link", 404, "link_error.not_found"),
        ("mk_sandbox_bulk_007", 404, "link_error.not_found"),
        ("mk_sandbox_bulk_10000001", 404, "link_error.not_found"),
        ("mk_fault_500", 500, "api_error.internal"),
    ] {
        let r = refresh_identity(&sb, id);
        assert_eq!(r.status, status, "{id}");
        assert_eq!(r.json()["error_code"], code, "{id}");
    }
    // The 405 is not a products request.
    assert_eq!(sb.stats().refresh_requests, 15);
}

#[test]
fn bulk_links_are_distinct_and_valid() {
    let sb = start(Config::default());
    let ok_len = identity(&sb, "mk_sandbox_ok").body.len();
    let mut seen: [HashSet<String>; 5] = Default::default();
    let ns = (0..300u64).chain([9_999_999, 10_000_000]);
    for n in ns {
        let id = format!("mk_sandbox_bulk_{n}");
        let r = identity(&sb, &id);
        assert_eq!(r.status, 200, "{id}");
        validate_identity(&r.body).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(
            r.body.len() < ok_len * 3 / 2,
            "{id}: {} bytes",
            r.body.len()
        );
        assert_eq!(identity(&sb, &id).body, r.body, "deterministic");
        let v = r.json();
        assert!(seen[0].insert(v["link"]["link_id"].as_str().unwrap().into()));
        assert_eq!(v["link"]["link_id"], id.as_str());
        for acc in v["accounts"].as_array().unwrap() {
            assert!(seen[1].insert(acc["account_id"].as_str().unwrap().into()));
        }
        for o in v["accounts"][0]["owners"].as_array().unwrap() {
            let text = |v: &Value| v.as_str().unwrap().to_string();
            assert!(seen[2].insert(text(&o["names"][0])), "{id}");
            assert!(seen[3].insert(text(&o["emails"][0]["address"])), "{id}");
            assert!(
                seen[4].insert(text(&o["phone_numbers"][0]["number"])),
                "{id}"
            );
        }
    }
    for bad in [
        "mk_sandbox_bulk_",
        "mk_sandbox_bulk_01",
        "mk_sandbox_bulk_10000001",
    ] {
        assert_eq!(identity(&sb, bad).status, 404, "{bad}");
    }
}

#[test]
fn off_by_default_and_reset_clears_everything() {
    let sb = start(Config::default());
    for _ in 0..20 {
        assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    }
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    let s = sb.stats();
    assert_eq!(
        (s.rate_limited, s.refreshes_refused, s.refresh_requests),
        (0, 0, 2)
    );
    assert_eq!(sb.link_stats("mk_sandbox_ok").max_in_window, 20);

    let sb = start(Config {
        rate_limit_link: Some(1),
        refresh_per_day: Some(1),
        ..Config::default()
    });
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 429);
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 429);
    let stats = get(&sb, "/_sandbox/stats", &[]).json();
    assert_eq!(stats["rate_limited"], 1);
    assert_eq!(stats["rate_limited_link"], 1);
    assert_eq!(stats["rate_limited_app"], 0);
    assert_eq!(stats["refresh_requests"], 2);
    assert_eq!(stats["refreshes_refused"], 1);
    let ls = get(&sb, "/_sandbox/links/mk_sandbox_ok", &[]).json();
    assert_eq!(ls["identity_requests"], 2);
    assert_eq!(ls["rate_limited"], 1);
    assert_eq!(ls["max_in_window"], 2);
    assert_eq!(ls["times_ms"].as_array().unwrap().len(), 2);
    assert_eq!(ls["refresh_requests"], 2);
    assert_eq!(ls["refreshes_refused"], 1);
    assert_eq!(ls["refreshes_completed"], 0);
    assert_eq!(ls["refreshed_at"], Value::Null);
    let r = Client::new(&sb).send("POST", "/_sandbox/reset", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(sb.stats(), Stats::default());
    assert_eq!(sb.link_stats("mk_sandbox_ok"), LinkStats::default());
    assert_eq!(identity(&sb, "mk_sandbox_ok").status, 200);
    assert_eq!(refresh_identity(&sb, "mk_sandbox_ok").status, 202);
    assert!(Sandbox::start(Config {
        time_scale: 0.0,
        ..Config::default()
    })
    .is_err());
}

#[test]
fn command_line_flags() {
    let bin = env!("CARGO_BIN_EXE_moneykit-sandbox");
    let mut child = Command::new(bin)
        .args(["--realistic", "--time-scale", "6", "--latency-ms=6,0"])
        .args(["--rate-limit-app", "1000", "--refresh-delay-ms", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap();
    let mut c = Client::connect(addr);
    let mut send = |method: &str, path: &str, body: &[u8]| c.send(method, path, &[BEARER], body);
    let t = Instant::now();
    for _ in 0..3 {
        assert_eq!(
            send("GET", "/links/mk_sandbox_ok/identity", b"").status,
            200
        );
    }
    assert!(t.elapsed() >= Duration::from_millis(3), "latency 6 ms / 6");
    assert_429_in_window(&send("GET", "/links/mk_sandbox_ok/identity", b""), 10);
    let body = br#"{"products": ["identity"]}"#;
    assert_eq!(
        send("POST", "/links/mk_sandbox_ok/products", body).status,
        202
    );
    // --realistic: one refresh a day (a day is 14400 s at scale 6).
    assert_429(
        &send("POST", "/links/mk_sandbox_ok/products", body),
        "14400",
    );
    let stats = send("GET", "/_sandbox/stats", b"").json();
    assert_eq!(
        (
            stats["rate_limited"].as_u64(),
            stats["refreshes_refused"].as_u64()
        ),
        (Some(1), Some(1))
    );
    child.kill().unwrap();
    child.wait().unwrap();

    for bad in [
        &["--time-scale", "0"][..],
        &["--time-scale", "fast"],
        &["--latency-ms", "10,x"],
        &["--rate-limit-link", "-1"],
        &["--refresh-delay-ms"],
    ] {
        let out = Command::new(bin).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let help = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("--realistic") && help.contains("mk_sandbox_bulk_<n>"));
}
