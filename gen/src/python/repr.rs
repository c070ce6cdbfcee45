//! The `__repr__` of the generated classes (issue 27): the library keeps owner data out of
//! logs, and `repr()` / `str()` / f-strings / `logging`'s `%s` of a result are where it
//! would leak. So a model's repr shows its ids and counts only, never a name, email,
//! phone, address, amount or any other value; the data stays available through the fields.
//!
//! The rule, per field of a response object (`_models.py`):
//! - an id (a `string` field named `id` or `*_id`): its value, `account_id='acc_1'`;
//! - a list or a map (`list:T`, `map:T`, `opaque`): its length, `owners=2` (None when absent);
//! - a nested object whose own repr shows something: that repr, `link=Link(link_id=...)`;
//! - anything else: left out; `...` at the end says that fields were left out.
//!
//! For the records (`_records_gen.py`): a claim (`json: input`) is what a user typed about
//! themselves, so every field shows only whether it was given (`name=<given>`, else None);
//! `BATCH_BODIES` fields hold a whole identity body and show its length. Results (scores,
//! ids, counters) show as dataclasses do.

use crate::records::Record;
use crate::schema::{Object, Schema, Ty};
use std::fmt::Write;

/// Record fields that carry an identity body (owner data): shown as their length.
const BATCH_BODIES: &[(&str, &str)] = &[("BatchItem", "json")];

/// A field whose value is an id.
fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

/// Whether the repr of `object` shows anything (ids, counts or such a nested object).
fn shows(s: &Schema, object: &str) -> bool {
    s.object(object)
        .fields
        .iter()
        .any(|f| field_part(s, f.name(), &f.ty, f.required()).is_some())
}

/// The f-string piece of one field (`owners={len(self.owners)}`), or None when left out.
fn field_part(s: &Schema, name: &str, ty: &Ty, required: bool) -> Option<String> {
    let v = format!("self.{name}");
    match ty {
        Ty::Str if is_id(name) => Some(format!("{name}={{{v}!r}}")),
        Ty::List(_) | Ty::Map(_) | Ty::Opaque if required => Some(format!("{name}={{len({v})}}")),
        Ty::List(_) | Ty::Map(_) | Ty::Opaque => {
            Some(format!("{name}={{None if {v} is None else len({v})}}"))
        }
        Ty::Object(o) if shows(s, o) => Some(format!("{name}={{{v}!r}}")),
        _ => None,
    }
}

/// `        return (\n            f"...", ...\n        )` from the pieces of a repr.
fn join(parts: &[String], hidden: bool) -> String {
    let mut lines = vec!["f\"{type(self).__name__}(\"".to_string()];
    for (i, p) in parts.iter().enumerate() {
        let sep = if i + 1 < parts.len() || hidden {
            ", "
        } else {
            ""
        };
        lines.push(format!("f\"{p}{sep}\""));
    }
    lines.push(if hidden { "\"...)\"" } else { "\")\"" }.to_string());
    let mut b = String::from("        return (\n");
    for l in lines {
        let _ = writeln!(b, "            {l}");
    }
    b.push_str("        )\n");
    b
}

/// The `__repr__` method of a response class (to go with `@dataclass(repr=False)`).
pub(super) fn model_repr(s: &Schema, o: &Object) -> String {
    let parts: Vec<String> = o
        .fields
        .iter()
        .filter_map(|f| field_part(s, f.name(), &f.ty, f.required()))
        .collect();
    let hidden = parts.len() < o.fields.len();
    let mut b = String::from(
        "\n    def __repr__(self) -> str:\n        \
         \"\"\"Ids and counts only, never owner data or other values (read the fields).\"\"\"\n",
    );
    b.push_str(&join(&parts, hidden));
    b
}

/// The `__repr__` of a record that holds user data (a claim, a batch item), else None
/// (the dataclass's own repr).
pub(super) fn record_repr(r: &Record) -> Option<String> {
    let input = r.def.json.as_deref() == Some("input");
    let bodies: Vec<&str> = BATCH_BODIES
        .iter()
        .filter(|(rec, _)| *rec == r.name)
        .map(|(_, f)| *f)
        .collect();
    if !input && bodies.is_empty() {
        return None;
    }
    let parts: Vec<String> = r
        .fields
        .iter()
        .map(|(f, t)| {
            let v = format!("self.{}", f.name);
            let n = &f.name;
            if let (true, crate::records::RTy::Record(rec)) = (input, t) {
                // A nested claim record hides its own values (anything else: given or not).
                // (Records keep the schema's names in Python: surface/records.rs.)
                let class = rec;
                format!(
                    "{n}={{None if {v} is None else repr({v}) if isinstance({v}, {class}) \
                     else '<given>'}}"
                )
            } else if input {
                format!("{n}={{None if {v} is None else '<given>'}}")
            } else if bodies.contains(&n.as_str()) {
                format!("{n}={{None if {v} is None else f'<{{len({v})}} chars>'}}")
            } else {
                format!("{n}={{{v}!r}}")
            }
        })
        .collect();
    let what = if input {
        "Which fields were given, never what was claimed (read the fields)."
    } else {
        "The identity body as its length only: it holds owner data (read the field)."
    };
    let mut b = format!("\n    def __repr__(self) -> str:\n        \"\"\"{what}\"\"\"\n");
    b.push_str(&join(&parts, false));
    Some(b)
}
