//! Refresh and wait through the C ABI (`mk_refresh_identity`,
//! `mk_wait_identity_newer`, `mk_request_identity_refresh`) against the
//! realistic sandbox (per-link limit, refresh delay, daily refresh limit) at
//! time scale 60, where a minute lasts one second (issue 15).

mod common;

use common::*;
use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::ffi::{c_char, CString};
use std::ptr;
use std::time::{Duration, Instant};

const SCALE: f64 = 60.0;
const OPTIONS: &str = r#"{"time_scale": 60}"#;
/// One poll per 340 ms: a third of the scaled minute, plus the 2 % margin.
const POLL: Duration = Duration::from_millis(340);
const ORIGINAL: &str = "2023-02-16T09:14:11Z";

fn realistic(refresh_delay: Duration) -> Sandbox {
    let config = Config {
        time_scale: SCALE,
        refresh_delay,
        latency: Some((Duration::from_millis(120), Duration::from_millis(60))),
        ..Config::default().realistic()
    };
    Sandbox::start(config).expect("sandbox starts")
}

#[derive(Debug)]
struct Out {
    status: i32,
    json: Option<String>,
    stale: Option<String>,
    error: Option<Value>,
    took: Duration,
}

impl Out {
    fn message(&self) -> &str {
        self.error.as_ref().unwrap()["message"].as_str().unwrap()
    }
}

fn refreshed_at(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap();
    v["link"]["products"]["identity"]["refreshed_at"]
        .as_str()
        .unwrap()
        .to_string()
}

fn finish(status: i32, json: *mut c_char, stale: *mut c_char, err: *mut c_char, t: Instant) -> Out {
    let out = Out {
        status,
        json: take(json),
        stale: take(stale),
        error: take(err).map(|e| serde_json::from_str(&e).unwrap()),
        took: t.elapsed(),
    };
    assert_eq!(out.json.is_some(), status == 0, "{out:?}");
    assert_eq!(out.error.is_some(), status != 0, "{out:?}");
    if status == 0 {
        assert!(out.stale.is_none());
    }
    out
}

fn refresh(c: &Client, link: &str, wait_ms: u64, options: &str, cancel: *const MkCancel) -> Out {
    let link = CString::new(link).unwrap();
    // "": no options JSON (NULL).
    let options = (!options.is_empty()).then(|| CString::new(options).unwrap());
    let (mut json, mut stale, mut err) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let t = Instant::now();
    // SAFETY: a live client and handle; valid strings and out pointers.
    let status = unsafe {
        mk_refresh_identity(
            c.raw(),
            link.as_ptr(),
            wait_ms,
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            cancel,
            &mut json,
            &mut stale,
            &mut err,
        )
    };
    finish(status, json, stale, err, t)
}

fn wait_newer(c: &Client, link: &str, after: Option<&str>, wait_ms: u64) -> Out {
    let link = CString::new(link).unwrap();
    let after = after.map(|a| CString::new(a).unwrap());
    let options = CString::new(OPTIONS).unwrap();
    let (mut json, mut stale, mut err) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let t = Instant::now();
    // SAFETY: a live client; valid strings and out pointers.
    let status = unsafe {
        mk_wait_identity_newer(
            c.raw(),
            link.as_ptr(),
            after.as_ref().map_or(ptr::null(), |a| a.as_ptr()),
            wait_ms,
            options.as_ptr(),
            ptr::null(),
            &mut json,
            &mut stale,
            &mut err,
        )
    };
    finish(status, json, stale, err, t)
}

/// Spacing of the link's identity GETs as the sandbox saw them.
fn assert_within_link_limit(sb: &Sandbox, link: &str) {
    let s = sb.link_stats(link);
    assert_eq!(s.rate_limited, 0, "{s:?}");
    assert!(s.max_in_window <= 3, "{s:?}");
}

#[test]
fn refresh_returns_the_fresh_identity_within_one_poll() {
    // refreshed_at advances 1 s (one scaled minute) after the request.
    let sb = realistic(Duration::from_secs(60));
    let c = client(&sb, "");
    let link = "mk_sandbox_bulk_11";
    let out = refresh(&c, link, 10_000, OPTIONS, ptr::null());
    assert_eq!(out.status, 0, "{out:?}");
    let fresh = refreshed_at(out.json.as_deref().unwrap());
    assert!(fresh.as_str() > ORIGINAL, "{fresh}");
    // Polls at 0 (before), 0.34, 0.68, 1.02 s: the update at ~1.0 s is seen by 1.02 s.
    assert!(out.took >= Duration::from_millis(950), "{:?}", out.took);
    assert!(
        out.took <= Duration::from_secs(1) + POLL + Duration::from_millis(150),
        "{:?}",
        out.took
    );
    let s = sb.link_stats(link);
    assert_eq!((s.refresh_requests, s.refreshes_completed), (1, 1), "{s:?}");
    assert_within_link_limit(&sb, link);
    assert_eq!(sb.stats().rate_limited, 0);
}

