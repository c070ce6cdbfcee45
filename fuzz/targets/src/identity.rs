//! `identity`: the one validator and the typed view on any body.
//!
//! Invariants:
//! - `validate_identity`, `mk_validate_identity`, `mk_identity_parse` and the core's model
//!   (`model::parse_identity`) agree: all accept or all refuse with the same message.
//! - A body the validator accepts builds a view (never `MK_ERR_INTERNAL`), and the view
//!   agrees with the body as `serde_json::Value` reads it: every field of every account,
//!   owner, address, phone, email, the link and its products (strings byte for byte, absent
//!   or null as NULL, amounts as the exact text and its `double`, timestamps as text, instant
//!   and kind, enums as text and the member of that text), lists and map sorted by key.
//! - A refused body is `MK_ERR_DECODE` with a short `<path>: <problem>` message that holds no
//!   string value of 8 bytes or more from the body, nor a map key of that length that is not
//!   plain (docs/C-API.md, "Messages never quote input"); a
//!   "duplicate key" message is given only for a body that has one.

use crate::common::{assert_no_echo, error_message, json_strings, take_string, ECHO_MIN_LEN};
use crate::view::{bytes, list, View};
use moneykit::core::model::{self, Timestamp, TimestampKind};
use moneykit::ffi::{
    mk_validate_identity, MkAccount, MkAddress, MkBalances, MkDecimal, MkEmail, MkLink,
    MkLinkProduct, MkOptBool, MkOwner, MkPhoneNumber, MkStr, MkTimestamp, MkTimestampKind,
};
use serde_json::{Map, Value};

/// The `identity` target.
pub fn identity(data: &[u8]) {
    let verdict = moneykit::core::validate_identity(data);
    let (rc, view, err) = View::parse(data);
    let (c_rc, c_err) = c_validate(data);
    match verdict {
        Ok(()) => {
            assert_eq!(
                rc, 0,
                "the validator accepted the body but mk_identity_parse returned {rc}: {err:?}"
            );
            assert_eq!(c_rc, 0, "mk_validate_identity refused: {c_err:?}");
            let text = std::str::from_utf8(data).expect("an accepted body is UTF-8");
            let json: Value = serde_json::from_str(text).unwrap_or_else(|e| {
                panic!("the validator accepted a body that serde_json refuses: {e}")
            });
            if let Err(e) = model::parse_identity(text) {
                panic!("the validator accepted the body but the core's model refused it: {e}");
            }
            let view = view.expect("MK_OK with a handle");
            let root = view.root();
            let o = object(&json, "body");
            let accounts = o
                .get("accounts")
                .and_then(Value::as_array)
                .expect("accounts");
            let got = list(root, root.accounts, root.accounts_len).expect("accounts is never NULL");
            assert_eq!(got.len(), accounts.len(), "accounts: count");
            for (i, (a, j)) in got.iter().zip(accounts).enumerate() {
                account(a, j, &format!("accounts[{i}]"));
            }
            link(&root.link, o.get("link").expect("link"));
        }
        Err(msg) => {
            assert_eq!(rc, 4, "refused ({msg}) but mk_identity_parse returned {rc}");
            let m = error_message(&err.expect("an error JSON"), 4, "MK_ERR_DECODE");
            assert_eq!(m, msg, "mk_identity_parse's message");
            assert_eq!(
                c_rc, 4,
                "refused ({msg}) but mk_validate_identity returned {c_rc}"
            );
            let m = error_message(&c_err.expect("an error JSON"), 4, "MK_ERR_DECODE");
            assert_eq!(m, msg, "mk_validate_identity's message");
            if let Ok(text) = std::str::from_utf8(data) {
                match model::parse_identity(text) {
                    Ok(_) => panic!("the validator refused ({msg}) but the model decoded it"),
                    Err(e) => assert_eq!(e, msg, "model::parse_identity's message"),
                }
            }
            // Values, and the keys a message may not quote (the products' keys are data).
            let strings = json_strings(data, ECHO_MIN_LEN);
            let found = strings.secrets(ECHO_MIN_LEN);
            assert_no_echo("identity", &msg, &found, &strings.plain_keys());
            if msg == DUPLICATE_KEY {
                assert!(has_duplicate_key(data), "'{msg}' for a body without one");
            }
        }
    }
}

const DUPLICATE_KEY: &str = "body: an object has a duplicate key";

/// `mk_validate_identity(data)`: the status and the error JSON.
fn c_validate(data: &[u8]) -> (i32, Option<String>) {
    let mut err = 1 as *mut std::ffi::c_char;
    // SAFETY: `data` valid for `data.len()` reads; `err` a valid out pointer.
    let rc = unsafe { mk_validate_identity(data.as_ptr().cast(), data.len(), &mut err) };
    // SAFETY: the call wrote `err`: NULL or a string of the library.
    (rc, unsafe { take_string(err) })
}

