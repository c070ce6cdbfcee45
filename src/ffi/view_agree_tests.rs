//! The typed view accepts exactly what the one validator accepts (`mk_identity_parse`
//! builds the view in the validator's own pass): every corpus body, every committed
//! fuzz input of the identity targets, and bodies made to sit on the edges where the
//! view reads a value differently from the validator (a number's or an opaque
//! value's text is taken raw, then checked; the nesting limit around an opaque
//! value).

use super::{mk_identity_free, mk_identity_parse};
use crate::ffi::{mk_string_free, mk_validate_identity};
use std::ffi::{c_char, CStr};
use std::ptr;

/// `Ok(())` or the error JSON's message.
fn verdict(rc: i32, err: *mut c_char) -> Result<(), (i32, String)> {
    if rc == 0 {
        assert!(err.is_null());
        return Ok(());
    }
    // SAFETY: a failed call with an `out_error` gives a library string.
    let json = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    // SAFETY: freed once.
    unsafe { mk_string_free(err) };
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    Err((rc, v["message"].as_str().unwrap().to_string()))
}

fn validator(body: &[u8]) -> Result<(), (i32, String)> {
    let mut err = ptr::null_mut();
    // SAFETY: `body` is valid for its length; `err` is a valid out pointer.
    let rc = unsafe { mk_validate_identity(body.as_ptr().cast(), body.len(), &mut err) };
    verdict(rc, err)
}

fn view(body: &[u8]) -> Result<(), (i32, String)> {
    let (mut id, mut err) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: `body` is valid for its length; both out pointers are valid.
    let rc = unsafe { mk_identity_parse(body.as_ptr().cast(), body.len(), &mut id, &mut err) };
    // SAFETY: NULL or a live handle, freed once.
    unsafe { mk_identity_free(id) };
    verdict(rc, err)
}

/// Both verdicts, asserted equal; whether the body was accepted.
fn agree(what: &str, body: &[u8]) -> bool {
    let (v, w) = (validator(body), view(body));
    assert_eq!(v, w, "{what}: mk_validate_identity vs mk_identity_parse");
    v.is_ok()
}

#[test]
fn corpus_and_fuzz_inputs() {
    let (dirs, inputs) = crate::core::test_inputs::identity_inputs();
    let (mut accepted, mut refused) = (0, 0);
    for f in &inputs {
        {
            let body = std::fs::read(f).unwrap();
            if agree(&f.display().to_string(), &body) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    // The corpus alone has 16 accepted and 29 refused bodies; the fuzz corpora about 1000 more.
    assert!(dirs.len() >= 4, "{dirs:?}");
    assert!(
        accepted + refused >= 1000,
        "{accepted} accepted, {refused} refused"
    );
}

/// A valid body with `amount` as the current balance and `settings` as a product's.
fn body(amount: &str, settings: &str) -> String {
    format!(
        r#"{{"accounts": [{{"account_id": "a", "account_type": "t", "name": "n", "balances": {{"current": {amount}}}, "owners": []}}],
            "link": {{"link_id": "l", "institution_id": "i", "institution_name": "n", "institution_avatar": "",
                      "state": "connected", "provider": "mx", "available_products": [],
                      "products": {{"identity": {{"settings": {settings}}}}}}}}}"#
    )
}

#[test]
fn numbers_taken_raw_then_checked() {
    let ok = [
        "0",
        "-0",
        "1",
        "-1.5",
        "1e3",
        "1E+3",
        "1e-3",
        "1e-400",
        "-1e-400",
        "0.0000",
        "123456789012345678901234567890",
        "1.7976931348623157e308",
        "18446744073709551616",
        "-9223372036854775809",
        "1e0000000000000000000000000001",
        "0e99999999999999999999",
    ];
    let bad = [
        "1e400",
        "-1e400",
        "2e308",
        "1.8e308",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "\"1\"",
        "[1]",
        "{}",
        "true",
        "1 2",
        "1e99999999999999999999",
    ];
    for n in ok {
        assert!(agree(n, body(n, "{}").as_bytes()), "{n} should be accepted");
    }
    for n in bad {
        assert!(!agree(n, body(n, "{}").as_bytes()), "{n} should be refused");
    }
}

