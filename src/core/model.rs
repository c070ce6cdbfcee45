//! The typed Get Identity response. The structs, the shape check and the path
//! walker are generated from schema/moneykit.json into `model_gen.rs`; this
//! file holds the little that is written by hand.

pub use super::canonical::Canonical;
pub use super::decimal::Decimal;
pub use super::model_gen::*;
pub use super::timestamp::{Timestamp, TimestampKind};

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// Decodes a body the validator accepts into the owned model; the error is the
/// validator's `<path>: <problem>` message.
pub fn parse_identity(body: &str) -> Result<IdentityResponse, String> {
    super::validate::validate_identity_str(body)?;
    serde_json::from_str(body).map_err(|_| {
        // The validator accepted the body, so the model must too; if it ever
        // does not, say so without echoing serde's text (it may quote values).
        "body: accepted by the validator but not by the model (a bug in moneykit-native)"
            .to_string()
    })
}

/// A map whose `null` entries are dropped (absent and null are the same).
pub(crate) fn non_null_entries<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let all = BTreeMap::<String, Option<T>>::deserialize(d)?;
    Ok(all
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}
