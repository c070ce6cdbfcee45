//! The committed header agrees with the Rust source of truth: every status name
//! and number, and the version. (`make header-check` also fails when the
//! committed header differs from what cbindgen generates now.)

use moneykit::core::{Status, VERSION};

fn header() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/moneykit.h")).unwrap()
}

#[test]
fn status_enum_matches() {
    let h = header();
    let body = &h[h.find("enum mk_status").unwrap()..];
    let body = &body[body.find('{').unwrap() + 1..body.find("};").unwrap()];
    let entries: Vec<(String, i32)> = body
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("MK_"))
        .map(|l| {
            let (name, value) = l.trim_end_matches(',').split_once(" = ").unwrap();
            (name.to_string(), value.parse().unwrap())
        })
        .collect();
    let expected: Vec<(String, i32)> = Status::ALL
        .iter()
        .map(|s| (s.name().to_string(), s.code()))
        .collect();
    assert_eq!(entries, expected);
}

#[test]
fn version_macros_match_cargo() {
    let h = header();
    assert!(h.contains(&format!("#define MK_VERSION \"{VERSION}\"")));
    let mut parts = VERSION.split('.');
    for macro_name in ["MK_VERSION_MAJOR", "MK_VERSION_MINOR", "MK_VERSION_PATCH"] {
        assert!(h.contains(&format!("#define {macro_name} {}", parts.next().unwrap())));
    }
}

#[test]
fn every_function_is_declared() {
    let h = header();
    for f in [
        "const char *mk_version(void);",
        "const char *mk_status_name(int32_t status);",
        "const char *mk_status_describe(int32_t status);",
        "int32_t mk_client_new(",
        "void mk_client_free(",
        "int32_t mk_get_identity(",
        "void mk_string_free(char *s);",
    ] {
        assert!(h.contains(f), "{f}");
    }
}
