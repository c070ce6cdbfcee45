//! The matching reader (`identity::read`) accepts exactly what the one validator accepts
//! and refuses the rest with the same message: every corpus body, every committed fuzz
//! input of the identity targets, and every member of every object of a full body removed,
//! set to null, to a value of each JSON type, given twice, plus an unknown member.

use super::read;
use crate::core::validate::validate_identity_str;
use serde_json::{json, Value};

/// Both verdicts, asserted equal; whether the body was accepted.
fn agree(what: &str, body: &str) -> bool {
    let v = validate_identity_str(body);
    let m = read(body).map(|_| ());
    assert_eq!(v, m, "{what}: validator vs matching reader");
    v.is_ok()
}

#[test]
fn corpus_and_fuzz_inputs() {
    let (dirs, inputs) = crate::core::test_inputs::identity_inputs();
    let (mut accepted, mut refused) = (0, 0);
    for f in &inputs {
        {
            let bytes = std::fs::read(f).unwrap();
            // Both take UTF-8 text (`mk_match_owners` refuses other bytes before reading).
            let Ok(body) = std::str::from_utf8(&bytes) else {
                continue;
            };
            if agree(&f.display().to_string(), body) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    assert!(dirs.len() >= 3, "{dirs:?}");
    assert!(
        accepted >= 16 && refused >= 29,
        "{accepted} accepted, {refused} refused"
    );
    assert!(accepted + refused >= 900, "{accepted} + {refused}");
}

/// A body with every member of every object given.
fn full() -> Value {
    json!({
        "accounts": [{
            "account_id": "acc_1", "account_type": "depository.checking", "name": "Checking",
            "nickname": "n", "account_mask": "1234", "original_id": "o", "closed": false,
            "balances": {"currency": "USD", "available": 1.5, "current": 2, "limit": null,
                         "balance_date": "2023-02-16T09:14:11Z"},
            "owners": [{
                "names": ["Ann Lee"],
                "addresses": [{"city": "Boston", "country": "US", "postal_code": "02116",
                               "region": "MA", "street": "77 Beacon St", "primary": true}],
                "phone_numbers": [{"number": "+16175551212", "primary": true, "type": "home"}],
                "emails": [{"address": "ann@example.com", "primary": false}]
            }]
        }],
        "link": {
            "link_id": "l", "institution_id": "i", "institution_name": "n",
            "institution_avatar": "a", "state": "connected", "error_code": null,
            "last_synced_at": "2023-02-16T09:14:11Z", "provider": "mx",
            "link_tags": ["t"], "tags": ["u"], "webhook": "https://example.com/h",
            "products": {"identity": {"refreshed_at": "2023-02-16T09:14:11Z",
                "last_attempted_at": "2023-02-16T09:14:11Z", "error_code": "e",
                "error_message": "m", "unavailable": "u", "settings": {"a": 1},
                "has_history": true}},
            "available_products": ["identity"]
        }
    })
}

/// The values every member is set to in turn.
const VALUES: &[&str] = &[
    "null",
    "1",
    "-2.5",
    "1e400",
    "\"s\"",
    "\"\\u00e9\"",
    "true",
    "[]",
    "[1]",
    "[\"s\"]",
    "[{}]",
    "[null]",
    "{}",
    "\"2023-02-16\"",
];

/// Every object of `v` with its path (a JSON pointer).
fn objects(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            out.push(at.clone());
            for (k, x) in o {
                objects(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                objects(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_member_changed() {
    let base = full();
    assert!(agree("full", &base.to_string()));
    let mut paths = Vec::new();
    objects(&base, String::new(), &mut paths);
    let mut checked = 0;
    for path in &paths {
        let members: Vec<String> = base
            .pointer(path)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for key in members.iter().map(String::as_str).chain(["unknown_member"]) {
            let what = format!("{path}/{key}");
            // Removed.
            let mut b = base.clone();
            b.pointer_mut(path)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(key);
            agree(&format!("{what} removed"), &b.to_string());
            // Set to each value (as text: `1e400` is no serde_json value).
            for value in VALUES {
                let mut b = base.clone();
                let marker = "\u{1}marker\u{1}";
                b.pointer_mut(path)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .insert(key.into(), json!(marker));
                let body = b.to_string().replace(&format!("\"{marker}\""), value);
                agree(&format!("{what} = {value}"), &body);
                checked += 1;
            }
            // Given twice (the second time with its own value again).
            if let Some(v) = base.pointer(path).unwrap().get(key) {
                let text = base.to_string();
                let member = format!("\"{key}\":{v}");
                if let Some(i) = text.find(&member) {
                    let body = format!("{}{member},{}", &text[..i], &text[i..]);
                    let accepted = agree(&format!("{what} twice"), &body);
                    // Only a map (`products`: the last value wins) and an opaque value
                    // (`settings`) take a key twice.
                    let open = path == "/link/products" || path.ends_with("/settings");
                    assert_eq!(accepted, open, "{what} twice");
                }
            }
        }
    }
    // 9 objects, 49 members and the unknown one.
    assert!(
        paths.len() >= 9 && checked >= 50 * VALUES.len(),
        "{} {checked}",
        paths.len()
    );
}
