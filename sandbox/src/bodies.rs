//! The fixture bodies, serialized once per process.

use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use crate::{fixtures, util};

const REFRESHED_PLACEHOLDER: &str = "@@REFRESHED_AT@@";

/// Pre-serialized bodies, built once per process.
pub struct Fixtures {
    pub ok: Vec<u8>,
    pub unicode: Vec<u8>,
    pub minimal: Vec<u8>,
    pub extra_fields: Vec<u8>,
    /// Built on first use (it takes a moment in debug builds).
    large: OnceLock<Vec<u8>>,
    /// `mk_sandbox_refreshing`, split around the refreshed_at placeholder.
    pub refreshing_parts: Vec<Vec<u8>>,
    pub deep: Vec<u8>,
}

impl Fixtures {
    /// The `mk_sandbox_refreshing` body for the request after `n` earlier ones.
    pub fn refreshing(&self, n: u64) -> Vec<u8> {
        let ts = util::rfc3339(fixtures::REFRESHED_AT_UNIX + n as i64);
        let mut body = Vec::new();
        for (i, part) in self.refreshing_parts.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(ts.as_bytes());
            }
            body.extend_from_slice(part);
        }
        body
    }

    pub fn large(&self) -> &[u8] {
        self.large
            .get_or_init(|| serde_json::to_vec(&fixtures::large()).expect("fixture serializes"))
    }
}

pub fn fixtures() -> Arc<Fixtures> {
    static F: OnceLock<Arc<Fixtures>> = OnceLock::new();
    static LARGE_STARTED: std::sync::Once = std::sync::Once::new();
    let f = F.get_or_init(|| {
        let ser = |v: &Value| serde_json::to_vec(v).expect("fixture serializes");
        let mut refreshing = fixtures::ok("mk_sandbox_refreshing");
        refreshing["link"]["products"]["identity"]["refreshed_at"] = json!(REFRESHED_PLACEHOLDER);
        refreshing["link"]["products"]["identity"]["last_attempted_at"] =
            json!(REFRESHED_PLACEHOLDER);
        let refreshing = String::from_utf8(ser(&refreshing)).expect("utf-8");
        let mut deep = Vec::with_capacity(200_000);
        deep.resize(100_000, b'[');
        deep.resize(200_000, b']');
        Arc::new(Fixtures {
            ok: ser(&fixtures::ok("mk_sandbox_ok")),
            unicode: ser(&fixtures::unicode()),
            minimal: ser(&fixtures::minimal()),
            extra_fields: ser(&fixtures::extra_fields()),
            large: OnceLock::new(),
            refreshing_parts: refreshing
                .split(REFRESHED_PLACEHOLDER)
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            deep,
        })
    });
    // Build the large body in the background so start-up stays fast and the first
    // `mk_sandbox_large` request is (usually) not slowed down.
    LARGE_STARTED.call_once(|| {
        let f = Arc::clone(f);
        let _ = std::thread::Builder::new()
            .name("sandbox-fixtures".to_string())
            .spawn(move || {
                f.large();
            });
    });
    Arc::clone(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_valid() {
        let f = fixtures();
        for body in [
            &f.ok[..],
            &f.unicode,
            &f.minimal,
            &f.extra_fields,
            f.large(),
        ] {
            let v: Value = serde_json::from_slice(body).unwrap();
            assert!(v["accounts"].is_array());
            assert!(v["link"]["link_id"].is_string());
        }
        let v: Value = serde_json::from_slice(&f.ok).unwrap();
        assert_eq!(v["accounts"].as_array().unwrap().len(), 2);
        assert_eq!(
            v["link"]["products"]["identity"]["refreshed_at"],
            "2023-02-16T09:14:11Z"
        );
        assert_eq!(
            util::rfc3339(fixtures::REFRESHED_AT_UNIX),
            fixtures::REFRESHED_AT
        );
        let s = String::from_utf8(f.ok.clone()).unwrap();
        assert!(s.contains("\"available\":340.12"));
        assert!(s.contains("\"current\":445.89"));
        assert!(s.contains("\"available\":500,"));
        let large: Value = serde_json::from_slice(f.large()).unwrap();
        assert_eq!(large["accounts"].as_array().unwrap().len(), 1000);
        assert_eq!(
            f.large().len(),
            3_545_125,
            "update the mk_sandbox_large doc in schema/moneykit.json, then make gen"
        );
        assert_eq!(f.refreshing_parts.len(), 3);
    }
}
