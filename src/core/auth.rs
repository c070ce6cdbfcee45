//! The access-token cache: one token per client, shared by all threads. One
//! token request is in flight at a time (single flight): the other callers wait
//! for it and all get its result, the token or the same error, each waiting no
//! longer than its own deadline and stopping at once when cancelled.

use super::cancel::{CallControl, SLICE};
use super::secret::Secret;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A bearer token as sent: the whole `Authorization` header value.
#[derive(Debug)]
pub struct Token {
    pub header_value: Secret,
    refresh_at: Instant,
}

impl Token {
    /// A token valid for `expires_in`, refreshed a little early (a tenth of its
    /// life, at most 30 s) so it does not expire in flight.
    pub fn new(access_token: &str, expires_in: Duration) -> Token {
        let margin = (expires_in / 10).min(Duration::from_secs(30));
        Token {
            header_value: Secret::new(format!("Bearer {access_token}")),
            refresh_at: Instant::now() + expires_in.saturating_sub(margin),
        }
    }

    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }
}

/// Why a waiter stopped waiting for another thread's token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    Cancelled,
    DeadlineExceeded,
}

#[derive(Debug)]
struct State<E> {
    current: Option<Arc<Token>>,
    fetching: bool,
    /// Bumped when a fetch ends, so waiters know their fetch is over.
    generation: u64,
    /// The error of the fetch that ended at `generation`, for its waiters.
    last_error: Option<(u64, E)>,
}

#[derive(Debug)]
pub struct TokenCache<E> {
    state: Mutex<State<E>>,
    fetch_ended: Condvar,
}

impl<E> Default for TokenCache<E> {
    fn default() -> Self {
        TokenCache {
            state: Mutex::new(State {
                current: None,
                fetching: false,
                generation: 0,
                last_error: None,
            }),
            fetch_ended: Condvar::new(),
        }
    }
}

impl<E: Clone> TokenCache<E> {
    fn lock(&self) -> MutexGuard<'_, State<E>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached token, fresh or not, without waiting for a fetch in progress.
    pub fn current(&self) -> Option<Arc<Token>> {
        self.lock().current.clone()
    }