#[test]
fn refresh_ends_at_its_deadline_with_the_stale_body() {
    // The update would come after one scaled hour: never within the wait.
    let sb = realistic(Duration::from_secs(3600));
    let c = client(&sb, "");
    let link = "mk_sandbox_bulk_12";
    let out = refresh(&c, link, 1_500, OPTIONS, ptr::null());
    assert_eq!(out.status, 3, "{out:?}");
    // The last poll (~1.36 s) leaves no room for another before 1.5 s: the call ends then,
    // and says so (it does not claim to have waited 1500 ms).
    assert!(
        out.message()
            .contains("would come after the wait of 1500 ms"),
        "{}",
        out.message()
    );
    assert!(
        out.message().contains("one per 340 ms"),
        "{}",
        out.message()
    );
    assert_eq!(
        refreshed_at(out.stale.as_deref().expect("the stale body")),
        ORIGINAL
    );
    // It stops when the next poll would not fit: never after the deadline.
    assert!(out.took <= Duration::from_millis(1_600), "{:?}", out.took);
    assert!(
        out.took >= Duration::from_millis(1_500) - POLL,
        "{:?}",
        out.took
    );
    let s = sb.link_stats(link);
    assert!(s.identity_requests >= 4, "{s:?}");
    assert_within_link_limit(&sb, link);
}

#[test]
fn a_wait_shorter_than_one_poll_interval_says_why_it_ends_at_once() {
    // Time scale 1 (no option): one poll per 20.4 s, so after the first poll the next
    // would come after the 5 s wait. The call gives up at once and its message says that,
    // not "not refreshed within 5000 ms (1 polls ...)" after 0.0 s.
    let sb = realistic(Duration::from_secs(3600));
    let c = client(&sb, "");
    let out = refresh(&c, "mk_sandbox_bulk_16", 5_000, "", ptr::null());
    assert_eq!(out.status, 3, "{out:?}");
    assert!(out.took < Duration::from_secs(2), "{:?}", out.took);
    let m = out.message();
    assert!(!m.contains("within"), "{m}");
    assert!(m.contains("identity not refreshed: 1 poll in "), "{m}");
    assert!(
        m.contains("the next poll this link allows (one per 20400 ms) would come after the wait of 5000 ms"),
        "{m}"
    );
    assert_eq!(out.error.as_ref().unwrap()["attempts"], 1, "{out:?}");
    assert!(out.stale.is_some());
}

