//! The one retry loop every request of a call goes through (the identity GET and
//! the refresh POST alike; issue 24): attempts counting, cancellation and deadline
//! checks, the per-attempt deadline, the one token refresh on
//! `expired_access_token`, `Retry-After` or backoff, the rule that a wait which does
//! not fit the deadline is not started, one event (and log line) per attempt, and
//! the wait that keeps a call ended by its deadline from returning before it
//! (docs/C-API.md, "Deadlines, cancellation and events").
//!
//! What differs between kinds of request stays with the kind: how an attempt is made
//! and what its answer means is the `attempt` closure (the refresh POST turns its own
//! 429, MoneyKit's daily refresh limit, into a failure that is never retried), and
//! how an attempt is reported is its [`Reporter`].

use super::failure::{Failure, Retry};
use super::{Client, RATE_LIMIT_WAIT};
use crate::core::cancel::CallControl;
use crate::core::events::Event;
use crate::core::retry::backoff;
use crate::core::{Error, Status};
use std::time::{Duration, Instant};

/// How early a socket timeout can end an attempt before its deadline (a kernel timer tick
/// after each re-arm; ticks are 1-10 ms); a timeout further from the deadline is another
/// one (connect_timeout_ms) and is not waited out.
const TIMER_EARLY_WAKE: Duration = Duration::from_millis(50);

/// How the attempts of one kind of request are reported: the method and path
/// template of its events and log lines, and who else sees each event.
pub(super) struct Reporter<'a> {
    pub(super) method: &'static str,
    /// A path template: a log line or event never names the link (docs/C-API.md).
    pub(super) path: &'static str,
    /// Sees every event after the client's event sink (the batch pauses its
    /// workers on a 429 through it).
    pub(super) observer: &'a dyn Fn(&Event<'_>),
}

/// A successful attempt: what the call returns, and what its event reports.
pub(super) struct Answered<T> {
    pub(super) value: T,
    pub(super) http_status: u16,
    pub(super) request_id: Option<String>,
}

/// Retries left and whether the token was refreshed, across the attempts of a call.
#[derive(Default)]
struct Budget {
    retries: u32,
    refreshed: bool,
}

impl Client {
    /// Makes attempts (`attempt(n, control)`, `n` from 1, `control` bounded by this
    /// attempt's deadline) until one succeeds, one fails for good, `control`'s deadline
    /// leaves no room for another, or `control` is cancelled. `control` must carry the
    /// call's deadline (see [`Client::bounded`]). Every attempt is reported once.
    pub(super) fn with_retries<T>(
        &self,
        control: &CallControl,
        reporter: &Reporter<'_>,
        mut attempt: impl FnMut(u32, &CallControl) -> Result<Answered<T>, Failure>,
    ) -> Result<T, Error> {
        let deadline = control.deadline.expect("bounded by the caller");
        let mut attempts = 0u32;
        let mut budget = Budget::default();
        loop {
            if control.is_cancelled() {
                return Err(cancelled(attempts));
            }
            if Instant::now() >= deadline {
                return Err(deadline_elapsed(attempts));
            }
            attempts += 1;
            // One attempt is bounded by timeout_ms and by what is left of the call.
            let attempt_deadline = (Instant::now() + self.config.timeout).min(deadline);
            let attempt_control = CallControl {
                deadline: Some(attempt_deadline),
                cancel: control.cancel.clone(),
            };
            let started = Instant::now();
            let failure = match attempt(attempts, &attempt_control) {
                Ok(answered) => {
                    let mut ok = Error::new(Status::MkOk, "");
                    ok.http_status = Some(answered.http_status);
                    ok.request_id = answered.request_id;
                    self.report(reporter, &ok, attempts, started, None);
                    return Ok(answered.value);
                }
                Err(f) => f,
            };
            let mut error = failure.error;
            error.attempts = attempts;
            wait_out_an_early_timeout(&error, attempt_deadline, control);
            if control.is_cancelled() {
                // The attempt's outcome is the cancellation (a cancelled socket wait
                // fails as an I/O error); what the server said, if anything, stays.
                let mut c = cancelled(attempts);
                c.http_status = error.http_status;
                c.request_id = error.request_id;
                self.report(reporter, &c, attempts, started, None);
                return Err(c);
            }
            let wait = self.next_wait(failure.retry, &mut error, &mut budget, deadline);
            self.report(reporter, &error, attempts, started, wait);
            match wait {
                None => {
                    self.finish_failure(&mut error, failure.retry);
                    return Err(error);
                }
                Some(w) if !control.sleep(w) => return Err(cancelled(attempts)),
                Some(_) => {}
            }
        }
    }

