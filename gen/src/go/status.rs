//! status_gen.go: Status with its constants, names and descriptions, the
//! compile-time check against moneykit.h, one error sentinel per failure
//! status, and the wire struct of the library's error JSON.

use super::{align, comment, field_line, go_string};
use crate::schema::{go_ident, status_short, Schema, StatusDef};

/// `MK_ERR_NOT_FOUND` -> `NotFound`, `MK_ERR_HTTP` -> `HTTP`, `MK_OK` -> `OK`.
fn stem(st: &StatusDef) -> String {
    match status_short(&st.name).to_ascii_lowercase().as_str() {
        "ok" => "OK".to_string(),
        short => go_ident(short),
    }
}

pub fn file(s: &Schema) -> String {
    let mut b = String::from(
        r#"package moneykit

/*
#include "moneykit.h"
*/
import "C"

// Status is the status code of the C library (enum mk_status in moneykit.h).
// The numbers are stable and never reused.
type Status int32

// The status codes; each equals the enum mk_status value of the same name in
// moneykit.h (checked at compile time below and by a test).
const (
"#,
    );
    let rows: Vec<Vec<String>> = s
        .statuses
        .iter()
        .map(|st| {
            vec![
                format!("Status{}", stem(st)),
                "Status".to_string(),
                format!("= {}", st.code),
                format!("// {}: {}", st.name, st.describe),
            ]
        })
        .collect();
    for line in align(&rows) {
        b.push_str(&format!("\t{line}\n"));
    }
    b.push_str(
        ")\n\n// Compile-time proof that the constants equal the header's: a constant\n\
         // index out of range (or negative) does not compile.\nfunc _() {\n\tvar x [1]struct{}\n",
    );
    for st in &s.statuses {
        let (g, c) = (format!("Status{}", stem(st)), format!("C.{}", st.name));
        b.push_str(&format!("\t_, _ = x[{g}-{c}], x[{c}-{g}]\n"));
    }
    // The name tables are indexed by code: the codes must be 0, 1, 2, ...
    for (i, st) in s.statuses.iter().enumerate() {
        assert_eq!(
            st.code as usize, i,
            "status {} is not at index {i}",
            st.name
        );
    }
    b.push_str("}\n\nvar statusNames = [...]string{\n");
    for st in &s.statuses {
        b.push_str(&format!("\t{},\n", go_string(&st.name)));
    }
    b.push_str("}\n\nvar statusDescriptions = [...]string{\n");
    for st in &s.statuses {
        b.push_str(&format!("\t{},\n", go_string(&st.describe)));
    }
    b.push_str("}\n");
    b.push_str(
        "\n// Sentinel errors, one per failure status. Every *Error matches the sentinel\n\
         // of its Status with errors.Is:\n//\n\
         //\tif errors.Is(err, moneykit.ErrNotFound) { ... }\n//\n\
         // Use errors.As with a *Error to read the details (HTTP status, request id...).\nvar (\n",
    );
    for (i, st) in s.error_statuses().enumerate() {
        if i > 0 {
            b.push('\n');
        }
        let name = format!("Err{}", stem(st));
        b.push_str(&comment(
            &format!("{name} is {}: {}.", st.name, st.when),
            "\t",
        ));
        b.push_str(&format!(
            "\t{name} error = &sentinel{{Status{}, {}}}\n",
            stem(st),
            go_string(&st.describe)
        ));
    }
    b.push_str(")\n\n// sentinelFor returns the sentinel of a failure status; unknown numbers (a\n\
         // newer library) count as internal errors.\nfunc sentinelFor(s Status) error {\n\tswitch s {\n");
    for st in s.error_statuses() {
        b.push_str(&format!("\tcase Status{0}:\n\t\treturn Err{0}\n", stem(st)));
    }
    b.push_str("\t}\n\treturn ErrInternal\n}\n\n");
    b.push_str(&error_json(s));
    b
}

/// The error JSON's wire struct: optional keys are pointers (nil for null).
fn error_json(s: &Schema) -> String {
    let mut b = String::from(
        "// errorJSON is the wire form of the library's error JSON (the C API's\n\
         // out_error); parseError turns it into an *Error.\ntype errorJSON struct {\n",
    );
    for k in &s.error_json {
        let ty = match k.ty.as_str() {
            "int" => "int64",
            "string" => "string",
            "bool" => "bool",
            "validation_errors" => "[]ValidationError",
            "response" => "RawResponse",
            other => panic!("error_json key {}: unknown type {other}", k.key),
        };
        // A list is nil for null; everything else optional is a pointer.
        let ptr = if k.required || ty.starts_with("[]") {
            ""
        } else {
            "*"
        };
        b.push_str(&field_line("\t", &k.doc, &k.key, &format!("{ptr}{ty}")));
    }
    b.push_str("}\n");
    b
}
