//! The Go emitter: bindings/go/*_gen.go (see main.rs).
//!
//! - `models_gen.go`: the response structs and open enums, with the few
//!   UnmarshalJSON methods encoding/json needs to follow the schema's rules
//!   (null map entries dropped, a null opaque value read as nil);
//! - `canonical_gen.go`: CanonicalDump, the conformance corpus's form;
//! - `status_gen.go`: Status, its constants and names, the per-status error
//!   sentinels and the error JSON's wire struct;
//! - `decimal_gen.go`, `timestamp_gen.go`, `helpers_gen.go`: the Decimal and
//!   Timestamp field types and the generic helpers the code above calls,
//!   copied from the Go templates in gen/src/go/ (real Go, easy to edit).
//!
//! Every file is gofmt-clean as written: fields and variables each carry a doc
//! comment line (which ends gofmt's alignment blocks) and the one aligned
//! block, the status constants, is padded here.

mod canonical;
mod status;

use crate::out::{Comment, Out};
use crate::schema::{go_ident, wrap, Field, Object, Schema, Ty};

const DIR: &str = "bindings/go";
const DECIMAL: &str = include_str!("go/decimal.go.in");
const TIMESTAMP: &str = include_str!("go/timestamp.go.in");
const HELPERS: &str = include_str!("go/helpers.go.in");

pub fn emit(s: &Schema, out: &mut Out) {
    let files = [
        ("models_gen.go", models(s)),
        ("canonical_gen.go", canonical::file(s)),
        ("status_gen.go", status::file(s)),
        ("decimal_gen.go", DECIMAL.to_string()),
        ("timestamp_gen.go", TIMESTAMP.to_string()),
        ("helpers_gen.go", HELPERS.to_string()),
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
    let methods: Vec<String> = objects.iter().map(|o| unmarshal(o, s)).collect();
    let mut b = String::from("package moneykit\n\n");
    // json.RawMessage (opaque) and the UnmarshalJSON methods need the import.
    if methods.iter().any(|m| !m.is_empty()) || s.objects().iter().any(uses_opaque) {
        b.push_str("import \"encoding/json\"\n\n");
    }
    b.push_str(&comment(
        &format!(
            "The Get Identity response (API version {}). Unknown fields are ignored \
             and unknown enum values kept, so newer servers keep working. ParseIdentity \
             and Client.GetIdentity decode only bodies the library's validator accepted.",
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
    for (o, method) in objects.iter().zip(&methods) {
        b.push('\n');
        b.push_str(&object(o, s));
        b.push_str(method);
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

/// An UnmarshalJSON method for the objects encoding/json alone would get
/// wrong: maps keep null entries as zero values, and json.RawMessage keeps a
/// null as the text "null".
fn unmarshal(o: &Object, s: &Schema) -> String {
    let name = type_name(o);
    let maps: Vec<&Field> = o
        .fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::Map(_)))
        .collect();
    let opaques: Vec<&Field> = o.fields.iter().filter(|f| f.ty == Ty::Opaque).collect();
    if maps.is_empty() && opaques.is_empty() {
        return String::new();
    }
    let mut b = format!(
        "\n// UnmarshalJSON reads absent and null alike: null map entries are left\n\
         // out and a null opaque value is nil.\n\
         func (v *{name}) UnmarshalJSON(data []byte) error {{\n\
         \ttype plain {name}\n"
    );
    if maps.is_empty() {
        b.push_str("\tif err := json.Unmarshal(data, (*plain)(v)); err != nil {\n");
    } else {
        b.push_str("\taux := struct {\n\t\t*plain\n");
        for f in &maps {
            let Ty::Map(elem) = &f.ty else { unreachable!() };
            let doc = format!("{} may hold nulls.", f.name());
            let ty = format!("map[string]*{}", go_type(elem, s));
            b.push_str(&field_line("\t\t", &doc, f.name(), &ty));
        }
        b.push_str("\t}{plain: (*plain)(v)}\n");
        b.push_str("\tif err := json.Unmarshal(data, &aux); err != nil {\n");
    }
    b.push_str("\t\treturn err\n\t}\n");
    for f in &maps {
        let id = go_ident(f.name());
        b.push_str(&format!("\tv.{id} = dropNulls(aux.{id})\n"));
    }
    for f in &opaques {
        let id = go_ident(f.name());
        b.push_str(&format!("\tv.{id} = nilIfNull(v.{id})\n"));
    }
    b.push_str("\treturn nil\n}\n");
    b
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