    /// How long to wait before the next attempt, or `None` when none follows: the
    /// one token refresh at once; a transient failure's `Retry-After`, else 20 s
    /// for a 429, else the jittered backoff, while retries are left and the wait
    /// fits both `max_retry_after_ms` and the deadline. A 429 whose wait does not
    /// fit says how long it would have been (`retry_after_ms`).
    fn next_wait(
        &self,
        retry: Retry,
        error: &mut Error,
        budget: &mut Budget,
        deadline: Instant,
    ) -> Option<Duration> {
        match retry {
            Retry::RefreshToken if !budget.refreshed => {
                budget.refreshed = true;
                Some(Duration::ZERO)
            }
            Retry::Yes(after) if budget.retries < self.config.max_retries => {
                let wait = match after {
                    Some(d) => d,
                    None if error.status == Status::MkErrRateLimited => RATE_LIMIT_WAIT,
                    None => backoff(self.config.retry_base, budget.retries),
                };
                let fits = wait <= self.config.max_retry_after && Instant::now() + wait < deadline;
                if !fits && error.status == Status::MkErrRateLimited {
                    // Say how long to wait instead of waiting past the deadline.
                    error.retry_after_ms.get_or_insert(wait.as_millis() as u64);
                }
                fits.then(|| {
                    budget.retries += 1;
                    wait
                })
            }
            _ => None,
        }
    }

    /// Logs one attempt (per `log_level`), hands its event to the client's sink,
    /// then to the reporter's observer.
    fn report(
        &self,
        reporter: &Reporter<'_>,
        e: &Error,
        attempt: u32,
        started: Instant,
        retry_wait: Option<Duration>,
    ) {
        let elapsed = started.elapsed();
        self.log(
            reporter.method,
            reporter.path,
            e.http_status,
            e,
            attempt,
            elapsed,
            false,
        );
        let event = Event {
            method: reporter.method,
            path: reporter.path,
            http_status: e.http_status,
            status: e.status,
            attempt,
            elapsed,
            request_id: e.request_id.as_deref(),
            retry_wait,
        };
        self.emit(&event);
        (reporter.observer)(&event);
    }
}

/// When the call's deadline (`control`'s) ended an attempt with a timeout, waits until that
/// deadline: the socket timer that ended it can wake a few ms early (re-armed on a kernel
/// tick after a signal, e.g. the Go runtime's), and a caller comparing with its own clock
/// (Go's context) must see the deadline passed when the call returns.
fn wait_out_an_early_timeout(error: &Error, attempt_deadline: Instant, control: &CallControl) {
    let deadline = control.deadline.expect("calls always have a deadline");
    let short_of_deadline = deadline.saturating_duration_since(Instant::now());
    if error.status == Status::MkErrTimeout
        && attempt_deadline == deadline
        && short_of_deadline <= TIMER_EARLY_WAKE
    {
        control.sleep(short_of_deadline);
    }
}

fn cancelled(attempts: u32) -> Error {
    let mut e = Error::new(Status::MkErrCancelled, "the call was cancelled");
    e.attempts = attempts;
    e
}

fn deadline_elapsed(attempts: u32) -> Error {
    let mut e = Error::new(
        Status::MkErrTimeout,
        "the call's deadline elapsed (deadline_ms or the per-call timeout)",
    );
    e.attempts = attempts;
    e.retryable = true;
    e
}
