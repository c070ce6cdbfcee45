//! The batch's rate limiter: an app-wide GCRA with no burst (requests start at
//! least one emission interval apart, so no window of any length ever holds
//! more than the limit allows), a per-link sliding window (at most
//! `link_per_minute` starts of one link in any minute), and a pause that a 429
//! sets for the whole batch (the server's `Retry-After`).
//!
//! Workers reserve a start time under the lock and sleep outside it, so the
//! lock is held for microseconds whatever the rate.

use crate::core::CancelToken;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest sleep between looks at the cancel token.
const SLICE: Duration = Duration::from_millis(20);

/// Extra spacing, as a fraction of the interval and the window: requests
/// reach the server with some jitter after their start, and a server counting
/// a sliding window refuses the N+1-th arrival within it. 2 % of a window
/// (1.2 s of MoneyKit's minute, 20 ms at time scale 60) absorbs that jitter.
pub(crate) const JITTER_MARGIN: f64 = 0.02;

/// How often the per-link map is swept of links whose window has passed.
const SWEEP_EVERY: u32 = 1024;

pub struct Limiter {
    /// Time between two request starts (the app limit).
    interval: Duration,
    /// The per-link window and how many starts it may hold.
    window: Duration,
    per_link: usize,
    state: Mutex<State>,
}

struct State {
    /// GCRA's theoretical arrival time: the earliest start of the next request.
    tat: Instant,
    paused_until: Option<Instant>,
    links: HashMap<String, VecDeque<Instant>>,
    since_sweep: u32,
}

/// What [`Limiter::acquire_by`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquired {
    Yes,
    Cancelled,
    /// The start would come after the deadline: in this long.
    Late(Duration),
}

/// What a worker does next.
enum Step {
    /// A start reserved at this instant.
    Reserved(Instant),
    SleepUntil(Instant),
}

impl Limiter {
    /// `app_per_window` starts per `window` for the app, `per_link` per `window`
    /// per link, both stretched by [`JITTER_MARGIN`].
    pub fn new(app_per_window: u32, per_link: u32, window: Duration) -> Limiter {
        let window = window.mul_f64(1.0 + JITTER_MARGIN);
        let interval = window / app_per_window.max(1);
        Limiter {
            interval,
            window,
            per_link: per_link.max(1) as usize,
            state: Mutex::new(State {
                tat: Instant::now(),
                paused_until: None,
                links: HashMap::new(),
                since_sweep: 0,
            }),
        }
    }

    /// The time between two request starts.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Blocks until `link` may be requested without exceeding either limit or
    /// the pause, and records the start. False when `cancel` was triggered first.
    pub fn acquire(&self, link: &str, cancel: &CancelToken) -> bool {
        loop {
            if cancel.is_cancelled() {
                return false;
            }
            match self.step(link, Instant::now()) {
                Step::Reserved(slot) => {
                    if !sleep_until(slot, cancel) {
                        return false;
                    }
                    // A 429 seen while sleeping paused the batch: reserve again after it.
                    if self.paused_for().is_none() {
                        return true;
                    }
                }
                Step::SleepUntil(t) => {
                    let now = Instant::now();
                    if t > now {
                        std::thread::sleep((t - now).min(SLICE));
                    }
                }
            }
        }
    }

    /// As [`Limiter::acquire`], for a call with a deadline (coordination's fallback): a
    /// start that would come after `deadline` is not waited for (`Late`, with the wait).
    pub fn acquire_by(
        &self,
        link: &str,
        cancel: Option<&CancelToken>,
        deadline: Instant,
    ) -> Acquired {
        let never = CancelToken::new();
        let cancel = cancel.unwrap_or(&never);
        loop {
            if cancel.is_cancelled() {
                return Acquired::Cancelled;
            }
            let now = Instant::now();
            match self.step(link, now) {
                Step::Reserved(slot) if slot > deadline => return Acquired::Late(slot - now),
                Step::Reserved(slot) => {
                    if !sleep_until(slot, cancel) {
                        return Acquired::Cancelled;
                    }
                    if self.paused_for().is_none() {
                        return Acquired::Yes;
                    }
                }
                Step::SleepUntil(t) if t > deadline => return Acquired::Late(t - now),
                Step::SleepUntil(t) => std::thread::sleep((t - now).min(SLICE)),
            }
        }
    }

