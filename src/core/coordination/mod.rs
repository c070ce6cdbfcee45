//! One app budget across a fleet of processes, through Redis (`coordination_url`; README
//! "Scaling", docs/C-API.md "Coordination").
//!
//! MoneyKit's limits belong to the app: 600 identity calls a minute for all of its
//! processes, 3 a minute per link, one identity refresh per link a day. With coordination
//! every identity attempt of every process takes a permit from sliding windows kept in
//! Redis (scripts.rs, keys.rs): single calls one at a time (one round trip), batches a
//! lease of several (batch/fleet.rs). A part of the budget
//! (`coordination_reserve_per_minute`) is granted to single calls only.
//!
//! When Redis does not answer within `coordination_timeout_ms`, the process falls back to
//! a local limiter at `coordination_fallback_share` of the budget and reports one event
//! (`REDIS coordination`, a failure status); it tries Redis again every
//! [`RETRY_EVERY`] and reports the return (`MK_OK`). Nothing fails because of Redis.

mod connection;
mod keys;
mod scripts;

use self::connection::{Connection, Down};
use self::keys::Keys;
use self::scripts::Scripts;
use crate::core::batch::{Limiter, JITTER_MARGIN};
use crate::core::config::CoordinationConfig;
use crate::core::events::Event;
use crate::core::webhooks::Claim;
use crate::core::{Error, Status};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The path of coordination events (their method is [`COORDINATION_METHOD`]).
pub(crate) const COORDINATION_PATH: &str = "coordination";
/// The method of coordination events.
pub(crate) const COORDINATION_METHOD: &str = "REDIS";

/// How often a process in fallback tries Redis again.
pub(crate) const RETRY_EVERY: Duration = Duration::from_secs(1);

/// How long a leased permit may wait before its call starts, as a share of the window.
/// Redis counts a leased permit from the end of that time (a single call's from its grant),
/// so a permit used late is still counted in every window MoneyKit sees it in.
pub(crate) const LEASE_SHARE: f64 = 0.05;

/// What a round trip for permits found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permits {
    /// One entry per requested link, in order: `None` granted (with this member name, to
    /// release it unused), `Some(wait)` refused, room in `wait`.
    Answered(Vec<Result<String, Duration>>),
    /// Redis is down (or was, and is not due for another try): use the local share.
    Fallback,
    /// The call's own deadline ended before Redis answered; Redis is not blamed.
    OutOfTime,
}

enum State {
    Coordinated,
    Lost { since: Instant, retry_at: Instant },
}

pub struct Coordinator {
    connection: Connection,
    keys: Keys,
    scripts: Scripts,
    timeout: Duration,
    lease_max: u32,
    reserve_per_minute: u32,
    fallback_share: f64,
    app_per_minute: u32,
    link_per_minute: u32,
    /// Names this process's permits (`<nonce>:<pid>:<n>`), so unused ones can be released;
    /// the pid keeps a `fork()`ed child (same nonce, same counter) from reusing its
    /// parent's names, which Redis would count once.
    nonce: String,
    next_member: AtomicU64,
    state: Mutex<State>,
    /// One caller at a time tries Redis again while in fallback.
    probing: AtomicBool,
    /// The local limiters of the fallback, one per window length (time scale).
    fallback: Mutex<Vec<(Duration, Arc<Limiter>)>>,
    round_trips: AtomicU64,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("redis", &self.connection.shown())
            .finish_non_exhaustive()
    }
}

impl Coordinator {
    /// Checks the URL; connects on first use (a Redis down at start means fallback).
    pub fn new(
        cfg: &CoordinationConfig,
        app_per_minute: u32,
        link_per_minute: u32,
        ca_pem: Option<&[u8]>,
    ) -> Result<Coordinator, Error> {
        let mut nonce = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
            .map_err(|_| Error::new(Status::MkErrInternal, "no random numbers"))?;
        Ok(Coordinator {
            connection: Connection::new(&cfg.url, ca_pem)?,
            keys: Keys::new(&cfg.app_id),
            scripts: Scripts::new(),
            timeout: cfg.timeout,
            lease_max: cfg.lease_max,
            reserve_per_minute: cfg.reserve_per_minute,
            fallback_share: cfg.fallback_share,
            app_per_minute,
            link_per_minute,
            nonce: nonce.iter().map(|b| format!("{b:02x}")).collect(),
            next_member: AtomicU64::new(0),
            state: Mutex::new(State::Coordinated),
            probing: AtomicBool::new(false),
            fallback: Mutex::new(Vec::new()),
            round_trips: AtomicU64::new(0),
        })
    }

    /// Where Redis is, as logs may show it (no password).
    pub fn shown(&self) -> &str {
        self.connection.shown()
    }

