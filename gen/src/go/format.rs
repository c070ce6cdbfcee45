//! format_gen.go: String, GoString and Format of the response types and of
//! the input records (the owner-match claim), so that no fmt verb prints
//! owner data: `fmt.Println(identity)` shows ids and counts.
//!
//! What each field shows (the same rule as the C++ `operator<<`,
//! gen/src/cpp/format.rs):
//! - strings named `*_id`, enum values, booleans and timestamps: the value;
//! - lists and maps: `len N` (an optional one only when present);
//! - objects: their own String;
//! - any other string (names, emails, phone numbers, addresses, account
//!   names and masks), decimals (amounts) and opaque JSON: nothing;
//! - input records (the claim, all of whose strings are owner data): `given`
//!   for a value that is set.
//!
//! Absent optional values show nothing. The helpers (the `redactor` builder
//! and formatRedacted) are in bindings/go/redact.go.

use super::comment;
use crate::records::{RTy, Record};
use crate::schema::{go_ident, Field, Object, Schema, Ty};

/// Whether a string field is an identifier, shown as it is.
fn is_id(key: &str) -> bool {
    key.ends_with("_id")
}

/// The statement(s) that add one identity field to the redactor `r`, or "".
fn object_field(f: &Field) -> String {
    let name = go_ident(f.name());
    let optional = !f.required();
    // The value expression for a present value `v` (`x.Name` or `*x.Name`).
    let shown = |v: &str| -> Option<String> {
        match &f.ty {
            Ty::Str if is_id(f.name()) => Some(v.to_string()),
            Ty::Enum(_) => Some(format!("string({v})")),
            Ty::Bool => Some(format!("strconv.FormatBool({v})")),
            Ty::Timestamp | Ty::Object(_) => Some(format!("{v}.String()")),
            _ => None,
        }
    };
    match &f.ty {
        // An optional list is nil when absent or null: shown only when present.
        Ty::List(_) | Ty::Map(_) if optional => format!(
            "\tif x.{name} != nil {{\n\t\tr.count({}, len(x.{name}))\n\t}}\n",
            q(&name)
        ),
        Ty::List(_) | Ty::Map(_) => format!("\tr.count({}, len(x.{name}))\n", q(&name)),
        _ => {
            if optional {
                // Methods have value receivers: x.Name.String() works on the pointer.
                let v = match &f.ty {
                    Ty::Timestamp | Ty::Object(_) => format!("x.{name}"),
                    _ => format!("*x.{name}"),
                };
                match shown(&v) {
                    Some(v) => format!(
                        "\tif x.{name} != nil {{\n\t\tr.field({}, {v})\n\t}}\n",
                        q(&name)
                    ),
                    None => String::new(),
                }
            } else {
                match shown(&format!("x.{name}")) {
                    Some(v) => format!("\tr.field({}, {v})\n", q(&name)),
                    None => String::new(),
                }
            }
        }
    }
}

fn q(s: &str) -> String {
    super::go_string(s)
}

/// String, GoString and Format of a type whose String body is `body`.
fn methods(name: &str, what: &str, body: &str) -> String {
    let mut b = comment(
        &format!(
            "String shows {what} of x, never owner data: {name}{{...}}. The values stay in the fields."
        ),
        "",
    );
    b.push_str(&format!(
        "func (x {name}) String() string {{\n\tr := newRedactor({})\n{body}\treturn r.close()\n}}\n\n",
        q(name)
    ));
    b.push_str(&format!(
        "// GoString is String for %#v: moneykit.{name}{{...}}.\n\
         func (x {name}) GoString() string {{ return \"moneykit.\" + x.String() }}\n\n"
    ));
    b.push_str(&format!(
        "// Format writes String for every verb (GoString for %#v), so no verb\n\
         // prints a field.\n\
         func (x {name}) Format(f fmt.State, verb rune) {{ formatRedacted(f, verb, x) }}\n"
    ));
    b
}

fn object(o: &Object, s: &Schema) -> String {
    let name = o.name_in("go");
    let mut body: String = o.fields.iter().map(object_field).collect();
    if o.name == s.root {
        // Not a field of the body: the response's x-request-id (models_gen.go).
        body.push_str("\tif x.requestID != \"\" {\n\t\tr.field(\"RequestID\", x.requestID)\n\t}\n");
    }
    methods(
        &name,
        "the ids, enum values, flags, timestamps and counts",
        &body,
    )
}

/// The input records: every string is the caller's user's data; shown as
/// `given` when set, nested records by their String.
fn record(r: &Record) -> String {
    let mut body = String::new();
    for (f, ty) in &r.fields {
        let name = go_ident(&f.name);
        match ty {
            RTy::Str => body.push_str(&format!(
                "\tif x.{name} != \"\" {{\n\t\tr.field({}, \"given\")\n\t}}\n",
                q(&name)
            )),
            RTy::Record(_) => body.push_str(&format!(
                "\tif x.{name} != nil {{\n\t\tr.field({}, x.{name}.String())\n\t}}\n",
                q(&name)
            )),
            other => panic!(
                "format: input record {} field {}: no rule for {other:?}",
                r.name, f.name
            ),
        }
    }
    methods(&r.name, "which values are given", &body)
}

pub fn file(s: &Schema) -> String {
    let mut b = String::from("package moneykit\n\nimport (\n\t\"fmt\"\n\t\"strconv\"\n)\n\n");
    b.push_str(&comment(
        "How the response types and the claim print (fmt's verbs, String, GoString): ids \
         (fields named *_id), enum values, flags, timestamps and the lengths of lists and \
         maps, never names, emails, phone numbers, addresses, amounts or other text; the \
         claim shows which values are given. The data stays in the fields.",
        "",
    ));
    for o in s.objects() {
        b.push('\n');
        b.push_str(&object(&o, s));
    }
    for r in s
        .records()
        .iter()
        .filter(|r| r.def.json.as_deref() == Some("input"))
    {
        b.push('\n');
        b.push_str(&record(r));
    }
    // strconv is used when some object has a bool.
    if !b.contains("strconv.") {
        b = b.replace("\t\"strconv\"\n", "");
    }
    b
}
