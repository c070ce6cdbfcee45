//! An identity prepared once for many claims: every owner's names, emails, phones (parsed
//! to E.164 and checked for validity once) and addresses are normalised when the
//! `PreparedIdentity` is built, so a claim check only prepares the claim and compares.
//!
//! `mk_match_owners` (`match_owners_json`) builds one per call and matches one claim; a
//! caller checking many claims against the same identity builds it once. Both give the same
//! result, byte for byte (`tests/matching.rs`).

use super::address::{self, Parts, PreparedAddress};
use super::claim::Claim;
use super::email::{self, PreparedEmail};
use super::identity::{IdentityText, OwnerText};
use super::name::{self, PreparedName};
use super::phone::{self, PreparedPhone};
use super::{combine, OwnerMatch};
use crate::core::model::IdentityResponse;

/// One owner's values, each prepared once; values with nothing usable are left out (they
/// never score).
#[derive(Debug, Clone)]
pub(super) struct PreparedOwner {
    pub(super) names: Vec<PreparedName>,
    pub(super) emails: Vec<PreparedEmail>,
    pub(super) phones: Vec<PreparedPhone>,
    pub(super) addresses: Vec<PreparedAddress>,
}

/// Which fields to prepare: all of them for many claims, only the claimed ones for one.
#[derive(Debug, Clone, Copy)]
struct Fields {
    name: bool,
    email: bool,
    phone: bool,
    address: bool,
}

impl PreparedOwner {
    fn new(owner: &OwnerText, f: Fields) -> PreparedOwner {
        let names = f
            .name
            .then(|| owner.names.iter().filter_map(|n| name::prepare(n)));
        let emails = f
            .email
            .then(|| owner.emails.iter().filter_map(|e| email::prepare(e)));
        let phones = f.phone.then(|| {
            // The owner's numbers are parsed in the owner's first address country (else US).
            let region = owner
                .addresses
                .iter()
                .find_map(|a| address::country_code(a.country.as_deref()))
                .and_then(|c| phone::region(Some(&c)));
            let numbers = owner.phones.iter();
            numbers.filter_map(move |p| phone::prepare(p, region))
        });
        let addresses = f.address.then(|| {
            owner.addresses.iter().filter_map(|a| {
                address::prepare_text(Parts {
                    street: a.street.as_deref(),
                    city: a.city.as_deref(),
                    region: a.region.as_deref(),
                    postal_code: a.postal_code.as_deref(),
                    country: a.country.as_deref(),
                })
            })
        });
        PreparedOwner {
            names: names.into_iter().flatten().collect(),
            emails: emails.into_iter().flatten().collect(),
            phones: phones.into_iter().flatten().collect(),
            addresses: addresses.into_iter().flatten().collect(),
        }
    }
}

/// One account: its id and its owners, in response order.
#[derive(Debug, Clone)]
pub(super) struct PreparedAccount {
    pub(super) account_id: String,
    pub(super) owners: Vec<PreparedOwner>,
}

/// A Get Identity response's owners, prepared once for any number of claims.
#[derive(Debug, Clone)]
pub struct PreparedIdentity {
    pub(super) accounts: Vec<PreparedAccount>,
}

impl PreparedIdentity {
    /// Prepares every owner of every account of a decoded identity.
    pub fn new(identity: &IdentityResponse) -> PreparedIdentity {
        let all = Fields {
            name: true,
            email: true,
            phone: true,
            address: true,
        };
        PreparedIdentity::with_fields(&IdentityText::of_model(identity), all)
    }

    /// Prepares only the fields `claim` gives (the others are never compared): the one-shot
    /// `match_owners` path, the same result as `new` for this claim.
    pub(super) fn for_claim(identity: &IdentityText, claim: &Claim) -> PreparedIdentity {
        let fields = Fields {
            name: claim.name.is_some(),
            email: claim.email.is_some(),
            phone: claim.phone.is_some(),
            address: claim.address.is_some(),
        };
        PreparedIdentity::with_fields(identity, fields)
    }

    fn with_fields(identity: &IdentityText, f: Fields) -> PreparedIdentity {
        PreparedIdentity {
            accounts: identity
                .accounts
                .iter()
                .map(|a| PreparedAccount {
                    account_id: a.account_id.to_string(),
                    owners: a.owners.iter().map(|o| PreparedOwner::new(o, f)).collect(),
                })
                .collect(),
        }
    }

    /// Matches one prepared claim: the same result as `match_owners(identity, claim)`.
    pub fn match_claim(&self, claim: &Claim) -> OwnerMatch {
        combine::match_identity(self, claim)
    }
}
