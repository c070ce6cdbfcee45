//! Issue 23, finding 3: an event callback may call the client it was set on, from
//! every kind of event (the token request, a successful and a failed identity attempt,
//! a refresh request). The token event used to fire while the token fetch was still
//! in flight, so a call made from it waited, until its deadline, for a fetch its own
//! thread was running.

mod common;

use common::*;
use moneykit::ffi::{mk_client_set_event_callback, MkClient, MkEvent};
use std::cell::Cell;
use std::ffi::{c_void, CStr, CString};
use std::ptr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A nested call's own timeout: far below the library's 60 s default, far above what
/// a call to the local sandbox takes.
const NESTED_TIMEOUT_MS: u64 = 10_000;

/// (event kind, nested call status, how long the nested call took) per re-entry.
static NESTED: Mutex<Vec<(String, i32, Duration)>> = Mutex::new(Vec::new());

thread_local! {
    /// Re-enter once per outer event only: the nested call's own events do not.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

unsafe extern "C" fn reenter(user: *mut c_void, event: *const MkEvent) {
    if DEPTH.with(Cell::get) > 0 {
        return;
    }
    // SAFETY: the library passes a valid event for the duration of the callback.
    let e = unsafe { &*event };
    // SAFETY: method and path are NUL-terminated strings valid during the callback.
    let kind = unsafe {
        format!(
            "{} {} {}",
            CStr::from_ptr(e.method).to_str().unwrap(),
            CStr::from_ptr(e.path).to_str().unwrap(),
            if e.status == 0 { "ok" } else { "failed" }
        )
    };
    DEPTH.with(|d| d.set(1));
    let link = CString::new("mk_sandbox_minimal").unwrap();
    let (mut json, mut rid, mut err) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let started = Instant::now();
    // SAFETY: `user` is the live client this callback was set on (set below, freed
    // after every call); valid strings and out pointers.
    let status = unsafe {
        moneykit::ffi::mk_get_identity_ex(
            user as *mut MkClient,
            link.as_ptr(),
            ptr::null(),
            0,
            NESTED_TIMEOUT_MS,
            ptr::null(),
            &mut json,
            &mut rid,
            &mut err,
        )
    };
    let took = started.elapsed();
    for p in [json, rid, err] {
        let _ = take(p);
    }
    DEPTH.with(|d| d.set(0));
    NESTED.lock().unwrap().push((kind, status, took));
}

#[test]
fn every_kind_of_event_may_call_the_client_again() {
    let sb = sandbox();
    // Token credentials (the default auth), one retry so a failure event has a follow-up.
    let c = client(&sb, r#""max_retries": 1"#);
    // SAFETY: a live client; the callback and its user data (the client itself) stay
    // valid until the client is freed at the end of this test.
    let rc = unsafe {
        mk_client_set_event_callback(
            c.raw(),
            Some(reenter),
            c.raw() as *mut c_void,
            ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0);

    // First call: POST /auth/token (from inside it, the nested call needs that very token),
    // then GET ok.
    assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    // A failed, retried attempt.
    assert_ne!(c.identity("mk_fault_500", &[]).status, 0);
    // The refresh request: POST /links/{id}/products.
    let link = CString::new("mk_sandbox_bulk_7000002").unwrap();
    // SAFETY: a live client, a valid string; no cancel handle or error wanted.
    let rc = unsafe {
        moneykit::ffi::mk_request_identity_refresh(
            c.raw(),
            link.as_ptr(),
            10_000,
            ptr::null(),
            ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0);

    let nested = NESTED.lock().unwrap().clone();
    let kinds: Vec<&str> = nested.iter().map(|(k, _, _)| k.as_str()).collect();
    for want in [
        "POST /auth/token ok",
        "GET /links/{id}/identity ok",
        "GET /links/{id}/identity failed",
        "POST /links/{id}/products ok",
    ] {
        assert!(kinds.contains(&want), "no re-entry from {want}: {kinds:?}");
    }
    for (kind, status, took) in &nested {
        assert_eq!(
            *status, 0,
            "the call from the {kind} event: status {status} after {took:?}"
        );
        // Each nested call is one local request: nowhere near its own timeout.
        assert!(
            *took < Duration::from_millis(NESTED_TIMEOUT_MS / 2),
            "the call from the {kind} event took {took:?}"
        );
    }
}
