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
    call_text(identity, claim).map(|t| serde_json::from_str(&t).unwrap())
}

/// As `call`, with the result JSON's text.
fn call_text(identity: &str, claim: &str) -> Result<String, (i32, Value)> {
    let (i, c) = (
        CString::new(identity).unwrap(),
        CString::new(claim).unwrap(),
    );
    let (mut out, mut err): (*mut c_char, *mut c_char) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: NUL-terminated inputs and valid out pointers, all alive for the call.
    let rc = unsafe { mk_match_owners(i.as_ptr(), c.as_ptr(), &mut out, &mut err) };
    let take = |p: *mut c_char| -> Option<String> {
        if p.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string from this library, freed right after.
        let v = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
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
        let err = err.expect("out_error set on error");
        Err((rc, serde_json::from_str(&err).unwrap()))
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

const SANDBOX_OK: &str = include_str!("corpus/sandbox_ok.json");

#[test]
fn sandbox_owners_result_shape() {
    let claim = json!({"name": "Peggy OBrien", "email": "M.OBrien@example.com",
        "phone": "(617) 555-1212",
        "address": {"street": "77 Beacon Street", "city": "Boston", "region": "Massachusetts",
                    "postal_code": "02116-4501", "country": "USA"}});
    let text = call_text(SANDBOX_OK, &claim.to_string()).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    // Keys in the documented order (serde_json's Value sorts them, so look at the text).
    let order = [
        "{\"best\":{\"account_id\"",
        "\"account_id\":\"acc_2Xq8PnL4cWd7RkYs9TbEhM\",\"owner_index\":0,\"score\":",
        ",\"name\":{\"score\":90,\"nickname\":true,\"first_or_last_only\":false,\"business\":false},\"email\":{\"score\":100},\"phone\":{\"score\":100},\"address\":{\"score\":",
        ",\"postal_code_match\":true}}",
        "},\"accounts\":[{\"account_id\":\"acc_6Tef269B6ZArSVpYrxtjBV\"",
    ];
    for piece in order {
        assert!(text.contains(piece), "{piece} in {text}");
    }
    let accounts = r["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["account_id"], "acc_6Tef269B6ZArSVpYrxtjBV");
    assert!(accounts[0]["score"].as_i64().unwrap() < 50, "{r}");
    let m = &accounts[1];
    assert_eq!(m["account_id"], "acc_2Xq8PnL4cWd7RkYs9TbEhM");
    assert_eq!(m["owner_index"], 0);
    assert_eq!(
        m["name"],
        json!({"score": 90, "nickname": true, "first_or_last_only": false, "business": false})
    );
    assert_eq!(m["email"], json!({"score": 100}));
    assert_eq!(m["phone"], json!({"score": 100}));
    assert_eq!(m["address"]["postal_code_match"], true);
    assert!(m["address"]["score"].as_i64().unwrap() >= 80);
    assert!(m["score"].as_i64().unwrap() >= 90);
    assert_eq!(r["best"], *m);
}

#[test]
fn picks_the_best_owner_and_reports_missing_fields_as_null() {
    // Account 0's second owner is Zoë: she matches, the first owner does not.
    let r = call(SANDBOX_OK, r#"{"name": "ZOE LUKASIEWICZ", "phone": null}"#).unwrap();
    let a0 = &r["accounts"][0];
    assert_eq!(a0["owner_index"], 1);
    assert_eq!(a0["name"]["score"], 100);
    assert_eq!(a0["score"], 100);
    assert_eq!(
        (a0["email"].clone(), a0["phone"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(r["best"]["account_id"], "acc_6Tef269B6ZArSVpYrxtjBV");
    // The owner has no email: the field is null and the score is the other fields'.
    let body = identity(vec![vec![owner("name", &json!("Jane Roe"))]]);
    let r = call(
        &body,
        r#"{"name": "Jane Roe", "email": "jane@example.com"}"#,
    )
    .unwrap();
    assert_eq!(r["accounts"][0]["email"], Value::Null);
    assert_eq!(r["accounts"][0]["score"], 100);
}

#[test]
fn combination_is_the_weighted_mean_of_present_fields() {
    let mut o = owner("name", &json!("Jane Roe"));
    o["emails"] = json!([{"address": "jane@example.com"}]);
    o["phone_numbers"] = json!([{"number": "+16175551212", "type": "home"}]);
    let body = identity(vec![vec![o]]);
    // name 100 × 40, email 0 × 20, phone 100 × 20 → 6000 / 80 = 75.
    let claim = r#"{"name": "Jane Roe", "email": "x@y.org", "phone": "6175551212"}"#;
    let r = call(&body, claim).unwrap();
    assert_eq!(r["accounts"][0]["email"]["score"], 0);
    assert_eq!(r["accounts"][0]["score"], 75);
    // An owner with none of the claimed fields scores 0.
    let body = identity(vec![vec![owner("name", &json!("Jane Roe"))]]);
    let r = call(&body, r#"{"phone": "6175551212"}"#).unwrap();
    assert_eq!(r["accounts"][0]["score"], 0);
    assert_eq!(r["accounts"][0]["phone"], Value::Null);
    assert_eq!(r["best"]["owner_index"], 0);
}

/// Phones are parsed in the address country's region: the claim's for the claimed number,
/// the owner's first address country for the owner's numbers (US when none).
#[test]
fn phones_use_the_address_country_as_default_region() {
    let phone_score = |claim: Value, owner_phone: &str, owner_country: Option<&str>| {
        let mut o = owner("phone", &json!(owner_phone));
        if let Some(c) = owner_country {
            o["addresses"] = json!([{"street": "1 High St", "country": c}]);
        }
        let r = call(&identity(vec![vec![o]]), &claim.to_string()).unwrap();
        r["accounts"][0]["phone"]["score"].as_i64().unwrap()
    };
    let gb = json!({"phone": "020 7946 0958", "address": {"country": "United Kingdom"}});
    assert_eq!(phone_score(gb.clone(), "+44 20 7946 0958", None), 100);
    // A UK national number is not the US number with the same digits.
    assert!(phone_score(gb, "+1 207 946 0958", None) < 50);
    // The owner's national number, in the owner's country.
    let claim = json!({"phone": "+44 7911 123456"});
    assert_eq!(phone_score(claim, "07911 123456", Some("GB")), 100);
    let claim = json!({"phone": "(030) 1234567", "address": {"country": "DE"}});
    assert_eq!(phone_score(claim, "030 1234567", Some("Germany")), 100);
}

#[test]
fn flags_say_why() {
    let name = |claim: &str, owner_name: &str| {
        let body = identity(vec![vec![owner("name", &json!(owner_name))]]);
        call(&body, &json!({ "name": claim }).to_string()).unwrap()["accounts"][0]["name"].clone()
    };
    assert_eq!(name("Bill Gates", "William Gates")["nickname"], true);
    assert_eq!(name("William Gates", "William Gates")["nickname"], false);
    let only = name("Gates", "William Gates");
    assert_eq!(only["first_or_last_only"], true);
    assert!(
        (50..80).contains(&only["score"].as_i64().unwrap()),
        "{only}"
    );
    assert_eq!(name("Acme LLC", "ACME L.L.C.")["business"], true);
    assert_eq!(name("Acme LLC", "ACME L.L.C.")["score"], 100);
    assert_eq!(name("Jane Roe", "Jane Roe")["business"], false);
    // Partial addresses: same building, another unit.
    let a = json!({"street": "1234 Valencia St Apt 5", "postal_code": "94110"});
    let body = identity(vec![vec![owner("address", &a)]]);
    let claim = json!({"address": {"street": "1234 Valencia St Apt 6", "postal_code": "94110"}});
    let r = call(&body, &claim.to_string()).unwrap();
    let s = r["accounts"][0]["address"]["score"].as_i64().unwrap();
    assert!((50..80).contains(&s), "{s}");
    assert_eq!(r["accounts"][0]["address"]["postal_code_match"], true);
}

#[test]
fn accounts_without_owners() {
    let body = identity(vec![
        vec![],
        vec![owner("name", &json!("Jane Roe"))],
        vec![],
    ]);
    let r = call(&body, r#"{"name": "John Doe"}"#).unwrap();
    let a = r["accounts"].as_array().unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(
        a[0],
        json!({"account_id": "acc_0", "owner_index": null, "score": 0, "name": null,
               "email": null, "phone": null, "address": null})
    );
    // A low score is still the best among accounts that have owners.
    assert_eq!(r["best"]["account_id"], "acc_1");
    let r = call(&identity(vec![vec![], vec![]]), r#"{"name": "John Doe"}"#).unwrap();
    assert_eq!(r["best"], Value::Null);
    let r = call(&identity(vec![]), r#"{"name": "John Doe"}"#).unwrap();
    assert_eq!(r, json!({"best": null, "accounts": []}));
}

fn error_of(identity: &str, claim: &str) -> (i32, String) {
    let (rc, e) = call(identity, claim).expect_err("an error");
    assert_eq!(e["status"], rc);
    (rc, e["message"].as_str().unwrap().to_string())
}

#[test]
fn bad_claims_are_invalid_arguments_without_values() {
    let invalid = Status::MkErrInvalidArgument.code();
    for (claim, want) in [
        ("", "claim_json: not valid JSON"),
        ("{\"name\": \"Secret Person\"", "claim_json: not valid JSON"),
        ("[\"Secret Person\"]", "claim_json: expected a JSON object"),
        ("{}", "claim has none of name, email, phone, address"),
        (
            r#"{"name": null, "email": "  ", "address": {}}"#,
            "claim has none",
        ),
        (r#"{"address": {"city": ""}}"#, "claim has none"),
        (r#"{"nmae": "Secret Person"}"#, "claim: unknown key nmae"),
        (r#"{"name": 42}"#, "claim.name: expected string or null"),
        (
            r#"{"phone": ["Secret"]}"#,
            "claim.phone: expected string or null",
        ),
        (
            r#"{"address": "Secret St"}"#,
            "claim.address: expected object or null",
        ),
        (
            r#"{"address": {"zip": "Secret"}}"#,
            "claim.address: unknown key zip",
        ),
        // Issue 23: a key that is not short and plain is named by position; a key given
        // twice is refused (it was: the last one won).
        (
            r#"{"name": "Ann", "Secret.Person@example.com": 1}"#,
            "claim: unknown key #0",
        ),
        (
            r#"{"name": "Secret Person", "name": "Ann Lee"}"#,
            "claim_json: a key is given more than once",
        ),
        (
            r#"{"address": {"city": "Secret", "city": "Paris"}}"#,
            "claim_json: a key is given more than once",
        ),
        (
            r#"{"address": {"city": 7}}"#,
            "claim.address.city: expected string or null",
        ),
        (r#"{"name": "!!!"}"#, "claim.name: has no letters or digits"),
        (
            r#"{"phone": "Secret 12"}"#,
            "claim.phone: not a phone number",
        ),
    ] {
        let (rc, msg) = error_of(SANDBOX_OK, claim);
        assert_eq!(rc, invalid, "{claim}: {msg}");
        assert!(msg.contains(want), "{claim}: {msg}");
        assert!(!msg.contains("Secret"), "{claim}: {msg}");
    }
}

#[test]
fn bad_identities_are_decode_errors_without_values() {
    let decode = Status::MkErrDecode.code();
    let claim = r#"{"name": "John Doe"}"#;
    let (rc, msg) = error_of("not json", claim);
    assert_eq!(rc, decode);
    assert!(msg.starts_with("body is not valid JSON"), "{msg}");
    let bad = SANDBOX_OK.replacen("\"jose.alvarez@example.com\"", "[\"Secret\"]", 1);
    assert_ne!(bad, SANDBOX_OK);
    let (rc, msg) = error_of(&bad, claim);
    assert_eq!(rc, decode);
    assert_eq!(
        msg,
        "accounts[0].owners[0].emails[0].address: expected string"
    );
    // The claim is checked first: a bad claim with a bad identity is the claim's error.
    assert_eq!(
        error_of("not json", "{}").0,
        Status::MkErrInvalidArgument.code()
    );
}

#[test]
fn huge_values_are_refused_or_ignored_never_slow() {
    let mega = "a".repeat(1 << 20);
    let start = std::time::Instant::now();
    for key in ["name", "email", "phone"] {
        let (rc, msg) = error_of(SANDBOX_OK, &json!({ key: mega }).to_string());
        assert_eq!(rc, Status::MkErrInvalidArgument.code());
        assert_eq!(
            msg,
            format!("claim.{key}: longer than {MK_MAX_CLAIM_VALUE_LEN} bytes")
        );
    }
    let (_, msg) = error_of(
        SANDBOX_OK,
        &json!({"address": {"street": mega}}).to_string(),
    );
    assert_eq!(
        msg,
        format!("claim.address.street: longer than {MK_MAX_CLAIM_VALUE_LEN} bytes")
    );
    // Owner values that long score 0 (or are skipped), quickly.
    let words = "ab ".repeat(1 << 18);
    let mut o = owner("name", &json!(words));
    o["emails"] = json!([{"address": mega}]);
    o["phone_numbers"] = json!([{"number": "1".repeat(1 << 20), "type": "home"}]);
    o["addresses"] = json!([{"street": words, "city": mega}]);
    let body = identity(vec![vec![o]]);
    let claim = json!({"name": "ab ab", "email": "a@b.c", "phone": "6175551212",
                       "address": {"street": "1 ab st", "city": "ab"}});
    let r = call(&body, &claim.to_string()).unwrap();
    assert_eq!(r["accounts"][0]["score"], 0, "{r}");
    // A claim at the limit against ordinary owners.
    let long_name = format!("John {}", "x".repeat(MK_MAX_CLAIM_VALUE_LEN - 5));
    let r = call(SANDBOX_OK, &json!({ "name": long_name }).to_string()).unwrap();
    assert!(r["best"]["score"].as_i64().unwrap() < 50);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

#[test]
fn null_arguments() {
    let c = CString::new(r#"{"name": "x"}"#).unwrap();
    let i = CString::new(SANDBOX_OK).unwrap();
    let (mut out, mut err): (*mut c_char, *mut c_char) = (ptr::dangling_mut(), ptr::null_mut());
    // SAFETY: NULL identity (refused); valid out pointers.
    let rc = unsafe { mk_match_owners(ptr::null(), c.as_ptr(), &mut out, &mut err) };
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
    assert!(out.is_null() && !err.is_null());
    // SAFETY: from this library, freed once.
    unsafe { mk_string_free(err) };
    // SAFETY: NULL claim (refused); NULL out_error is allowed.
    let rc = unsafe { mk_match_owners(i.as_ptr(), ptr::null(), &mut out, ptr::null_mut()) };
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
    assert!(out.is_null());
    // SAFETY: NULL out_json (refused).
    let rc = unsafe { mk_match_owners(i.as_ptr(), c.as_ptr(), ptr::null_mut(), &mut err) };
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
    // SAFETY: a NUL-terminated error JSON from this library, freed once.
    let msg = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    // SAFETY: as above.
    unsafe { mk_string_free(err) };
    assert!(msg.contains("out_json is NULL"), "{msg}");
    // Not UTF-8: the identity is a decode error, the claim an invalid argument.
    let bad = CString::new(vec![b'{', 0xff, b'}']).unwrap();
    // SAFETY: NUL-terminated inputs, valid out pointers.
    let rc = unsafe { mk_match_owners(bad.as_ptr(), c.as_ptr(), &mut out, ptr::null_mut()) };
    assert_eq!(rc, Status::MkErrDecode.code());
    // SAFETY: as above.
    let rc = unsafe { mk_match_owners(i.as_ptr(), bad.as_ptr(), &mut out, ptr::null_mut()) };
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
}

#[test]
fn scores_are_deterministic_and_symmetric_enough() {
    // The same call twice gives the same bytes (bindings compare numbers across languages).
    let claim = r#"{"name": "Jose Alvarez", "phone": "415 555 0123"}"#;
    assert_eq!(
        call(SANDBOX_OK, claim).unwrap(),
        call(SANDBOX_OK, claim).unwrap()
    );
}

/// The prepared path (`PreparedIdentity::new` once, then `match_claim` per claim) against
/// the one-shot `mk_match_owners`: the same result JSON, byte for byte.
fn assert_prepared_is_one_shot(identity_json: &str, claims: &[String]) {
    use moneykit::core::matching::{Claim, PreparedIdentity};
    let identity = moneykit::core::model::parse_identity(identity_json).expect("identity");
    let prepared = PreparedIdentity::new(&identity);
    for claim in claims {
        let one_shot = call_text(identity_json, claim).unwrap_or_else(|e| panic!("{e:?}"));
        let c = Claim::from_json(claim).unwrap();
        assert_eq!(
            prepared.match_claim(&c).to_json(),
            one_shot,
            "claim {claim}"
        );
        let again = moneykit::core::matching::match_owners(&identity, &c).to_json();
        assert_eq!(again, one_shot, "claim {claim}");
    }
}

fn pair_table() -> Vec<Value> {
    let table: Value =
        serde_json::from_str(include_str!("matching/pairs.json")).expect("pairs.json");
    table["pairs"].as_array().unwrap().clone()
}

/// Every pair's claim against its own owner, as `labelled_pairs_follow_the_score_rule`.
#[test]
fn prepared_identity_gives_the_one_shot_json_for_every_pair() {
    for p in pair_table() {
        let field = p["field"].as_str().unwrap();
        let body = identity(vec![vec![owner(field, &p["owner"])]]);
        assert_prepared_is_one_shot(&body, &[json!({ field: p["claim"] }).to_string()]);
    }
}

/// `mk_sandbox_ok` and a `mk_sandbox_large`-like identity (many accounts whose owners mix
/// every pair's owner values, countries included), with single-field and full claims.
#[test]
fn prepared_identity_gives_the_one_shot_json_for_sandbox_like_identities() {
    let pairs = pair_table();
    let of = |field: &str| -> Vec<(Value, Value)> {
        pairs
            .iter()
            .filter(|p| p["field"] == field)
            .map(|p| (p["claim"].clone(), p["owner"].clone()))
            .collect()
    };
    let (names, emails, phones, addresses) = (of("name"), of("email"), of("phone"), of("address"));
    let pick = |v: &[(Value, Value)], k: usize, n: usize| -> Vec<Value> {
        (0..n)
            .map(|j| v[(k * 7 + j * 3) % v.len()].1.clone())
            .collect()
    };
    let mut accounts = Vec::new();
    for a in 0..40 {
        let owners = (0..a % 3)
            .map(|o| {
                let k = a * 3 + o;
                json!({"names": pick(&names, k, 1 + k % 2),
                       "emails": pick(&emails, k, k % 3).into_iter()
                           .map(|e| json!({"address": e})).collect::<Vec<_>>(),
                       "phone_numbers": pick(&phones, k, k % 3).into_iter()
                           .map(|p| json!({"number": p, "type": "mobile"})).collect::<Vec<_>>(),
                       "addresses": pick(&addresses, k, (k + 1) % 3)})
            })
            .collect();
        accounts.push(owners);
    }
    let large = identity(accounts);
    let mut claims: Vec<String> = pairs
        .iter()
        .map(|p| json!({ p["field"].as_str().unwrap(): p["claim"] }).to_string())
        .collect();
    for k in 0..40 {
        let c = |v: &[(Value, Value)]| v[(k * 5) % v.len()].0.clone();
        claims.push(
            json!({"name": c(&names), "email": c(&emails), "phone": c(&phones),
                   "address": c(&addresses)})
            .to_string(),
        );
        claims.push(json!({"name": c(&names), "phone": c(&phones)}).to_string());
    }
    claims.push(
        json!({"name": "ALVAREZ, Jose", "email": "Jose.Alvarez@Example.COM",
               "phone": "(415) 555-0123",
               "address": {"street": "1234 Valencia Street, Apartment 5",
                           "postal_code": "94110-1234", "country": "USA"}})
        .to_string(),
    );
    claims.push(
        json!({"email": "someone.else@example.org", "phone": "+44 20 7946 0958"}).to_string(),
    );
    assert_prepared_is_one_shot(SANDBOX_OK, &claims);
    assert_prepared_is_one_shot(&large, &claims);
}
