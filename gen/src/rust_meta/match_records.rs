//! The core's JSON records (src/core/matching/records_gen.rs) from the schema's `records`
//! that have a `json` direction (the owner match's claim and result):
//! - an `output` record becomes a `Serialize` struct with the schema's fields in order, so
//!   the library's JSON has exactly the schema's keys, in the schema's order (`null` for an
//!   absent optional field);
//! - an `input` record becomes the list of keys its reader accepts (`CLAIM_KEYS`, ...).
//!
//! Type rule: `string` -> `String`, `bool` -> `bool`, `float` -> `f64`, a record -> its
//! struct, `list:T` -> `Vec<T>`, `required: false` -> `Option<T>`; `int` -> `u8` for a
//! field named `score` (scores are 0-100), else `usize` (an index or count), or `i64` when
//! `signed`. `Copy` and `Eq` are derived when every field allows them.

use crate::out::{Comment, Out};
use crate::records::{RTy, Record};
use crate::rust::rustfmt;
use crate::schema::{snake, upper, wrap, Schema};
use std::fmt::Write;

fn rust_ty(name: &str, t: &RTy) -> String {
    match t {
        RTy::Str => "String".into(),
        RTy::Bool => "bool".into(),
        RTy::Int(true) => "i64".into(),
        RTy::Int(false) if name == "score" => "u8".into(),
        RTy::Int(false) => "usize".into(),
        RTy::Float => "f64".into(),
        RTy::Record(r) => r.clone(),
        RTy::List(inner) => format!("Vec<{}>", rust_ty(name, inner)),
        RTy::Status => panic!("records: a JSON record field `{name}` of type status"),
    }
}

/// (`Copy`, `Eq`) for a field type, given the records emitted before.
fn traits(t: &RTy, records: &[Record]) -> (bool, bool) {
    match t {
        RTy::Str => (false, true),
        RTy::Bool | RTy::Int(_) | RTy::Status => (true, true),
        RTy::Float => (true, false),
        RTy::List(inner) => (false, traits(inner, records).1),
        RTy::Record(r) => {
            let rec = records
                .iter()
                .find(|x| &x.name == r)
                .unwrap_or_else(|| panic!("records: {r} is not a JSON record"));
            record_traits(rec, records)
        }
    }
}

fn record_traits(r: &Record, records: &[Record]) -> (bool, bool) {
    r.fields
        .iter()
        .map(|(_, t)| traits(t, records))
        .fold((true, true), |(c, e), (fc, fe)| (c && fc, e && fe))
}

fn doc(b: &mut String, indent: &str, text: &str) {
    for line in wrap(text, 90 - indent.len()) {
        let _ = writeln!(b, "{indent}/// {line}");
    }
}

fn output(r: &Record, records: &[Record], b: &mut String) {
    let (copy, eq) = record_traits(r, records);
    let mut derives = vec!["Debug", "Clone"];
    if copy {
        derives.push("Copy");
    }
    derives.push("PartialEq");
    if eq {
        derives.push("Eq");
    }
    derives.push("Serialize");
    b.push('\n');
    doc(b, "", &r.def.doc);
    let _ = writeln!(
        b,
        "#[derive({})]\npub struct {} {{",
        derives.join(", "),
        r.name
    );
    for (f, t) in &r.fields {
        let ty = rust_ty(&f.name, t);
        let ty = if f.required {
            ty
        } else {
            format!("Option<{ty}>")
        };
        doc(b, "    ", &f.doc);
        let _ = writeln!(b, "    pub {}: {ty},", f.name);
    }
    b.push_str("}\n");
}

fn input(r: &Record, b: &mut String) {
    let keys: Vec<String> = r
        .fields
        .iter()
        .map(|(f, _)| format!("{:?}", f.name))
        .collect();
    b.push('\n');
    let _ = writeln!(
        b,
        "/// The keys of `{}`, in schema order; any other key is refused.\n///",
        r.name
    );
    doc(b, "", &r.def.doc);
    let _ = writeln!(
        b,
        "pub(crate) const {}_KEYS: [&str; {}] = [{}];",
        upper(&snake(&r.name)),
        keys.len(),
        keys.join(", ")
    );
}

pub fn emit(s: &Schema, out: &mut Out) {
    let records: Vec<Record> = s
        .records()
        .into_iter()
        .filter(|r| r.def.json.is_some())
        .collect();
    let mut b = String::from(
        "//! The owner match's JSON records (schema/moneykit.json `records` with `json`):\n\
         //! the result structs, which serialise to the result JSON of docs/C-API.md\n\
         //! (\"Owner match\"), and the claim's keys.\n\nuse serde::Serialize;\n",
    );
    for r in &records {
        match r.def.json.as_deref() {
            Some("output") => output(r, &records, &mut b),
            Some("input") => input(r, &mut b),
            other => panic!("record {}: json {other:?} is not input or output", r.name),
        }
    }
    out.file(
        "src/core/matching/records_gen.rs",
        Comment::Slash,
        &rustfmt(&b),
    );
}
