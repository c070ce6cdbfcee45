//! Coordination when the library is built without its `coordination` feature: no redis
//! crate, and `coordination_url` refused when the client is made (config.rs), so no
//! [`Coordinator`] ever exists. The types keep the rest of the core free of `cfg`s.

use crate::core::batch::Limiter;
use crate::core::config::CoordinationConfig;
use crate::core::events::Event;
use crate::core::webhooks::Claim;
use crate::core::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// See the `coordination` feature's module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permits {
    Answered(Vec<Result<String, Duration>>),
    Fallback,
    OutOfTime,
}

/// Never made: it has no value.
#[derive(Debug)]
pub enum Coordinator {}

impl Coordinator {
    pub fn new(
        _: &CoordinationConfig,
        _: u32,
        _: u32,
        _: Option<&[u8]>,
    ) -> Result<Coordinator, Error> {
        Err(Error::invalid(
            "coordination_url is set, but this library was built without its coordination feature",
        ))
    }
    pub fn shown(&self) -> &str {
        match *self {}
    }
    pub fn lease_max(&self) -> u32 {
        match *self {}
    }
    pub fn interactive_limit(&self) -> u32 {
        match *self {}
    }
    pub fn batch_limit(&self, _: u32) -> u32 {
        match *self {}
    }
    pub fn round_trips(&self) -> u64 {
        match *self {}
    }
    pub fn lease_time(minute: Duration) -> Duration {
        minute
    }
    pub fn in_fallback(&self) -> bool {
        match *self {}
    }
    #[allow(clippy::too_many_arguments)]
    pub fn acquire(
        &self,
        _: &[&str],
        _: &[String],
        _: bool,
        _: u32,
        _: Duration,
        _: Option<Instant>,
        _: &dyn Fn(&Event<'_>),
    ) -> Permits {
        match *self {}
    }
    pub fn fallback_limiter(&self, _: Duration) -> Arc<Limiter> {
        match *self {}
    }
    pub fn claim_seen(&self, _: &str, _: Duration, _: &dyn Fn(&Event<'_>)) -> Option<Claim> {
        match *self {}
    }
    pub fn settle_seen(&self, _: &str, _: bool, _: Duration, _: &dyn Fn(&Event<'_>)) {
        match *self {}
    }
    pub fn claim_refresh(
        &self,
        _: &str,
        _: Duration,
        _: Option<Instant>,
        _: &dyn Fn(&Event<'_>),
    ) -> Option<Option<Duration>> {
        match *self {}
    }
    pub fn release_refresh(&self, _: &str, _: &dyn Fn(&Event<'_>)) {
        match *self {}
    }
}
