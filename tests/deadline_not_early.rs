//! A call ended by its deadline never returns before that deadline, even when signals
//! interrupt its reads (as the Go runtime's do in threads that are in C).

mod common;

use common::*;
use moneykit::core::Status;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Sends SIGURG to the thread that started it every 300 µs until dropped; dropping it
/// (also while that thread unwinds) stops and joins the sender before the thread can end.
struct Interrupter {
    done: Arc<AtomicBool>,
    sender: Option<std::thread::JoinHandle<()>>,
}

impl Interrupter {
    fn start() -> Interrupter {
        // SAFETY: pthread_self has no preconditions.
        let target = unsafe { libc::pthread_self() };
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let sender = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                // SAFETY: `target` is alive: it joins this thread (Drop) before it can end.
                unsafe { libc::pthread_kill(target, libc::SIGURG) };
                std::thread::sleep(Duration::from_micros(300));
            }
        });
        Interrupter {
            done,
            sender: Some(sender),
        }
    }
}

impl Drop for Interrupter {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(sender) = self.sender.take() {
            let _ = sender.join();
        }
    }
}

/// Installs a do-nothing SIGURG handler, so the signal interrupts blocking reads.
fn install_sigurg_handler() {
    // SAFETY: installs a handler that does nothing (async-signal-safe) for SIGURG, which the
    // default action ignores (so no other part of the process relies on it).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        assert_eq!(libc::sigaction(libc::SIGURG, &action, ptr::null_mut()), 0);
    }
}

#[test]
fn a_call_ended_by_its_deadline_never_returns_before_it_even_when_interrupted() {
    install_sigurg_handler();
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let _interrupter = Interrupter::start();
    let mut early = Vec::new();
    for round in 0..50 {
        for timeout_ms in [3u64, 7, 13, 21] {
            let started = Instant::now();
            let out = get_ex(&c, "mk_fault_silent", timeout_ms, None);
            let took = started.elapsed();
            assert_eq!(out.status, Status::MkErrTimeout.code(), "{:?}", out.error);
            if took < Duration::from_millis(timeout_ms) {
                early.push(format!(
                    "round {round}: {timeout_ms} ms call returned after {took:?}: {:?}",
                    out.error
                ));
            }
        }
    }
    assert!(early.is_empty(), "{early:#?}");
}

/// The same for the refresh request (`POST /links/{id}/products`, issue 24): it goes through
/// the identity call's retry loop, early-timeout wait included.
#[test]
fn a_refresh_request_ended_by_its_deadline_never_returns_before_it_even_when_interrupted() {
    use moneykit::ffi::mk_request_identity_refresh;
    install_sigurg_handler();
    let sb = sandbox();
    // A caller's token: every attempt is the POST itself, never a token request.
    let c = client(
        &sb,
        r#""max_retries": 0, "access_token": "sandbox-access-token""#,
    );
    let link = std::ffi::CString::new("mk_fault_silent").unwrap();
    let _interrupter = Interrupter::start();
    let mut early = Vec::new();
    for round in 0..50 {
        for timeout_ms in [3u64, 7, 13, 21] {
            let mut err = ptr::null_mut();
            let started = Instant::now();
            // SAFETY: a live client; a valid string and out pointer.
            let status = unsafe {
                mk_request_identity_refresh(
                    c.raw(),
                    link.as_ptr(),
                    timeout_ms,
                    ptr::null(),
                    &mut err,
                )
            };
            let took = started.elapsed();
            let error = take(err);
            assert_eq!(status, Status::MkErrTimeout.code(), "{error:?}");
            if took < Duration::from_millis(timeout_ms) {
                early.push(format!(
                    "round {round}: {timeout_ms} ms refresh request returned after {took:?}: {error:?}"
                ));
            }
        }
    }
    assert!(early.is_empty(), "{early:#?}");
    let stats = sb.stats();
    assert!(stats.refresh_requests > 0, "{stats:?}");
    assert_eq!(stats.token_requests, 0, "{stats:?}");
}