#[test]
fn the_client_time_scale_paces_refresh_waits_that_set_none() {
    // The client's time_scale (60) applies when the call's options leave it out: the
    // refresh completes within one scaled poll of the update, as with OPTIONS.
    let sb = realistic(Duration::from_secs(60));
    let c = client(&sb, r#""time_scale": 60"#);
    for (link, options) in [("mk_sandbox_bulk_17", ""), ("mk_sandbox_bulk_18", "{}")] {
        let out = refresh(&c, link, 10_000, options, ptr::null());
        // At time scale 1 the poll after the first would come at 20.4 s, after the wait.
        assert_eq!(out.status, 0, "{out:?}");
        assert!(out.took < Duration::from_secs(5), "{:?}", out.took);
        assert_within_link_limit(&sb, link);
    }
    // A call's own time_scale wins: at 1, the 3 s wait ends after the first poll.
    let out = refresh(
        &c,
        "mk_sandbox_bulk_19",
        3_000,
        r#"{"time_scale": 1}"#,
        ptr::null(),
    );
    assert_eq!(out.status, 3, "{out:?}");
    assert!(
        out.message().contains("one per 20400 ms"),
        "{}",
        out.message()
    );
}

#[test]
fn the_daily_refresh_limit_is_its_own_outcome() {
    let sb = realistic(Duration::from_secs(60));
    let c = client(&sb, "");
    let link = "mk_sandbox_bulk_13";
    assert_eq!(refresh(&c, link, 10_000, OPTIONS, ptr::null()).status, 0);
    // Each call paces its own polls: leave the link one (scaled) minute first.
    std::thread::sleep(Duration::from_secs(1));
    let out = refresh(&c, link, 10_000, OPTIONS, ptr::null());
    assert_eq!(out.status, 10, "{out:?}");
    assert!(
        out.message().contains("daily refresh limit"),
        "{}",
        out.message()
    );
    let e = out.error.as_ref().unwrap();
    assert_eq!(e["http_status"], 429);
    assert!(e["retry_after_ms"].as_u64().unwrap() > 0, "{e}");
    assert!(out.stale.is_some());
    let s = sb.link_stats(link);
    assert_eq!((s.refresh_requests, s.refreshes_refused), (2, 1), "{s:?}");
    assert_within_link_limit(&sb, link);

    // mk_request_identity_refresh: the same outcome on its own.
    let l = CString::new(link).unwrap();
    let mut err = ptr::null_mut();
    // SAFETY: a live client; a valid string and out pointer.
    let rc = unsafe { mk_request_identity_refresh(c.raw(), l.as_ptr(), 0, ptr::null(), &mut err) };
    assert_eq!(rc, 10);
    assert!(take(err).unwrap().contains("daily refresh limit"));
}

#[test]
fn wait_newer_after_a_refresh_requested_elsewhere() {
    let sb = realistic(Duration::from_secs(30));
    let c = client(&sb, "");
    let link = "mk_sandbox_bulk_14";
    let l = CString::new(link).unwrap();
    let mut err = ptr::null_mut();
    // SAFETY: a live client; a valid string and out pointer.
    let rc = unsafe { mk_request_identity_refresh(c.raw(), l.as_ptr(), 0, ptr::null(), &mut err) };
    assert_eq!(rc, 0, "{:?}", take(err));
    let out = wait_newer(&c, link, Some(ORIGINAL), 5_000);
    assert_eq!(out.status, 0, "{out:?}");
    assert!(refreshed_at(out.json.as_deref().unwrap()).as_str() > ORIGINAL);
    // The update comes 0.5 s after the request; polls at 0, 0.34, 0.68 s.
    assert!(out.took <= Duration::from_millis(500) + POLL + Duration::from_millis(150));
    assert_within_link_limit(&sb, link);

    // Already newer than a bare date: the first poll returns it.
    let out = wait_newer(&c, "mk_sandbox_bulk_15", Some("2023-02-16"), 5_000);
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.took < POLL, "{:?}", out.took);
    // Never newer than the future: timeout, with the stale body.
    let out = wait_newer(&c, "mk_sandbox_bulk_16", Some("2999-01-01T00:00:00Z"), 800);
    assert_eq!(out.status, 3, "{out:?}");
    assert!(out.stale.is_some());
    assert_within_link_limit(&sb, "mk_sandbox_bulk_16");
}

#[test]
fn cancel_ends_the_wait_promptly() {
    let sb = realistic(Duration::from_secs(3600));
    let c = client(&sb, "");
    let mut cancel = ptr::null_mut();
    // SAFETY: a valid out pointer.
    assert_eq!(unsafe { mk_cancel_new(&mut cancel, ptr::null_mut()) }, 0);
    let handle = cancel as usize;
    let trigger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        let t = Instant::now();
        // SAFETY: the handle lives until the refresh returned (joined below first).
        unsafe { mk_cancel_trigger(handle as *const MkCancel) };
        t
    });
    let out = refresh(&c, "mk_sandbox_bulk_17", 10_000, OPTIONS, cancel);
    let triggered = trigger.join().unwrap();
    assert_eq!(out.status, 14, "{out:?}");
    assert!(
        triggered.elapsed() < Duration::from_millis(150),
        "{:?}",
        triggered.elapsed()
    );
    assert!(out.stale.is_some());
    // SAFETY: freed once, after the call that used it returned.
    unsafe { mk_cancel_free(cancel) };
}

#[test]
fn bad_arguments_are_refused() {
    let sb = realistic(Duration::from_secs(60));
    let c = client(&sb, "");
    let out = refresh(&c, "mk_sandbox_bulk_1", 0, OPTIONS, ptr::null());
    assert_eq!(out.status, 1);
    assert!(out.message().contains("wait_ms"));
    let out = refresh(
        &c,
        "mk_sandbox_bulk_1",
        100,
        r#"{"poll_ms": 5}"#,
        ptr::null(),
    );
    assert_eq!(out.status, 1);
    assert!(out.message().contains("poll_ms"), "{}", out.message());
    let out = wait_newer(&c, "mk_sandbox_bulk_1", Some("last tuesday"), 100);
    assert_eq!(out.status, 1);
    assert_eq!(sb.stats().identity_requests, 0);
    // SAFETY: NULL out_json is refused; the stale pointer is still written.
    unsafe {
        let mut stale = 1 as *mut c_char;
        let rc = mk_refresh_identity(
            c.raw(),
            c"x".as_ptr(),
            100,
            ptr::null(),
            ptr::null(),
            ptr::null_mut(),
            &mut stale,
            ptr::null_mut(),
        );
        assert_eq!(rc, 1);
        assert!(stale.is_null());
    }
}
