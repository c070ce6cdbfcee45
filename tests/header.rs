//! The committed header is the one cbindgen generates from the sources now, and
//! agrees with the Rust source of truth: every status name and number, and the
//! version. (`make header` regenerates it; `make header-check` also fails when
//! the regenerated header differs from the one committed in HEAD.)

use moneykit::core::{Status, VERSION};

/// What build.rs generated from the sources of this build. `include_str!` makes
/// a missing file a compile error, so this check cannot pass by not running.
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/moneykit.h"));

fn header() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/moneykit.h")).unwrap()
}

#[test]
fn committed_header_is_the_generated_one() {
    let committed = header();
    assert!(
        GENERATED.contains("enum mk_status"),
        "generated header looks empty"
    );
    if committed != GENERATED {
        let line = committed
            .lines()
            .zip(GENERATED.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(GENERATED.lines().count()))
            + 1;
        panic!(
            "include/moneykit.h differs from what cbindgen generates now (first at line {line}); \
             run `make header` and commit it"
        );
    }
}

#[test]
fn status_enum_matches() {
    let h = header();
    // The definition (a line of its own), not the mention in the header's comment.
    let body = &h[h.find("\nenum mk_status\n").unwrap()..];
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
    // Pinned to the README's table, not to the enum cbindgen generated the header from:
    // numbers are stable and never reused, so a renumbering must fail here.
    let readme: &[(&str, i32)] = &[
        ("MK_OK", 0),
        ("MK_ERR_INVALID_ARGUMENT", 1),
        ("MK_ERR_TRANSPORT", 2),
        ("MK_ERR_TIMEOUT", 3),
        ("MK_ERR_DECODE", 4),
        ("MK_ERR_UNAUTHORIZED", 5),
        ("MK_ERR_FORBIDDEN", 6),
        ("MK_ERR_NOT_FOUND", 7),
        ("MK_ERR_LINK_DELETED", 8),
        ("MK_ERR_LINK_BAD_STATE", 9),
        ("MK_ERR_RATE_LIMITED", 10),
        ("MK_ERR_SERVER", 11),
        ("MK_ERR_HTTP", 12),
        ("MK_ERR_INTERNAL", 13),
        ("MK_ERR_CANCELLED", 14),
        ("MK_ERR_SIGNATURE", 15),
    ];
    let expected: Vec<(String, i32)> = readme.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    assert_eq!(entries, expected);
    let library: Vec<(String, i32)> = Status::ALL
        .iter()
        .map(|s| (s.name().to_string(), s.code()))
        .collect();
    assert_eq!(library, expected);
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
