//! Validation of the Get Identity 200 body against moneykit-api.md, without
//! building it: the visitors below check presence and type of every required
//! field and the type of every known optional one, and allocate nothing per
//! value (strings are visited in place). Unknown fields and unknown enum values
//! are accepted so newer servers do not break old clients.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Checks that `body` is an `IdentityResponse`. The error text names the
/// problem (serde's message with line and column), never the data.
pub fn validate_identity(body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("body is not UTF-8: {e}"))?;
    validate_identity_str(text)
}

/// As [`validate_identity`], for a body already known to be UTF-8 (the parser
/// then skips re-checking every string, which is most of its work).
pub fn validate_identity_str(body: &str) -> Result<(), String> {
    serde_json::from_str::<IdentityResponse>(body)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Any JSON string, looked at but not kept.
struct Str;

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Str, E> {
                Ok(Str)
            }
        }
        d.deserialize_str(V)
    }
}

/// An ISO-8601 date-time string: `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM]`
/// (a missing offset is tolerated; bindings read it as UTC).
struct DateTime;

fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return false;
    }
    let mut rest = &b[19..];
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        [b'+' | b'-', h1, h2, m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO-8601 date-time string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DateTime, E> {
                if is_date_time(s) {
                    Ok(DateTime)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(s), &self))
                }
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON number (amounts: integers or decimals).
struct Num;

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Num, E> {
                Ok(Num)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Num, E> {
                Ok(Num)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Num, E> {
                Ok(Num)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON array whose every element is a valid `T`; elements are not kept.
struct Seq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Seq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Seq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seq<T>, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(Seq(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// A JSON object whose every value is a valid `T`; entries are not kept.
struct Map<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Map<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Map<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Map<T>, A::Error> {
                while map.next_entry::<Str, T>()?.is_some() {}
                Ok(Map(PhantomData))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

// The response schema. Required fields are plain; optional/nullable ones are
// `Option` (serde treats a missing `Option` field as `None`). Fields the schema
// types loosely (`settings`) are checked only for being present-or-null objects.

#[derive(Deserialize)]
struct IdentityResponse {
    #[allow(dead_code)]
    accounts: Seq<AccountIdentity>,
    #[allow(dead_code)]
    link: LinkCommon,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct AccountIdentity {
    account_id: Str,
    account_type: Str,
    name: Str,
    nickname: Option<Str>,
    account_mask: Option<Str>,
    balances: Balances,
    original_id: Option<Str>,
    closed: Option<bool>,
    owners: Seq<Owner>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Balances {
    currency: Option<Str>,
    available: Option<Num>,
    current: Option<Num>,
    limit: Option<Num>,
    balance_date: Option<DateTime>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Owner {
    names: Seq<Str>,
    addresses: Seq<Address>,
    phone_numbers: Seq<PhoneNumber>,
    emails: Seq<Email>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Address {
    city: Option<Str>,
    country: Option<Str>,
    postal_code: Option<Str>,
    region: Option<Str>,
    street: Option<Str>,
    primary: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct PhoneNumber {
    number: Str,
    primary: Option<bool>,
    #[serde(rename = "type")]
    kind: Str,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Email {
    address: Str,
    primary: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct LinkCommon {
    link_id: Str,
    institution_id: Str,
    institution_name: Str,
    institution_avatar: Str,
    state: Str,
    error_code: Option<Str>,
    last_synced_at: Option<DateTime>,
    provider: Str,
    link_tags: Option<Seq<Str>>,
    tags: Option<Seq<Str>>,
    webhook: Option<Str>,
    products: Map<LinkProduct>,
    available_products: Seq<Str>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct LinkProduct {
    refreshed_at: Option<DateTime>,
    last_attempted_at: Option<DateTime>,
    error_code: Option<Str>,
    error_message: Option<Str>,
    unavailable: Option<Str>,
    settings: Option<Map<IgnoredAny>>,
    has_history: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"{"accounts":[{"account_id":"acc_6Tef269B6ZArSVpYrxtjBV","account_type":"depository.checking","name":"Premier Checking","nickname":"John's Account","account_mask":"3748","balances":{"currency":"USD","available":340.12,"current":445.89,"limit":500,"balance_date":"2023-02-16T09:14:11Z"},"original_id":null,"closed":true,"owners":[{"names":["John Doe"],"addresses":[{"city":"Boston","country":"US","postal_code":"02110","region":"MA","street":"1 Main St","primary":true}],"phone_numbers":[{"number":"6175551212","primary":true,"type":"home"}],"emails":[{"address":"example@example.com","primary":true}]}]}],"link":{"link_id":"mk_eqkWN34UEoa2NxyALG8pcV","institution_id":"chase","institution_name":"Chase","institution_avatar":"https://example.com/avatar.png","state":"connected","error_code":null,"provider":"akoya","link_tags":["smoke_test","user_type:admin"],"webhook":"https://example.com/webhook","products":{"additionalProp":{}},"available_products":["account_numbers"]}}"#;

    fn ok(body: &str) {
        validate_identity(body.as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"));
    }

    fn bad(body: &str) -> String {
        validate_identity(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn seed_example_is_valid() {
        ok(SEED);
    }

    #[test]
    fn unknown_fields_and_enum_values_are_accepted() {
        ok(&SEED.replace(
            "\"depository.checking\"",
            "\"crypto.wallet\",\"new_field\":{\"x\":[1]}",
        ));
        ok(&SEED.replace("\"type\":\"home\"", "\"type\":\"pager\""));
        ok(&SEED.replace("\"connected\"", "\"migrating\""));
    }

    #[test]
    fn optional_fields_may_be_missing_or_null() {
        ok(&SEED.replace(r#""nickname":"John's Account","#, ""));
        ok(&SEED.replace(r#""nickname":"John's Account""#, r#""nickname":null"#));
        ok(&SEED.replace(r#""limit":500"#, r#""limit":null"#));
        ok(&SEED.replace(r#""webhook":"https://example.com/webhook","#, ""));
    }

    #[test]
    fn missing_required_fields_and_wrong_types_are_rejected() {
        assert!(
            bad(&SEED.replace(r#""account_id":"acc_6Tef269B6ZArSVpYrxtjBV","#, ""))
                .contains("account_id")
        );
        bad(&SEED.replace(r#""limit":500"#, r#""limit":"500""#));
        bad(&SEED.replace(r#""closed":true"#, r#""closed":"yes""#));
        bad(&SEED.replace(r#""names":["John Doe"]"#, r#""names":"John Doe""#));
        bad(&SEED.replace(
            r#""balance_date":"2023-02-16T09:14:11Z""#,
            r#""balance_date":"yesterday""#,
        ));
        bad(r#"{"accounts": 5, "link": "x"}"#);
        bad(r#"{"accounts": []}"#);
        bad("");
        bad("{\"accounts\": [");
        bad("[]");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        bad(&deep);
        let deep_in_unknown = SEED.replace(
            "\"name\":\"Premier Checking\"",
            &format!(
                "\"name\":\"P\",\"x\":{}{}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        );
        // Unknown fields are skipped iteratively by serde_json: deep is fine there.
        ok(&deep_in_unknown);
    }

    #[test]
    fn date_times() {
        for s in [
            "2023-02-16T09:14:11Z",
            "2023-02-16T09:14:11.123456Z",
            "2023-02-16T09:14:11+02:00",
            "2023-02-16T09:14:11-0500",
            "2023-02-16T09:14:11",
        ] {
            assert!(is_date_time(s), "{s}");
        }
        for s in [
            "",
            "2023-02-16",
            "2023-02-16T09:14",
            "2023-02-16T09:14:11.Z",
            "2023-02-16T09:14:11+2",
        ] {
            assert!(!is_date_time(s), "{s}");
        }
    }
}
