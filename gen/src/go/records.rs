//! records_gen.go: the schema's `records` as Go types (gen/src/records.rs):
//! the owner-match claim (JSON the caller writes: optional values are plain
//! fields with `omitempty`, "" meaning not given) and result (JSON the library
//! writes: optional values are pointers), and the C records (`c`: the batch
//! item and progress, the event) with the function that copies each from its
//! C struct. Integers named `*_ms` are time.Duration fields.
//!
//! BatchItem and Event are unexported (`batchItem`, `event`): the Go API hands
//! out what they become (BatchResult, the Logger's slog records, whose
//! attributes `event.attrs` writes).

use super::comment;
use crate::records::{RTy, Record, RecordFieldDef};
use crate::schema::{go_ident, Schema};

/// Go field names that differ from go_ident's (with `_ms` already stripped).
const NAMES: [(&str, &str); 3] = [("ok", "OK"), ("paused", "PausedFor"), ("json", "JSON")];

/// Records used inside the package only (their Go type name is unexported).
const INTERNAL: [&str; 2] = ["BatchItem", "Event"];

/// The record whose values become the Logger's records (`attrs`).
const EVENT: &str = "Event";

/// C string fields that are bodies: []byte in Go, like GetIdentityJSON's.
const BYTES: [(&str, &str); 1] = [("BatchItem", "json")];

fn type_name(r: &str) -> String {
    if INTERNAL.contains(&r) {
        let mut c = r.chars();
        let first = c.next().expect("a name").to_ascii_lowercase();
        format!("{first}{}", c.as_str())
    } else {
        r.to_string()
    }
}

fn is_duration(f: &RecordFieldDef, ty: &RTy) -> bool {
    matches!(ty, RTy::Int(_)) && f.name.ends_with("_ms")
}

/// The attribute / base name: `paused_ms` -> `paused`.
fn stem(f: &RecordFieldDef, ty: &RTy) -> String {
    if is_duration(f, ty) {
        f.name.trim_end_matches("_ms").to_string()
    } else {
        f.name.clone()
    }
}

fn field_name(f: &RecordFieldDef, ty: &RTy) -> String {
    let stem = stem(f, ty);
    // `paused_ms` next to a bool `paused`: only the duration is renamed.
    let renamed = NAMES
        .iter()
        .find(|(k, _)| *k == stem && (stem != "paused" || is_duration(f, ty)));
    renamed
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| go_ident(&stem))
}

fn base_type(r: &Record, f: &RecordFieldDef, ty: &RTy) -> String {
    match ty {
        RTy::Str if BYTES.contains(&(r.name.as_str(), f.name.as_str())) => "[]byte".into(),
        RTy::Str => "string".into(),
        RTy::Bool => "bool".into(),
        RTy::Int(_) if is_duration(f, ty) => "time.Duration".into(),
        RTy::Int(_) => "int".into(),
        RTy::Float => "float64".into(),
        RTy::Status => "Status".into(),
        RTy::Record(n) => type_name(n),
        RTy::List(elem) => format!("[]{}", base_type(r, f, elem)),
    }
}

/// Whether the Go zero value already says "absent" for an optional field.
fn nilable(r: &Record, f: &RecordFieldDef, ty: &RTy) -> bool {
    matches!(ty, RTy::List(_)) || base_type(r, f, ty) == "[]byte"
}

fn input(r: &Record) -> bool {
    r.def.json.as_deref() == Some("input")
}

fn field_type(r: &Record, f: &RecordFieldDef, ty: &RTy) -> String {
    let base = base_type(r, f, ty);
    let plain_optional = input(r) && matches!(ty, RTy::Str);
    if f.required || nilable(r, f, ty) || plain_optional {
        base
    } else {
        format!("*{base}")
    }
}

fn tag(r: &Record, f: &RecordFieldDef) -> String {
    match r.def.json.as_deref() {
        Some("input") if !f.required => format!(" `json:\"{},omitempty\"`", f.name),
        Some(_) => format!(" `json:\"{}\"`", f.name),
        None => String::new(),
    }
}

fn field_doc(r: &Record, f: &RecordFieldDef, ty: &RTy) -> String {
    let name = field_name(f, ty);
    let mut doc = format!("{name}: {}", f.doc);
    if !f.required && !input(r) {
        doc.push_str(" Nil when not given.");
    }
    if input(r) && !f.required && matches!(ty, RTy::Str) {
        doc.push_str(" Empty: not given.");
    }
    doc
}

fn record(r: &Record) -> String {
    let name = type_name(&r.name);
    let mut b = comment(&format!("{name}: {}", r.def.doc), "");
    b.push_str(&format!("type {name} struct {{\n"));
    for (f, ty) in &r.fields {
        b.push_str(&comment(&field_doc(r, f, ty), "\t"));
        b.push_str(&format!(
            "\t{} {}{}\n",
            field_name(f, ty),
            field_type(r, f, ty),
            tag(r, f)
        ));
    }
    b.push_str("}\n");
    if r.def.c.is_some() {
        b.push('\n');
        b.push_str(&from_c(r));
    }
    if r.name == EVENT {
        b.push('\n');
        b.push_str(&attrs(r));
    }
    b
}