    /// The cached token, or a new one from `fetch` when there is none or it is
    /// about to expire. One caller runs `fetch`; the others wait for its result,
    /// each until its own deadline or cancellation (then `stop` says why).
    pub fn get(
        &self,
        control: &CallControl,
        fetch: impl FnOnce() -> Result<Token, E>,
        stop: impl Fn(WaitEnd) -> E,
    ) -> Result<Arc<Token>, E> {
        let mut st = self.lock();
        loop {
            if let Some(t) = st.current.as_ref().filter(|t| t.is_fresh()) {
                return Ok(t.clone());
            }
            if !st.fetching {
                break;
            }
            let waited_for = st.generation;
            while st.generation == waited_for {
                if control.is_cancelled() {
                    return Err(stop(WaitEnd::Cancelled));
                }
                let now = Instant::now();
                let slice = match control.deadline {
                    Some(d) if d <= now => return Err(stop(WaitEnd::DeadlineExceeded)),
                    Some(d) => (d - now).min(SLICE),
                    None => SLICE,
                };
                st = self
                    .fetch_ended
                    .wait_timeout(st, slice)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if let Some((g, e)) = &st.last_error {
                if *g == waited_for + 1 && st.generation == waited_for + 1 {
                    return Err(e.clone());
                }
            }
            // Otherwise the fetch succeeded (the loop returns its token) or a
            // newer fetch is already under way (the loop waits for that one).
        }
        st.fetching = true;
        drop(st);

        /// Ends the fetch even if `fetch` panics, so waiters are never stranded.
        struct EndFetch<'a, E: Clone>(&'a TokenCache<E>, Option<Result<Arc<Token>, E>>);
        impl<E: Clone> Drop for EndFetch<'_, E> {
            fn drop(&mut self) {
                let mut st = self.0.lock();
                st.fetching = false;
                st.generation += 1;
                let generation = st.generation;
                match self.1.take() {
                    Some(Ok(t)) => {
                        st.current = Some(t);
                        st.last_error = None;
                    }
                    Some(Err(e)) => st.last_error = Some((generation, e)),
                    None => st.last_error = None,
                }
                drop(st);
                self.0.fetch_ended.notify_all();
            }
        }
        let mut end = EndFetch(self, None);
        let result = fetch().map(Arc::new);
        end.1 = Some(result.clone());
        drop(end);
        result
    }

    /// Forgets `used` after the server rejected it as expired, unless another
    /// thread already replaced it.
    pub fn invalidate(&self, used: &Arc<Token>) {
        let mut st = self.lock();
        if st.current.as_ref().is_some_and(|t| Arc::ptr_eq(t, used)) {
            st.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cancel::CancelToken;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn none() -> CallControl {
        CallControl::default()
    }

    #[test]
    fn caches_until_refresh_time() {
        let cache = TokenCache::<()>::default();
        let fetches = AtomicUsize::new(0);
        let fetch = || {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Token::new("t", Duration::from_secs(3600)))
        };
        let a = cache.get(&none(), fetch, |_| ()).unwrap();
        let b = cache.get(&none(), fetch, |_| ()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        cache.invalidate(&a);
        cache.get(&none(), fetch, |_| ()).unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn expired_token_is_refetched() {
        let cache = TokenCache::<()>::default();
        let t = cache
            .get(
                &none(),
                || Ok::<_, ()>(Token::new("t", Duration::ZERO)),
                |_| (),
            )
            .unwrap();
        let u = cache
            .get(
                &none(),
                || Ok::<_, ()>(Token::new("u", Duration::from_secs(60))),
                |_| (),
            )
            .unwrap();
        assert!(!Arc::ptr_eq(&t, &u));
        assert_eq!(u.header_value.expose(), "Bearer u");
    }

    #[test]
    fn invalidating_a_stale_token_keeps_the_new_one() {
        let cache = TokenCache::<()>::default();
        let old = Arc::new(Token::new("old", Duration::from_secs(60)));
        let new = cache
            .get(
                &none(),
                || Ok::<_, ()>(Token::new("new", Duration::from_secs(60))),
                |_| (),
            )
            .unwrap();
        cache.invalidate(&old);
        let again = cache.get(&none(), || Err(()), |_| ()).unwrap();
        assert!(Arc::ptr_eq(&new, &again));
    }

    #[test]
    fn single_flight_under_contention() {
        let cache = Arc::new(TokenCache::<()>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, fetches, barrier) = (cache.clone(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    cache
                        .get(
                            &none(),
                            || {
                                fetches.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(50));
                                Ok::<_, ()>(Token::new("t", Duration::from_secs(60)))
                            },
                            |_| (),
                        )
                        .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    /// The probe from the issue: 5 waiters behind a token endpoint that fails
    /// after a while all get that one failure, from one request, at once.
    #[test]
    fn waiters_share_the_fetchers_error() {
        let cache = Arc::new(TokenCache::<&'static str>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(5));
        let started = Instant::now();
        let threads: Vec<_> = (0..5)
            .map(|_| {
                let (cache, fetches, barrier) = (cache.clone(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let r = cache.get(
                        &none(),
                        || {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(300));
                            Err("server error")
                        },
                        |_| "stopped",
                    );
                    (r.unwrap_err(), started.elapsed())
                })
            })
            .collect();
        for t in threads {
            let (err, took) = t.join().unwrap();
            assert_eq!(err, "server error");
            assert!(
                took < Duration::from_millis(600),
                "{took:?}: waiters queued"
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_waiter_stops_at_its_deadline_or_cancel() {
        let cache = Arc::new(TokenCache::<&'static str>::default());
        let c2 = cache.clone();
        let fetcher = std::thread::spawn(move || {
            c2.get(
                &none(),
                || {
                    std::thread::sleep(Duration::from_millis(800));
                    Ok(Token::new("t", Duration::from_secs(60)))
                },
                |_| "stopped",
            )
            .is_ok()
        });
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        let soon = CallControl {
            deadline: Some(Instant::now() + Duration::from_millis(100)),
            cancel: None,
        };
        let r = cache.get(
            &soon,
            || unreachable!("one fetch at a time"),
            |w| {
                assert_eq!(w, WaitEnd::DeadlineExceeded);
                "deadline"
            },
        );
        assert_eq!(r.unwrap_err(), "deadline");
        assert!(started.elapsed() < Duration::from_millis(300));

        let cancel = CancelToken::new();
        let control = CallControl {
            deadline: None,
            cancel: Some(cancel.clone()),
        };
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        });
        let started = Instant::now();
        let r = cache.get(
            &control,
            || unreachable!(),
            |w| {
                assert_eq!(w, WaitEnd::Cancelled);
                "cancelled"
            },
        );
        assert_eq!(r.unwrap_err(), "cancelled");
        assert!(started.elapsed() < Duration::from_millis(300));
        canceller.join().unwrap();
        assert!(fetcher.join().unwrap());
    }

    #[test]
    fn a_panicking_fetch_does_not_strand_waiters() {
        let cache = TokenCache::<()>::default();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cache.get(&none(), || panic!("boom"), |_| ())
        }));
        assert!(r.is_err());
        let t = cache.get(
            &none(),
            || Ok(Token::new("t", Duration::from_secs(60))),
            |_| (),
        );
        assert!(t.is_ok());
    }
}
