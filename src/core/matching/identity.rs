//! An identity read for matching: the one validator's shape check (`crate::core::validate`,
//! "reading into a builder") reads the body and keeps only what matching compares (each
//! account's id and its owners' names, addresses, phone numbers and emails), borrowed from
//! the body where it holds no escape. One pass, the validator's rules: it accepts exactly
//! the bodies `mk_validate_identity` accepts and refuses the others with the validator's
//! `<path>: <problem>` (tests: `read_tests.rs`). Members matching does not use are read as
//! the validator's own types (`model_gen::shape`) and dropped.
//!
//! The object declarations below repeat `model_gen::shape`'s (keys, types, required
//! members); the agreement tests fail when the schema changes one of them.

use crate::core::model::IdentityResponse;
use crate::core::model_gen::shape;
use crate::core::validate::{
    read_identity, read_option, read_seq, shape_object, Key, Nest, Read, Str,
};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::marker::PhantomData;

/// An owner's values as written.
#[derive(Debug, Default)]
pub(super) struct OwnerText<'a> {
    pub(super) names: Vec<Cow<'a, str>>,
    pub(super) addresses: Vec<AddressText<'a>>,
    pub(super) phones: Vec<Cow<'a, str>>,
    pub(super) emails: Vec<Cow<'a, str>>,
}

/// An address's parts as written.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub(super) struct AddressText<'a> {
    pub(super) street: Option<Cow<'a, str>>,
    pub(super) city: Option<Cow<'a, str>>,
    pub(super) region: Option<Cow<'a, str>>,
    pub(super) postal_code: Option<Cow<'a, str>>,
    pub(super) country: Option<Cow<'a, str>>,
}

/// An account: its id and its owners.
#[derive(Debug, Default)]
pub(super) struct AccountText<'a> {
    pub(super) account_id: Cow<'a, str>,
    pub(super) owners: Vec<OwnerText<'a>>,
}

/// What matching reads of an identity.
#[derive(Debug, Default)]
pub(super) struct IdentityText<'a> {
    pub(super) accounts: Vec<AccountText<'a>>,
}

/// Reads `body` for matching; the error is the validator's `<path>: <problem>`.
pub(super) fn read(body: &str) -> Result<IdentityText<'_>, String> {
    read_identity::<Reader, IdentityText>(&mut Reader { depth: 0 }, body)
}

impl<'a> IdentityText<'a> {
    /// The same values from a decoded identity (borrowed from it).
    pub(super) fn of_model(identity: &'a IdentityResponse) -> IdentityText<'a> {
        let text = |s: &'a Option<String>| s.as_deref().map(Cow::Borrowed);
        IdentityText {
            accounts: identity
                .accounts
                .iter()
                .map(|a| AccountText {
                    account_id: Cow::Borrowed(&a.account_id),
                    owners: a
                        .owners
                        .iter()
                        .map(|o| OwnerText {
                            names: o.names.iter().map(|n| Cow::Borrowed(n.as_str())).collect(),
                            addresses: o
                                .addresses
                                .iter()
                                .map(|a| AddressText {
                                    street: text(&a.street),
                                    city: text(&a.city),
                                    region: text(&a.region),
                                    postal_code: text(&a.postal_code),
                                    country: text(&a.country),
                                })
                                .collect(),
                            phones: o
                                .phone_numbers
                                .iter()
                                .map(|p| Cow::Borrowed(p.number.as_str()))
                                .collect(),
                            emails: o
                                .emails
                                .iter()
                                .map(|e| Cow::Borrowed(e.address.as_str()))
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The builder the shape check reads into (it keeps nothing itself: the values are the
/// objects read).
struct Reader {
    depth: usize,
}

impl Nest for Reader {
    fn depth(&mut self) -> &mut usize {
        &mut self.depth
    }
}

/// A string, borrowed from the body unless it holds an escape: the validator's string rule
/// (any JSON string, `deserialize_str`), as [`Key`] reads a member name.
struct Text<'de>(Cow<'de, str>);

impl<'de> Read<'de, Reader> for Text<'de> {
    #[inline]
    fn read<D: Deserializer<'de>>(_: &mut Reader, d: D) -> Result<Self, D::Error> {
        Key::deserialize(d).map(|k| Text(k.into_cow()))
    }
}

impl<'de, T: Read<'de, Reader>> Read<'de, Reader> for Option<T> {
    #[inline]
    fn read<D: Deserializer<'de>>(b: &mut Reader, d: D) -> Result<Self, D::Error> {
        read_option(b, d)
    }
}

/// An array of `T`s.
struct List<T>(Vec<T>);

impl<'de, T: Read<'de, Reader>> Read<'de, Reader> for List<T> {
    #[inline]
    fn read<D: Deserializer<'de>>(b: &mut Reader, d: D) -> Result<Self, D::Error> {
        let mut v = Vec::new();
        read_seq(b, d, |_, item: T| v.push(item))?;
        Ok(List(v))
    }
}

/// A value matching does not use, checked by the validator's own type and dropped.
struct Skip<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Read<'de, Reader> for Skip<T> {
    #[inline]
    fn read<D: Deserializer<'de>>(_: &mut Reader, d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|_| Skip(PhantomData))
    }
}

