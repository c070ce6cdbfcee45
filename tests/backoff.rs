//! `retry_base_ms` through the C ABI: the backoff before each retry of an answer without
//! `Retry-After` is a full-jitter wait in `0 ..= base × 2^n` (docs/C-API.md, "Retries"),
//! read from each attempt's event (`retry_wait_ms`, the wait the call is about to make).

mod common;

use common::*;
use moneykit::core::Status;
use moneykit::ffi::*;
use std::ffi::{c_void, CStr};
use std::ptr;
use std::sync::Mutex;

/// (path, attempt, retry_wait_ms) of every event.
type Waits = Mutex<Vec<(String, u32, i64)>>;

unsafe extern "C" fn record(user: *mut c_void, e: *const MkEvent) {
    // SAFETY: `user` is the `Waits` the test passed and outlives its calls; `e` is valid
    // during the callback.
    let (waits, e) = unsafe { (&*(user as *const Waits), &*e) };
    // SAFETY: an event's path is a NUL-terminated string valid during the callback.
    let path = unsafe { CStr::from_ptr(e.path) }
        .to_string_lossy()
        .into_owned();
    waits
        .lock()
        .unwrap()
        .push((path, e.attempt, e.retry_wait_ms));
}

/// The `retry_wait_ms` of each attempt of one call to `mk_fault_500` (always 500, no
/// Retry-After) with `max_retries` 3 and the given `retry_base_ms`.
fn waits_with_base(base: u64) -> Vec<i64> {
    let sb = sandbox();
    let opts = format!(
        r#"{{"base_url": "{}", "access_token": "sandbox-access-token", "max_retries": 3, "retry_base_ms": {base}}}"#,
        sb.base_url()
    );
    let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("client: {e:?}"));
    let waits: Box<Waits> = Box::default();
    let user = &*waits as *const Waits as *mut c_void;
    // SAFETY: a live client; the callback and `waits` outlive every call made below.
    let rc = unsafe { mk_client_set_event_callback(c.raw(), Some(record), user, ptr::null_mut()) };
    assert_eq!(rc, 0);
    let out = c.identity("mk_fault_500", &[]);
    out.assert_status(Status::MkErrServer);
    assert_eq!(out.err("attempts"), 4);
    drop(c);
    let events = waits.lock().unwrap().clone();
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, (path, attempt, _))| path == "/links/{id}/identity"
                && *attempt == i as u32 + 1),
        "{events:?}"
    );
    events.into_iter().map(|(_, _, wait)| wait).collect()
}

#[test]
fn retry_base_ms_0_retries_at_once() {
    assert_eq!(waits_with_base(0), vec![0, 0, 0, -1]);
}

#[test]
fn retry_base_ms_bounds_each_backoff_wait() {
    let waits = waits_with_base(40);
    assert_eq!(waits.len(), 4, "{waits:?}");
    assert_eq!(waits[3], -1, "no retry after the last attempt");
    for (n, wait) in waits[..3].iter().enumerate() {
        let ceiling = 40 << n;
        assert!(
            (0..=ceiling).contains(wait),
            "retry {n}: {wait} ms, over {ceiling}"
        );
    }
}
