//! canonical_gen.go: CanonicalDump and one converter per object, following
//! the canonical dump rules of schema/README.md.

use super::{go_ident, go_string, go_type, type_name};
use crate::schema::{Field, Object, Schema, Ty};

pub fn file(s: &Schema) -> String {
    let root = type_name(&s.object(&s.root));
    let mut b = format!(
        r#"package moneykit

// CanonicalDump returns r as the plain JSON value the conformance corpus
// (tests/corpus/, rules in schema/README.md) pins: every schema field present,
// absent or null optional fields nil, decimals and timestamps as their
// Canonical strings, enums as strings, maps without null entries, opaque
// values as decoded JSON. Unknown fields are left out. The result holds only
// map[string]any, []any, string, bool, float64 (inside opaque values) and nil.
func CanonicalDump(r *{root}) any {{
	if r == nil {{
		return nil
	}}
	return canon{root}(*r)
}}
"#
    );
    for o in s.objects() {
        b.push('\n');
        b.push_str(&converter(&o, s));
    }
    b
}

fn converter(o: &Object, s: &Schema) -> String {
    let name = type_name(o);
    // Assignments rather than a map literal: gofmt aligns literal values.
    let mut b = format!(
        "func canon{name}(v {name}) map[string]any {{\n\tm := make(map[string]any, {})\n",
        o.fields.len()
    );
    for f in &o.fields {
        b.push_str(&format!(
            "\tm[{}] = {}\n",
            go_string(f.name()),
            field_expr(f, s)
        ));
    }
    b.push_str("\treturn m\n}\n");
    b
}

/// The canonical value of field `f` of `v`.
fn field_expr(f: &Field, s: &Schema) -> String {
    let x = format!("v.{}", go_ident(f.name()));
    match &f.ty {
        Ty::List(elem) => format!("canonList({x}, {})", func(elem, s)),
        Ty::Map(elem) => format!("canonMap({x}, {})", func(elem, s)),
        Ty::Opaque => format!("canonOpaque({x})"),
        ty if f.required() => apply(ty, &x, s),
        ty => format!("canonOpt({x}, {})", func(ty, s)),
    }
}

/// The canonical value of `x`, a present value of type `ty`.
fn apply(ty: &Ty, x: &str, s: &Schema) -> String {
    match ty {
        Ty::Str | Ty::Bool => x.to_string(),
        Ty::Enum(_) => format!("string({x})"),
        Ty::Decimal | Ty::Timestamp => format!("{x}.Canonical()"),
        Ty::Object(name) => format!("canon{}({x})", type_name(&s.object(name))),
        Ty::List(elem) => format!("canonList({x}, {})", func(elem, s)),
        Ty::Map(elem) => format!("canonMap({x}, {})", func(elem, s)),
        Ty::Opaque => format!("canonOpaque({x})"),
    }
}

/// A Go function value turning a present value of `ty` into its canonical value.
fn func(ty: &Ty, s: &Schema) -> String {
    match ty {
        Ty::Str => "same[string]".into(),
        Ty::Bool => "same[bool]".into(),
        Ty::Enum(name) => format!("enumText[{name}]"),
        Ty::Decimal => "Decimal.Canonical".into(),
        Ty::Timestamp => "Timestamp.Canonical".into(),
        Ty::Object(name) => format!("canon{}", type_name(&s.object(name))),
        Ty::Opaque => "canonOpaque".into(),
        Ty::List(_) | Ty::Map(_) => format!(
            "func(x {}) any {{ return {} }}",
            go_type(ty, s),
            apply(ty, "x", s)
        ),
    }
}
