//! The Rust core's model (src/core/model_gen.rs): the owned structs with their
//! canonical dump, the zero-allocation shape check run on every body, and the
//! path walker that explains a refusal. All three follow the schema's
//! optionality, so the core accepts exactly what the schema describes.

use crate::out::{Comment, Out};
use crate::schema::{snake, upper, Field, Object, Schema, Ty};
use std::fmt::Write;

const RUST_KEYWORDS: &[&str] = &[
    "type", "match", "ref", "self", "struct", "enum", "fn", "use",
];

/// A field's Rust name: keywords get a trailing underscore.
fn ident(f: &Field) -> String {
    if RUST_KEYWORDS.contains(&f.name()) {
        format!("{}_", f.name())
    } else {
        f.name().to_string()
    }
}

fn owned_ty(t: &Ty) -> String {
    match t {
        Ty::Str | Ty::Enum(_) => "String".into(),
        Ty::Bool => "bool".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Timestamp => "Timestamp".into(),
        Ty::Opaque => "Value".into(),
        Ty::Object(n) => n.clone(),
        Ty::List(t) => format!("Vec<{}>", owned_ty(t)),
        Ty::Map(t) => format!("BTreeMap<String, {}>", owned_ty(t)),
    }
}

fn shape_ty(t: &Ty) -> String {
    match t {
        Ty::Str | Ty::Enum(_) => "Str".into(),
        Ty::Bool => "bool".into(),
        Ty::Decimal => "Num".into(),
        Ty::Timestamp => "DateTime".into(),
        Ty::Opaque => "Opaque".into(),
        Ty::Object(n) => n.clone(),
        Ty::List(t) => format!("Seq<{}>", shape_ty(t)),
        // Null entries are dropped, so they are allowed.
        Ty::Map(t) => format!("Map<Option<{}>>", shape_ty(t)),
    }
}

fn check_expr(t: &Ty) -> String {
    match t {
        Ty::Str | Ty::Enum(_) => "v::string".into(),
        Ty::Bool => "v::boolean".into(),
        Ty::Decimal => "v::number".into(),
        Ty::Timestamp => "v::date_time".into(),
        Ty::Opaque => "v::opaque".into(),
        Ty::Object(n) => format!("check_{}", snake(n)),
        Ty::List(t) => format!("|x, at| v::list(x, at, {})", check_expr(t)),
        Ty::Map(t) => format!("|x, at| v::map(x, at, {})", check_expr(t)),
    }
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn owned_struct(o: &Object, out: &mut String) {
    doc(out, "", &o.def.doc);
    let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq, Deserialize)]");
    let _ = writeln!(out, "pub struct {} {{", o.name);
    for f in &o.fields {
        doc(out, "    ", &f.def.doc);
        if ident(f) != f.name() {
            let _ = writeln!(out, "    #[serde(rename = \"{}\")]", f.name());
        }
        let mut ty = owned_ty(&f.ty);
        if let Ty::Map(_) = f.ty {
            assert!(
                f.required(),
                "{}.{}: optional maps are not supported",
                o.name,
                f.name()
            );
            let _ = writeln!(
                out,
                "    #[serde(deserialize_with = \"super::model::non_null_entries\")]"
            );
        }
        if !f.required() {
            ty = format!("Option<{ty}>");
        }
        let _ = writeln!(out, "    pub {}: {ty},", ident(f));
    }
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(out, "impl Canonical for {} {{", o.name);
    let _ = writeln!(out, "    fn canonical(&self) -> Value {{");
    let _ = writeln!(out, "        let mut m = serde_json::Map::new();");
    for f in &o.fields {
        let _ = writeln!(
            out,
            "        m.insert(\"{}\".to_string(), self.{}.canonical());",
            f.name(),
            ident(f)
        );
    }
    let _ = writeln!(out, "        Value::Object(m)\n    }}\n}}\n");
}

