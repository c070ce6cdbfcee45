//! Redis killed in the middle of a coordinated batch and started again (issue 28): no
//! result is lost or doubled, nothing fails because of Redis, and the event callback
//! reports the loss once and the return once (method `REDIS`, path `coordination`).

mod common;
mod coordination_common;

use common::redis::Redis;
use coordination_common::*;
use moneykit::core::Status;
use moneykit_sandbox::{Config, Sandbox};
use std::time::{Duration, Instant};

const LINKS: usize = 1300;

#[test]
fn redis_killed_mid_batch_loses_and_doubles_nothing_and_is_reported_twice() {
    let mut redis = Redis::start();
    let sandbox = Sandbox::start(Config {
        time_scale: 60.0,
        ..Config::default().realistic()
    })
    .expect("sandbox starts");
    // While Redis is down this process allows itself 5 % of the budget: with the
    // fleet's permits granted again once Redis is back (Redis forgot the window), the
    // sandbox's window then holds at most 30 + 540 calls, below its 600.
    let c = coordinated(
        &sandbox.base_url(),
        Some(&redis.url()),
        r#""time_scale": 60, "coordination_fallback_share": 0.05"#,
    );
    let events = Events::on(&c);
    let links = bulk(0, LINKS);
    let b = Batch::start(&c, &links, r#"{"concurrency": 8}"#);
    let mut items = Vec::new();
    let next = |b: &Batch, items: &mut Vec<Item>, until: Instant| {
        while Instant::now() < until {
            match b.next(20) {
                (0, Some(item)) => items.push(item),
                (moneykit::ffi::MK_BATCH_DONE, _) => panic!("done too early"),
                _ => {}
            }
        }
    };
    // The first window's permits (540 of 600: the rest is the single calls' reserve).
    next(&b, &mut items, Instant::now() + Duration::from_millis(500));
    let before = items.len();
    redis.stop();
    next(&b, &mut items, Instant::now() + Duration::from_millis(1200));
    let during = items.len() - before;
    redis.restart();
    let lost_at = events.coordination();
    items.extend(b.drain(Duration::from_secs(30)));
    drop(b);
    let coordination = events.coordination();
    drop(c);
    eprintln!("before the kill {before}, while down {during}, events {coordination:?}");

    assert!(before > 0 && before < LINKS, "{before}");
    assert_eq!(items.len(), LINKS);
    let failed: Vec<&Item> = items.iter().filter(|i| i.status != 0).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let mut seen = vec![0; LINKS];
    for i in &items {
        seen[i.index] += 1;
    }
    assert!(seen.iter().all(|&n| n == 1), "one result per link");
    for l in &links {
        let s = sandbox.link_stats(l);
        assert_eq!(s.identity_requests, 1, "{l}: {s:?}");
    }
    assert_eq!(sandbox.stats().rate_limited, 0);

    // The loss was reported while Redis was down; then exactly one return.
    assert_eq!(lost_at.len(), 1, "{lost_at:?}");
    assert_eq!(coordination.len(), 2, "{coordination:?}");
    let (lost, back) = (&coordination[0], &coordination[1]);
    for e in [lost, back] {
        assert_eq!(
            (e.method.as_str(), e.path.as_str()),
            ("REDIS", "coordination")
        );
        assert_eq!(e.http_status, 0, "{e:?}");
    }
    assert!(
        [Status::MkErrTransport.code(), Status::MkErrTimeout.code()].contains(&lost.status),
        "{lost:?}"
    );
    assert_eq!(lost.retry_wait_ms, 1000, "{lost:?}");
    assert_eq!(back.status, Status::MkOk.code(), "{back:?}");
    // It was lost at least as long as Redis was away.
    assert!(back.elapsed_ms >= 1000, "{back:?}");
}

/// A "Redis" that accepts connections and never answers: the listener is kept, never
/// accepted from (the kernel completes the handshakes).
fn silent_redis() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://127.0.0.1:{}/0", l.local_addr().unwrap().port());
    (l, url)
}

#[test]
fn a_silent_redis_costs_a_call_coordination_timeout_ms_once() {
    let (_listener, url) = silent_redis();
    let sandbox = Sandbox::start(Config::default()).expect("sandbox starts");
    let c = coordinated(
        &sandbox.base_url(),
        Some(&url),
        r#""time_scale": 60, "coordination_timeout_ms": 300, "coordination_fallback_share": 1"#,
    );
    let events = Events::on(&c);
    let (first, took_first) = timed_identity(&c, "mk_sandbox_ok");
    first.assert_status(Status::MkOk);
    // The next calls do not ask Redis again for a second (RETRY_EVERY).
    let (second, took_second) = timed_identity(&c, "mk_sandbox_unicode");
    second.assert_status(Status::MkOk);
    drop(c);
    let lost = events.coordination();
    eprintln!("silent Redis: first call {took_first:?}, second {took_second:?}, {lost:?}");
    assert!(took_first >= Duration::from_millis(300), "{took_first:?}");
    assert!(took_first < Duration::from_secs(2), "{took_first:?}");
    // Not a second 300 ms Redis wait: the process is on its local share.
    assert!(took_second < Duration::from_millis(290), "{took_second:?}");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].status, Status::MkErrTimeout.code(), "{lost:?}");
    // The round trip, connecting included, ended at the option (with a margin for a
    // loaded machine), not at a multiple of it (before the fix: 651 ms).
    assert!((300..590).contains(&lost[0].elapsed_ms), "{lost:?}");
}

/// How long `calls` single calls on distinct links take with Redis unreachable, on this
/// process's `share` of 600 calls a minute, a minute lasting 1 s.
fn calls_in_fallback(share: f64, calls: usize) -> Duration {
    let sandbox = Sandbox::start(Config::default()).expect("sandbox starts");
    let c = coordinated(
        &sandbox.base_url(),
        Some("redis://127.0.0.1:1/0"),
        &format!(r#""time_scale": 60, "coordination_fallback_share": {share}"#),
    );
    let started = Instant::now();
    for l in bulk(0, calls) {
        c.identity(&l, &[]).assert_status(Status::MkOk);
    }
    started.elapsed()
}

#[test]
fn the_fallback_share_paces_single_calls_while_redis_is_down() {
    // 1 % of 600 a minute: 6 a (scaled) minute, one per 170 ms.
    let slow = calls_in_fallback(0.01, 4);
    // The whole budget: one per 1.7 ms.
    let fast = calls_in_fallback(1.0, 4);
    eprintln!("4 calls in fallback: share 0.01 {slow:?}, share 1 {fast:?}");
    assert!(slow >= Duration::from_millis(450), "{slow:?}");
    assert!(fast < Duration::from_millis(300), "{fast:?}");
}
