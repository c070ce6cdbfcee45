//! Webhook event bodies: the fields every event has (`webhook_event`,
//! `webhook_major_version` 1, `webhook_minor_version` 0, `webhook_idempotency_key`,
//! `webhook_timestamp`, `link_id`, `link_tags`) and each event's own. A body is made once,
//! at its first attempt, and every retry and duplicate sends the same bytes.

use std::sync::OnceLock;
use std::time::Instant;

use serde_json::{json, Value};

use crate::util;
use crate::Shared;

/// The `error_message` of a failed refresh (`mk_webhook_refresh_failed`).
pub const REFRESH_FAILED_MESSAGE: &str =
    "The institution did not respond; the identity could not be refreshed.";

/// How `state_changed_at` is set (if at all).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stamp {
    /// No `state_changed_at`.
    None,
    /// This Unix time.
    Fixed(i64),
    /// When the body is made (its first attempt).
    Now,
    /// The link's `refreshed_at` when the body is made (the refresh just completed).
    RefreshedAt,
}

pub struct Event {
    pub name: String,
    pub link_id: String,
    pub tags: Vec<String>,
    pub key: String,
    /// The event's own fields (an object).
    fields: Value,
    stamp: Stamp,
    body: OnceLock<Vec<u8>>,
}

impl Event {
    pub fn new(
        name: &str,
        link_id: &str,
        tags: &[String],
        key: String,
        fields: Value,
        stamp: Stamp,
    ) -> Event {
        Event {
            name: name.to_string(),
            link_id: link_id.to_string(),
            tags: tags.to_vec(),
            key,
            fields,
            stamp,
            body: OnceLock::new(),
        }
    }

    /// `state` of the event, if it has one (for the delivery log).
    pub fn state(&self) -> Option<String> {
        self.fields
            .get("state")
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The body (made at the first call).
    pub fn body(&self, shared: &Shared) -> &[u8] {
        self.body.get_or_init(|| self.make(shared))
    }

    fn make(&self, shared: &Shared) -> Vec<u8> {
        let now = super::unix_now();
        let mut v = json!({
            "webhook_event": self.name,
            "webhook_major_version": 1,
            "webhook_minor_version": 0,
            "webhook_idempotency_key": self.key,
            "webhook_timestamp": util::rfc3339(now),
            "link_id": self.link_id,
            "link_tags": self.tags,
        });
        if let (Some(obj), Some(own)) = (v.as_object_mut(), self.fields.as_object()) {
            for (k, x) in own {
                obj.insert(k.clone(), x.clone());
            }
        }
        let changed = match self.stamp {
            Stamp::None => None,
            Stamp::Fixed(t) => Some(t),
            Stamp::Now => Some(now),
            Stamp::RefreshedAt => Some(
                shared
                    .tracker
                    .refreshed_at(&self.link_id, Instant::now())
                    .unwrap_or(now),
            ),
        };
        if let Some(t) = changed {
            v["state_changed_at"] = Value::String(util::rfc3339(t));
        }
        serde_json::to_vec(&v).unwrap_or_default()
    }
}

/// The fields of a test delivery of `event` (one of `super::TEST_EVENTS`).
pub fn test_fields(event: &str) -> (Value, Stamp) {
    match event {
        "link.state_changed" => (json!({"state": "connected"}), Stamp::None),
        "transactions.updates_available" => (json!({"has_history": true}), Stamp::None),
        // link.product_refresh, product.state_changed
        _ => (
            json!({"product": "identity", "state": "completed"}),
            Stamp::Now,
        ),
    }
}
