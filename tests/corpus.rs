//! The conformance corpus (tests/corpus/, schema/README.md) through the core:
//! every accepted body decodes to its expected canonical dump, every refused
//! body is refused through the C ABI's `mk_validate_identity` with its path,
//! and no refusal message carries a value from the body.

mod common;

use moneykit::core::model::{parse_identity, Canonical};
use moneykit::ffi::{mk_string_free, mk_validate_identity};
use serde_json::Value;
use std::ffi::CStr;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// (name, body) of every corpus body, sorted by name.
fn bodies() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read_to_string(&p).expect("UTF-8 body"))
        })
        .collect();
    out.sort();
    out
}

/// The C ABI's verdict on a body: Ok, or the error JSON's message.
fn validate_via_c(body: &str) -> Result<(), String> {
    let mut err = std::ptr::null_mut();
    // SAFETY: body is valid for body.len() reads; err is a valid out pointer.
    let rc = unsafe { mk_validate_identity(body.as_ptr().cast(), body.len(), &mut err) };
    if rc == 0 {
        assert!(err.is_null());
        return Ok(());
    }
    assert_eq!(rc, 4, "a refused body is MK_ERR_DECODE");
    // SAFETY: a non-zero status always comes with a library string.
    let json = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    // SAFETY: err came from the library and is freed once.
    unsafe { mk_string_free(err) };
    let v: Value = serde_json::from_str(&json).unwrap();
    Err(v["message"].as_str().unwrap().to_string())
}

/// Every string value (not key) in a JSON document.
fn string_values(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| string_values(x, out)),
        Value::Object(o) => o.values().for_each(|x| string_values(x, out)),
        _ => {}
    }
}

#[test]
fn corpus_is_not_empty() {
    let all = bodies();
    assert!(all.iter().filter(|(n, _)| n.starts_with("refuse_")).count() >= 10);
    assert!(
        all.iter()
            .filter(|(n, _)| !n.starts_with("refuse_"))
            .count()
            >= 10
    );
}

#[test]
fn accepted_bodies_give_their_canonical_dump() {
    for (name, body) in bodies()
        .into_iter()
        .filter(|(n, _)| !n.starts_with("refuse_"))
    {
        validate_via_c(&body).unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let model = parse_identity(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected_path = corpus_dir().join(format!("{name}.expected.json"));
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .unwrap();
        let got = model.canonical();
        assert_eq!(
            got,
            expected,
            "{name}: canonical dump differs:\n{}",
            serde_json::to_string_pretty(&got).unwrap()
        );
    }
}

#[test]
fn refused_bodies_name_their_path_and_no_value() {
    for (name, body) in bodies()
        .into_iter()
        .filter(|(n, _)| n.starts_with("refuse_"))
    {
        let want = std::fs::read_to_string(corpus_dir().join(format!("{name}.error")))
            .unwrap_or_else(|e| panic!("{name}.error: {e}"));
        let want = want.trim();
        let message = validate_via_c(&body).expect_err(&name);
        assert!(
            message.contains(want),
            "{name}: message {message:?} lacks {want:?}"
        );
        assert_eq!(parse_identity(&body).unwrap_err(), message, "{name}");
        if let Ok(doc) = serde_json::from_str::<Value>(&body) {
            let mut values = Vec::new();
            string_values(&doc, &mut values);
            for v in values.iter().filter(|v| v.len() >= 4) {
                assert!(
                    !message.contains(v.as_str()),
                    "{name}: message {message:?} carries the body's value {v:?}"
                );
            }
        }
    }
}

#[test]
fn owner_data_in_a_wrongly_typed_field_stays_out_of_the_message() {
    let body = std::fs::read_to_string(corpus_dir().join("seed_example.json")).unwrap();
    let secret = "john.doe.private@example.com";
    for (from, to) in [
        (
            r#""address": "example@example.com""#,
            format!(r#""address": ["{secret}"]"#),
        ),
        (r#""emails": ["#, format!(r#""emails": ["{secret}", "#)),
        (
            r#""balance_date": "2023-02-16T09:14:11Z""#,
            format!(r#""balance_date": "{secret}""#),
        ),
        (r#""closed": true"#, format!(r#""closed": "{secret}""#)),
    ] {
        let bad = body.replace(from, &to);
        assert_ne!(bad, body, "{from} not found");
        let message = validate_via_c(&bad).expect_err(from);
        assert!(!message.contains(secret), "{message}");
        assert!(message.contains("accounts[0]"), "{message}");
    }
}

#[test]
fn not_utf8_and_null_are_refused_cleanly() {
    let mut err = std::ptr::null_mut();
    // SAFETY: NULL body is documented to give MK_ERR_INVALID_ARGUMENT.
    let rc = unsafe { mk_validate_identity(std::ptr::null(), 3, &mut err) };
    assert_eq!(rc, 1);
    // SAFETY: freed once.
    unsafe { mk_string_free(err) };
    let bytes = b"{\"accounts\": [\"\xff\"]}";
    // SAFETY: valid for bytes.len() reads; a NULL out_error is allowed.
    let rc =
        unsafe { mk_validate_identity(bytes.as_ptr().cast(), bytes.len(), std::ptr::null_mut()) };
    assert_eq!(rc, 4);
}

#[test]
fn every_corpus_body_through_a_real_call() {
    // The sandbox serves tests/corpus/NAME.json as link `mk_corpus_NAME`: the
    // client must hand accepted bodies over byte for byte and refuse the others
    // with the same path as the validator.
    let sandbox = common::sandbox();
    let client = common::client(&sandbox, r#""max_retries": 0"#);
    for (name, body) in bodies() {
        let got = client.identity(&format!("mk_corpus_{name}"), &[]);
        if name.starts_with("refuse_") {
            assert_eq!(got.status, 4, "{name}: {:?}", got.error);
            let want = std::fs::read_to_string(corpus_dir().join(format!("{name}.error"))).unwrap();
            let message = got.err("message").as_str().unwrap();
            assert!(message.contains(want.trim()), "{name}: {message}");
        } else {
            assert_eq!(got.status, 0, "{name}: {:?}", got.error);
            assert_eq!(
                got.json.as_deref(),
                Some(body.as_str()),
                "{name}: body changed"
            );
        }
    }
}

#[test]
fn a_map_key_from_the_body_is_quoted_only_when_short_and_plain() {
    // Issue 23: a 1 MB key made a 1,000,074-character message. Keys of `link.products`
    // come from the body: a long or unusual one is named by its position instead.
    let body = std::fs::read_to_string(corpus_dir().join("sandbox_ok.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&body).unwrap();
    for (key, label) in [
        ("k".repeat(1_000_000), "#0"),
        ("Owner.Name@example.com".to_string(), "#0"),
        ("balances_v2".to_string(), "balances_v2"),
    ] {
        let products = doc["link"]["products"].as_object_mut().unwrap();
        products.clear();
        products.insert(key.clone(), Value::from(7));
        let message = validate_via_c(&doc.to_string()).expect_err("a product that is a number");
        assert_eq!(message, format!("link.products.{label}: expected object"));
    }
}
