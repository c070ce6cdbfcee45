//! Per-call controls: a deadline and a cancel handle that another thread can
//! trigger. A cancelled call returns `MK_ERR_CANCELLED` within about
//! [`SLICE`] plus the time to unwind: every blocking wait of a call (socket
//! reads and writes, the token single-flight, retry sleeps) is cut into slices
//! of at most [`SLICE`] that check the handle in between.
//!
//! The call's handle reaches the socket layer through a thread-local set for
//! the duration of the call: ureq runs a blocking request on the caller's
//! thread, and its connectors are shared by every call of the client.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest a blocking wait goes without looking at the cancel handle.
pub const SLICE: Duration = Duration::from_millis(20);

/// A cancel handle: cheap to clone, shared by the caller and the canceller.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every call using this handle, now and later. Idempotent.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What one call may spend: an optional deadline and an optional cancel handle.
#[derive(Debug, Clone, Default)]
pub struct CallControl {
    pub deadline: Option<Instant>,
    pub cancel: Option<CancelToken>,
}

impl CallControl {
    pub fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Sleeps for `wait`, or until cancelled. Returns false when cancelled.
    pub fn sleep(&self, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        loop {
            if self.is_cancelled() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            std::thread::sleep((end - now).min(SLICE));
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Runs `f` with `token` as this thread's current cancel handle (seen by the
/// socket layer), restoring the previous one afterwards, even on panic.
pub(crate) fn with_current<R>(token: Option<&CancelToken>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<CancelToken>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.replace(token.cloned()));
    let _restore = Restore(previous);
    f()
}

/// Whether the current call on this thread has been cancelled.
pub(crate) fn current_is_cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(CancelToken::is_cancelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_is_scoped_to_the_call() {
        let t = CancelToken::new();
        t.cancel();
        assert!(!current_is_cancelled());
        with_current(Some(&t), || assert!(current_is_cancelled()));
        assert!(!current_is_cancelled());
        let _ = std::panic::catch_unwind(|| with_current(Some(&t), || panic!("boom")));
        assert!(!current_is_cancelled());
    }

    #[test]
    fn sleep_ends_early_on_cancel() {
        let control = CallControl {
            deadline: None,
            cancel: Some(CancelToken::new()),
        };
        let c = control.cancel.clone().unwrap();
        let started = Instant::now();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            c.cancel();
        });
        assert!(!control.sleep(Duration::from_secs(10)));
        assert!(started.elapsed() < Duration::from_secs(1));
        canceller.join().unwrap();
    }
}