/// `func xFromC(v *C.mk_x) x`: copies every field (strings included).
fn from_c(r: &Record) -> String {
    let name = type_name(&r.name);
    let c = r.def.c.as_ref().expect("a C record");
    let mut lower = name.clone();
    lower.replace_range(..1, &name[..1].to_ascii_lowercase());
    let mut b = format!(
        "// {lower}FromC copies *v (the {c} the library wrote) into Go memory.\n\
         func {lower}FromC(v *C.{c}) {name} {{\n\tvar r {name}\n"
    );
    for (f, ty) in &r.fields {
        let g = format!("r.{}", field_name(f, ty));
        let x = format!("v.{}", f.name);
        let present = |value: &str| -> String {
            if f.required {
                format!("\t{g} = {value}\n")
            } else {
                let cond = match ty {
                    RTy::Str => format!("{x} != nil"),
                    RTy::Int(true) => format!("{x} >= 0"),
                    _ => format!("{x} != 0"),
                };
                let assign = if nilable(r, f, ty) {
                    format!("{g} = {value}")
                } else {
                    format!("x := {value}\n\t\t{g} = &x")
                };
                format!("\tif {cond} {{\n\t\t{assign}\n\t}}\n")
            }
        };
        let value = match ty {
            RTy::Str if base_type(r, f, ty) == "[]byte" => {
                format!("C.GoBytes(unsafe.Pointer({x}), C.int(C.strlen({x})))")
            }
            RTy::Str => format!("C.GoString({x})"),
            RTy::Bool => format!("{x} != 0"),
            RTy::Int(_) if is_duration(f, ty) => format!("time.Duration({x}) * time.Millisecond"),
            RTy::Int(_) => format!("int({x})"),
            RTy::Float => format!("float64({x})"),
            RTy::Status => format!("Status({x})"),
            other => panic!("record {}.{}: no C mapping for {other:?}", r.name, f.name),
        };
        b.push_str(&present(&value));
    }
    b.push_str("\treturn r\n}\n");
    b
}

/// `func (e *event) attrs() []slog.Attr`: one attribute per field present,
/// keyed by its schema name (`_ms` left out for durations).
fn attrs(r: &Record) -> String {
    let name = type_name(&r.name);
    let mut b = format!(
        "// attrs is e as slog attributes: one per field given, under the schema's\n\
         // names (durations without their _ms).\n\
         func (e *{name}) attrs() []slog.Attr {{\n\tattrs := make([]slog.Attr, 0, {})\n",
        r.fields.len()
    );
    for (f, ty) in &r.fields {
        let key = super::go_string(&stem(f, ty));
        let g = format!("e.{}", field_name(f, ty));
        let v = if f.required {
            g.clone()
        } else {
            format!("*{g}")
        };
        let attr = match ty {
            RTy::Str => format!("slog.String({key}, {v})"),
            RTy::Bool => format!("slog.Bool({key}, {v})"),
            RTy::Int(_) if is_duration(f, ty) => format!("slog.Duration({key}, {v})"),
            RTy::Int(_) => format!("slog.Int({key}, {v})"),
            RTy::Float => format!("slog.Float64({key}, {v})"),
            RTy::Status => format!("slog.String({key}, {v}.String())"),
            other => panic!(
                "record {}.{}: no slog mapping for {other:?}",
                r.name, f.name
            ),
        };
        if f.required {
            b.push_str(&format!("\tattrs = append(attrs, {attr})\n"));
        } else {
            b.push_str(&format!(
                "\tif {g} != nil {{\n\t\tattrs = append(attrs, {attr})\n\t}}\n"
            ));
        }
    }
    b.push_str("\treturn attrs\n}\n");
    b
}

pub fn file(s: &Schema) -> String {
    let records = s.records();
    let text: Vec<String> = records.iter().map(record).collect();
    let all = text.concat();
    let mut imports = Vec::new();
    for (pkg, used) in [
        ("log/slog", all.contains("slog.")),
        ("time", all.contains("time.")),
        ("unsafe", all.contains("unsafe.")),
    ] {
        if used {
            imports.push(format!("\t\"{pkg}\"\n"));
        }
    }
    let mut b = String::from("package moneykit\n\n");
    if all.contains("C.") {
        b.push_str("/*\n#include <string.h>\n#include \"moneykit.h\"\n*/\nimport \"C\"\n\n");
    }
    if !imports.is_empty() {
        b.push_str(&format!("import (\n{})\n\n", imports.concat()));
    }
    b.push_str(
        "// The records that cross the boundary besides the identity\n\
         // (schema/moneykit.json, \"records\").\n",
    );
    for t in text {
        b.push('\n');
        b.push_str(&t);
    }
    b
}