    pub fn lease_max(&self) -> u32 {
        self.lease_max
    }

    /// The app limit single calls see (the whole budget).
    pub fn interactive_limit(&self) -> u32 {
        self.app_per_minute
    }

    /// The app limit a batch sees: the budget less the single calls' reserve, and at
    /// most the batch's own `app_per_minute`.
    pub fn batch_limit(&self, batch_app_per_minute: u32) -> u32 {
        (self.app_per_minute - self.reserve_per_minute).min(batch_app_per_minute)
    }

    /// Redis round trips made so far (for benchmarks).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// How long a leased permit may wait before its call starts, for this window.
    pub fn lease_time(minute: Duration) -> Duration {
        minute.mul_f64(LEASE_SHARE)
    }

    /// How long Redis keeps a permit in the window after the latest instant it may be
    /// used: the window and the jitter margin.
    fn hold(minute: Duration) -> Duration {
        minute.mul_f64(1.0 + JITTER_MARGIN)
    }

    /// One round trip: a permit for each of `links` (in order) at most `app_limit` in the
    /// window `minute`, first releasing `release` (permits leased and never used).
    /// `leased`: the permits may start up to [`Coordinator::lease_time`] later (a batch's
    /// lease), so they count from then; else the call starts at once.
    #[allow(clippy::too_many_arguments)]
    pub fn acquire(
        &self,
        links: &[&str],
        release: &[String],
        leased: bool,
        app_limit: u32,
        minute: Duration,
        deadline: Option<Instant>,
        report: &dyn Fn(&Event<'_>),
    ) -> Permits {
        let pid = std::process::id();
        let members: Vec<String> = links
            .iter()
            .map(|_| {
                let n = self.next_member.fetch_add(1, Ordering::Relaxed);
                format!("{}:{pid}:{n}", self.nonce)
            })
            .collect();
        let hold_ms = Self::hold(minute).as_millis().max(1) as u64;
        let lease_ms = if leased {
            Self::lease_time(minute).as_millis() as u64
        } else {
            0
        };
        let outcome = self.round_trip(deadline, report, |con| {
            let mut inv = self.scripts.acquire.prepare_invoke();
            inv.key(self.keys.app());
            for link in links {
                inv.key(self.keys.link(link));
            }
            inv.arg(hold_ms)
                .arg(lease_ms)
                .arg(app_limit)
                .arg(self.link_per_minute)
                .arg(release.len());
            for m in release.iter().chain(&members) {
                inv.arg(m);
            }
            inv.invoke::<Vec<u64>>(con)
        });
        match outcome {
            Trip::Done(waits) => Permits::Answered(
                waits
                    .into_iter()
                    .zip(members)
                    .map(|(w, m)| {
                        if w == 0 {
                            Ok(m)
                        } else {
                            Err(Duration::from_millis(w))
                        }
                    })
                    .collect(),
            ),
            Trip::Fallback => Permits::Fallback,
            Trip::OutOfTime => Permits::OutOfTime,
        }
    }

    /// The local limiter of the fallback for this window: `coordination_fallback_share`
    /// of the app's budget (at least one call per window), and each link's whole budget:
    /// one link is rarely called by several processes at once, and a share of 3 a minute
    /// would leave a link one call a minute, refusing its retries and refresh polls.
    pub fn fallback_limiter(&self, minute: Duration) -> Arc<Limiter> {
        let mut all = self.fallback.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, l)) = all.iter().find(|(m, _)| *m == minute) {
            return Arc::clone(l);
        }
        let share = |n: u32| ((f64::from(n) * self.fallback_share).floor() as u32).max(1);
        let l = Arc::new(Limiter::new(
            share(self.app_per_minute),
            self.link_per_minute,
            minute,
        ));
        all.push((minute, Arc::clone(&l)));
        l
    }

    /// Claims a webhook delivery's idempotency key for the fleet (webhooks/seen.rs has
    /// the in-process rules); `None`: Redis is down, the process decides alone.
    pub fn claim_seen(
        &self,
        key: &str,
        claim_timeout: Duration,
        report: &dyn Fn(&Event<'_>),
    ) -> Option<Claim> {
        let ms = claim_timeout.as_millis().max(1) as u64;
        match self.round_trip(None, report, |con| {
            self.scripts
                .claim_seen
                .key(self.keys.seen(key))
                .arg(ms)
                .invoke::<u8>(con)
        }) {
            Trip::Done(0) => Some(Claim::New),
            Trip::Done(1) => Some(Claim::Duplicate),
            Trip::Done(_) => Some(Claim::InFlight),
            _ => None,
        }
    }

    /// Settles a claim: handled (`done` for `seen_ttl`) or released for a retry.
    pub fn settle_seen(
        &self,
        key: &str,
        handled_ok: bool,
        seen_ttl: Duration,
        report: &dyn Fn(&Event<'_>),
    ) {
        let ms = seen_ttl.as_millis().max(1) as u64;
        let k = self.keys.seen(key);
        let _ = self.round_trip(None, report, |con| {
            if handled_ok {
                redis::cmd("SET")
                    .arg(&k)
                    .arg("done")
                    .arg("PX")
                    .arg(ms)
                    .query::<()>(con)
            } else {
                redis::cmd("DEL").arg(&k).query::<()>(con)
            }
        });
    }

    /// Claims the day's identity refresh of `link_id` for the fleet: `Some(None)` claimed,
    /// `Some(Some(wait))` already made today (the claim ends in `wait`), `None` Redis down.
    pub fn claim_refresh(
        &self,
        link_id: &str,
        day: Duration,
        deadline: Option<Instant>,
        report: &dyn Fn(&Event<'_>),
    ) -> Option<Option<Duration>> {
        let ms = day.as_millis().max(1) as u64;
        match self.round_trip(deadline, report, |con| {
            self.scripts
                .claim_refresh
                .key(self.keys.refresh(link_id))
                .arg(ms)
                .invoke::<u64>(con)
        }) {
            Trip::Done(0) => Some(None),
            Trip::Done(w) => Some(Some(Duration::from_millis(w))),
            _ => None,
        }
    }

    /// Gives back a refresh claim whose request never reached MoneyKit.
    pub fn release_refresh(&self, link_id: &str, report: &dyn Fn(&Event<'_>)) {
        let k = self.keys.refresh(link_id);
        let _ = self.round_trip(None, report, |con| {
            redis::cmd("DEL").arg(&k).query::<()>(con)
        });
    }

    /// Runs `f` against Redis unless the process is in fallback and not due for a try;
    /// reports the loss and the return of coordination.
    fn round_trip<T>(
        &self,
        deadline: Option<Instant>,
        report: &dyn Fn(&Event<'_>),
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Trip<T> {
        let now = Instant::now();
        let probing = match &*self.state.lock().unwrap_or_else(|p| p.into_inner()) {
            State::Coordinated => false,
            State::Lost { retry_at, .. } => {
                if now < *retry_at || self.probing.swap(true, Ordering::AcqRel) {
                    return Trip::Fallback;
                }
                true
            }
        };
        let left = deadline.map_or(self.timeout, |d| d.saturating_duration_since(now));
        let timeout = self.timeout.min(left);
        if timeout.is_zero() {
            self.probing.store(false, Ordering::Release);
            return Trip::OutOfTime;
        }
        let started = Instant::now();
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let result = self.connection.run(timeout, f);
        let elapsed = started.elapsed();
        let trip = match result {
            Ok(v) => {
                self.restored(report);
                Trip::Done(v)
            }
            // The call's own deadline, shorter than the option, cut Redis off.
            Err(Down {
                timed_out: true, ..
            }) if timeout < self.timeout => Trip::OutOfTime,
            Err(down) => {
                self.lost(&down, elapsed, report);
                Trip::Fallback
            }
        };
        if probing {
            self.probing.store(false, Ordering::Release);
        }
        trip
    }

    fn lost(&self, down: &Down, elapsed: Duration, report: &dyn Fn(&Event<'_>)) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let first = matches!(*state, State::Coordinated);
        let since = match *state {
            State::Lost { since, .. } => since,
            State::Coordinated => now,
        };
        *state = State::Lost {
            since,
            retry_at: now + RETRY_EVERY,
        };
        drop(state);
        if first {
            let status = if down.timed_out {
                Status::MkErrTimeout
            } else {
                Status::MkErrTransport
            };
            report(&Event {
                method: COORDINATION_METHOD,
                path: COORDINATION_PATH,
                http_status: None,
                status,
                attempt: 1,
                elapsed,
                request_id: None,
                retry_wait: Some(RETRY_EVERY),
            });
        }
    }

    fn restored(&self, report: &dyn Fn(&Event<'_>)) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let State::Lost { since, .. } = *state {
            *state = State::Coordinated;
            drop(state);
            report(&Event {
                method: COORDINATION_METHOD,
                path: COORDINATION_PATH,
                http_status: None,
                status: Status::MkOk,
                attempt: 1,
                elapsed: since.elapsed(),
                request_id: None,
                retry_wait: None,
            });
        }
    }

    /// Whether the process is on its local share now.
    pub fn in_fallback(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(|p| p.into_inner()),
            State::Lost { .. }
        )
    }
}

enum Trip<T> {
    Done(T),
    Fallback,
    OutOfTime,
}
