//! The claim: what the caller's user typed, parsed from `claim_json` and prepared once.
//!
//! `{"name": "...", "email": "...", "phone": "...", "address": {"street": "...", "city":
//! "...", "region": "...", "postal_code": "...", "country": "..."}}`. Every key is optional;
//! `null`, an empty or blank string and an address whose parts are all blank mean "not
//! given"; at least one of the four must be given. Unknown keys, wrong types, values longer
//! than `MAX_VALUE_LEN` bytes and values with nothing to compare (a name without letters or
//! digits, a phone with fewer than 7 digits) are refused. Messages name the key, never a value.

use super::address::{self, Parts, PreparedAddress, RawAddress};
use super::email::{self, PreparedEmail};
use super::name::{self, PreparedName};
use super::phone::{self, PreparedPhone};
use super::records_gen::{CLAIM_ADDRESS_KEYS, CLAIM_KEYS};
use super::text::MAX_VALUE_LEN;
use crate::core::input_json;
use crate::core::Error;
use serde_json::{Map, Value};

/// A prepared claim.
#[derive(Debug, Clone)]
pub struct Claim {
    pub(super) name: Option<PreparedName>,
    pub(super) email: Option<PreparedEmail>,
    pub(super) phone: Option<PreparedPhone>,
    pub(super) address: Option<PreparedAddress>,
}

/// The keys `claim_json` and its address accept (schema/moneykit.json `Claim`, `ClaimAddress`).
const KEYS: &[&str] = &CLAIM_KEYS;
const ADDRESS_KEYS: &[&str] = &CLAIM_ADDRESS_KEYS;

fn invalid(msg: String) -> Error {
    Error::invalid(msg)
}

/// A key named in a message: as written when short printable ASCII, else left out.
fn check_keys(obj: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), Error> {
    match obj
        .keys()
        .enumerate()
        .find(|(_, k)| !allowed.contains(&k.as_str()))
    {
        // Quoted only when short and plain: a claim key may be owner data put in the wrong place.
        Some((i, k)) => Err(invalid(format!(
            "{at}: unknown key {} (allowed: {})",
            input_json::key_label(k, i),
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// A string value: `None` for absent, null, empty or blank.
fn text<'a>(obj: &'a Map<String, Value>, key: &str, at: &str) -> Result<Option<&'a str>, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() > MAX_VALUE_LEN => Err(invalid(format!(
            "{at}.{key}: longer than {MAX_VALUE_LEN} bytes"
        ))),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
        Some(_) => Err(invalid(format!("{at}.{key}: expected string or null"))),
    }
}

impl Claim {
    /// Prepares a claim from its raw parts (the Rust-side constructor; `from_json` uses it).
    pub fn new(
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
        address: Option<&RawAddress>,
    ) -> Result<Claim, Error> {
        Claim::of_parts(name, email, phone, address.map(RawAddress::parts))
    }

    /// As [`Claim::new`], the address's parts borrowed.
    fn of_parts(
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
        address: Option<Parts>,
    ) -> Result<Claim, Error> {
        let blank = |s: &&str| !s.trim().is_empty();
        let too_long =
            |key: &str| invalid(format!("claim.{key}: longer than {MAX_VALUE_LEN} bytes"));
        for (key, v) in [("name", name), ("email", email), ("phone", phone)] {
            if v.is_some_and(|s| s.len() > MAX_VALUE_LEN) {
                return Err(too_long(key));
            }
        }
        let name = match name.filter(blank) {
            Some(n) => Some(
                name::prepare(n)
                    .ok_or_else(|| invalid("claim.name: has no letters or digits".into()))?,
            ),
            None => None,
        };
        let email = email.filter(blank).and_then(email::prepare);
        // The claimed number's default region: the claim's address country (else US).
        let claim_region = address
            .and_then(|a| address::country_code(a.country))
            .and_then(|c| phone::region(Some(&c)));
        let phone = match phone.filter(blank) {
            Some(p) => Some(phone::prepare(p, claim_region).ok_or_else(|| {
                invalid("claim.phone: not a phone number (7 to 17 digits)".into())
            })?),
            None => None,
        };
        let address = match address {
            Some(a) => {
                let parts = [a.street, a.city, a.region, a.postal_code, a.country];
                if let Some(i) = parts
                    .iter()
                    .position(|p| p.is_some_and(|s| s.len() > MAX_VALUE_LEN))
                {
                    return Err(too_long(&format!("address.{}", ADDRESS_KEYS[i])));
                }
                address::prepare_text(a)
            }
            None => None,
        };
        if name.is_none() && email.is_none() && phone.is_none() && address.is_none() {
            return Err(invalid(
                "claim has none of name, email, phone, address".into(),
            ));
        }
        Ok(Claim {
            name,
            email,
            phone,
            address,
        })
    }

