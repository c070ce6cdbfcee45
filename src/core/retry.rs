//! When to retry and how long to wait: exponential backoff with full jitter,
//! and `Retry-After` in either of its two forms.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// Backoff ceiling (docs/C-API.md, `retry_base_ms` in "Options JSON").
pub const MAX_BACKOFF: Duration = Duration::from_millis(8000);

/// Whether an HTTP status is worth another attempt.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Full-jitter backoff before attempt `retry` (0 for the first retry):
/// a uniform random delay in `[0, min(cap, base * 2^retry)]`.
pub fn backoff(base: Duration, retry: u32) -> Duration {
    let ceiling = base
        .checked_mul(1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF);
    let ms = ceiling.as_millis() as u64;
    if ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(random_u64() % (ms + 1))
}

/// A fresh random number from the OS-seeded hasher keys std already has; good
/// enough for jitter and free of extra dependencies.
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (a date in the
/// past means "now"). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge numbers saturate rather than fail: they still mean "too long to wait".
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 410, 422, 501, 505] {
            assert!(!is_retryable_status(s));
        }
    }

    #[test]
    fn backoff_is_bounded_by_exponential_ceiling_and_cap() {
        let base = Duration::from_millis(500);
        for _ in 0..200 {
            assert!(backoff(base, 0) <= Duration::from_millis(500));
            assert!(backoff(base, 1) <= Duration::from_millis(1000));
            assert!(backoff(base, 3) <= Duration::from_millis(4000));
            assert!(backoff(base, 10) <= MAX_BACKOFF);
            assert!(backoff(base, 1000) <= MAX_BACKOFF);
        }
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn backoff_is_jittered() {
        let base = Duration::from_millis(1000);
        let samples: std::collections::HashSet<_> = (0..50).map(|_| backoff(base, 2)).collect();
        assert!(samples.len() > 10, "jitter looks constant: {samples:?}");
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:39 GMT", now),
            Some(Duration::from_secs(2))
        );
        // RFC 850 and asctime forms are accepted too.
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:41 1994", now),
            Some(Duration::from_secs(4))
        );
        // A date in the past means "retry now".
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }
}
