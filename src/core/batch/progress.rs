//! The batch's counters, readable from any thread at any time.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Completions older than this do not count towards the current rate.
const RATE_WINDOW: Duration = Duration::from_secs(10);

/// A snapshot of a batch's progress.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Progress {
    /// Links in the batch.
    pub total: u64,
    /// Results produced (ok + failed), delivered or waiting in the queue.
    pub done: u64,
    pub ok: u64,
    pub failed: u64,
    /// Calls running now.
    pub in_flight: u64,
    /// HTTP attempts sent (retries included).
    pub requests: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Completions per (wall-clock) minute over the last 10 s (or since the start).
    pub rate_per_minute: f64,
    /// What the app limit allows per wall-clock minute (`app_per_minute × time_scale`).
    pub allowed_per_minute: f64,
    /// Whether every worker is paused by a 429's `Retry-After` now.
    pub paused: bool,
    /// How much longer the pause lasts, in milliseconds (0 when not paused).
    pub paused_ms: u64,
    /// Time since the batch started.
    pub elapsed: Duration,
    /// Whether the batch was cancelled.
    pub cancelled: bool,
}

pub(super) struct Counters {
    pub started: Instant,
    pub total: u64,
    pub ok: AtomicU64,
    pub failed: AtomicU64,
    pub in_flight: AtomicU64,
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    recent: Mutex<VecDeque<Instant>>,
}

impl Counters {
    pub fn new(total: u64) -> Counters {
        Counters {
            started: Instant::now(),
            total,
            ok: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    pub fn finished(&self, ok: bool) {
        if ok { &self.ok } else { &self.failed }.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_back(now);
        while recent.front().is_some_and(|t| now - *t > RATE_WINDOW) {
            recent.pop_front();
        }
    }

    /// Completions per wall-clock minute over the last window.
    pub fn rate_per_minute(&self) -> f64 {
        let now = Instant::now();
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let count = recent.iter().filter(|t| now - **t <= RATE_WINDOW).count();
        let span = (now - self.started).min(RATE_WINDOW).as_secs_f64();
        if count == 0 || span <= 0.0 {
            0.0
        } else {
            count as f64 * 60.0 / span
        }
    }

    pub fn snapshot(&self) -> Progress {
        let ok = self.ok.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        Progress {
            total: self.total,
            done: ok + failed,
            ok,
            failed,
            in_flight: self.in_flight.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            rate_per_minute: self.rate_per_minute(),
            elapsed: self.started.elapsed(),
            ..Progress::default()
        }
    }
}