/// Whether any object of the JSON text `data` has a key twice (false when not JSON).
fn has_duplicate_key(data: &[u8]) -> bool {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Dup(bool);
    impl<'de> Deserialize<'de> for Dup {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dup, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Dup;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("any JSON")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Dup, A::Error> {
                    let mut seen = std::collections::HashSet::new();
                    let mut dup = false;
                    while let Some(k) = m.next_key::<String>()? {
                        dup |= !seen.insert(k);
                        dup |= m.next_value::<Dup>()?.0;
                    }
                    Ok(Dup(dup))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Dup, A::Error> {
                    let mut dup = false;
                    while let Some(x) = s.next_element::<Dup>()? {
                        dup |= x.0;
                    }
                    Ok(Dup(dup))
                }
                fn visit_bool<E>(self, _: bool) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_i64<E>(self, _: i64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_u64<E>(self, _: u64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_f64<E>(self, _: f64) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_str<E>(self, _: &str) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
                fn visit_unit<E>(self) -> Result<Dup, E> {
                    Ok(Dup(false))
                }
            }
            d.deserialize_any(V)
        }
    }
    serde_json::from_slice::<Dup>(data).is_ok_and(|d| d.0)
}

// ---------------------------------------------------------------- the view against the JSON

fn object<'a>(v: &'a Value, at: &str) -> &'a Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| panic!("{at}: accepted but not an object"))
}

/// A member that is present and not null.
fn member<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn string(got: &MkStr, o: &Map<String, Value>, key: &str, at: &str) {
    let want = member(o, key).map(|v| {
        v.as_str()
            .unwrap_or_else(|| panic!("{at}.{key}: accepted but not a string"))
    });
    text(got, want, at, key);
}

fn text(got: &MkStr, want: Option<&str>, at: &str, key: &str) {
    assert_eq!(
        bytes(got),
        want.map(str::as_bytes),
        "{at}.{key}: the view's string differs from the JSON's"
    );
}

fn required_string(got: &MkStr, o: &Map<String, Value>, key: &str, at: &str) {
    assert!(member(o, key).is_some(), "{at}.{key}: accepted but absent");
    string(got, o, key, at);
}

fn opt_bool(got: MkOptBool, o: &Map<String, Value>, key: &str, at: &str) {
    let want = match member(o, key) {
        None => MkOptBool::MkBoolAbsent,
        Some(Value::Bool(false)) => MkOptBool::MkBoolFalse,
        Some(Value::Bool(true)) => MkOptBool::MkBoolTrue,
        Some(_) => panic!("{at}.{key}: accepted but not a boolean"),
    };
    assert_eq!(got, want, "{at}.{key}");
}

fn decimal(got: &MkDecimal, o: &Map<String, Value>, key: &str, at: &str) {
    match member(o, key) {
        None => {
            assert!(
                bytes(&got.text).is_none(),
                "{at}.{key}: absent but has text"
            );
            assert!(
                got.value.is_nan(),
                "{at}.{key}: absent but value {}",
                got.value
            );
        }
        Some(want) => {
            let t = bytes(&got.text).unwrap_or_else(|| panic!("{at}.{key}: present but NULL"));
            let t = std::str::from_utf8(t).expect("a number's text is ASCII");
            // The text is the number exactly as sent: it reads back as the same JSON number.
            let again: Value = serde_json::from_str(t)
                .unwrap_or_else(|e| panic!("{at}.{key}: text {t:?} is not a JSON number: {e}"));
            assert_eq!(&again, want, "{at}.{key}: text {t:?}");
            let exact: f64 = t.parse().expect("a JSON number parses as f64");
            assert!(
                got.value == exact,
                "{at}.{key}: value {} for text {t:?} (nearest double {exact})",
                got.value
            );
        }
    }
}

