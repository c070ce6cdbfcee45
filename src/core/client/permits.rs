//! With coordination (`coordination_url`): every identity attempt takes a permit of the
//! app's fleet-wide budget first (core::coordination; docs/C-API.md "Coordination"), and
//! an identity refresh claims the link's refresh of the day. Without it, nothing here runs.

use super::failure::{Failure, Retry};
use super::Client;
use crate::core::cancel::CallControl;
use crate::core::coordination::{Coordinator, Permits};
use crate::core::events::Event;
use crate::core::{Acquired, Error, Status};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which share of the budget an attempt draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PermitClass {
    /// A single call (`mk_get_identity` and kin, refresh polls): the whole budget.
    Interactive,
    /// A batch call whose first attempt's permit the batch leased already; a retry takes
    /// one under this app limit (the budget less the single calls' reserve).
    BatchHeld { app_limit: u32 },
}

impl Client {
    /// The fleet's coordinator, when `coordination_url` is set.
    pub fn coordinator(&self) -> Option<&Arc<Coordinator>> {
        self.coordinator.as_ref()
    }

    /// The `app_per_minute` and `link_per_minute` options: the app's limits, and the
    /// defaults of this client's batches.
    pub fn per_minute(&self) -> (u32, u32) {
        (self.config.app_per_minute, self.config.link_per_minute)
    }

    /// How long a minute lasts at the client's time scale.
    pub(crate) fn minute(&self) -> Duration {
        Duration::from_secs_f64(60.0 / self.config.time_scale)
    }

    /// Hands a coordination event (Redis lost or back) to the event sink and the log.
    pub(crate) fn report_coordination(&self, e: &Event<'_>) {
        self.emit(e);
        let error = Error::new(e.status, "");
        self.log(e.method, e.path, None, &error, 1, e.elapsed, false);
    }

    /// The permit for one identity attempt of `class` (nothing without coordination).
    pub(super) fn take_permit(
        &self,
        link_id: &str,
        attempt: u32,
        class: PermitClass,
        control: &CallControl,
    ) -> Result<(), Failure> {
        let Some(coord) = &self.coordinator else {
            return Ok(());
        };
        let app_limit = match class {
            PermitClass::BatchHeld { .. } if attempt == 1 => return Ok(()),
            PermitClass::BatchHeld { app_limit } => app_limit,
            PermitClass::Interactive => coord.interactive_limit(),
        };
        let deadline = control.deadline.expect("attempts always have a deadline");
        let minute = self.minute();
        let report = |e: &Event<'_>| self.report_coordination(e);
        loop {
            if control.is_cancelled() {
                return Err(Failure::new(
                    Status::MkErrCancelled,
                    "the call was cancelled",
                    Retry::No,
                ));
            }
            let wait = match coord.acquire(
                &[link_id],
                &[],
                false,
                app_limit,
                minute,
                Some(deadline),
                &report,
            ) {
                Permits::Answered(mut answers) => match answers.pop() {
                    Some(Err(wait)) => wait,
                    _ => return Ok(()),
                },
                Permits::Fallback => {
                    let local = coord.fallback_limiter(minute);
                    return match local.acquire_by(link_id, control.cancel.as_ref(), deadline) {
                        Acquired::Yes => Ok(()),
                        Acquired::Cancelled => Err(Failure::new(
                            Status::MkErrCancelled,
                            "the call was cancelled",
                            Retry::No,
                        )),
                        Acquired::Late(wait) => {
                            Err(budget_used_up(wait, "this process's share of"))
                        }
                    };
                }
                Permits::OutOfTime => {
                    return Err(Failure::new(
                        Status::MkErrTimeout,
                        "the call's deadline elapsed",
                        Retry::No,
                    ))
                }
            };
            if Instant::now() + wait > deadline {
                return Err(budget_used_up(wait, "the fleet's"));
            }
            if !control.sleep(wait) {
                return Err(Failure::new(
                    Status::MkErrCancelled,
                    "the call was cancelled",
                    Retry::No,
                ));
            }
        }
    }

    /// With coordination and `identity` among `products`: the day's refresh of `link_id`
    /// for the whole fleet. `Ok(true)`: claimed (give it back with [`Client::unclaim_refresh`]
    /// if the request never reached MoneyKit); `Ok(false)`: nothing to claim.
    pub(super) fn claim_refresh(
        &self,
        link_id: &str,
        products: &[&str],
        control: &CallControl,
    ) -> Result<bool, Error> {
        let Some(coord) = &self.coordinator else {
            return Ok(false);
        };
        if !products.contains(&"identity") {
            return Ok(false);
        }
        let day = Duration::from_secs_f64(86_400.0 / self.config.time_scale);
        let report = |e: &Event<'_>| self.report_coordination(e);
        match coord.claim_refresh(link_id, day, control.deadline, &report) {
            Some(None) => Ok(true),
            Some(Some(wait)) => {
                let mut e = Error::new(
                    Status::MkErrRateLimited,
                    "identity refresh refused: the daily refresh limit for this link is reached \
                     (a process of this app already refreshed it today; coordination_url)",
                );
                e.retry_after_ms = Some(wait.as_millis() as u64);
                Err(e)
            }
            // Redis down: this process cannot know; MoneyKit's own 429 still answers.
            None => Ok(false),
        }
    }

    pub(super) fn unclaim_refresh(&self, link_id: &str) {
        if let Some(coord) = &self.coordinator {
            coord.release_refresh(link_id, &|e| self.report_coordination(e));
        }
    }
}

/// The budget has no room before the call's deadline: `MK_ERR_RATE_LIMITED` at once, with
/// when it will have room, like a `Retry-After` that does not fit.
fn budget_used_up(wait: Duration, whose: &str) -> Failure {
    let mut f = Failure::new(
        Status::MkErrRateLimited,
        format!(
            "{whose} app budget (app_per_minute) has no room before the call's deadline; room in {} ms",
            wait.as_millis()
        ),
        Retry::No,
    );
    f.error.retry_after_ms = Some(wait.as_millis() as u64);
    f
}
