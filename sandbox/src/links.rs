//! Per-link and per-app state of the realistic mode: the sliding-window rate limits of
//! Get Identity, the daily identity refresh limit, pending refreshes (which advance
//! `refreshed_at` once due) and the per-link counters behind `Sandbox::link_stats`.
//!
//! Windows are sliding: a request at instant t is allowed when fewer than N allowed
//! requests arrived in (t − window, t]. So the N+1-th request within any window is
//! refused, and `Retry-After` is exactly when the oldest of those N leaves the window.
//! Refused requests never count as allowed ones.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lock;
use crate::realistic::Settings;

/// At most this many recent identity GETs are kept per link for `max_in_window`.
pub const RECENT_CAP: usize = 10_000;
/// At most this many GET times are kept per link (the most recent ones).
pub const TIMES_CAP: usize = 1_000;

/// What the sandbox saw of one link id (see `Sandbox::link_stats`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkStats {
    /// Identity GETs to this link that passed authentication, 429s included.
    pub identity_requests: u64,
    /// Those answered 429 by the per-link or per-app limit.
    pub rate_limited: u64,
    /// The largest number of identity GETs (429s included) within any one sliding
    /// window (one scaled minute: t₂ − t₁ < 60 s / time_scale); at most `RECENT_CAP`.
    pub max_in_window: u64,
    /// Arrival times of the most recent identity GETs (at most `TIMES_CAP`), as real time
    /// since the sandbox started (`Sandbox::started_at`), oldest first.
    pub times: Vec<Duration>,
    /// `POST /links/{id}/products` requests naming `identity` that passed the checks
    /// before the daily limit (202 or 429).
    pub refresh_requests: u64,
    /// Those refused (429) by the daily limit.
    pub refreshes_refused: u64,
    /// Refreshes that have completed (advanced `refreshed_at`).
    pub refreshes_completed: u64,
    /// The `refreshed_at` now served (Unix seconds), once a refresh has completed.
    pub refreshed_at: Option<i64>,
}

/// The answer to an identity GET under the limits.
pub enum Verdict {
    /// Allowed; `Some(t)`: serve `refreshed_at` = t (Unix seconds) instead of the body's.
    Allowed(Option<i64>),
    /// Refused: wait this long (real time). `link` / `app`: which limit refused it.
    Limited {
        wait: Duration,
        link: bool,
        app: bool,
    },
}

#[derive(Default)]
struct Link {
    /// Allowed identity GETs within the last window (only with a per-link limit).
    allowed: VecDeque<Instant>,
    /// Every identity GET within the last window (capped), for `max_in_window`.
    recent: VecDeque<Instant>,
    times: VecDeque<Duration>,
    /// Accepted identity refreshes within the last day.
    refreshes: VecDeque<Instant>,
    /// (due, Unix seconds at due) of refreshes not completed yet, in order.
    pending: VecDeque<(Instant, f64)>,
    /// The body's own `refreshed_at` (Unix seconds) when the first refresh was requested.
    base: Option<i64>,
    stats: LinkStats,
}

impl Link {
    /// Completes every pending refresh that is due: `refreshed_at` becomes the time it
    /// completed, and always strictly later than the value served before.
    fn settle(&mut self, now: Instant) {
        while let Some(&(due, unix)) = self.pending.front() {
            if due > now {
                break;
            }
            self.pending.pop_front();
            let before = self.stats.refreshed_at.or(self.base);
            let at = unix.floor() as i64;
            self.stats.refreshed_at = Some(before.map_or(at, |b| at.max(b + 1)));
            self.stats.refreshes_completed += 1;
        }
    }
}

/// Drops instants that left the window ending at `now`; then, with `limit`, the wait
/// until one more would be allowed (`None`: allowed now).
fn window_wait(
    q: &mut VecDeque<Instant>,
    now: Instant,
    window: Duration,
    limit: Option<u32>,
) -> Option<Duration> {
    while q
        .front()
        .is_some_and(|&t| now.saturating_duration_since(t) >= window)
    {
        q.pop_front();
    }
    let limit = limit? as usize;
    if q.len() < limit {
        return None;
    }
    // The oldest of the last `limit` allowed requests must leave the window first.
    let oldest = q.get(q.len() - limit).copied().unwrap_or(now);
    Some(
        (oldest + window)
            .saturating_duration_since(now)
            .max(Duration::from_nanos(1)),
    )
}