    /// One look at the state: either reserve a start (now or on the app
    /// schedule) or say how long to wait for the pause or the link's window.
    fn step(&self, link: &str, now: Instant) -> Step {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = s.paused_until {
            if now < until {
                return Step::SleepUntil(until);
            }
            s.paused_until = None;
        }
        let link_ready = match s.links.get(link) {
            Some(starts) if starts.len() >= self.per_link => starts[starts.len() - self.per_link]
                .checked_add(self.window)
                .unwrap_or(now),
            _ => now,
        };
        if link_ready > now {
            // Not this link's turn yet: do not hold an app slot while waiting.
            return Step::SleepUntil(link_ready);
        }
        let slot = s.tat.max(now);
        s.tat = slot + self.interval;
        let starts = s.links.entry(link.to_string()).or_default();
        starts.push_back(slot);
        while starts.len() > self.per_link {
            starts.pop_front();
        }
        s.since_sweep += 1;
        if s.since_sweep >= SWEEP_EVERY {
            s.since_sweep = 0;
            let window = self.window;
            s.links
                .retain(|_, starts| starts.back().is_some_and(|t| *t + window > now));
        }
        Step::Reserved(slot)
    }

    /// Pauses every worker for `wait` (a 429's `Retry-After`): no request
    /// starts until then, and the app schedule restarts from there.
    pub fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let until = s.paused_until.map_or(until, |p| p.max(until));
        s.paused_until = Some(until);
        s.tat = s.tat.max(until);
    }

    /// How long the pause still lasts (`None`: not paused).
    pub fn paused_for(&self) -> Option<Duration> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        s.paused_until.filter(|u| *u > now).map(|u| u - now)
    }

    /// Links the per-link map tracks now (memory check in tests).
    #[cfg(test)]
    fn tracked_links(&self) -> usize {
        self.state.lock().unwrap().links.len()
    }
}

/// Sleeps until `t` in slices that look at `cancel`. False when cancelled.
fn sleep_until(t: Instant, cancel: &CancelToken) -> bool {
    loop {
        if cancel.is_cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= t {
            return true;
        }
        std::thread::sleep((t - now).min(SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_starts_are_spaced_by_the_interval() {
        let l = Limiter::new(100, 3, Duration::from_secs(1)); // 10 ms apart
        let c = CancelToken::new();
        let started = Instant::now();
        let mut starts = Vec::new();
        for i in 0..20 {
            assert!(l.acquire(&format!("l{i}"), &c));
            starts.push(Instant::now());
        }
        // Slots are exact; wake-ups jitter, so check the schedule, not each gap. The schedule
        // starts at the first acquire, not before `started`; measuring from `starts[0]` would
        // fail whenever the test thread is preempted between that acquire and its timestamp.
        for (k, t) in starts.iter().enumerate() {
            let due = (l.interval() * k as u32).saturating_sub(Duration::from_millis(1));
            assert!(*t - started >= due, "{k}: {:?}", *t - started);
        }
        assert!(l.interval() >= Duration::from_micros(10_200));
        assert!(started.elapsed() >= Duration::from_millis(190));
        assert!(started.elapsed() < Duration::from_millis(600));
    }

    #[test]
    fn one_link_gets_at_most_its_limit_per_window() {
        let l = Limiter::new(10_000, 3, Duration::from_millis(300));
        let c = CancelToken::new();
        let started = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..7 {
            assert!(l.acquire("same", &c));
            starts.push(started.elapsed());
        }
        // 3 at once, 3 after one window, 1 after two.
        assert!(starts[2] < Duration::from_millis(50), "{starts:?}");
        assert!(starts[3] >= Duration::from_millis(300), "{starts:?}");
        assert!(starts[6] >= Duration::from_millis(600), "{starts:?}");
        for i in 3..7 {
            assert!(starts[i] - starts[i - 3] >= Duration::from_millis(300));
        }
    }

    #[test]
    fn pause_holds_everyone_and_cancel_ends_the_wait() {
        let l = Limiter::new(1000, 3, Duration::from_secs(1));
        let c = CancelToken::new();
        l.pause(Duration::from_millis(150));
        assert!(l.paused_for().is_some());
        let t = Instant::now();
        assert!(l.acquire("a", &c));
        assert!(t.elapsed() >= Duration::from_millis(140));
        assert!(l.paused_for().is_none());

        l.pause(Duration::from_secs(30));
        let c2 = c.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            c2.cancel();
        });
        let t = Instant::now();
        assert!(!l.acquire("b", &c));
        assert!(t.elapsed() < Duration::from_millis(500));
        canceller.join().unwrap();
    }

    #[test]
    fn the_link_map_stays_small() {
        let l = Limiter::new(1_000_000, 3, Duration::from_millis(1));
        let c = CancelToken::new();
        for i in 0..5000 {
            assert!(l.acquire(&format!("link{i}"), &c));
        }
        std::thread::sleep(Duration::from_millis(5));
        for i in 0..SWEEP_EVERY {
            assert!(l.acquire(&format!("other{i}"), &c));
        }
        assert!(
            l.tracked_links() < 2 * SWEEP_EVERY as usize,
            "{}",
            l.tracked_links()
        );
    }
}
