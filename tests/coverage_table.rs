//! tests/README.md maps every status and every option to the tests that provoke them. This
//! keeps that table complete and true: every member of `enum mk_status` in
//! include/moneykit.h (with its number) and every option key of schema/moneykit.json has a
//! row naming at least one test, no row names a status the header lacks, and every test a row
//! names (`file.rs::name`) is a `#[test]` function of that file.

use serde_json::Value;

fn read(relative: &str) -> String {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The members of `enum mk_status` with their numbers, in header order.
fn header_statuses() -> Vec<(String, i64)> {
    let header = read("include/moneykit.h");
    // The definition: a line of its own (the header's opening comment mentions it too).
    let start = header
        .find("\nenum mk_status\n")
        .expect("enum mk_status in the header");
    let open = start + header[start..].find('{').expect("the enum's body");
    let close = open + header[open..].find("};").expect("the end of the enum");
    let statuses: Vec<(String, i64)> = header[open + 1..close]
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("MK_"))
        .map(|l| {
            let (name, value) = l.split_once('=').unwrap_or_else(|| panic!("no value: {l}"));
            let value = value.trim().trim_end_matches(',').trim();
            (
                name.trim().to_string(),
                value
                    .parse()
                    .unwrap_or_else(|_| panic!("not a number: {l}")),
            )
        })
        .collect();
    assert!(
        statuses.iter().any(|(n, v)| n == "MK_OK" && *v == 0),
        "{statuses:?}"
    );
    statuses
}

/// The option keys of `mk_client_new`'s options JSON.
fn schema_options() -> Vec<String> {
    let schema: Value = serde_json::from_str(&read("schema/moneykit.json")).unwrap();
    let keys: Vec<String> = schema["options"]
        .as_array()
        .expect("schema.options")
        .iter()
        .map(|o| o["key"].as_str().expect("an option key").to_string())
        .collect();
    assert!(keys.len() > 10, "{keys:?}");
    keys
}

/// The cells of every table row of tests/README.md (separator rows left out).
fn rows() -> Vec<Vec<String>> {
    read("tests/README.md")
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The tests a cell names: every `` `file.rs::name` `` in it.
fn named_tests(cell: &str) -> Vec<(String, String)> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| {
            let (file, name) = code.split_once("::")?;
            let ident =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            (file.ends_with(".rs") && ident).then(|| (file.to_string(), name.to_string()))
        })
        .collect()
}

/// Whether tests/`file` defines `fn name` as a `#[test]`: the attributes (and comments)
/// just above the `fn` line include `#[test]`.
fn is_test_function(file: &str, name: &str) -> bool {
    let path = format!("{}/tests/{file}", env!("CARGO_MANIFEST_DIR"));
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let wanted = format!("fn {name}(");
    lines.iter().enumerate().any(|(i, line)| {
        line.starts_with(&wanted)
            && lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
                .any(|l| *l == "#[test]")
    })
}

#[test]
fn every_status_in_the_header_has_a_row_naming_a_test() {
    let rows = rows();
    let mut missing = Vec::new();
    for (name, value) in header_statuses() {
        let row = rows
            .iter()
            .find(|r| r.len() >= 3 && r[1] == format!("`{name}`"));
        match row {
            None => missing.push(format!("{name} ({value}): no row")),
            Some(r) if r[0] != value.to_string() => {
                missing.push(format!("{name}: row says {}, header {value}", r[0]))
            }
            Some(r) if named_tests(&r[2]).is_empty() => {
                missing.push(format!("{name}: the row names no test"))
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "tests/README.md: {missing:#?}");
}

#[test]
fn no_row_names_a_status_the_header_lacks() {
    let known: Vec<String> = header_statuses()
        .into_iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    for row in rows() {
        if row.len() >= 2 && row[1].starts_with("`MK_") {
            assert!(known.contains(&row[1]), "tests/README.md: {row:?}");
        }
    }
}

#[test]
fn every_option_in_the_schema_has_a_row_naming_a_test() {
    let rows = rows();
    let mut missing = Vec::new();
    for key in schema_options() {
        let row = rows
            .iter()
            .find(|r| r.len() >= 2 && r[0] == format!("`{key}`"));
        match row {
            None => missing.push(format!("{key}: no row")),
            Some(r) if named_tests(&r[1]).is_empty() => {
                missing.push(format!("{key}: the row names no test"))
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "tests/README.md: {missing:#?}");
}

#[test]
fn every_test_a_row_names_exists() {
    let mut named = 0;
    let mut absent = Vec::new();
    for row in rows() {
        for cell in &row {
            for (file, name) in named_tests(cell) {
                named += 1;
                if !is_test_function(&file, &name) {
                    absent.push(format!("{file}::{name}"));
                }
            }
        }
    }
    assert!(
        named > 30,
        "only {named} tests named: is the table still there?"
    );
    assert!(
        absent.is_empty(),
        "tests/README.md names tests that are not #[test] functions of their file: {absent:#?}"
    );
}

#[test]
fn the_checks_above_can_fail() {
    // The parsers find what they should, and refuse what they should not accept.
    assert_eq!(
        named_tests("`a.rs::b_c`, `x::y`, `d.rs::`, `e.rs::f g`, `MK_OK`"),
        vec![("a.rs".to_string(), "b_c".to_string())]
    );
    assert!(is_test_function(
        "coverage_table.rs",
        "every_test_a_row_names_exists"
    ));
    assert!(!is_test_function("coverage_table.rs", "read"));
    assert!(!is_test_function("coverage_table.rs", "no_such_test"));
    assert!(!is_test_function("no_such_file.rs", "read"));
}
