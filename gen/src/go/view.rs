//! view_gen.go: one builder per schema object that copies the C typed view
//! (include/moneykit.h, `mk_<stem>`, written by gen/src/c_view.rs) into the Go
//! response types of models_gen.go. Everything is copied: the view is freed
//! right after (bindings/go/view.go holds the calls and the small helpers the
//! builders use: viewStr, viewOpt, viewTimestamp, ...).
//!
//! The view's mapping (docs/C-API.md, "Typed view"): string and opaque ->
//! `mk_str` (ptr NULL: absent); bool -> `mk_opt_bool`; decimal ->
//! `mk_decimal`; timestamp -> `mk_timestamp`; enum -> `mk_str` (+ `_enum`, not
//! needed here); object -> inline struct (a pointer when optional); list ->
//! pointer + `_len` (NULL: absent); map -> sorted `{key, value}` entries.

use super::{go_ident, type_name};
use crate::schema::{snake, Field, Object, Schema, Ty};

/// The C struct's name as cgo spells it (`C.mk_account`), as c_view.rs names it.
fn c_type(o: &Object) -> String {
    let stem = o
        .def
        .names
        .get("c")
        .cloned()
        .unwrap_or_else(|| snake(&o.name));
    format!("C.mk_{stem}")
}

/// A C member as cgo exposes it: Go keywords get a leading underscore.
fn member(name: &str) -> String {
    const KEYWORDS: [&str; 25] = [
        "break",
        "case",
        "chan",
        "const",
        "continue",
        "default",
        "defer",
        "else",
        "fallthrough",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "import",
        "interface",
        "map",
        "package",
        "range",
        "return",
        "select",
        "struct",
        "switch",
        "type",
        "var",
    ];
    if KEYWORDS.contains(&name) {
        format!("_{name}")
    } else {
        name.to_string()
    }
}

pub fn file(s: &Schema) -> String {
    let mut b = String::from(
        r#"package moneykit

/*
#include "moneykit.h"
*/
import "C"

// The builders of the response types from the library's typed view
// (mk_identity_root's structs): each fills *r from *v, copying every string,
// so nothing refers to the view once it is freed (view.go).
"#,
    );
    for o in s.objects() {
        b.push('\n');
        b.push_str(&builder(&o, s));
    }
    b
}

fn builder(o: &Object, s: &Schema) -> String {
    let name = type_name(o);
    let mut b = format!("func view{name}(v *{}, r *{name}) {{\n", c_type(o));
    for f in &o.fields {
        b.push_str(&field(f, s));
    }
    b.push_str("}\n");
    b
}

/// The statement(s) that fill field `f` of `r` from `v`.
fn field(f: &Field, s: &Schema) -> String {
    let g = format!("r.{}", go_ident(f.name()));
    let c = format!("v.{}", member(f.name()));
    let at = f.name();
    let opt = !f.required();
    match &f.ty {
        Ty::Str if opt => format!("\t{g} = viewOpt[string]({c})\n"),
        Ty::Str => format!("\t{g} = viewStr({c})\n"),
        Ty::Enum(e) if opt => format!("\t{g} = viewOpt[{e}]({c})\n"),
        Ty::Enum(e) => format!("\t{g} = {e}(viewStr({c}))\n"),
        Ty::Decimal if opt => format!("\t{g} = viewOpt[Decimal]({c}.text)\n"),
        Ty::Decimal => format!("\t{g} = Decimal(viewStr({c}.text))\n"),
        Ty::Timestamp if opt => format!("\t{g} = viewOptTimestamp(&{c})\n"),
        Ty::Timestamp => format!("\t{g} = viewTimestamp(&{c})\n"),
        Ty::Bool if opt => format!("\t{g} = viewOptBool({c})\n"),
        Ty::Bool => format!("\t{g} = {c} == C.MK_BOOL_TRUE\n"),
        Ty::Opaque => format!("\t{g} = viewRaw({c})\n"),
        Ty::Object(n) if opt => {
            let t = type_name(&s.object(n));
            format!("\tif {c} != nil {{\n\t\t{g} = new({t})\n\t\tview{t}({c}, {g})\n\t}}\n")
        }
        Ty::Object(n) => format!("\tview{}(&{c}, &{g})\n", type_name(&s.object(n))),
        Ty::List(elem) => {
            let len = format!("v.{}_len", f.name());
            match &**elem {
                Ty::Str => format!("\t{g} = viewStrings({c}, {len})\n"),
                Ty::Object(n) => {
                    format!(
                        "\t{g} = viewList({c}, {len}, view{})\n",
                        type_name(&s.object(n))
                    )
                }
                t => panic!("{at}: the Go view builder has no mapping for lists of {t:?}"),
            }
        }
        Ty::Map(elem) => {
            let Ty::Object(n) = &**elem else {
                panic!("{at}: the C view maps only maps of objects")
            };
            let t = type_name(&s.object(n));
            let len = format!("v.{}_len", f.name());
            format!(
                "\tif {c} != nil {{\n\
                 \t\t{g} = make(map[string]{t}, {len})\n\
                 \t\tentries := viewSlice({c}, {len})\n\
                 \t\tfor i := range entries {{\n\
                 \t\t\tvar x {t}\n\
                 \t\t\tview{t}(&entries[i].value, &x)\n\
                 \t\t\t{g}[viewStr(entries[i].key)] = x\n\
                 \t\t}}\n\
                 \t}}\n"
            )
        }
    }
}
