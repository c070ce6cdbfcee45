//! An identity prepared once for many claims: every owner's names, emails, phones (parsed
//! to E.164 and checked for validity once) and addresses are normalised when the
//! `PreparedIdentity` is built, so a claim check only prepares the claim and compares.
//!
//! `mk_match_owners` (`match_owners_json`) builds one per call and matches one claim; a
//! caller checking many claims against the same identity builds it once. Both give the same
//! result, byte for byte (`tests/matching.rs`).

use super::address::{self, Parts, PreparedAddress};
use super::claim::Claim;
use super::data::Fnv;
use super::email::{self, PreparedEmail};
use super::identity::{AddressText, IdentityText, OwnerText};
use super::name::{self, PreparedName};
use super::phone::{self, PreparedPhone};
use super::{combine, OwnerMatch};
use crate::core::model::IdentityResponse;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash};

/// One owner's values: indices into the identity's prepared values ([`Values`]), in the
/// owner's order; values with nothing usable are left out (they never score).
#[derive(Debug, Clone, Default)]
pub(super) struct PreparedOwner {
    pub(super) names: Vec<u32>,
    pub(super) emails: Vec<u32>,
    pub(super) phones: Vec<u32>,
    pub(super) addresses: Vec<u32>,
}

/// Every distinct value of an identity's owners, prepared once: a value written the same
/// way twice (the same person owning two accounts, two owners at one address) is prepared,
/// and compared with a claim, once.
#[derive(Debug, Clone, Default)]
pub(super) struct Values {
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

/// The values seen so far, by their text, with their place among the prepared values
/// (`None`: nothing usable). A short list searched in order (an identity has a few owners),
/// a hash map from `SMALL` values on.
struct Seen<K> {
    list: Vec<(K, Option<u32>)>,
    map: HashMap<K, Option<u32>, BuildHasherDefault<Fnv>>,
}

const SMALL: usize = 16;

impl<K> Default for Seen<K> {
    fn default() -> Self {
        Seen {
            list: Vec::new(),
            map: HashMap::default(),
        }
    }
}

/// The index of `key`'s prepared value, preparing it (`prepare`) the first time.
fn intern<K: Hash + Eq + Copy, V>(
    seen: &mut Seen<K>,
    pool: &mut Vec<V>,
    key: K,
    prepare: impl FnOnce() -> Option<V>,
) -> Option<u32> {
    if let Some(&(_, i)) = seen.list.iter().find(|(k, _)| *k == key) {
        return i;
    }
    if let Some(&i) = seen.map.get(&key) {
        return i;
    }
    let i = prepare().map(|v| {
        pool.push(v);
        (pool.len() - 1) as u32
    });
    if seen.list.len() < SMALL {
        seen.list.push((key, i));
    } else {
        seen.map.insert(key, i);
    }
    i
}

/// The phone region of the owner's first address country (`None`: US).
fn phone_region<'t>(
    countries: &mut Vec<(&'t str, (bool, Option<&'static str>))>,
    owner: &'t OwnerText<'t>,
) -> Option<&'static str> {
    for country in owner.addresses.iter().filter_map(|a| a.country.as_deref()) {
        let known = countries.iter().find(|(c, _)| *c == country);
        let (is_country, region) = match known {
            Some(&(_, r)) => r,
            None => {
                let code = address::country_code(Some(country));
                let r = (code.is_some(), code.and_then(|c| phone::region(Some(&c))));
                if countries.len() < SMALL {
                    countries.push((country, r));
                }
                r
            }
        };
        if is_country {
            return region;
        }
    }
    None
}

/// Builds the prepared values while the owners are read.
#[derive(Default)]
struct Builder<'t> {
    values: Values,
    names: Seen<&'t str>,
    emails: Seen<&'t str>,
    /// By the region the number is parsed in and its text.
    phones: Seen<(Option<&'static str>, &'t str)>,
    addresses: Seen<&'t AddressText<'t>>,
    /// Countries as written: (is it a country at all, its phone region).
    countries: Vec<(&'t str, (bool, Option<&'static str>))>,
}

impl<'t> Builder<'t> {
    fn owner(&mut self, owner: &'t OwnerText<'t>, f: Fields) -> PreparedOwner {
        let mut out = PreparedOwner::default();
        let v = &mut self.values;
        if f.name {
            for n in &owner.names {
                out.names
                    .extend(intern(&mut self.names, &mut v.names, &**n, || {
                        name::prepare(n)
                    }));
            }
        }
        if f.email {
            for e in &owner.emails {
                out.emails
                    .extend(intern(&mut self.emails, &mut v.emails, &**e, || {
                        email::prepare(e)
                    }));
            }
        }
        if f.phone && !owner.phones.is_empty() {
            // The owner's numbers are parsed in the owner's first address country (else US).
            let region = phone_region(&mut self.countries, owner);
            for p in &owner.phones {
                let key = (region, &**p);
                let prepare = || phone::prepare(p, region);
                out.phones
                    .extend(intern(&mut self.phones, &mut v.phones, key, prepare));
            }
        }
        if f.address {
            for a in &owner.addresses {
                let prepare = || {
                    address::prepare_text(Parts {
                        street: a.street.as_deref(),
                        city: a.city.as_deref(),
                        region: a.region.as_deref(),
                        postal_code: a.postal_code.as_deref(),
                        country: a.country.as_deref(),
                    })
                };
                out.addresses
                    .extend(intern(&mut self.addresses, &mut v.addresses, a, prepare));
            }
        }
        out
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
    pub(super) values: Values,
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
        let mut b = Builder::default();
        let accounts = identity
            .accounts
            .iter()
            .map(|a| PreparedAccount {
                account_id: a.account_id.to_string(),
                owners: a.owners.iter().map(|o| b.owner(o, f)).collect(),
            })
            .collect();
        PreparedIdentity {
            accounts,
            values: b.values,
        }
    }

    /// Matches one prepared claim: the same result as `match_owners(identity, claim)`.
    pub fn match_claim(&self, claim: &Claim) -> OwnerMatch {
        combine::match_identity(self, claim)
    }
}
