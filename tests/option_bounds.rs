//! Options refused by `mk_client_new` itself (not by a binding first), as docs/C-API.md
//! ("Options JSON") documents: a number outside its bounds, and a `ca_file` that is not a
//! PEM file of certificates, are `MK_ERR_INVALID_ARGUMENT`; the message names the option.
//! The bounds are pinned to a literal table (docs/C-API.md's), and the schema must list
//! exactly these numeric options with exactly these bounds.

mod common;

use common::*;
use serde_json::Value;

/// Every numeric option with its bounds, as the options table in docs/C-API.md gives them.
const BOUNDS: [(&str, u64, u64); 12] = [
    ("timeout_ms", 1, 86_400_000),
    ("deadline_ms", 1, 86_400_000),
    ("connect_timeout_ms", 1, 86_400_000),
    ("max_retries", 0, 10),
    ("retry_base_ms", 0, 86_400_000),
    ("max_retry_after_ms", 0, 86_400_000),
    ("max_response_bytes", 1, 1_073_741_824),
    ("app_per_minute", 1, 1_000_000),
    ("link_per_minute", 1, 1000),
    ("coordination_timeout_ms", 1, 60_000),
    ("coordination_lease_max", 1, 1000),
    ("coordination_reserve_per_minute", 0, 1_000_000),
];

/// `mk_client_new` with the loopback base URL and `key: value` (JSON text).
fn new_with(key: &str, value: &str) -> Result<Client, (i32, Value)> {
    try_client(
        Some(ID),
        Some(SECRET),
        &format!(r#"{{"base_url": "http://127.0.0.1:9", "{key}": {value}}}"#),
    )
}

/// The error JSON of an option refused at creation: status 1, nothing sent.
fn assert_invalid(rc: i32, err: &Value, what: &str) {
    assert_eq!(rc, 1, "{what}: {err}");
    assert_eq!(err["status"], 1, "{what}: {err}");
    assert_eq!(err["name"], "MK_ERR_INVALID_ARGUMENT", "{what}: {err}");
    assert_eq!(err["attempts"], 0, "{what}: {err}");
    assert!(err["http_status"].is_null(), "{what}: {err}");
}

#[test]
fn the_schema_has_exactly_the_documented_numeric_options() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/moneykit.json"))
            .unwrap(),
    )
    .unwrap();
    let from_schema: Vec<(String, u64, u64)> = schema["options"]
        .as_array()
        .expect("schema.options")
        .iter()
        .filter(|o| o["type"] == "int")
        .map(|o| {
            (
                o["key"].as_str().unwrap().to_string(),
                o["min"].as_u64().expect("min"),
                o["max"].as_u64().expect("max"),
            )
        })
        .collect();
    let pinned: Vec<(String, u64, u64)> = BOUNDS
        .iter()
        .map(|(k, min, max)| (k.to_string(), *min, *max))
        .collect();
    assert_eq!(from_schema, pinned);
}

#[test]
fn every_numeric_option_outside_its_bounds_is_refused() {
    for (key, min, max) in BOUNDS {
        // The bounds themselves are accepted.
        for ok in [min, max] {
            if let Err(e) = new_with(key, &ok.to_string()) {
                panic!("{key} = {ok} refused: {e:?}");
            }
        }
        // One past either bound: the message names the option, its bounds and the value.
        let mut outside = vec![max + 1];
        if min > 0 {
            outside.push(min - 1);
        }
        for bad in outside {
            let (rc, err) = new_with(key, &bad.to_string())
                .err()
                .unwrap_or_else(|| panic!("{key} = {bad} accepted"));
            assert_invalid(rc, &err, key);
            assert_eq!(
                err["message"],
                format!("option {key} must be between {min} and {max}, got {bad}"),
            );
        }
        // Below 0 and past u64: not a number the option can hold, refused by the parser;
        // the message still names the option.
        for bad in ["-1", "18446744073709551616", "1e300", "1.5", "\"5\""] {
            let (rc, err) = new_with(key, bad)
                .err()
                .unwrap_or_else(|| panic!("{key} = {bad} accepted"));
            assert_invalid(rc, &err, key);
            let message = err["message"].as_str().unwrap();
            assert!(
                message.starts_with(&format!("options JSON: option {key}: ")),
                "{key} = {bad}: {message}"
            );
        }
    }
}