fn timestamp(got: &MkTimestamp, o: &Map<String, Value>, key: &str, at: &str) {
    match member(o, key) {
        None => {
            assert!(
                bytes(&got.text).is_none(),
                "{at}.{key}: absent but has text"
            );
            assert_eq!(got.kind, MkTimestampKind::MkTimestampAbsent, "{at}.{key}");
            assert_eq!((got.unix_micros, got.unix_seconds), (0, 0), "{at}.{key}");
        }
        Some(want) => {
            let want = want
                .as_str()
                .unwrap_or_else(|| panic!("{at}.{key}: accepted but not a string"));
            text(&got.text, Some(want), at, key);
            let t = Timestamp::parse(want)
                .unwrap_or_else(|| panic!("{at}.{key}: accepted but not a timestamp"));
            assert_eq!(got.unix_micros, t.unix_micros(), "{at}.{key}: unix_micros");
            assert_eq!(
                got.unix_seconds,
                t.unix_micros().div_euclid(1_000_000),
                "{at}.{key}: unix_seconds"
            );
            let kind = match t.kind() {
                TimestampKind::Offset => MkTimestampKind::MkTimestampOffset,
                TimestampKind::NoOffset => MkTimestampKind::MkTimestampNoOffset,
                TimestampKind::DateOnly => MkTimestampKind::MkTimestampDateOnly,
            };
            assert_eq!(got.kind, kind, "{at}.{key}: kind");
        }
    }
}

/// An open enum: the text as sent, and the member of that text (0, UNKNOWN, for a value not
/// in `known` or absent; else its position in the schema's order, from 1).
fn enumerated(
    got: &MkStr,
    member_code: i32,
    known: &[&str],
    o: &Map<String, Value>,
    key: &str,
    at: &str,
) {
    string(got, o, key, at);
    let want = member(o, key)
        .and_then(Value::as_str)
        .and_then(|t| known.iter().position(|k| *k == t))
        .map_or(0, |i| i as i32 + 1);
    assert_eq!(member_code, want, "{at}.{key}: enum member");
}

/// A list of strings; `None` (a NULL list) only when the JSON has none.
fn string_list<H>(
    holder: &H,
    p: *const MkStr,
    len: usize,
    o: &Map<String, Value>,
    key: &str,
    at: &str,
) {
    let got = list(holder, p, len);
    match member(o, key) {
        None => assert!(got.is_none(), "{at}.{key}: absent but not NULL"),
        Some(v) => {
            let want = v
                .as_array()
                .unwrap_or_else(|| panic!("{at}.{key}: accepted but not an array"));
            let got = got.unwrap_or_else(|| panic!("{at}.{key}: present but NULL"));
            assert_eq!(got.len(), want.len(), "{at}.{key}: count");
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                text(g, w.as_str(), at, &format!("{key}[{i}]"));
            }
        }
    }
}

