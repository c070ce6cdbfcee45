//! The in-process duplicate check (issue 26 item 2): which `webhook_idempotency_key`s were
//! handled, and which are being handled now.
//!
//! A verified delivery claims its key: a key not seen is claimed (in flight) and handled; a
//! key handled within `seen_ttl_ms` is a duplicate (answer 2xx, do not handle it again); a key
//! claimed by a delivery still being handled is in flight (answer 409 so MoneyKit retries
//! later: if the first handler fails, the retry is handled). `done(key, true)` marks the key
//! handled; `done(key, false)` releases it, so MoneyKit's retry is handled again. A claim not
//! settled within `claim_timeout_ms` lapses (the application crashed or forgot to call done).
//!
//! Bounded: at most `seen_max` keys, the oldest claims dropped first; keys are kept as their
//! SHA-256 (32 bytes whatever the key's length). `seen_max` 0 turns the check off.
//! In one process only: a fleet of handlers needs a shared store (a later issue).

use ring::digest::{digest, SHA256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

type KeyHash = [u8; 32];

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not seen: claimed for this delivery; settle it with `done`.
    New,
    /// Handled before (within `seen_ttl_ms`).
    Duplicate,
    /// Claimed by a delivery still being handled.
    InFlight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InFlight,
    Done,
}

#[derive(Debug)]
struct Entry {
    state: State,
    until: Instant,
    /// Its claim's number in `order`.
    seq: u64,
}

#[derive(Default)]
struct Inner {
    map: HashMap<KeyHash, Entry>,
    /// Claims in the order they were made (entries since removed are skipped).
    order: VecDeque<(u64, KeyHash)>,
    next_seq: u64,
}

pub struct SeenSet {
    inner: Mutex<Inner>,
    ttl: Duration,
    claim_timeout: Duration,
    max: usize,
}

fn hash(key: &str) -> KeyHash {
    let d = digest(&SHA256, key.as_bytes());
    let mut h = [0u8; 32];
    h.copy_from_slice(d.as_ref());
    h
}

impl SeenSet {
    pub fn new(ttl: Duration, claim_timeout: Duration, max: usize) -> SeenSet {
        SeenSet {
            inner: Mutex::new(Inner::default()),
            ttl,
            claim_timeout,
            max,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the check is on (`seen_max` > 0).
    pub fn enabled(&self) -> bool {
        self.max > 0
    }

    /// Claims `key` for a delivery about to be handled; see the module documentation.
    pub fn claim(&self, key: &str) -> Claim {
        if !self.enabled() {
            return Claim::New;
        }
        let h = hash(key);
        let now = Instant::now();
        let mut g = self.lock();
        if let Some(e) = g.map.get(&h).filter(|e| now < e.until) {
            return match e.state {
                State::Done => Claim::Duplicate,
                State::InFlight => Claim::InFlight,
            };
        }
        g.map.remove(&h);
        while g.map.len() >= self.max {
            let Some((seq, old)) = g.order.pop_front() else {
                break;
            };
            if g.map.get(&old).is_some_and(|e| e.seq == seq) {
                g.map.remove(&old);
            }
        }
        let seq = g.next_seq;
        g.next_seq += 1;
        g.map.insert(
            h,
            Entry {
                state: State::InFlight,
                until: now + self.claim_timeout,
                seq,
            },
        );
        g.order.push_back((seq, h));
        // Records of removed entries pile up only until they outnumber the live ones.
        if g.order.len() > 2 * self.max + 16 {
            let Inner { map, order, .. } = &mut *g;
            order.retain(|(s, k)| map.get(k).is_some_and(|e| e.seq == *s));
        }
        Claim::New
    }

    /// Settles a claim: `handled_ok` marks the key handled for `seen_ttl_ms`, else the claim
    /// is released. Returns whether `key` was claimed (false: unknown, lapsed or evicted).
    pub fn done(&self, key: &str, handled_ok: bool) -> bool {
        if !self.enabled() {
            return false;
        }
        let h = hash(key);
        let now = Instant::now();
        let mut g = self.lock();
        match g.map.get_mut(&h) {
            Some(e) if e.state == State::InFlight && now < e.until => {
                if handled_ok {
                    e.state = State::Done;
                    e.until = now + self.ttl;
                } else {
                    g.map.remove(&h);
                }
                true
            }
            _ => false,
        }
    }

    /// Keys remembered now (claimed or handled, lapsed ones included until they are dropped).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(max: usize) -> SeenSet {
        SeenSet::new(Duration::from_millis(200), Duration::from_millis(100), max)
    }

    #[test]
    fn claim_done_and_duplicates() {
        let s = set(10);
        assert_eq!(s.claim("a"), Claim::New);
        assert_eq!(s.claim("a"), Claim::InFlight);
        assert!(s.done("a", true));
        assert_eq!(s.claim("a"), Claim::Duplicate);
        assert!(!s.done("a", true), "already settled");
        // A failed handler releases the key: the retry is handled.
        assert_eq!(s.claim("b"), Claim::New);
        assert!(s.done("b", false));
        assert_eq!(s.claim("b"), Claim::New);
        assert!(!s.done("never", true));
    }

    #[test]
    fn ttl_and_claim_timeout() {
        let s = set(10);
        assert_eq!(s.claim("a"), Claim::New);
        std::thread::sleep(Duration::from_millis(120));
        assert!(!s.done("a", true), "the claim lapsed");
        assert_eq!(s.claim("a"), Claim::New);
        assert!(s.done("a", true));
        assert_eq!(s.claim("a"), Claim::Duplicate);
        std::thread::sleep(Duration::from_millis(220));
        assert_eq!(s.claim("a"), Claim::New, "forgotten after seen_ttl");
    }

    #[test]
    fn bounded_oldest_first() {
        let s = set(3);
        for k in ["a", "b", "c", "d"] {
            assert_eq!(s.claim(k), Claim::New);
            s.done(k, true);
        }
        assert_eq!(s.len(), 3);
        assert_eq!(s.claim("a"), Claim::New, "a was dropped");
        assert_eq!(s.claim("d"), Claim::Duplicate);
        for i in 0..10_000 {
            s.claim(&i.to_string());
        }
        assert!(s.len() <= 3);
        assert!(s.lock().order.len() <= 2 * 3 + 16);
    }

    #[test]
    fn off() {
        let s = set(0);
        assert_eq!(s.claim("a"), Claim::New);
        assert_eq!(s.claim("a"), Claim::New);
        assert!(!s.done("a", true));
    }
}
