//! The Redis key layout (README "Scaling", docs/C-API.md "Coordination"). Every key of one
//! app starts with `mk:{<app>}:`, where `<app>` is the first 16 hex digits of SHA-256 of
//! the client id: the braces are a Redis Cluster hash tag, so one app's keys live on one
//! shard and a script may touch several of them. Link ids and webhook keys are hashed
//! too (16 hex digits), so a key's length never depends on outside input.
//!
//! | key | type | holds | expires |
//! |---|---|---|---|
//! | `mk:{app}:app` | sorted set | one member per permit granted in the window (score: Redis `TIME`, ms) | one window after the last grant |
//! | `mk:{app}:link:<link>` | sorted set | the link's permits in the window | one window after its last grant |
//! | `mk:{app}:refresh:<link>` | string | the link's identity refresh of the day | one (scaled) day |
//! | `mk:{app}:seen:<key>` | string | `claimed` or `done` for a webhook delivery | `claim_timeout_ms` / `seen_ttl_ms` |

use ring::digest::{digest, SHA256};

/// The keys of one app.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

/// The first 8 bytes of SHA-256 of `text`, in hex.
fn short_hash(text: &str) -> String {
    digest(&SHA256, text.as_bytes()).as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Keys {
    pub fn new(app_id: &str) -> Keys {
        Keys {
            prefix: format!("mk:{{{}}}:", short_hash(app_id)),
        }
    }

    pub fn app(&self) -> String {
        format!("{}app", self.prefix)
    }

    pub fn link(&self, link_id: &str) -> String {
        format!("{}link:{}", self.prefix, short_hash(link_id))
    }

    pub fn refresh(&self, link_id: &str) -> String {
        format!("{}refresh:{}", self.prefix, short_hash(link_id))
    }

    pub fn seen(&self, idempotency_key: &str) -> String {
        format!("{}seen:{}", self.prefix, short_hash(idempotency_key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hash_tag_per_app_and_no_raw_ids() {
        let k = Keys::new("client-1");
        let tag = &k.app()[..k.app().find('}').unwrap() + 1];
        for key in [k.link("link_secret_id"), k.refresh("l"), k.seen("idem")] {
            assert!(key.starts_with(tag), "{key}");
            assert!(!key.contains("link_secret_id") && !key.contains("idem"));
        }
        assert_ne!(Keys::new("client-2").app(), k.app());
        assert_eq!(k.app().len(), "mk:{0123456789abcdef}:app".len());
    }
}
