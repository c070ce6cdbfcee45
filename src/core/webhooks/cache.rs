//! The verifier's key cache: the last key set fetched, how long it is fresh, and the rules
//! that keep fetching rare and shared.
//!
//! - Fresh keys (younger than `jwks_ttl_ms`, or the response's smaller `Cache-Control:
//!   max-age`) with the wanted `kid` are used at once: no I/O, one short lock.
//! - A fetch is wanted when there are no keys, when they are no longer fresh, or when the
//!   `kid` is not among fresh keys (a new key after a rotation). It is made only when the
//!   last fetch started at least `jwks_refetch_ms` ago, so a flood of forged `kid`s (or a
//!   down endpoint) costs at most one request per interval.
//! - Single flight: one caller fetches; the others wait for its outcome, each until its own
//!   deadline or cancellation, then look again.
//! - Keys that are no longer fresh stay in use, while a new set cannot be had, until they are
//!   [`MAX_AGE`] old (MoneyKit asks for at most 24 hours): a rotated-out key keeps verifying
//!   until the cache drops it, and an endpoint that is down does not stop verification.
//! - When the latest fetch failed and the `kid` is not among the keys still in use, the
//!   caller gets that fetch's error (its transport, timeout or HTTP status; the application
//!   answers 5xx so MoneyKit retries later), not `kid_unknown`.

use super::jwks::KeySet;
use crate::core::cancel::{CallControl, SLICE};
use crate::core::{Error, Status};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The oldest key set ever used: 24 hours after its fetch.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// A fetched set, with when it was fetched and until when it is fresh.
#[derive(Debug)]
struct Cached {
    set: KeySet,
    fetched_at: Instant,
    fresh_until: Instant,
}

/// What the cache knows about a `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The key's uncompressed P-256 point.
    Found([u8; 65]),
    /// Not among the keys in use. `ignored`: the set has an entry with this kid that is not an
    /// EC P-256 ES256 key. `fetched`: this call fetched the set (or waited for a fetch).
    Unknown { ignored: bool, fetched: bool },
}

/// A successful fetch: the set and the response's `Cache-Control: max-age`, if any.
pub struct Fetched {
    pub set: KeySet,
    pub max_age: Option<Duration>,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<Cached>>,
    fetching: bool,
    /// Bumped when a fetch ends.
    generation: u64,
    /// When the last fetch started (successful or not).
    last_fetch: Option<Instant>,
    /// The error of the latest fetch, when it failed (cleared by a successful one).
    last_error: Option<Error>,
    /// Fetches made, for tests and the bench.
    fetches: u64,
}

pub struct KeyCache {
    state: Mutex<State>,
    fetch_ended: Condvar,
    ttl: Duration,
    refetch: Duration,
}

impl KeyCache {
    pub fn new(ttl: Duration, refetch: Duration) -> KeyCache {
        KeyCache {
            state: Mutex::new(State::default()),
            fetch_ended: Condvar::new(),
            ttl: ttl.min(MAX_AGE),
            refetch,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many fetches this cache started.
    pub fn fetches(&self) -> u64 {
        self.lock().fetches
    }

    /// The key for `kid`: from fresh keys at once, else after at most one fetch (`fetch`,
    /// run by one caller at a time, within the rules above). `control` bounds any wait for
    /// another caller's fetch.
    pub fn lookup(
        &self,
        kid: &str,
        control: &CallControl,
        fetch: impl FnOnce() -> Result<Fetched, Error>,
    ) -> Result<Lookup, Error> {
        let mut fetch = Some(fetch);
        let mut fetched = false;
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            let fresh = st.keys.as_ref().filter(|c| now < c.fresh_until);
            if let Some(p) = fresh.and_then(|c| c.set.get(kid)) {
                return Ok(Lookup::Found(*p));
            }
            if st.fetching {
                st = self.wait(st, control)?;
                fetched = true;
                continue;
            }
            let allowed = st
                .last_fetch
                .map_or(true, |t| now.saturating_duration_since(t) >= self.refetch);
            if allowed {
                if let Some(f) = fetch.take() {
                    st = self.run_fetch(st, f);
                    fetched = true;
                    continue;
                }
            }
            // No (further) fetch: decide with the keys in use.
            let usable = st
                .keys
                .as_ref()
                .filter(|c| now.saturating_duration_since(c.fetched_at) < MAX_AGE);
            if let Some(p) = usable.and_then(|c| c.set.get(kid)) {
                return Ok(Lookup::Found(*p));
            }
            if let Some(e) = &st.last_error {
                return Err(e.clone());
            }
            let ignored = usable.is_some_and(|c| c.set.ignored(kid));
            return Ok(Lookup::Unknown { ignored, fetched });
        }
    }

    /// Waits until the fetch in progress ends (or `control` stops the wait).
    fn wait<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        control: &CallControl,
    ) -> Result<MutexGuard<'a, State>, Error> {
        let waited_for = st.generation;
        while st.generation == waited_for {
            if control.is_cancelled() {
                return Err(Error::new(Status::MkErrCancelled, "the call was cancelled"));
            }
            let now = Instant::now();
            let slice = match control.deadline {
                Some(d) if d <= now => {
                    return Err(Error::new(
                        Status::MkErrTimeout,
                        "the deadline elapsed while waiting for the webhook signing keys",
                    ))
                }
                Some(d) => (d - now).min(SLICE),
                None => SLICE,
            };
            st = self
                .fetch_ended
                .wait_timeout(st, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(st)
    }

    /// Runs `fetch` without the lock (others wait for it), then publishes its outcome.
    fn run_fetch<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        fetch: impl FnOnce() -> Result<Fetched, Error>,
    ) -> MutexGuard<'a, State> {
        st.fetching = true;
        st.fetches += 1;
        st.last_fetch = Some(Instant::now());
        drop(st);