    /// Parses and prepares `claim_json`; errors are `MK_ERR_INVALID_ARGUMENT`.
    pub fn from_json(json: &str) -> Result<Claim, Error> {
        // An object, no key given twice at any depth (the options JSON's rules).
        let obj =
            input_json::parse_object(json).map_err(|e| invalid(format!("claim_json: {e}")))?;
        check_keys(&obj, KEYS, "claim")?;
        let address = match obj.get("address") {
            None | Some(Value::Null) => None,
            Some(Value::Object(a)) => {
                check_keys(a, ADDRESS_KEYS, "claim.address")?;
                let get = |k| text(a, k, "claim.address");
                Some(Parts {
                    street: get("street")?,
                    city: get("city")?,
                    region: get("region")?,
                    postal_code: get("postal_code")?,
                    country: get("country")?,
                })
            }
            Some(_) => return Err(invalid("claim.address: expected object or null".into())),
        };
        Claim::of_parts(
            text(&obj, "name", "claim")?,
            text(&obj, "email", "claim")?,
            text(&obj, "phone", "claim")?,
            address,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A usable value for each key: a key the schema adds fails here until the reader
    /// handles it (a key that is accepted but never read would be a claim silently ignored).
    fn sample(key: &str) -> &'static str {
        match key {
            "name" => r#""Ann Lee""#,
            "email" => r#""ann@example.com""#,
            "phone" => r#""+1 415 555 0100""#,
            "street" => r#""1 Main St""#,
            "city" => r#""Springfield""#,
            "region" => r#""CA""#,
            "postal_code" => r#""94110""#,
            "country" => r#""US""#,
            _ => panic!("claim key {key}: add a sample value and read it in Claim::from_json"),
        }
    }

    #[test]
    fn every_schema_key_is_read() {
        for key in KEYS.iter().filter(|k| **k != "address") {
            let claim = Claim::from_json(&format!(r#"{{"{key}": {}}}"#, sample(key)))
                .unwrap_or_else(|e| panic!("{key}: {}", e.message));
            let given = [
                claim.name.is_some(),
                claim.email.is_some(),
                claim.phone.is_some(),
                claim.address.is_some(),
            ];
            assert_eq!(given.iter().filter(|g| **g).count(), 1, "{key}");
        }
        assert!(KEYS.contains(&"address"));
        for key in ADDRESS_KEYS {
            let json = format!(r#"{{"address": {{"{key}": {}}}}}"#, sample(key));
            let claim = Claim::from_json(&json).unwrap_or_else(|e| panic!("{key}: {}", e.message));
            assert!(claim.address.is_some(), "address.{key}");
            // The length check names the part by its place in ADDRESS_KEYS.
            let long = "x".repeat(MAX_VALUE_LEN + 1);
            let json = format!(r#"{{"address": {{"{key}": "{long}"}}}}"#);
            let e = Claim::from_json(&json).unwrap_err();
            assert!(e
                .message
                .starts_with(&format!("claim.address.{key}: longer than")));
        }
        let e = Claim::from_json(r#"{"nam": "Ann"}"#).unwrap_err();
        assert!(
            e.message.contains("allowed: name, email, phone, address"),
            "{}",
            e.message
        );
    }
}
