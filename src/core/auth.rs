//! The access-token cache: one token per client, shared by all threads, fetched
//! by one thread at a time (single flight) and dropped when the server says it expired.

use super::secret::Secret;
use std::sync::{Arc, Mutex, RwLock};
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

#[derive(Debug, Default)]
pub struct TokenCache {
    current: RwLock<Option<Arc<Token>>>,
    /// Held while fetching, so concurrent callers wait for one fetch instead of each doing one.
    fetching: Mutex<()>,
}

impl TokenCache {
    fn fresh(&self) -> Option<Arc<Token>> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|t| t.is_fresh()).cloned()
    }

    /// The cached token, fresh or not, without waiting for a fetch in progress.
    pub fn current(&self) -> Option<Arc<Token>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The cached token, or a new one from `fetch` when there is none or it is
    /// about to expire. Only one thread runs `fetch` at a time; the others then
    /// use its result.
    pub fn get<E>(&self, fetch: impl FnOnce() -> Result<Token, E>) -> Result<Arc<Token>, E> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let _single_flight = self.fetching.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let token = Arc::new(fetch()?);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        Ok(token)
    }

    /// Forgets `used` after the server rejected it as expired, unless another
    /// thread already replaced it.
    pub fn invalidate(&self, used: &Arc<Token>) {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(|t| Arc::ptr_eq(t, used)) {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn caches_until_refresh_time() {
        let cache = TokenCache::default();
        let fetches = AtomicUsize::new(0);
        let fetch = || {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Token::new("t", Duration::from_secs(3600)))
        };
        let a = cache.get(fetch).unwrap();
        let b = cache.get(fetch).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        cache.invalidate(&a);
        cache.get(fetch).unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn expired_token_is_refetched() {
        let cache = TokenCache::default();
        let t = cache
            .get(|| Ok::<_, ()>(Token::new("t", Duration::ZERO)))
            .unwrap();
        let u = cache
            .get(|| Ok::<_, ()>(Token::new("u", Duration::from_secs(60))))
            .unwrap();
        assert!(!Arc::ptr_eq(&t, &u));
        assert_eq!(u.header_value.expose(), "Bearer u");
    }

    #[test]
    fn invalidating_a_stale_token_keeps_the_new_one() {
        let cache = TokenCache::default();
        let old = Arc::new(Token::new("old", Duration::from_secs(60)));
        let new = cache
            .get(|| Ok::<_, ()>(Token::new("new", Duration::from_secs(60))))
            .unwrap();
        cache.invalidate(&old);
        let again = cache.get(|| Err(())).unwrap();
        assert!(Arc::ptr_eq(&new, &again));
    }

    #[test]
    fn single_flight_under_contention() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, fetches, barrier) = (cache.clone(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    cache
                        .get(|| {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(50));
                            Ok::<_, ()>(Token::new("t", Duration::from_secs(60)))
                        })
                        .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