fn shape_struct(o: &Object, out: &mut String) {
    // `validate::shape_object!` writes the visitor (an object only; unknown members
    // read as `Any`, whose numbers are range-checked).
    let members: Vec<String> = o
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let ty = shape_ty(&f.ty);
            let ty = if f.required() {
                ty
            } else {
                format!("Option<{ty}>")
            };
            format!("{i} \"{}\": {ty}", f.name())
        })
        .collect();
    let required: Vec<String> = o
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.required())
        .map(|(i, f)| format!("{i} \"{}\"", f.name()))
        .collect();
    let _ = writeln!(
        out,
        "    shape_object!({}, {}, {{ {} }}, required {{ {} }});\n",
        o.name,
        o.fields.len(),
        members.join(", "),
        required.join(", ")
    );
}

fn walker(o: &Object, out: &mut String) {
    let _ = writeln!(
        out,
        "pub(crate) fn check_{}(x: &Value, at: &Path) -> Result<(), String> {{",
        snake(&o.name)
    );
    let _ = writeln!(out, "    let o = v::object(x, at)?;");
    for f in &o.fields {
        let how = if f.required() { "required" } else { "optional" };
        let _ = writeln!(
            out,
            "    v::{how}(o, \"{}\", at, {})?;",
            f.name(),
            check_expr(&f.ty)
        );
    }
    let _ = writeln!(out, "    Ok(())\n}}\n");
}

pub fn emit(s: &Schema, out: &mut Out) {
    let objects = s.objects();
    let mut b = String::new();
    b.push_str(
        "//! The Get Identity response, generated from schema/moneykit.json (see\n\
         //! schema/README.md): the owned model with its canonical dump, the shape\n\
         //! check that runs on every body (`shape`), and the path walker that\n\
         //! explains a refusal (`check_*`).\n\n\
         use super::canonical::Canonical;\n\
         use super::decimal::Decimal;\n\
         use super::timestamp::Timestamp;\n\
         use super::validate::{self as v, Path};\n\
         use serde::Deserialize;\n\
         use serde_json::Value;\n\
         use std::collections::BTreeMap;\n\n",
    );
    let _ = writeln!(
        b,
        "/// The MoneyKit API version this model describes.\npub const API_VERSION: &str = \"{}\";\n",
        s.api_version
    );
    for (name, e) in s.enums() {
        let _ = writeln!(
            b,
            "/// The known values of `{name}`: {} Unknown values are kept as sent.",
            e.doc
        );
        let _ = writeln!(b, "pub mod {} {{", snake(&name));
        for v in &e.values {
            let _ = writeln!(b, "    pub const {}: &str = \"{v}\";", upper(v));
        }
        let list: Vec<String> = e.values.iter().map(|v| upper(v)).collect();
        let _ = writeln!(
            b,
            "    /// Every known value, in the schema's order.\n    pub const ALL: [&str; {}] = [{}];",
            list.len(),
            list.join(", ")
        );
        let _ = writeln!(b, "}}\n");
    }
    for o in &objects {
        owned_struct(o, &mut b);
    }
    b.push_str(
        "/// The zero-allocation shape check: presence and type of every field.\n\
         pub(crate) mod shape {\n    \
         use super::super::validate::{shape_object, DateTime, Map, Num, Opaque, Seq, Str};\n\n",
    );
    for o in &objects {
        shape_struct(o, &mut b);
    }
    let trimmed = b.trim_end().to_string();
    b = trimmed + "\n}\n\n";
    for o in &objects {
        walker(o, &mut b);
    }
    let body = rustfmt(&(b.trim_end().to_string() + "\n"));
    out.file("src/core/model_gen.rs", Comment::Slash, &body);
}

/// Formats generated Rust the way `cargo fmt --check` expects it.
pub fn rustfmt(code: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt (part of the Rust toolchain) runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(code.as_bytes())
        .expect("rustfmt reads the code");
    let output = child.wait_with_output().expect("rustfmt finishes");
    assert!(output.status.success(), "rustfmt failed on generated code");
    String::from_utf8(output.stdout).expect("rustfmt writes UTF-8")
}
