//! The batch's options JSON (`mk_batch_start`): all keys optional, `null` is
//! the default, unknown keys, wrong types and numbers out of range are refused.

use crate::core::input_json;
use crate::core::Error;
use serde::Deserialize;

/// MoneyKit's documented limits: 600 calls per minute per app, 3 Get Identity
/// calls per minute per link (docs/moneykit-api.md).
pub(crate) const DEFAULT_APP_PER_MINUTE: u32 = 600;
pub(crate) const DEFAULT_LINK_PER_MINUTE: u32 = 3;
pub(crate) const DEFAULT_CONCURRENCY: usize = 16;

/// The keys `BatchOptions::from_json` accepts, in documentation order.
pub const BATCH_OPTION_KEYS: [&str; 4] = [
    "concurrency",
    "app_per_minute",
    "link_per_minute",
    "time_scale",
];

#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    /// Worker threads, each with at most one call in flight (1 ..= 256).
    pub concurrency: usize,
    /// Requests started per minute, all links together (1 ..= 1_000_000).
    pub app_per_minute: u32,
    /// Requests started per minute for one link (1 ..= 1000).
    pub link_per_minute: u32,
    /// Divides every period by this (1 ..= 10000): a minute lasts `60 / time_scale`
    /// seconds, matching the sandbox's `--time-scale` in tests and benches.
    pub time_scale: f64,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            concurrency: DEFAULT_CONCURRENCY,
            app_per_minute: DEFAULT_APP_PER_MINUTE,
            link_per_minute: DEFAULT_LINK_PER_MINUTE,
            time_scale: 1.0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    concurrency: Option<u64>,
    app_per_minute: Option<u64>,
    link_per_minute: Option<u64>,
    time_scale: Option<f64>,
}

fn bounded(key: &str, v: Option<u64>, min: u64, max: u64, default: u64) -> Result<u64, Error> {
    match v {
        None => Ok(default),
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(Error::invalid(format!(
            "batch option {key} = {n} is out of range ({min} .. {max})"
        ))),
    }
}

impl BatchOptions {
    /// Parses the options JSON; NULL (None) or `{}` is all defaults.
    pub fn from_json(text: Option<&str>) -> Result<BatchOptions, Error> {
        let Some(text) = text else {
            return Ok(BatchOptions::default());
        };
        let wire: Wire = input_json::decode_object(text, "batch option")
            .map_err(|e| Error::invalid(format!("batch options_json: {e}")))?;
        let d = BatchOptions::default();
        let time_scale = match wire.time_scale {
            None => 1.0,
            Some(f) if (1.0..=10_000.0).contains(&f) => f,
            Some(f) => {
                return Err(Error::invalid(format!(
                    "batch option time_scale = {f} is out of range (1 .. 10000)"
                )))
            }
        };
        Ok(BatchOptions {
            concurrency: bounded(
                "concurrency",
                wire.concurrency,
                1,
                256,
                d.concurrency as u64,
            )? as usize,
            app_per_minute: bounded(
                "app_per_minute",
                wire.app_per_minute,
                1,
                1_000_000,
                u64::from(d.app_per_minute),
            )? as u32,
            link_per_minute: bounded(
                "link_per_minute",
                wire.link_per_minute,
                1,
                1000,
                u64::from(d.link_per_minute),
            )? as u32,
            time_scale,
        })
    }

    /// How long a "minute" lasts at this time scale.
    pub fn minute(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(60.0 / self.time_scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        assert_eq!(
            BatchOptions::from_json(None).unwrap(),
            BatchOptions::default()
        );
        assert_eq!(
            BatchOptions::from_json(Some("{}")).unwrap(),
            BatchOptions::default()
        );
        let o = BatchOptions::from_json(Some(
            r#"{"concurrency": 4, "app_per_minute": 1200, "link_per_minute": null, "time_scale": 60}"#,
        ))
        .unwrap();
        assert_eq!(o.concurrency, 4);
        assert_eq!(o.app_per_minute, 1200);
        assert_eq!(o.link_per_minute, 3);
        assert_eq!(o.minute(), std::time::Duration::from_secs(1));
    }

    #[test]
    fn refusals() {
        for bad in [
            r#"{"concurency": 4}"#,
            r#"{"concurrency": 0}"#,
            r#"{"concurrency": 257}"#,
            r#"{"concurrency": "4"}"#,
            r#"{"app_per_minute": -1}"#,
            r#"{"link_per_minute": 0}"#,
            r#"{"time_scale": 0.5}"#,
            r#"[]"#,
            "not json",
        ] {
            let e = BatchOptions::from_json(Some(bad)).unwrap_err();
            assert_eq!(e.status, crate::core::Status::MkErrInvalidArgument, "{bad}");
        }
        let e = BatchOptions::from_json(Some(r#"{"concurency": 4}"#)).unwrap_err();
        assert!(e.message.contains("concurency"), "{}", e.message);
    }
}
