//! The Go emitter: bindings/go/*_gen.go (see main.rs).
//!
//! - `models_gen.go`: the response structs and open enums (JSON tags for
//!   encoding; decoding goes through the library's typed view);
//! - `view_gen.go`: the builders that copy the C typed view into those structs;
//! - `canonical_gen.go`: CanonicalDump, the conformance corpus's form;
//! - `status_gen.go`: Status, its constants and names, the per-status error
//!   sentinels and the error JSON's wire struct;
//! - `options_gen.go`: Options, BatchOptions and RefreshOptions with their
//!   options JSON;
//! - `records_gen.go`: the owner-match claim and result, the batch progress
//!   and the C records' conversions (batch item, event);
//! - `format_gen.go`: String, GoString and Format of the response types and
//!   the claim, which never print owner data;
//! - `webhooks_gen.go`: the typed webhook events (the schema's
//!   `webhook_events`), their decoder and the timestamp probe body.
//!
//! The field types (Decimal, Timestamp) and the small helpers the generated
//! code calls are ordinary hand-written files of bindings/go.
//!
//! Every file is gofmt-clean as written: fields and variables each carry a doc
//! comment line (which ends gofmt's alignment blocks) and the one aligned
//! block, the status constants, is padded here.

mod canonical;
mod format;
mod option_check;
mod options;
mod records;
mod status;
mod view;
mod webhooks;

use crate::out::{Comment, Out};
use crate::schema::{go_ident, wrap, Field, Object, Schema, Ty};

const DIR: &str = "bindings/go";

pub fn emit(s: &Schema, out: &mut Out) {
    let files = [
        ("models_gen.go", models(s)),
        ("canonical_gen.go", canonical::file(s)),
        ("status_gen.go", status::file(s)),
        ("view_gen.go", view::file(s)),
        ("options_gen.go", options::file(s)),
        ("records_gen.go", records::file(s)),
        ("format_gen.go", format::file(s)),
        ("webhooks_gen.go", webhooks::file(s)),
    ];
    for (name, body) in files {
        // The blank line keeps the notice from becoming the package comment.
        out.file(
            &format!("{DIR}/{name}"),
            Comment::Slash,
            &format!("\n{body}"),
        );
    }
}

/// An object's Go type name (`AccountIdentity` -> `Account`).
fn type_name(o: &Object) -> String {
    o.name_in("go")
}

/// The Go name of an enum value's constant: `LinkState` + `AwaitingTokenExchange`.
fn enum_const(enum_name: &str, value: &str) -> String {
    let snake: String = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{enum_name}{}", go_ident(&snake.to_ascii_lowercase()))
}

/// A Go string literal (a JSON string is one).
pub(crate) fn go_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// The Go type of a value of `ty` that is always present.
fn go_type(ty: &Ty, s: &Schema) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::Bool => "bool".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Timestamp => "Timestamp".into(),
        Ty::Enum(name) => name.clone(),
        Ty::Object(name) => type_name(&s.object(name)),
        Ty::List(elem) => format!("[]{}", go_type(elem, s)),
        Ty::Map(elem) => format!("map[string]{}", go_type(elem, s)),
        Ty::Opaque => "json.RawMessage".into(),
    }
}

/// Whether nil already means "absent or null" for this type (no pointer needed).
fn nilable(ty: &Ty) -> bool {
    matches!(ty, Ty::List(_) | Ty::Map(_) | Ty::Opaque)
}

/// A field's Go type: optional scalars and objects are pointers.
fn field_type(f: &Field, s: &Schema) -> String {
    let base = go_type(&f.ty, s);
    if f.required() || nilable(&f.ty) {
        base
    } else {
        format!("*{base}")
    }
}

/// "The state of a link." -> "the state of a link." (acronyms left alone).
fn lower_first(doc: &str) -> String {
    let mut chars = doc.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_ascii_uppercase() && !b.is_ascii_uppercase() => {
            format!("{}{}", a.to_ascii_lowercase(), &doc[1..])
        }
        _ => doc.to_string(),
    }
}