#[test]
fn opaque_values_taken_raw_then_checked() {
    let ok = [
        "{}",
        "null",
        r#"{"a": [1, {"b": "}"}], "c": "\"]"}"#,
        r#"{"x": 1e-400}"#,
        r#"{"a": 1, "a": 2}"#,
        r#"{"\ud83d\ude00": "\u00e9"}"#,
        r#"{"k": "\ud800x"}"#,
        r#"{"\ud800": 1}"#,
        r#"{"k": {"\ud800": 1}}"#,
    ];
    let bad = [
        "[]",
        "1",
        "\"s\"",
        "true",
        r#"{"x": 1e400}"#,
        r#"{"x": [1e400]}"#,
        r#"{"x": 01}"#,
        r#"{"x": "\q"}"#,
        r#"{"x" 1}"#,
        "{",
        r#"{"x": [}"#,
    ];
    for s in ok {
        agree(s, body("1", s).as_bytes());
    }
    for s in bad {
        assert!(!agree(s, body("1", s).as_bytes()), "{s} should be refused");
    }
}

/// serde_json refuses arrays and objects nested deeper than 127; an opaque value is
/// read raw, without that limit, so the view checks it around the value (the
/// settings object sits at depth 5: root, link, products, the product, settings).
#[test]
fn nesting_limit_around_an_opaque_value() {
    let (mut last_ok, mut first_refused) = (None, None);
    for n in 118..=130 {
        // An object holding n - 1 nested arrays: n levels.
        let settings = format!(r#"{{"x": {}{}}}"#, "[".repeat(n - 1), "]".repeat(n - 1));
        let ok = agree(
            &format!("settings nested {n} deep"),
            body("1", &settings).as_bytes(),
        );
        if ok {
            last_ok = Some(n);
        } else if first_refused.is_none() {
            first_refused = Some(n);
        }
    }
    assert_eq!((last_ok, first_refused), (Some(123), Some(124)));
    // And the same nesting in an unknown member, where both read it in place.
    for n in 120..=128 {
        let deep = "[".repeat(n) + &"]".repeat(n);
        let b = body("1", "{}").replacen(
            r#""name": "n""#,
            &format!(r#""name": "n", "zz": {deep}"#),
            1,
        );
        agree(&format!("unknown member nested {n} deep"), b.as_bytes());
    }
}

#[test]
fn strings_keys_and_structure() {
    let base = body("1", "{}");
    let cases = [
        base.replace(r#""name": "n""#, r#""name": "\ud800""#),
        base.replace(r#""name": "n""#, r#""name": "\udc00\ud800""#),
        base.replace(r#""name": "n""#, "\"name\": \"a\tb\""),
        base.replace(r#""name": "n""#, r#""name": "n", "name": "m""#),
        base.replace(r#""name": "n""#, r#""na\u006de": "n""#),
        base.replace(r#""name": "n""#, r#""\ud800": "n", "name": "n""#),
        base.replace(r#""identity": {"settings": {}}"#, r#""identity": null, "identity": {}"#),
        base.replace(r#""identity": {"settings": {}}"#, r#""\ud800": {}"#),
        base.replace(r#""identity": {"settings": {}}"#, r#""a": {}, "a": []"#),
        base.replace(r#""identity": {"settings": {}}"#, r#""a": {"settings": {}, "settings": {}}"#),
        base.replace(r#""state": "connected""#, r#""state": "\u0063onnected""#),
        base.replace(r#""available_products": []"#, r#""available_products": [null]"#),
        base.replace(r#""available_products": []"#, r#""available_products": ["a",]"#),
        base.clone() + " \n\t",
        base.clone() + " x",
        base.clone() + "{}",
        format!("\u{feff}{base}"),
        base.replace(r#""owners": []"#, r#""owners": [{"names": [], "addresses": [], "phone_numbers": [], "emails": [], "x": {"y": [1e400]}}]"#),
        base.replace(r#""owners": []"#, r#""owners": [["a"]]"#),
    ];
    for (i, b) in cases.iter().enumerate() {
        agree(&format!("case {i}"), b.as_bytes());
    }
}
