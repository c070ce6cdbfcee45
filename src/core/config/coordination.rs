//! The `coordination_*` client options (core::coordination; README "Scaling"): checked
//! whenever given, and resolved into a [`CoordinationConfig`] when a `coordination_url` is
//! set (the option, else `MONEYKIT_COORDINATION_URL`).

use super::{float, int, limits, millis, MAX_OPTION_LEN};
use crate::core::{Error, Secret};
use std::time::Duration;

/// The `coordination_*` options, checked (core::coordination; README "Scaling").
#[derive(Debug, Clone)]
pub struct CoordinationConfig {
    /// The Redis URL; it may hold a password.
    pub url: Secret,
    /// Names the app's keys (hashed): the client id.
    pub app_id: String,
    pub timeout: Duration,
    pub lease_max: u32,
    pub reserve_per_minute: u32,
    pub fallback_share: f64,
}

/// The `coordination_*` options as given.
pub(super) struct CoordinationOptions {
    pub(super) timeout_ms: Option<u64>,
    pub(super) lease_max: Option<u64>,
    pub(super) reserve_per_minute: Option<u64>,
    pub(super) fallback_share: Option<f64>,
}

/// The checked `coordination_*` options, or `None` without a `coordination_url`.
pub(super) fn coordination(
    url: Option<Secret>,
    app_id: Option<String>,
    opts: &CoordinationOptions,
    app_per_minute: u32,
) -> Result<Option<CoordinationConfig>, Error> {
    // Out of bounds is refused with or without a URL, as for every numeric option.
    let reserve = int(
        limits::COORDINATION_RESERVE_PER_MINUTE,
        opts.reserve_per_minute,
    )? as u32;
    let timeout = millis(limits::COORDINATION_TIMEOUT_MS, opts.timeout_ms)?;
    let lease_max = int(limits::COORDINATION_LEASE_MAX, opts.lease_max)? as u32;
    let fallback_share = float(limits::COORDINATION_FALLBACK_SHARE, opts.fallback_share)?;
    let Some(url) = url.filter(|u| !u.expose().is_empty()) else {
        return Ok(None);
    };
    if !cfg!(feature = "coordination") {
        return Err(Error::invalid(
            "coordination_url is set, but this library was built without its coordination feature",
        ));
    }
    // Never the URL in a message: it may hold a password.
    if url.expose().len() > MAX_OPTION_LEN || url.expose().chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "coordination_url must be at most {MAX_OPTION_LEN} bytes without control characters"
        )));
    }
    let app_id = app_id.ok_or_else(|| {
        Error::invalid(
            "coordination_url needs the app's client id (its keys are named by it): pass client_id or set MONEYKIT_CLIENT_ID, also with access_token",
        )
    })?;
    if reserve >= app_per_minute {
        return Err(Error::invalid(format!(
            "option coordination_reserve_per_minute ({reserve}) must be less than app_per_minute ({app_per_minute}): batches would get nothing"
        )));
    }
    Ok(Some(CoordinationConfig {
        url,
        app_id,
        timeout,
        lease_max,
        reserve_per_minute: reserve,
        fallback_share,
    }))
}