/// A file for `ca_file`, in a directory of this test's own.
fn ca_file(name: &str, contents: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("mk-ca-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

#[test]
fn a_ca_file_that_is_not_pem_certificates_is_refused_at_creation() {
    let garbage = ca_file("garbage.pem", b"this is not a certificate\n");
    let bad_base64 = ca_file(
        "bad-base64.pem",
        b"-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n",
    );
    let truncated = ca_file("truncated.pem", b"-----BEGIN CERTIFICATE-----\nMIIB\n");
    // A DER certificate's first bytes (SEQUENCE, long length): binary, not PEM.
    let der = ca_file(
        "cert.der",
        &[0x30, 0x82, 0x01, 0x0a, 0x30, 0x82, 0x00, 0xff],
    );
    let key_only = ca_file(
        "key.pem",
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHoJ\n-----END PRIVATE KEY-----\n",
    );
    let empty = ca_file("empty.pem", b"");
    let directory = std::env::temp_dir().display().to_string();
    let missing = "/nonexistent/moneykit-ca.pem".to_string();
    for (path, message) in [
        (&garbage, "ca_file holds no certificates"),
        (&bad_base64, "ca_file is not valid PEM"),
        (&truncated, "ca_file is not valid PEM"),
        (&der, "ca_file holds no certificates"),
        (&key_only, "ca_file holds no certificates"),
        (&empty, "ca_file holds no certificates"),
        (&directory, "ca_file is not a regular file"),
        (&missing, "ca_file cannot be read: entity not found"),
    ] {
        let (rc, err) = new_with("ca_file", &format!("\"{path}\""))
            .err()
            .unwrap_or_else(|| panic!("ca_file {path} accepted"));
        assert_invalid(rc, &err, path);
        assert_eq!(err["message"], message, "{path}");
    }
    std::fs::remove_dir_all(std::path::Path::new(&garbage).parent().unwrap()).ok();
}

#[test]
fn a_ca_file_must_be_a_regular_file_of_at_most_1_mib() {
    // Issue 23: a FIFO blocked mk_client_new forever (open waits for a writer) and a
    // large file was read whole; both are refused promptly, before a byte is read.
    // A directory of its own: the test above removes ca_file()'s when it ends.
    let dir = std::env::temp_dir().join(format!("mk-ca-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.pem");
    std::fs::write(&big, vec![b'#'; 1024 * 1024 + 1]).unwrap();
    let big = big.display().to_string();
    let fifo = dir.join("fifo.pem");
    let _ = std::fs::remove_file(&fifo);
    let c_path = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let fifo = fifo.display().to_string();
    for (path, message) in [
        (big, "ca_file is larger than 1 MiB"),
        (fifo.clone(), "ca_file is not a regular file"),
        ("/dev/null".to_string(), "ca_file is not a regular file"),
    ] {
        let value = format!("\"{path}\"");
        let ((rc, err), _) = within(std::time::Duration::from_secs(20), &path, move || {
            new_with("ca_file", &value).err().expect("accepted")
        });
        assert_invalid(rc, &err, &path);
        assert_eq!(err["message"], message, "{path}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_ca_file_at_dev_zero_is_refused_without_reading_it() {
    // Before issue 23 this read until memory ran out: keep it apart from the test above.
    let ((rc, err), _) = within(std::time::Duration::from_secs(20), "/dev/zero", || {
        new_with("ca_file", "\"/dev/zero\"")
            .err()
            .expect("accepted")
    });
    assert_invalid(rc, &err, "/dev/zero");
    assert_eq!(err["message"], "ca_file is not a regular file");
}

#[test]
fn a_wrongly_typed_option_is_named_and_the_access_token_never_echoed() {
    // Named even when other keys come first and are fine.
    let (rc, err) = try_client(
        Some(ID),
        Some(SECRET),
        r#"{"base_url": "http://127.0.0.1:9", "max_retries": 2, "log_level": 3}"#,
    )
    .err()
    .expect("log_level 3 accepted");
    assert_invalid(rc, &err, "log_level");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("options JSON: option log_level: "),
        "{message}"
    );
    // A token of the wrong type is still a secret: its value is not in the message.
    let (rc, err) = new_with("access_token", "987654321")
        .err()
        .expect("a numeric access_token accepted");
    assert_invalid(rc, &err, "access_token");
    assert_eq!(
        err["message"],
        "options JSON: option access_token: expected a string, got a number"
    );
    assert!(!err.to_string().contains("987654321"), "{err}");
    // Nor when the JSON is broken after it, or the token is given as the whole options text.
    for text in [r#"{"access_token": 987654321} x"#, r#""tok_987654321""#] {
        let (rc, err) = try_client(Some(ID), Some(SECRET), text)
            .err()
            .unwrap_or_else(|| panic!("{text} accepted"));
        assert_invalid(rc, &err, text);
        assert!(!err.to_string().contains("987654321"), "{err}");
    }
    // JSON that does not parse: the parser's message (with its position) is kept.
    let (rc, err) = try_client(Some(ID), Some(SECRET), r#"{"timeout_ms": 5"#)
        .err()
        .expect("truncated JSON accepted");
    assert_invalid(rc, &err, "truncated");
    assert!(
        err["message"].as_str().unwrap().contains("line 1 column"),
        "{err}"
    );
}

#[test]
fn a_key_given_twice_is_refused_without_echoing_either_value() {
    // serde refuses the first value of a repeated key (or the repeat itself) while a
    // member-by-member decode only sees the last one: the message must not quote the first.
    for text in [
        r#"{"access_token": 987654321, "access_token": "tok"}"#,
        r#"{"timeout_ms": 5000, "timeout_ms": 6000}"#,
    ] {
        let (rc, err) = try_client(Some(ID), Some(SECRET), text)
            .err()
            .unwrap_or_else(|| panic!("{text} accepted"));
        assert_invalid(rc, &err, text);
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("more than once"), "{text}: {message}");
        assert!(!message.contains("987654321"), "{text}: {message}");
    }
}

#[test]
fn a_wrongly_typed_option_never_echoes_its_value() {
    // Issue 23: serde's messages quote the string they refused ("unknown variant `…`",
    // "invalid type: string \"…\""); a misplaced secret must not reach a log that way.
    const PLANTED: &str = "sekret-Value-0123456789";
    for key in moneykit::core::OPTION_KEYS {
        for value in [
            format!("\"{PLANTED}\""),
            format!("[\"{PLANTED}\"]"),
            format!("{{\"{PLANTED}\": 1}}"),
        ] {
            let Err((rc, err)) = new_with(key, &value) else {
                continue; // a string option that takes any text
            };
            assert_eq!(rc, 1, "{key} = {value}: {err}");
            assert!(
                !err.to_string().contains("sekret"),
                "{key} = {value}: {err}"
            );
        }
    }
    // An array of the fields in order is not an options object.
    let (rc, err) = try_client(
        Some(ID),
        Some(SECRET),
        "[\"http://127.0.0.1:9\", null, null]",
    )
    .err()
    .expect("an array of options accepted");
    assert_invalid(rc, &err, "array");
    assert_eq!(err["message"], "options JSON: expected a JSON object");
    // An unknown key is quoted only when short and plain.
    let (rc, err) = new_with("Sekret.Key@example.com", "1")
        .err()
        .expect("unknown key");
    assert_invalid(rc, &err, "unknown key");
    assert!(!err.to_string().contains("Sekret"), "{err}");
}