struct Inner {
    /// Allowed identity GETs within the last window (only with a per-app limit).
    app: VecDeque<Instant>,
    links: HashMap<String, Link>,
}

/// The realistic mode's state, shared by every connection.
pub struct Tracker {
    settings: Settings,
    epoch: Instant,
    inner: Mutex<Inner>,
}

impl Tracker {
    pub fn new(settings: Settings, epoch: Instant) -> Tracker {
        Tracker {
            settings,
            epoch,
            inner: Mutex::new(Inner {
                app: VecDeque::new(),
                links: HashMap::new(),
            }),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn with_link<R>(&self, id: &str, f: impl FnOnce(&mut Inner, &mut Link) -> R) -> R {
        let mut guard = lock(&self.inner);
        let inner = &mut *guard;
        let mut link = inner.links.remove(id).unwrap_or_default();
        let r = f(inner, &mut link);
        inner.links.insert(id.to_string(), link);
        r
    }

    /// An authenticated identity GET to `id` arriving at `now`.
    pub fn identity(&self, id: &str, now: Instant) -> Verdict {
        let s = &self.settings;
        let since_start = now.saturating_duration_since(self.epoch);
        let mut guard = lock(&self.inner);
        let inner = &mut *guard;
        if !inner.links.contains_key(id) {
            inner.links.insert(id.to_string(), Link::default());
        }
        let link = inner.links.get_mut(id).expect("just inserted");
        link.settle(now);
        link.stats.identity_requests += 1;
        if link.times.len() == TIMES_CAP {
            link.times.pop_front();
        }
        link.times.push_back(since_start);
        window_wait(&mut link.recent, now, s.minute, None);
        if link.recent.len() == RECENT_CAP {
            link.recent.pop_front();
        }
        link.recent.push_back(now);
        link.stats.max_in_window = link.stats.max_in_window.max(link.recent.len() as u64);

        let link_wait = window_wait(&mut link.allowed, now, s.minute, s.rate_limit_link);
        let app_wait = window_wait(&mut inner.app, now, s.minute, s.rate_limit_app);
        if link_wait.is_some() || app_wait.is_some() {
            link.stats.rate_limited += 1;
            return Verdict::Limited {
                wait: link_wait.max(app_wait).unwrap_or_default(),
                link: link_wait.is_some(),
                app: app_wait.is_some(),
            };
        }
        if s.rate_limit_link.is_some() {
            link.allowed.push_back(now);
        }
        if s.rate_limit_app.is_some() {
            inner.app.push_back(now);
        }
        Verdict::Allowed(link.stats.refreshed_at)
    }

    /// An identity refresh of `id` requested at `now` (`now_unix`: the same instant as
    /// Unix seconds); `base`: the body's own `refreshed_at` (Unix seconds), if any;
    /// `fails`: the refresh will fail (it counts, but never advances `refreshed_at`).
    /// `Ok(refreshed_at served now)`, or `Err(wait)` when the daily limit is used up.
    pub fn refresh(
        &self,
        id: &str,
        now: Instant,
        now_unix: f64,
        base: Option<i64>,
        fails: bool,
    ) -> Result<Option<i64>, Duration> {
        let s = &self.settings;
        self.with_link(id, |_, link| {
            link.settle(now);
            link.stats.refresh_requests += 1;
            if let Some(wait) = window_wait(&mut link.refreshes, now, s.day, s.refresh_per_day) {
                link.stats.refreshes_refused += 1;
                return Err(wait);
            }
            if s.refresh_per_day.is_some() {
                link.refreshes.push_back(now);
            }
            if link.base.is_none() {
                link.base = base;
            }
            if fails {
                return Ok(link.stats.refreshed_at);
            }
            let delay = s.refresh_delay;
            link.pending
                .push_back((now + delay, now_unix + delay.as_secs_f64()));
            Ok(link.stats.refreshed_at)
        })
    }

    /// The `refreshed_at` served for `id` now, once a refresh has completed.
    pub fn refreshed_at(&self, id: &str, now: Instant) -> Option<i64> {
        let mut guard = lock(&self.inner);
        let link = guard.links.get_mut(id)?;
        link.settle(now);
        link.stats.refreshed_at
    }

    pub fn link_stats(&self, id: &str) -> LinkStats {
        let mut guard = lock(&self.inner);
        let Some(link) = guard.links.get_mut(id) else {
            return LinkStats::default();
        };
        link.settle(Instant::now());
        let mut stats = link.stats.clone();
        stats.times = link.times.iter().copied().collect();
        stats
    }

    pub fn reset(&self) {
        let mut guard = lock(&self.inner);
        guard.app.clear();
        guard.links.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn tracker(c: Config) -> Tracker {
        Tracker::new(Settings::from_config(&c).unwrap(), Instant::now())
    }

    #[test]
    fn sliding_window_per_link_and_app() {
        let t = tracker(Config {
            rate_limit_link: Some(3),
            rate_limit_app: Some(5),
            ..Config::default()
        });
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        for ms in [0, 10, 20] {
            assert!(matches!(t.identity("a", at(ms)), Verdict::Allowed(None)));
        }
        match t.identity("a", at(30)) {
            Verdict::Limited { wait, link, app } => {
                assert_eq!(wait, Duration::from_millis(59_970));
                assert!(link && !app);
            }
            Verdict::Allowed(_) => panic!("4th within a minute"),
        }
        // Two more for another link fill the app's 5; the 6th is refused by the app.
        for ms in [40, 50] {
            assert!(matches!(t.identity("b", at(ms)), Verdict::Allowed(_)));
        }
        match t.identity("c", at(60)) {
            Verdict::Limited { wait, link, app } => {
                assert_eq!(wait, Duration::from_millis(59_940));
                assert!(!link && app);
            }
            Verdict::Allowed(_) => panic!("6th for the app"),
        }
        // The refused ones did not count: at 60 s the first leaves the window.
        assert!(matches!(t.identity("a", at(60_000)), Verdict::Allowed(_)));
        let s = t.link_stats("a");
        assert_eq!(
            (s.identity_requests, s.rate_limited, s.max_in_window),
            (5, 1, 4)
        );
        assert_eq!(s.times.len(), 5);
        assert_eq!(t.link_stats("zzz"), LinkStats::default());
    }

    #[test]
    fn refresh_advances_after_the_delay_and_is_limited_per_day() {
        let t = tracker(Config {
            refresh_per_day: Some(1),
            refresh_delay: Duration::from_secs(10),
            ..Config::default()
        });
        let t0 = Instant::now();
        let base = Some(2_000_000_000); // a fixture dated in the future
        assert_eq!(t.refresh("a", t0, 1_700_000_000.5, base, false), Ok(None));
        assert_eq!(t.refreshed_at("a", t0 + Duration::from_secs(9)), None);
        assert_eq!(
            t.refreshed_at("a", t0 + Duration::from_secs(10)),
            Some(2_000_000_001)
        );
        let wait = t
            .refresh(
                "a",
                t0 + Duration::from_secs(11),
                1_700_000_011.0,
                base,
                false,
            )
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(86_389));
        let day = t0 + Duration::from_secs(86_400);
        assert_eq!(
            t.refresh("a", day, 1_700_086_400.0, base, false),
            Ok(Some(2_000_000_001))
        );
        assert_eq!(
            t.refreshed_at("a", day + Duration::from_secs(10)),
            Some(2_000_000_002)
        );
        let s = t.link_stats("a");
        assert_eq!(
            (
                s.refresh_requests,
                s.refreshes_refused,
                s.refreshes_completed
            ),
            (3, 1, 2)
        );
        // Without a future-dated fixture, the completion time wins.
        assert_eq!(
            t.refresh("b", t0, 1_700_000_000.5, Some(1_676_538_851), false),
            Ok(None)
        );
        assert_eq!(
            t.refreshed_at("b", t0 + Duration::from_secs(10)),
            Some(1_700_000_010)
        );
        t.reset();
        assert_eq!(t.link_stats("a"), LinkStats::default());
    }
}