        /// Ends the fetch even if `fetch` panics, so waiters are never stranded.
        struct End<'a>(&'a KeyCache, Option<Result<Fetched, Error>>);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                let cache = self.0;
                let mut st = cache.lock();
                st.fetching = false;
                st.generation += 1;
                match self.1.take() {
                    Some(Ok(f)) => {
                        let now = Instant::now();
                        let fresh_for = f.max_age.map_or(cache.ttl, |m| m.min(cache.ttl));
                        st.keys = Some(Arc::new(Cached {
                            set: f.set,
                            fetched_at: now,
                            fresh_until: now + fresh_for,
                        }));
                        st.last_error = None;
                    }
                    Some(Err(e)) => st.last_error = Some(e),
                    None => st.last_error = Some(Error::new(
                        Status::MkErrInternal,
                        "internal error: the webhook key fetch panicked (please report this bug)",
                    )),
                }
                drop(st);
                cache.fetch_ended.notify_all();
            }
        }
        let mut end = End(self, None);
        end.1 = Some(fetch());
        drop(end);
        self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::webhooks::jwks;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn set(kids: &[&str]) -> KeySet {
        let x = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
        let keys: Vec<String> = kids
            .iter()
            .map(|k| format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{x}","kid":"{k}"}}"#))
            .collect();
        jwks::parse(format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes()).unwrap()
    }

    fn ok(kids: &'static [&'static str]) -> impl FnOnce() -> Result<Fetched, Error> {
        move || {
            Ok(Fetched {
                set: set(kids),
                max_age: None,
            })
        }
    }

    #[test]
    fn fresh_keys_need_no_fetch_and_unknown_kids_are_rate_limited() {
        let cache = KeyCache::new(Duration::from_secs(3600), Duration::from_millis(200));
        let c = CallControl::default();
        assert!(matches!(
            cache.lookup("a", &c, ok(&["a"])).unwrap(),
            Lookup::Found(_)
        ));
        assert!(matches!(
            cache.lookup("a", &c, ok(&["a"])).unwrap(),
            Lookup::Found(_)
        ));
        assert_eq!(cache.fetches(), 1);
        for _ in 0..100 {
            let l = cache.lookup("forged", &c, ok(&["a"])).unwrap();
            assert!(matches!(l, Lookup::Unknown { .. }));
        }
        assert_eq!(cache.fetches(), 1, "within the refetch interval");
        std::thread::sleep(Duration::from_millis(250));
        // A new key appears after a rotation: one refetch finds it.
        assert!(matches!(
            cache.lookup("b", &c, ok(&["b"])).unwrap(),
            Lookup::Found(_)
        ));
        assert_eq!(cache.fetches(), 2);
        // "a" was rotated out of the new set: unknown now.
        assert!(matches!(
            cache.lookup("a", &c, ok(&["b"])).unwrap(),
            Lookup::Unknown { .. }
        ));
    }

    #[test]
    fn a_failed_fetch_keeps_the_old_keys() {
        let cache = KeyCache::new(Duration::from_millis(100), Duration::from_millis(100));
        let c = CallControl::default();
        cache.lookup("a", &c, ok(&["a"])).unwrap();
        std::thread::sleep(Duration::from_millis(150));
        let down = || Err(Error::new(Status::MkErrTransport, "down"));
        assert!(matches!(
            cache.lookup("a", &c, down).unwrap(),
            Lookup::Found(_)
        ));
        assert_eq!(cache.fetches(), 2);
        // An unknown kid while the endpoint is down: the fetch's error, not kid_unknown.
        let e = cache.lookup("new", &c, down).unwrap_err();
        assert_eq!(e.status, Status::MkErrTransport);
        assert_eq!(cache.fetches(), 2);
    }

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(KeyCache::new(
            Duration::from_secs(60),
            Duration::from_secs(60),
        ));
        let calls = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let calls = calls.clone();
                std::thread::spawn(move || {
                    cache
                        .lookup("a", &CallControl::default(), || {
                            calls.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            ok(&["a"])()
                        })
                        .unwrap()
                })
            })
            .collect();
        for t in threads {
            assert!(matches!(t.join().unwrap(), Lookup::Found(_)));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn max_age_shortens_freshness() {
        let cache = KeyCache::new(Duration::from_secs(3600), Duration::from_millis(50));
        let c = CallControl::default();
        let short = || {
            Ok(Fetched {
                set: set(&["a"]),
                max_age: Some(Duration::from_millis(50)),
            })
        };
        cache.lookup("a", &c, short).unwrap();
        std::thread::sleep(Duration::from_millis(80));
        cache.lookup("a", &c, short).unwrap();
        assert_eq!(cache.fetches(), 2);
    }
}