/// A required list of objects: the view's items and the JSON's, pairwise.
fn objects<'a, H, T>(
    holder: &'a H,
    p: *const T,
    len: usize,
    o: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Vec<(&'a T, &'a Map<String, Value>, String)> {
    let want = member(o, key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{at}.{key}: accepted but not an array"));
    let got = list(holder, p, len).unwrap_or_else(|| panic!("{at}.{key}: NULL"));
    assert_eq!(got.len(), want.len(), "{at}.{key}: count");
    got.iter()
        .zip(want)
        .enumerate()
        .map(|(i, (g, w))| {
            let here = format!("{at}.{key}[{i}]");
            (g, object(w, &here), here)
        })
        .collect()
}

fn account(a: &MkAccount, j: &Value, at: &str) {
    let o = object(j, at);
    required_string(&a.account_id, o, "account_id", at);
    required_string(&a.account_type, o, "account_type", at);
    required_string(&a.name, o, "name", at);
    string(&a.nickname, o, "nickname", at);
    string(&a.account_mask, o, "account_mask", at);
    string(&a.original_id, o, "original_id", at);
    opt_bool(a.closed, o, "closed", at);
    let b = o.get("balances").unwrap_or_else(|| panic!("{at}.balances"));
    balances(&a.balances, object(b, at), &format!("{at}.balances"));
    for (owner_view, owner_json, here) in objects(a, a.owners, a.owners_len, o, "owners", at) {
        owner(owner_view, owner_json, &here);
    }
}

fn balances(b: &MkBalances, o: &Map<String, Value>, at: &str) {
    string(&b.currency, o, "currency", at);
    decimal(&b.available, o, "available", at);
    decimal(&b.current, o, "current", at);
    decimal(&b.limit, o, "limit", at);
    timestamp(&b.balance_date, o, "balance_date", at);
}

fn owner(w: &MkOwner, o: &Map<String, Value>, at: &str) {
    assert!(!w.names.is_null(), "{at}.names: NULL");
    string_list(w, w.names, w.names_len, o, "names", at);
    for (x, j, here) in objects(w, w.addresses, w.addresses_len, o, "addresses", at) {
        address(x, j, &here);
    }
    for (x, j, here) in objects(
        w,
        w.phone_numbers,
        w.phone_numbers_len,
        o,
        "phone_numbers",
        at,
    ) {
        phone(x, j, &here);
    }
    for (x, j, here) in objects(w, w.emails, w.emails_len, o, "emails", at) {
        email(x, j, &here);
    }
}

fn address(x: &MkAddress, o: &Map<String, Value>, at: &str) {
    string(&x.city, o, "city", at);
    string(&x.country, o, "country", at);
    string(&x.postal_code, o, "postal_code", at);
    string(&x.region, o, "region", at);
    string(&x.street, o, "street", at);
    opt_bool(x.primary, o, "primary", at);
}

fn phone(x: &MkPhoneNumber, o: &Map<String, Value>, at: &str) {
    required_string(&x.number, o, "number", at);
    opt_bool(x.primary, o, "primary", at);
    assert!(
        member(o, "type").is_some(),
        "{at}.type: accepted but absent"
    );
    let known = model::phone_number_type::ALL;
    enumerated(&x.r#type, x.type_enum as i32, &known, o, "type", at);
}

fn email(x: &MkEmail, o: &Map<String, Value>, at: &str) {
    required_string(&x.address, o, "address", at);
    opt_bool(x.primary, o, "primary", at);
}

fn link(l: &MkLink, j: &Value) {
    let at = "link";
    let o = object(j, at);
    required_string(&l.link_id, o, "link_id", at);
    required_string(&l.institution_id, o, "institution_id", at);
    required_string(&l.institution_name, o, "institution_name", at);
    required_string(&l.institution_avatar, o, "institution_avatar", at);
    assert!(
        member(o, "state").is_some(),
        "link.state: accepted but absent"
    );
    enumerated(
        &l.state,
        l.state_enum as i32,
        &model::link_state::ALL,
        o,
        "state",
        at,
    );
    let known = model::link_error_code::ALL;
    enumerated(
        &l.error_code,
        l.error_code_enum as i32,
        &known,
        o,
        "error_code",
        at,
    );
    timestamp(&l.last_synced_at, o, "last_synced_at", at);
    assert!(
        member(o, "provider").is_some(),
        "link.provider: accepted but absent"
    );
    enumerated(
        &l.provider,
        l.provider_enum as i32,
        &model::provider::ALL,
        o,
        "provider",
        at,
    );
    string_list(l, l.link_tags, l.link_tags_len, o, "link_tags", at);
    string_list(l, l.tags, l.tags_len, o, "tags", at);
    string(&l.webhook, o, "webhook", at);
    assert!(
        member(o, "available_products").is_some(),
        "link.available_products: absent"
    );
    string_list(
        l,
        l.available_products,
        l.available_products_len,
        o,
        "available_products",
        at,
    );
    // products: the JSON's non-null entries (the last of a repeated key: serde_json's
    // `Value` keeps the last, as the view does), sorted bytewise by key.
    let want: Vec<(&String, &Value)> = object(
        member(o, "products").expect("link.products: accepted but absent"),
        "link.products",
    )
    .iter()
    .filter(|(_, v)| !v.is_null())
    .collect();
    let got = list(l, l.products, l.products_len).expect("link.products: NULL");
    assert_eq!(got.len(), want.len(), "link.products: count");
    let mut previous: Option<&[u8]> = None;
    for entry in got {
        let key = bytes(&entry.key).expect("link.products: a NULL key");
        if let Some(p) = previous {
            assert!(
                p < key,
                "link.products: keys not sorted bytewise: {p:?} then {key:?}"
            );
        }
        previous = Some(key);
        let key = std::str::from_utf8(key).expect("a key is UTF-8");
        let v = want
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .unwrap_or_else(|| panic!("link.products: the view has key {key:?}, the JSON has not"))
            .1;
        product(
            &entry.value,
            object(v, "link.products[]"),
            &format!("link.products.{key}"),
        );
    }
}

fn product(p: &MkLinkProduct, o: &Map<String, Value>, at: &str) {
    timestamp(&p.refreshed_at, o, "refreshed_at", at);
    timestamp(&p.last_attempted_at, o, "last_attempted_at", at);
    let known = model::product_error_code::ALL;
    enumerated(
        &p.error_code,
        p.error_code_enum as i32,
        &known,
        o,
        "error_code",
        at,
    );
    string(&p.error_message, o, "error_message", at);
    string(&p.unavailable, o, "unavailable", at);
    opt_bool(p.has_history, o, "has_history", at);
    // settings: the JSON text as sent, which reads back as the same value.
    match (bytes(&p.settings), member(o, "settings")) {
        (None, None) => {}
        (Some(t), Some(want)) => {
            let again: Value = serde_json::from_slice(t)
                .unwrap_or_else(|e| panic!("{at}.settings: the view's text is not JSON: {e}"));
            assert_eq!(&again, want, "{at}.settings");
        }
        (got, want) => panic!("{at}.settings: view {got:?}, JSON {want:?}"),
    }
}
