//! Opt-in diagnostics: one line per HTTP attempt on stderr. Lines carry the
//! method, path, status, attempt, elapsed time and request id, never owner
//! data, secrets, tokens or query strings.

use serde::Deserialize;
use std::io::Write;
use std::time::Duration;

/// Verbosity, from the `log_level` option or the `MONEYKIT_LOG` environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Warn,
    Info,
    Debug,
}

impl Level {
    /// `MONEYKIT_LOG=debug|info|warn|off`; anything else (or unset) is off.
    pub fn from_env() -> Level {
        match std::env::var("MONEYKIT_LOG").as_deref() {
            Ok("debug") => Level::Debug,
            Ok("info") => Level::Info,
            Ok("warn") => Level::Warn,
            _ => Level::Off,
        }
    }
}

/// What one attempt did, for the log line.
pub struct Attempt<'a> {
    pub method: &'a str,
    /// Path only: the query may carry account ids and is left out.
    pub path: &'a str,
    /// HTTP status, or None when no response arrived.
    pub http_status: Option<u16>,
    /// The library status name of the outcome.
    pub outcome: &'a str,
    pub attempt: u32,
    pub elapsed: Duration,
    pub request_id: Option<&'a str>,
}

/// Writes the attempt's line if `level` lets it through: failures from `warn`,
/// successes from `info`, token requests only at `debug`.
pub fn attempt(level: Level, line: &Attempt<'_>, is_token_request: bool) {
    let needed = if is_token_request {
        Level::Debug
    } else if line.outcome == "MK_OK" {
        Level::Info
    } else {
        Level::Warn
    };
    if level < needed || level == Level::Off {
        return;
    }
    let tag = match needed {
        Level::Warn => "warn",
        Level::Debug => "debug",
        _ => "info",
    };
    let status = line
        .http_status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "-".into());
    // One write call per line so lines from concurrent threads do not interleave.
    let text = format!(
        "moneykit-native {tag}: {} {} status={status} outcome={} attempt={} elapsed_ms={} request_id={}\n",
        line.method,
        line.path,
        line.outcome,
        line.attempt,
        line.elapsed.as_millis(),
        line.request_id.unwrap_or("-"),
    );
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
