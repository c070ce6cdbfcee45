//! Owner match (issue 14) through the C ABI: `mk_match_owners`'s labelled pair table
//! (tests/matching/pairs.json, shared with the bindings), the result JSON's shape, the
//! combination, and bad input (NULLs, bad JSON, unknown keys, empty claims, 1 MB strings)
//! that must give a clear status and never echo a value.

use moneykit::core::Status;
use moneykit::ffi::*;
use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr;

/// Calls `mk_match_owners`; Ok(result JSON) or Err((status, error JSON)).
fn call(identity: &str, claim: &str) -> Result<Value, (i32, Value)> {
    let (i, c) = (
        CString::new(identity).unwrap(),
        CString::new(claim).unwrap(),
    );
    let (mut out, mut err): (*mut c_char, *mut c_char) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: NUL-terminated inputs and valid out pointers, all alive for the call.
    let rc = unsafe { mk_match_owners(i.as_ptr(), c.as_ptr(), &mut out, &mut err) };
    let take = |p: *mut c_char| -> Option<Value> {
        if p.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string from this library, freed right after.
        let v = serde_json::from_str(unsafe { CStr::from_ptr(p) }.to_str().unwrap()).unwrap();
        // SAFETY: from this library, freed once.
        unsafe { mk_string_free(p) };
        Some(v)
    };
    let (out, err) = (take(out), take(err));
    if rc == 0 {
        assert!(err.is_none());
        Ok(out.expect("out_json set on MK_OK"))
    } else {
        assert!(out.is_none(), "out_json NULL on error");
        Err((rc, err.expect("out_error set on error")))
    }
}

fn owner(field: &str, value: &Value) -> Value {
    let mut o = json!({"names": [], "addresses": [], "phone_numbers": [], "emails": []});
    match field {
        "name" => o["names"] = json!([value]),
        "email" => o["emails"] = json!([{"address": value}]),
        "phone" => o["phone_numbers"] = json!([{"number": value, "type": "mobile"}]),
        "address" => o["addresses"] = json!([value]),
        _ => panic!("unknown field {field}"),
    }
    o
}

fn identity(accounts: Vec<Vec<Value>>) -> String {
    let accounts: Vec<Value> = accounts
        .into_iter()
        .enumerate()
        .map(|(i, owners)| {
            json!({"account_id": format!("acc_{i}"), "account_type": "depository.checking",
                   "name": "Checking", "balances": {}, "owners": owners})
        })
        .collect();
    json!({"accounts": accounts, "link": {"link_id": "mk_x", "institution_id": "i",
        "institution_name": "Bank", "institution_avatar": "", "state": "connected",
        "provider": "p", "products": {}, "available_products": []}})
    .to_string()
}

fn field_score(field: &str, claim: &Value, owner_value: &Value) -> i64 {
    let body = identity(vec![vec![owner(field, owner_value)]]);
    let claim = json!({ field: claim }).to_string();
    let r = call(&body, &claim).unwrap_or_else(|e| panic!("{field}: {e:?}"));
    r["accounts"][0][field]["score"].as_i64().unwrap()
}

#[test]
fn labelled_pairs_follow_the_score_rule() {
    let table: Value =
        serde_json::from_str(include_str!("matching/pairs.json")).expect("pairs.json");
    let pairs = table["pairs"].as_array().unwrap();
    let mut wrong = Vec::new();
    let (mut same, mut diff) = (0, 0);
    for p in pairs {
        let field = p["field"].as_str().unwrap();
        let score = field_score(field, &p["claim"], &p["owner"]);
        let expect = p["expect"].as_str().unwrap();
        let ok = match expect {
            "match" => {
                same += 1;
                score >= 80
            }
            "different" => {
                diff += 1;
                score < 50
            }
            "partial" => (50..80).contains(&score),
            other => panic!("unknown expect {other}"),
        };
        if !ok {
            wrong.push(format!(
                "{field} {} / {} → {score}, want {expect}",
                p["claim"], p["owner"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        pairs.len(),
        wrong.join("\n")
    );
    assert!(pairs.len() >= 200, "{} pairs", pairs.len());
    assert!(
        same >= 90 && diff >= 90,
        "{same} matching, {diff} different"
    );
}