/// An email object's address.
struct EmailText<'de>(Cow<'de, str>);
/// A phone number object's number.
struct PhoneText<'de>(Cow<'de, str>);

// The objects: `model_gen::shape`'s members, keys and required members, in its order.

shape_object!(build Reader, IdentityText<'de> = IdentityText::default(), 2, {
    0 "accounts": List<AccountText<'de>> =>
        |o: &mut IdentityText<'de>, v: List<AccountText<'de>>| o.accounts = v.0,
    1 "link": Skip<shape::LinkCommon> => |_: &mut IdentityText<'de>, _| (),
}, required { 0 "accounts", 1 "link" });

shape_object!(build Reader, AccountText<'de> = AccountText::default(), 9, {
    0 "account_id": Text<'de> => |o: &mut AccountText<'de>, v: Text<'de>| o.account_id = v.0,
    1 "account_type": Skip<Str> => |_: &mut AccountText<'de>, _| (),
    2 "name": Skip<Str> => |_: &mut AccountText<'de>, _| (),
    3 "nickname": Skip<Option<Str>> => |_: &mut AccountText<'de>, _| (),
    4 "account_mask": Skip<Option<Str>> => |_: &mut AccountText<'de>, _| (),
    5 "balances": Skip<shape::AccountBalances> => |_: &mut AccountText<'de>, _| (),
    6 "original_id": Skip<Option<Str>> => |_: &mut AccountText<'de>, _| (),
    7 "closed": Skip<Option<bool>> => |_: &mut AccountText<'de>, _| (),
    8 "owners": List<OwnerText<'de>> =>
        |o: &mut AccountText<'de>, v: List<OwnerText<'de>>| o.owners = v.0,
}, required { 0 "account_id", 1 "account_type", 2 "name", 5 "balances", 8 "owners" });

shape_object!(build Reader, OwnerText<'de> = OwnerText::default(), 4, {
    0 "names": List<Text<'de>> => |o: &mut OwnerText<'de>, v: List<Text<'de>>| {
        o.names = v.0.into_iter().map(|t| t.0).collect()
    },
    1 "addresses": List<AddressText<'de>> =>
        |o: &mut OwnerText<'de>, v: List<AddressText<'de>>| o.addresses = v.0,
    2 "phone_numbers": List<PhoneText<'de>> => |o: &mut OwnerText<'de>, v: List<PhoneText<'de>>| {
        o.phones = v.0.into_iter().map(|t| t.0).collect()
    },
    3 "emails": List<EmailText<'de>> => |o: &mut OwnerText<'de>, v: List<EmailText<'de>>| {
        o.emails = v.0.into_iter().map(|t| t.0).collect()
    },
}, required { 0 "names", 1 "addresses", 2 "phone_numbers", 3 "emails" });

shape_object!(build Reader, AddressText<'de> = AddressText::default(), 6, {
    0 "city": Option<Text<'de>> =>
        |o: &mut AddressText<'de>, v: Option<Text<'de>>| o.city = v.map(|t| t.0),
    1 "country": Option<Text<'de>> =>
        |o: &mut AddressText<'de>, v: Option<Text<'de>>| o.country = v.map(|t| t.0),
    2 "postal_code": Option<Text<'de>> =>
        |o: &mut AddressText<'de>, v: Option<Text<'de>>| o.postal_code = v.map(|t| t.0),
    3 "region": Option<Text<'de>> =>
        |o: &mut AddressText<'de>, v: Option<Text<'de>>| o.region = v.map(|t| t.0),
    4 "street": Option<Text<'de>> =>
        |o: &mut AddressText<'de>, v: Option<Text<'de>>| o.street = v.map(|t| t.0),
    5 "primary": Skip<Option<bool>> => |_: &mut AddressText<'de>, _| (),
}, required {  });

shape_object!(build Reader, PhoneText<'de> = PhoneText(Cow::Borrowed("")), 3, {
    0 "number": Text<'de> => |o: &mut PhoneText<'de>, v: Text<'de>| o.0 = v.0,
    1 "primary": Skip<Option<bool>> => |_: &mut PhoneText<'de>, _| (),
    2 "type": Skip<Str> => |_: &mut PhoneText<'de>, _| (),
}, required { 0 "number", 2 "type" });

shape_object!(build Reader, EmailText<'de> = EmailText(Cow::Borrowed("")), 2, {
    0 "address": Text<'de> => |o: &mut EmailText<'de>, v: Text<'de>| o.0 = v.0,
    1 "primary": Skip<Option<bool>> => |_: &mut EmailText<'de>, _| (),
}, required { 0 "address" });

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