/// A Go doc comment (`// ` lines, wrapped near 80 columns) indented by `indent`.
pub(crate) fn comment(text: &str, indent: &str) -> String {
    wrap(text, 78usize.saturating_sub(indent.len()))
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| format!("{indent}// {line}\n"))
        .collect()
}

/// What a field's doc adds about absent and null values.
fn optionality_note(f: &Field) -> &'static str {
    match (&f.ty, f.required()) {
        (Ty::List(_), false) => " Nil when absent or null; empty for [].",
        (Ty::List(_) | Ty::Map(_), true) => "",
        (_, false) => " Nil when absent or null.",
        (_, true) => "",
    }
}

fn models(s: &Schema) -> String {
    let objects = s.objects();
    let mut b = String::from("package moneykit\n\n");
    // json.RawMessage (opaque) needs the import.
    if objects.iter().any(uses_opaque) {
        b.push_str("import \"encoding/json\"\n\n");
    }
    b.push_str(&comment(
        &format!(
            "The Get Identity response (API version {}). Unknown fields are ignored \
             and unknown enum values kept, so newer servers keep working. ParseIdentity \
             and Client.GetIdentity build these from the library's typed view of a body \
             its validator accepted (view_gen.go); the JSON tags are for encoding.",
            s.api_version
        ),
        "",
    ));
    for (name, def) in s.enums() {
        b.push('\n');
        b.push_str(&comment(
            &format!(
                "{name} is {} It is an open set: values other than the constants below are kept as sent.",
                lower_first(&def.doc)
            ),
            "",
        ));
        b.push_str(&format!("type {name} string\n\n"));
        b.push_str(&format!("// The known values of {name}.\nconst (\n"));
        let rows: Vec<Vec<String>> = def
            .values
            .iter()
            .map(|v| vec![enum_const(&name, v), format!("{name} = {}", go_string(v))])
            .collect();
        for line in align(&rows) {
            b.push_str(&format!("\t{line}\n"));
        }
        b.push_str(")\n");
    }
    for o in &objects {
        b.push('\n');
        b.push_str(&object(o, s));
    }
    b
}

fn uses_opaque(o: &Object) -> bool {
    o.fields.iter().any(|f| f.ty == Ty::Opaque)
}

fn object(o: &Object, s: &Schema) -> String {
    let name = type_name(o);
    let mut doc = format!("{name} is {}", lower_first(&o.def.doc));
    if name != o.name {
        doc.push_str(&format!(" The schema calls it {}.", o.name));
    }
    let mut b = comment(&doc, "");
    b.push_str(&format!("type {name} struct {{\n"));
    for f in &o.fields {
        let doc = format!("{}{}", f.def.doc, optionality_note(f));
        b.push_str(&field_line("\t", &doc, f.name(), &field_type(f, s)));
    }
    if o.name == s.root {
        // Not part of the body: the response's x-request-id, read with the
        // RequestID method (bindings/go/identity.go).
        b.push_str(&comment(
            "requestID is the x-request-id of the response this value was decoded from (RequestID); empty when it did not come from a call.",
            "\t",
        ));
        b.push_str("\trequestID string\n");
    }
    b.push_str("}\n");
    b
}

/// A struct field with its doc comment line(s) above it, for JSON key `key`.
fn field_line(indent: &str, doc: &str, key: &str, ty: &str) -> String {
    format!(
        "{}{indent}{} {ty} `json:\"{key}\"`\n",
        comment(doc, indent),
        go_ident(key)
    )
}

/// Pads every cell but the last of each row to its column's width plus one
/// space, as gofmt aligns a block of lines.
pub(crate) fn align(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter(|r| c + 1 < r.len())
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                if c + 1 < r.len() {
                    line.push_str(&format!("{cell:<w$} ", w = widths[c]));
                } else {
                    line.push_str(cell);
                }
            }
            line
        })
        .collect()
}
