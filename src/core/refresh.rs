//! Refresh and wait (docs/C-API.md, "Refresh and wait"): ask MoneyKit to
//! refresh a link's identity (`POST /links/{id}/products`, answered 202), then
//! poll Get Identity, within the per-link limit, until
//! `link.products.identity.refreshed_at` is later than it was before the
//! request. The plain wait ("newer than T") serves callers who requested the
//! refresh elsewhere.
//!
//! Polls are spaced by one per-link interval (`minute / link_per_minute`, a
//! little more for clock and network jitter), counting the Get Identity made
//! to learn the value before the request, so the link never sees more than
//! `link_per_minute` calls in any minute from this wait. The fresh body is
//! returned at the first poll that sees it: within one interval of the server
//! advancing `refreshed_at`.

use crate::core::model::parse_identity;
use crate::core::model::Timestamp;
use crate::core::{check_link_id, CallControl, CancelToken, Client, Error, Identity, Status};
use std::time::{Duration, Instant};

/// The options (the poll pace): the struct, its defaults, bounds and JSON reader are
/// generated from schema/moneykit.json `refresh_options` (src/core/call_options_gen.rs).
pub use crate::core::call_options_gen::{RefreshOptions, REFRESH_OPTION_KEYS};

/// Extra spacing between two polls of a link, as a fraction of the interval,
/// so jitter between our clock and the server's never puts one more call in
/// its window.
const JITTER_MARGIN: f64 = 0.02;

impl RefreshOptions {
    /// [`RefreshOptions::from_json`], with `time_scale` the client's (`client_time_scale`,
    /// its `time_scale` option) when the JSON does not set one (absent or `null`).
    pub fn from_json_for(text: Option<&str>, client_time_scale: f64) -> Result<Self, Error> {
        let mut options = RefreshOptions::from_json(text)?;
        if !crate::core::batch::sets_key(text, "time_scale") {
            options.time_scale = client_time_scale;
        }
        Ok(options)
    }

    /// The time between two polls of the link.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs_f64(
            60.0 / self.time_scale / f64::from(self.link_per_minute) * (1.0 + JITTER_MARGIN),
        )
    }
}

/// A refresh or wait that did not end with fresh data: why, and the last
/// (stale) identity body seen, when one was.
#[derive(Debug, Clone, PartialEq)]
pub struct NotFresh {
    pub error: Error,
    pub stale: Option<String>,
}

impl From<Error> for NotFresh {
    fn from(error: Error) -> Self {
        NotFresh { error, stale: None }
    }
}

/// `link.products.identity.refreshed_at` of a body the validator accepted.
pub fn identity_refreshed_at(body: &str) -> Result<Option<Timestamp>, Error> {
    let parsed = parse_identity(body).map_err(Error::decode)?;
    Ok(parsed
        .link
        .products
        .get("identity")
        .and_then(|p| p.refreshed_at.clone()))
}

/// Parses a caller's "newer than" timestamp (any form the validator accepts).
pub fn parse_after(text: &str) -> Result<Timestamp, Error> {
    Timestamp::parse(text).ok_or_else(|| {
        Error::invalid("after is not an ISO-8601 date-time (e.g. 2024-01-31T12:00:00Z)")
    })
}

/// Requests an identity refresh of `link_id` and waits, at most `wait`, for
/// the fresh identity. See the module documentation. A link id Get Identity
/// would refuse (empty, longer than `MAX_ID_LEN` bytes, `.` or `..`) is
/// refused before any request.
pub fn refresh_identity(
    client: &Client,
    link_id: &str,
    wait: Duration,
    options: &RefreshOptions,
    cancel: Option<&CancelToken>,
) -> Result<Identity, NotFresh> {
    check_link_id(link_id)?;
    let mut poller = Poller::new(client, link_id, wait, options, cancel);
    poller.pace()?;
    let before = poller.get()?;
    let before_at = identity_refreshed_at(&before.body)?;
    poller.stale = Some(before.body);
    client
        .request_refresh(link_id, &["identity"], &poller.control())
        .map_err(|error| poller.not_fresh(error))?;
    poller.wait_newer(before_at.as_ref())
}

/// Waits, at most `wait`, until the identity of `link_id` was refreshed after
/// `after` (`None`: any `refreshed_at` at all), polling within the per-link limit.
/// The link id is checked first, as by [`refresh_identity`].
pub fn wait_identity_newer(
    client: &Client,
    link_id: &str,
    after: Option<&Timestamp>,
    wait: Duration,
    options: &RefreshOptions,
    cancel: Option<&CancelToken>,
) -> Result<Identity, NotFresh> {
    check_link_id(link_id)?;
    Poller::new(client, link_id, wait, options, cancel).wait_newer(after)
}

