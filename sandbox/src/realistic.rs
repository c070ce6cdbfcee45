//! The realistic mode's settings (rate limits, latency, time scale, refresh delay and
//! daily refresh limit), with every duration already divided by the time scale: the rest
//! of the sandbox works in real time only.

use std::io;
use std::time::Duration;

use crate::util::mix64;
use crate::Config;

/// MoneyKit's documented Get Identity limit per link: 3 calls per minute.
pub const MONEYKIT_RATE_LIMIT_LINK: u32 = 3;
/// MoneyKit's documented Get Identity limit per app: 600 calls per minute.
pub const MONEYKIT_RATE_LIMIT_APP: u32 = 600;
/// MoneyKit's documented identity refresh limit: 1 per link per day.
pub const MONEYKIT_REFRESH_PER_DAY: u32 = 1;
/// The default delay between a refresh request and `refreshed_at` advancing (service time).
pub const DEFAULT_REFRESH_DELAY: Duration = Duration::from_secs(10);

const MINUTE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(86_400);
const LATENCY_SEED: u64 = 0x1A7E_4C7F_5EED;

/// What `Config`'s realistic options mean in real time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rate_limit_link: Option<u32>,
    pub rate_limit_app: Option<u32>,
    pub refresh_per_day: Option<u32>,
    /// (mean, jitter), real time.
    pub latency: Option<(Duration, Duration)>,
    /// One minute of service time, in real time: the rate limits' window.
    pub minute: Duration,
    /// One day of service time, in real time: the refresh limit's window.
    pub day: Duration,
    /// Real time from a refresh request to `refreshed_at` advancing.
    pub refresh_delay: Duration,
}

fn scale(d: Duration, f: f64, what: &str) -> io::Result<Duration> {
    Duration::try_from_secs_f64(d.as_secs_f64() / f).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} divided by time_scale {f} does not fit a Duration"),
        )
    })
}

impl Settings {
    pub fn from_config(c: &Config) -> io::Result<Settings> {
        let f = c.time_scale;
        if !(f.is_finite() && f > 0.0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("time_scale must be a finite number > 0, not {f}"),
            ));
        }
        let latency = match c.latency {
            Some((mean, jitter)) => Some((
                scale(mean, f, "latency")?,
                scale(jitter, f, "latency jitter")?,
            )),
            None => None,
        };
        Ok(Settings {
            rate_limit_link: c.rate_limit_link,
            rate_limit_app: c.rate_limit_app,
            refresh_per_day: c.refresh_per_day,
            latency,
            minute: scale(MINUTE, f, "a minute")?,
            day: scale(DAY, f, "a day")?,
            refresh_delay: scale(c.refresh_delay, f, "refresh_delay")?,
        })
    }

    /// The latency of the `k`-th answer: uniform in mean ± jitter (never negative), from
    /// a deterministic sequence.
    pub fn latency(&self, k: u64) -> Duration {
        let Some((mean, jitter)) = self.latency else {
            return Duration::ZERO;
        };
        // 53 random bits → [0, 1), then → [-1, 1).
        let u = (mix64(LATENCY_SEED.wrapping_add(k)) >> 11) as f64 / (1u64 << 53) as f64;
        let secs = mean.as_secs_f64() + jitter.as_secs_f64() * (2.0 * u - 1.0);
        Duration::from_secs_f64(secs.max(0.0))
    }
}

/// A `Retry-After` value: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_and_latency() {
        let c = Config {
            time_scale: 60.0,
            latency: Some((Duration::from_millis(600), Duration::from_millis(300))),
            ..Config::default()
        };
        let s = Settings::from_config(&c).unwrap();
        assert_eq!(s.minute, Duration::from_secs(1));
        assert_eq!(s.day, Duration::from_secs(1440));
        assert!((s.refresh_delay.as_secs_f64() - 10.0 / 60.0).abs() < 1e-6);
        for k in 0..1000 {
            let l = s.latency(k);
            assert!(
                l >= Duration::from_millis(5) && l <= Duration::from_millis(15),
                "{l:?}"
            );
        }
        assert_eq!(s.latency(7), s.latency(7));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300] {
            let c = Config {
                time_scale: bad,
                ..Config::default()
            };
            assert!(Settings::from_config(&c).is_err(), "{bad}");
        }
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }
}
