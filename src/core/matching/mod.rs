//! Owner match (issue 14): does an account belong to the person a caller's user claims to
//! be? Compares a claim (name, email, phone, address) with every owner of a Get Identity
//! response, offline, and scores each field 0-100.
//!
//! Score meaning (pinned by `tests/matching.rs`): at least 80 is the same value written
//! differently, below 50 a different value; 50-79 a partial match whose flags say why.
//! Each field's rules are in its file (`name.rs`, `email.rs`, `phone.rs`, `address.rs`),
//! the combination in `combine.rs`, the claim's format in `claim.rs`. `mk_match_owners` reads
//! the identity in the validator's own pass (`identity.rs`) and prepares each distinct owner
//! value once (`prepared.rs`). Nothing is logged and no error message carries a claimed or
//! owner value.

mod address;
mod business;
mod claim;
mod combine;
mod data;
mod email;
mod identity;
mod name;
mod nicknames;
mod person;
mod phone;
mod phone_db;
mod prepared;
mod records_gen;
mod regions;
mod street;
mod text;

pub use address::RawAddress;
pub use claim::Claim;
pub use combine::combine;
pub use prepared::PreparedIdentity;
/// The result records, generated from schema/moneykit.json `records`.
pub use records_gen::{AccountMatch, AddressScore, FieldScore, NameScore, OwnerMatch};
#[cfg(test)]
pub(crate) use text::MAX_VALUE_LEN;

use crate::core::model::IdentityResponse;
use crate::core::Error;

impl OwnerMatch {
    /// The result JSON documented in docs/C-API.md ("Owner match").
    pub fn to_json(&self) -> String {
        // About 300 bytes per account entry: one allocation for most results.
        let mut out = Vec::with_capacity(320 * (self.accounts.len() + 1));
        serde_json::to_writer(&mut out, self).expect("plain structs always serialise");
        // serde_json writes UTF-8 only.
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// Matches a prepared claim against a decoded identity (prepares the identity for this one
/// claim; to check many claims, build a `PreparedIdentity` once and call `match_claim`).
pub fn match_owners(identity: &IdentityResponse, claim: &Claim) -> OwnerMatch {
    let text = identity::IdentityText::of_model(identity);
    prepared::PreparedIdentity::for_claim(&text, claim).match_claim(claim)
}

/// The C API's operation: `claim_json` errors are `MK_ERR_INVALID_ARGUMENT`, an
/// `identity_json` the validator refuses is `MK_ERR_DECODE` with its `<path>: <problem>`.
pub fn match_owners_json(identity_json: &str, claim_json: &str) -> Result<String, Error> {
    let claim = Claim::from_json(claim_json)?;
    // Read by the validator's own pass, keeping only the owners' values and account ids.
    let identity = identity::read(identity_json).map_err(Error::decode)?;
    let prepared = prepared::PreparedIdentity::for_claim(&identity, &claim);
    Ok(prepared.match_claim(&claim).to_json())
}