struct Poller<'a> {
    client: &'a Client,
    link_id: &'a str,
    started: Instant,
    deadline: Instant,
    interval: Duration,
    next_poll: Instant,
    polls: u32,
    cancel: Option<&'a CancelToken>,
    stale: Option<String>,
}

impl<'a> Poller<'a> {
    fn new(
        client: &'a Client,
        link_id: &'a str,
        wait: Duration,
        options: &RefreshOptions,
        cancel: Option<&'a CancelToken>,
    ) -> Poller<'a> {
        let started = Instant::now();
        Poller {
            client,
            link_id,
            started,
            deadline: started + wait.min(Duration::from_secs(86_400 * 30)),
            interval: options.poll_interval(),
            next_poll: started,
            polls: 0,
            cancel,
            stale: None,
        }
    }

    fn control(&self) -> CallControl {
        CallControl {
            deadline: Some(self.deadline),
            cancel: self.cancel.cloned(),
        }
    }

    fn not_fresh(&mut self, error: Error) -> NotFresh {
        NotFresh {
            error,
            stale: self.stale.take(),
        }
    }

    /// The timeout (with the stale body), saying what happened: the wait ran out, or
    /// the next poll the link allows would come after it, so the call gives up now.
    fn timed_out(&mut self) -> NotFresh {
        let wait = (self.deadline - self.started).as_millis();
        let now = Instant::now();
        let polls = match self.polls {
            1 => "1 poll".to_string(),
            n => format!("{n} polls"),
        };
        let message = if now >= self.deadline {
            format!(
                "identity not refreshed within the wait of {wait} ms ({polls}, one per {} ms); \
                 the last (stale) identity is available",
                self.interval.as_millis()
            )
        } else {
            format!(
                "identity not refreshed: {polls} in {} ms, and the next poll this link \
                 allows (one per {} ms) would come after the wait of {wait} ms, so the call \
                 ends now; the last (stale) identity is available",
                (now - self.started).as_millis(),
                self.interval.as_millis()
            )
        };
        let mut e = Error::new(Status::MkErrTimeout, message);
        e.attempts = self.polls;
        self.not_fresh(e)
    }

    /// Waits for the next poll's turn; the timeout (with the stale body) when
    /// that turn comes after the deadline.
    fn pace(&mut self) -> Result<(), NotFresh> {
        if self.next_poll > self.deadline {
            return Err(self.timed_out());
        }
        let wait = self.next_poll.saturating_duration_since(Instant::now());
        if !self.control().sleep(wait) {
            let mut e = Error::new(Status::MkErrCancelled, "the call was cancelled");
            e.attempts = self.polls;
            return Err(self.not_fresh(e));
        }
        Ok(())
    }

    /// One Get Identity, and the next one's earliest start.
    fn get(&mut self) -> Result<Identity, Error> {
        self.polls += 1;
        let started = Instant::now();
        self.next_poll = started + self.interval;
        self.client
            .get_identity_with(self.link_id, &[], &self.control())
    }

    fn wait_newer(mut self, after: Option<&Timestamp>) -> Result<Identity, NotFresh> {
        loop {
            self.pace()?;
            match self.get() {
                Ok(identity) => {
                    let at = identity_refreshed_at(&identity.body)?;
                    let newer = match (&at, after) {
                        (Some(at), Some(after)) => at.unix_micros() > after.unix_micros(),
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    if newer {
                        return Ok(identity);
                    }
                    self.stale = Some(identity.body);
                }
                // Passing trouble: the client already retried; poll again next turn.
                Err(e)
                    if matches!(
                        e.status,
                        Status::MkErrRateLimited | Status::MkErrServer | Status::MkErrTransport
                    ) || (e.status == Status::MkErrTimeout
                        && Instant::now() < self.deadline) => {}
                // The wait ran out during this poll: the refresh's own timeout.
                Err(e) if e.status == Status::MkErrTimeout => return Err(self.timed_out()),
                Err(e) => return Err(self.not_fresh(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let d = RefreshOptions::from_json(None).unwrap();
        assert_eq!(d, RefreshOptions::default());
        assert!(d.poll_interval() >= Duration::from_secs(20));
        assert!(d.poll_interval() < Duration::from_millis(20_500));
        let o = RefreshOptions::from_json(Some(r#"{"time_scale": 60}"#)).unwrap();
        assert!(o.poll_interval() >= Duration::from_millis(333));
        for bad in [
            r#"{"link_per_minute": 0}"#,
            r#"{"interval": 1}"#,
            r#"{"time_scale": 0}"#,
            "[",
        ] {
            assert!(RefreshOptions::from_json(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn after_timestamps() {
        let t = parse_after("2024-01-31T12:00:00Z").unwrap();
        assert!(parse_after("2024-01-31").unwrap().unix_micros() < t.unix_micros());
        assert_eq!(
            parse_after("yesterday").unwrap_err().status,
            Status::MkErrInvalidArgument
        );
    }
}
