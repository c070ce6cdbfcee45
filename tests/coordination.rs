//! Coordination through Redis (issue 28) for single calls, through the C ABI: they take
//! permits of the fleet's budget (Redis's keys show them, and expire), the reserve
//! keeps a saturating batch of another process from starving them, and the daily identity
//! refresh is one per link for the whole fleet. Every client here has its own coordinator,
//! as a separate process would.

mod common;
mod coordination_common;

use common::redis::Redis;
use common::*;
use coordination_common::*;
use moneykit::core::Status;
use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use std::ffi::CString;
use std::ptr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The tests here measure call times: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

fn realistic(time_scale: f64) -> Sandbox {
    Sandbox::start(Config {
        time_scale,
        ..Config::default().realistic()
    })
    .expect("sandbox starts")
}

/// `redis-cli` output as a number.
fn number(redis: &Redis, args: &[&str]) -> i64 {
    let out = redis.cli(args);
    out.parse()
        .unwrap_or_else(|_| panic!("{args:?}: not a number: {out:?}"))
}

#[test]
fn single_calls_take_permits_in_keys_that_expire() {
    let _one = one_at_a_time();
    let redis = Redis::start();
    let sb = realistic(60.0);
    let c = coordinated(&sb.base_url(), Some(&redis.url()), r#""time_scale": 60"#);
    let links = bulk(0, 5);
    for l in &links {
        c.identity(l, &[]).assert_status(Status::MkOk);
    }
    // One more call of the first link: its window holds two.
    c.identity(&links[0], &[]).assert_status(Status::MkOk);
    let mut keys: Vec<String> = redis
        .cli(&["KEYS", "mk:*"])
        .lines()
        .map(str::to_string)
        .collect();
    keys.sort();
    assert_eq!(keys.len(), 6, "the app key and one per link: {keys:?}");
    assert!(keys.contains(&app_key()), "{keys:?}");
    assert_eq!(number(&redis, &["ZCARD", &app_key()]), 6);
    let mut per_link = Vec::new();
    for k in &keys {
        assert!(k.starts_with(&prefix()), "{k}");
        assert!(!k.contains("mk_sandbox"), "a raw link id in {k}");
        // The window held by Redis: one scaled minute (1 s) and a little more.
        let ttl = number(&redis, &["PTTL", k]);
        assert!(ttl > 0 && ttl <= 1100, "{k}: PTTL {ttl}");
        if k != &app_key() {
            per_link.push(number(&redis, &["ZCARD", k]));
        }
    }
    per_link.sort();
    assert_eq!(per_link, [1, 1, 1, 1, 2]);
    // Past the window, nothing is left.
    std::thread::sleep(Duration::from_millis(1300));
    assert_eq!(redis.cli(&["KEYS", "mk:*"]), "");
    assert_eq!(sb.stats().identity_requests, 6);
}

/// A batch of one client saturating the app budget (60 a minute at time scale 20: a
/// minute lasts 3 s, one permit interval 50 ms) while another client, with its own
/// coordinator, makes 20 single calls; (each call's time, the batch's results while they
/// ran).
fn single_calls_beside_a_batch(reserve: u32) -> (Vec<(Outcome, Duration)>, u64, u64) {
    let redis = Redis::start();
    let sb = realistic(20.0);
    let opts = format!(
        r#""time_scale": 20, "app_per_minute": 60, "coordination_reserve_per_minute": {reserve}"#
    );
    let batch_client = coordinated(&sb.base_url(), Some(&redis.url()), &opts);
    let single = coordinated(&sb.base_url(), Some(&redis.url()), &opts);
    // The single client's token and connections first (one permit).
    single
        .identity("mk_sandbox_ok", &[])
        .assert_status(Status::MkOk);
    let b = Reading::start(&batch_client, &bulk(0, 100), r#"{"concurrency": 4}"#);
    // Until the batch has its whole share of the window: the fleet's permits (the
    // warm-up call's too) reach the budget less the reserve.
    let share = i64::from(60 - reserve);
    let end = Instant::now() + Duration::from_secs(10);
    while number(&redis, &["ZCARD", &app_key()]) < share || b.progress().done < share as u64 - 1 {
        assert!(
            Instant::now() < end,
            "the batch did not fill its share: {} in Redis, {} done",
            redis.cli(&["ZCARD", &app_key()]),
            b.progress().done,
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let before = b.progress().done;
    let calls: Vec<(Outcome, Duration)> = if reserve == 0 {
        vec![timed_identity(&single, "mk_sandbox_bulk_1000")]
    } else {
        bulk(1000, 20)
            .iter()
            .map(|l| timed_identity(&single, l))
            .collect()
    };
    let after = b.progress().done;
    b.cancel();
    (calls, before, after)
}

#[test]
fn the_reserve_lets_single_calls_through_a_saturating_batch() {
    let _one = one_at_a_time();
    let (calls, before, after) = single_calls_beside_a_batch(25);
    let times: Vec<Duration> = calls.iter().map(|(_, t)| *t).collect();
    eprintln!("single calls beside a saturating batch (reserve 25): {times:?}");
    for (out, _) in &calls {
        out.assert_status(Status::MkOk);
    }
    // The batch had its whole share (the budget less the reserve, less the warm-up call)
    // when the single calls began.
    assert!(before >= 34, "{before} -> {after}");
    // One permit interval is 50 ms; a call waiting for the window waits seconds (the
    // control below). The typical call stays under one interval; the slowest, on a loaded
    // machine, far under the window.
    let interval = Duration::from_millis(50);
    let mut sorted = times.clone();
    sorted.sort();
    assert!(sorted[sorted.len() / 2] < interval, "{times:?}");
    assert!(
        *sorted.last().unwrap() < Duration::from_millis(1000),
        "{times:?}"
    );
}

#[test]
fn without_a_reserve_single_calls_wait_behind_a_saturating_batch() {
    let _one = one_at_a_time();
    let (calls, before, after) = single_calls_beside_a_batch(0);
    let (out, took) = &calls[0];
    eprintln!("a single call beside a saturating batch (no reserve): {took:?}");
    out.assert_status(Status::MkOk);
    assert_eq!(before, 59);
    assert!(after >= before, "{after}");
    // It waited for the window: many permit intervals (50 ms), here most of a minute.
    assert!(*took > Duration::from_millis(1000), "{took:?}");
}

/// `mk_request_identity_refresh`: (status, error JSON).
fn request_refresh(c: &Client, link: &str) -> (i32, Option<serde_json::Value>) {
    let l = CString::new(link).unwrap();
    let mut err = ptr::null_mut();
    // SAFETY: a live client; a valid string and out pointer.
    let rc = unsafe { mk_request_identity_refresh(c.raw(), l.as_ptr(), 0, ptr::null(), &mut err) };
    (rc, take(err).map(|e| serde_json::from_str(&e).unwrap()))
}

/// `mk_refresh_identity` (waiting at most 3 s): (status, error JSON).
fn refresh(c: &Client, link: &str) -> (i32, Option<serde_json::Value>) {
    let l = CString::new(link).unwrap();
    let (mut json, mut stale, mut err) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: a live client; valid strings and out pointers.
    let rc = unsafe {
        mk_refresh_identity(
            c.raw(),
            l.as_ptr(),
            3000,
            ptr::null(),
            ptr::null(),
            &mut json,
            &mut stale,
            &mut err,
        )
    };
    let (_, _) = (take(json), take(stale));
    (rc, take(err).map(|e| serde_json::from_str(&e).unwrap()))
}

#[test]
fn the_daily_refresh_is_one_per_link_for_the_fleet() {
    let _one = one_at_a_time();
    let redis = Redis::start();
    let sb = realistic(60.0);
    let first = coordinated(&sb.base_url(), Some(&redis.url()), r#""time_scale": 60"#);
    let second = coordinated(&sb.base_url(), Some(&redis.url()), r#""time_scale": 60"#);
    let link = "mk_sandbox_bulk_21";
    assert_eq!(request_refresh(&first, link), (0, None));
    assert_eq!(sb.link_stats(link).refresh_requests, 1);
    // The same (scaled) day, another process: refused here, MoneyKit never asked.
    let day_ms = 86_400_000 / 60;
    for (what, (rc, err)) in [
        ("request", request_refresh(&second, link)),
        ("refresh", refresh(&second, link)),
        ("request again", request_refresh(&first, link)),
    ] {
        let err = err.unwrap_or_else(|| panic!("{what}: no error"));
        assert_eq!(rc, Status::MkErrRateLimited.code(), "{what}: {err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("daily refresh limit"),
            "{what}: {err}"
        );
        assert!(err["http_status"].is_null(), "{what}: {err}");
        let wait = err["retry_after_ms"].as_u64().expect("retry_after_ms");
        assert!(wait > day_ms - 60_000 && wait <= day_ms, "{what}: {wait}");
    }
    let s = sb.link_stats(link);
    assert_eq!((s.refresh_requests, s.refreshes_refused), (1, 0), "{s:?}");
    // Another link's refresh is its own.
    assert_eq!(request_refresh(&second, "mk_sandbox_bulk_22"), (0, None));
}

/// Calls of Redis's scripts so far (`INFO commandstats`: EVALSHA and EVAL).
fn script_calls(redis: &Redis) -> u64 {
    redis
        .cli(&["INFO", "commandstats"])
        .lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| {
            l.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// Script calls for a batch of `links` links with `coordination_lease_max` `lease_max`
/// (a minute of 10 s: no lease expires unused, no window fills).
fn round_trips_for_a_batch(links: usize, lease_max: u32) -> u64 {
    let redis = Redis::start();
    let sb = sandbox();
    let c = coordinated(
        &sb.base_url(),
        Some(&redis.url()),
        &format!(r#""time_scale": 6, "coordination_lease_max": {lease_max}"#),
    );
    let b = Batch::start(&c, &bulk(0, links), r#"{"concurrency": 4}"#);
    let items = b.drain(Duration::from_secs(30));
    assert_eq!(items.iter().filter(|i| i.status == 0).count(), links);
    drop(b);
    script_calls(&redis)
}

#[test]
fn coordination_lease_max_bounds_the_permits_of_one_round_trip() {
    let _one = one_at_a_time();
    let one = round_trips_for_a_batch(100, 1);
    let eight = round_trips_for_a_batch(100, 8);
    eprintln!("script calls for 100 links: lease_max 1: {one}, lease_max 8: {eight}");
    // One permit per round trip: at least one per link.
    assert!(one >= 100, "{one}");
    // The lease doubles up to 8 (1, 2, 4, 8, 8, ...): about 16 round trips.
    assert!((13..=40).contains(&eight), "{eight}");
}

#[test]
fn link_per_minute_holds_for_the_fleet() {
    let _one = one_at_a_time();
    let redis = Redis::start();
    let sb = realistic(60.0);
    let opts = r#""time_scale": 60, "link_per_minute": 2"#;
    let first = coordinated(&sb.base_url(), Some(&redis.url()), opts);
    let second = coordinated(&sb.base_url(), Some(&redis.url()), opts);
    let link = "mk_sandbox_bulk_31";
    let (a, took_a) = timed_identity(&first, link);
    let (b, took_b) = timed_identity(&first, link);
    // A third call of the link in the same (scaled) minute, from another process: it
    // waits for the link's window (1 s and a little more) although MoneyKit allows 3.
    let (c, took_c) = timed_identity(&second, link);
    eprintln!("link_per_minute 2: {took_a:?}, {took_b:?}, then {took_c:?}");
    for out in [a, b, c] {
        out.assert_status(Status::MkOk);
    }
    assert!(took_c > Duration::from_millis(700), "{took_c:?}");
    assert!(took_c < Duration::from_secs(5), "{took_c:?}");
    let s = sb.link_stats(link);
    assert_eq!((s.identity_requests, s.rate_limited), (3, 0), "{s:?}");
    assert_eq!(s.max_in_window, 2, "{s:?}");
}
