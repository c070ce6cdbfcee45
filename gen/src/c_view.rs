//! The C view of an identity (docs/C-API.md, "Typed view"): from the schema's
//! objects and enums it writes
//! - `src/ffi/view_gen.rs`: one `#[repr(C)]` struct per object, one C enum per
//!   schema enum (with an `UNKNOWN` member), and how the core's validator fills
//!   them in the pass that checks the body (`src/ffi/view_read.rs` is the builder);
//! - the cbindgen renames of those types (a region of cbindgen.toml), so the
//!   header names them `mk_<name>`;
//! - `tests/c/view_dump_gen.h`: the C test's canonical dump of every field.
//!
//! Field mapping (every optional value is absent exactly when its pointer is NULL):
//! string -> `mk_str`; bool -> `mk_opt_bool`; decimal -> `mk_decimal`; timestamp ->
//! `mk_timestamp`; enum:E -> `mk_str NAME` + `mk_e NAME_enum`; object -> the
//! struct inline (a pointer when optional); list:T -> `const T *NAME` + `size_t
//! NAME_len`; map:T -> a sorted array of `{key, value}` entries; opaque -> the
//! JSON text as sent in an `mk_str`.

use crate::out::{Comment, Out};
use crate::schema::{pascal, snake, Field, Object, Schema, Ty};
use std::fmt::Write;

/// The C name stem of an object (`account`, `phone_number`, ...).
fn c_stem(o: &Object) -> String {
    o.def
        .names
        .get("c")
        .cloned()
        .unwrap_or_else(|| snake(&o.name))
}

/// The Rust type of an object's view struct (`MkAccount`).
fn rust_name(s: &Schema, object: &str) -> String {
    format!("Mk{}", pascal(&c_stem(&s.object(object))))
}

fn enum_rust(e: &str) -> String {
    format!("Mk{e}")
}

/// A field's Rust identifier (keywords as raw identifiers).
fn ident(name: &str) -> String {
    match name {
        "type" | "match" | "ref" | "self" | "struct" | "enum" | "fn" | "use" => format!("r#{name}"),
        _ => name.to_string(),
    }
}

/// The Rust type of one element of a list or map.
fn elem_ty(s: &Schema, t: &Ty, at: &str) -> String {
    match t {
        Ty::Str | Ty::Opaque => "MkStr".into(),
        Ty::Bool => "MkOptBool".into(),
        Ty::Decimal => "MkDecimal".into(),
        Ty::Timestamp => "MkTimestamp".into(),
        Ty::Object(n) => rust_name(s, n),
        _ => panic!("{at}: the C view has no mapping for lists of {t:?}"),
    }
}

fn entry_name(s: &Schema, t: &Ty, at: &str) -> String {
    match t {
        Ty::Object(n) => format!("{}Entry", rust_name(s, n)),
        _ => panic!("{at}: the C view maps only maps of objects"),
    }
}

/// The struct members of one field: (name, Rust type, doc).
fn members(s: &Schema, f: &Field, at: &str) -> Vec<(String, String, String)> {
    let doc = f.def.doc.clone();
    let name = f.name().to_string();
    let opt = if f.required() {
        "Never NULL."
    } else {
        "NULL when absent or null."
    };
    match &f.ty {
        Ty::Str => vec![(name, "MkStr".into(), format!("{doc} `ptr` {opt}"))],
        Ty::Opaque => vec![(
            name,
            "MkStr".into(),
            format!("{doc} The JSON text as sent; `ptr` {opt}"),
        )],
        Ty::Bool => vec![(name, "MkOptBool".into(), doc)],
        Ty::Decimal => vec![(name, "MkDecimal".into(), format!("{doc} `text.ptr` {opt}"))],
        Ty::Timestamp => vec![(
            name,
            "MkTimestamp".into(),
            format!("{doc} `text.ptr` {opt}"),
        )],
        Ty::Enum(e) => vec![
            (
                name.clone(),
                "MkStr".into(),
                format!("{doc} As sent; `ptr` {opt}"),
            ),
            (
                format!("{name}_enum"),
                enum_rust(e),
                format!("`{name}` as a known value, or UNKNOWN (also when absent)."),
            ),
        ],
        Ty::Object(n) if f.required() => vec![(name, rust_name(s, n), doc)],
        Ty::Object(n) => vec![(
            name,
            format!("*const {}", rust_name(s, n)),
            format!("{doc} {opt}"),
        )],
        Ty::List(t) => vec![
            (
                name.clone(),
                format!("*const {}", elem_ty(s, t, at)),
                format!("{doc} `{name}_len` items; {opt}"),
            ),
            (
                format!("{name}_len"),
                "usize".into(),
                format!("The number of items of `{name}`."),
            ),
        ],
        Ty::Map(t) => vec![
            (
                name.clone(),
                format!("*const {}", entry_name(s, t, at)),
                format!("{doc} Sorted by key (bytewise); `{name}_len` entries; {opt}"),
            ),
            (
                format!("{name}_len"),
                "usize".into(),
                format!("The number of entries of `{name}`."),
            ),
        ],
    }
}

/// The absent value of a member type (every view type has an `ABSENT` constant).
fn absent(ty: &str) -> String {
    if ty.starts_with("*const") {
        "ptr::null()".into()
    } else if ty == "usize" {
        "0".into()
    } else {
        format!("{ty}::ABSENT")
    }
}

/// The type one element (or value) of type `t` is read as (a `Read<Builder>`).
fn read_ty(s: &Schema, t: &Ty) -> String {
    match t {
        Ty::Opaque => "Raw".into(),
        Ty::Enum(e) => format!("Enum<{}>", enum_rust(e)),
        t => elem_ty(s, t, "a list or map"),
    }
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in crate::schema::wrap(text, 90) {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn view_struct(s: &Schema, o: &Object, b: &mut String) {
    let rn = rust_name(s, &o.name);
    doc(
        b,
        "",
        &format!(
            "`{}` (schema object `{}`): {}",
            c_stem(o),
            o.name,
            o.def.doc
        ),
    );
    let _ = writeln!(b, "#[repr(C)]\npub struct {rn} {{");
    let mut all = Vec::new();
    for f in &o.fields {
        for (name, ty, d) in members(s, f, &format!("{}.{}", o.name, f.name())) {
            doc(b, "    ", &d);
            let _ = writeln!(b, "    pub {}: {ty},", ident(&name));
            all.push((name, ty));
        }
    }
    let _ = writeln!(b, "}}\n");
    let _ = writeln!(
        b,
        "impl {rn} {{\n    pub(super) const ABSENT: {rn} = {rn} {{"
    );
    for (name, ty) in &all {
        let _ = writeln!(b, "        {}: {},", ident(name), absent(ty));
    }
    let _ = writeln!(b, "    }};\n}}\n");
}

fn entry_struct(s: &Schema, f: &Field, t: &Ty, b: &mut String, done: &mut Vec<String>) {
    let name = entry_name(s, t, f.name());
    if done.contains(&name) {
        return;
    }
    done.push(name.clone());
    let value = elem_ty(s, t, f.name());
    let _ = writeln!(
        b,
        "/// One entry of a map of `{value}`: its key and its (never null) value.\n\
         #[repr(C)]\npub struct {name} {{\n    /// The key as sent.\n    pub key: MkStr,\n    \
         /// The value.\n    pub value: {value},\n}}\n\n\
         impl Entry for {name} {{\n    type Value = {value};\n    fn new(key: MkStr, value: {value}) -> Self {{\n        \
         {name} {{ key, value }}\n    }}\n}}\n"
    );
}

/// How an object is read: the validator's own visitor (`validate::shape_object!`,
/// the same rule as the core's shape check) filling the view struct.
fn reader(s: &Schema, o: &Object, b: &mut String) {
    let rn = rust_name(s, &o.name);
    let mut members = Vec::new();
    for (i, f) in o.fields.iter().enumerate() {
        let n = ident(f.name());
        let (ty, set) = match &f.ty {
            Ty::Enum(e) => (
                format!("Enum<{}>", enum_rust(e)),
                format!("{{ o.{n} = v.text; o.{}_enum = v.value; }}", f.name()),
            ),
            Ty::Object(x) if !f.required() => (
                format!("Single<{}>", rust_name(s, x)),
                format!("o.{n} = v.0"),
            ),
            Ty::Opaque => ("Raw".into(), format!("o.{n} = v.0")),
            Ty::List(t) => (
                format!("List<{}>", read_ty(s, t)),
                format!("{{ o.{n} = v.ptr.cast(); o.{}_len = v.len; }}", f.name()),
            ),
            Ty::Map(t) => (
                format!("Entries<{}>", entry_name(s, t, f.name())),
                format!("{{ o.{n} = v.ptr; o.{}_len = v.len; }}", f.name()),
            ),
            t => (read_ty(s, t), format!("o.{n} = v")),
        };
        let (ty, set) = if f.required() {
            (ty, set)
        } else {
            let set = set
                .strip_prefix("{ ")
                .and_then(|s| s.strip_suffix(" }"))
                .unwrap_or(&set);
            (
                format!("Option<{ty}>"),
                format!("if let Some(v) = v {{ {set} }}"),
            )
        };
        members.push(format!(
            "{i} \"{}\": {ty} => |o: &mut {rn}, v: {ty}| {set}",
            f.name()
        ));
    }
    let required: Vec<String> = o
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.required())
        .map(|(i, f)| format!("{i} \"{}\"", f.name()))
        .collect();
    let _ = writeln!(
        b,
        "shape_object!(build Builder, {rn} = {rn}::ABSENT, {}, {{\n    {},\n}}, required {{ {} }});\n",
        o.fields.len(),
        members.join(",\n    "),
        required.join(", ")
    );
}

fn c_enums(s: &Schema, b: &mut String) {
    for (name, e) in s.enums() {
        let rn = enum_rust(&name);
        doc(
            b,
            "",
            &format!(
                "`mk_{}`: {} The numbers follow the schema's order and never change; a value this \
                 library does not know (a newer server's) is UNKNOWN, with the text still in the string member.",
                snake(&name),
                e.doc
            ),
        );
        let _ = writeln!(
            b,
            "#[repr(i32)]\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum {rn} {{"
        );
        let _ = writeln!(
            b,
            "    /// Absent, or a value not in the schema.\n    {rn}Unknown = 0,"
        );
        for (i, v) in e.values.iter().enumerate() {
            let _ = writeln!(b, "    /// `\"{v}\"`.\n    {rn}{} = {},", member(v), i + 1);
        }
        let _ = writeln!(b, "}}\n");
        let _ = writeln!(
            b,
            "impl {rn} {{\n    pub(super) const ABSENT: {rn} = {rn}::{rn}Unknown;\n}}\n\n\
             impl Known for {rn} {{\n    fn of(text: &[u8]) -> {rn} {{\n        match text {{"
        );
        for v in &e.values {
            let _ = writeln!(b, "            b\"{v}\" => {rn}::{rn}{},", member(v));
        }
        let _ = writeln!(
            b,
            "            _ => {rn}::{rn}Unknown,\n        }}\n    }}\n}}\n"
        );
    }
}

/// The member name of a known value; a value spelled `unknown` would collide with
/// the catch-all `UNKNOWN` member, so it is `VALUE_UNKNOWN`.
fn member(value: &str) -> String {
    match pascal(value).as_str() {
        "Unknown" => "ValueUnknown".into(),
        p => p.to_string(),
    }
}

/// `[export.rename]` lines for cbindgen: `MkAccount` -> `mk_account`.
fn renames(s: &Schema) -> String {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in s.enums() {
        names.push(enum_rust(&name));
    }
    for o in s.objects() {
        names.push(rust_name(s, &o.name));
        for f in &o.fields {
            if let Ty::Map(t) = &f.ty {
                let e = entry_name(s, t, f.name());
                if !names.contains(&e) {
                    names.push(e);
                }
            }
        }
    }
    let mut out = String::new();
    for n in names {
        let c = snake(n.trim_start_matches("Mk"));
        let _ = writeln!(out, "\"{n}\" = \"mk_{c}\"");
    }
    out + "# "
}

pub fn emit(s: &Schema, out: &mut Out) {
    let objects = s.objects();
    let mut b = String::new();
    b.push_str(
        "//! The typed, read-only C view of an identity (docs/C-API.md, \"Typed view\"):\n\
         //! its `#[repr(C)]` structs and C enums, and how the core's one validator fills\n\
         //! them while it reads the body (`validate::shape_object!`). Generated from\n\
         //! schema/moneykit.json by gen/src/c_view.rs; the hand-written rest is in\n\
         //! view.rs and view_read.rs.\n\n\
         #![allow(clippy::enum_variant_names)] // C enum members carry their type's name\n\n\
         use super::view_read::{\n    Builder, Entries, Entry, Enum, Known, List, MkDecimal, MkOptBool, MkStr, MkTimestamp, Raw,\n",
    );
    // `Single` only when some object field is optional (it is a pointer then).
    let single = objects.iter().any(|o| {
        o.fields
            .iter()
            .any(|f| matches!(f.ty, Ty::Object(_)) && !f.required())
    });
    b.push_str(if single { "    Single,\n" } else { "" });
    b.push_str("};\nuse crate::core::validate::shape_object;\nuse std::ptr;\n\n");
    c_enums(s, &mut b);
    let mut entries = Vec::new();
    for o in &objects {
        view_struct(s, o, &mut b);
        for f in &o.fields {
            if let Ty::Map(t) = &f.ty {
                entry_struct(s, f, t, &mut b, &mut entries);
            }
        }
    }
    for o in &objects {
        reader(s, o, &mut b);
    }
    let body = crate::rust::rustfmt(&(b.trim_end().to_string() + "\n"));
    out.file("src/ffi/view_gen.rs", Comment::Slash, &body);
    out.region("cbindgen.toml", "c_view", &renames(s));
    out.file("tests/c/view_dump_gen.h", Comment::Slash, &c_dump(s));
}

/// The C test's canonical dump (schema/README.md, "Canonical dump") of every
/// field of the view, written with the helpers `tests/c/test_view.c` defines.
fn c_dump(s: &Schema) -> String {
    let mut b = String::from(
        "/* The canonical dump of an mk_identity_response, every field, for tests/c/test_view.c\n \
         * (which defines the dump_* helpers it calls). Generated by gen/src/c_view.rs. */\n\n",
    );
    for (name, e) in s.enums() {
        let list: Vec<String> = e.values.iter().map(|v| format!("\"{v}\"")).collect();
        let _ = writeln!(
            b,
            "static const char *const mk_{}_names[] = {{NULL, {}}};",
            snake(&name),
            list.join(", ")
        );
    }
    b.push('\n');
    let objects = s.objects();
    for o in &objects {
        let _ = writeln!(
            b,
            "static void dump_mk_{}(buf *b, const mk_{} *v);",
            c_stem(o),
            c_stem(o)
        );
    }
    b.push('\n');
    for o in &objects {
        let stem = c_stem(o);
        let _ = writeln!(
            b,
            "static void dump_mk_{stem}(buf *b, const mk_{stem} *v) {{\n    put(b, \"{{\");"
        );
        for (i, f) in o.fields.iter().enumerate() {
            let n = f.name();
            let sep = if i == 0 { "" } else { "," };
            let _ = writeln!(b, "    put(b, \"{sep}\\\"{n}\\\":\");");
            let line = match &f.ty {
                Ty::Enum(e) => format!(
                    "dump_enum(b, v->{n}, (int32_t)v->{n}_enum, mk_{e}_names, sizeof mk_{e}_names / sizeof *mk_{e}_names);",
                    e = snake(e)
                ),
                Ty::Object(x) if f.required() => {
                    format!("dump_mk_{}(b, &v->{n});", c_stem(&s.object(x)))
                }
                Ty::Object(x) => format!(
                    "if (v->{n}) dump_mk_{}(b, v->{n}); else put(b, \"null\");",
                    c_stem(&s.object(x))
                ),
                Ty::List(t) => {
                    let (open, close) = if f.required() {
                        (
                            format!("CHECK(v->{n} != NULL);\n    "),
                            String::new(),
                        )
                    } else {
                        (
                            format!("if (!v->{n}) {{\n        CHECK(v->{n}_len == 0);\n        put(b, \"null\");\n    }} else "),
                            String::new(),
                        )
                    };
                    format!(
                        "{open}{{\n        put(b, \"[\");\n        for (size_t i = 0; i < v->{n}_len; i++) {{\n            \
                         if (i) put(b, \",\");\n            {};\n        }}\n        put(b, \"]\");\n    }}{close}",
                        c_leaf(s, t, &format!("v->{n}[i]"), &format!("&v->{n}[i]"))
                    )
                }
                Ty::Map(t) => format!(
                    "CHECK(v->{n} != NULL);\n    put(b, \"{{\");\n    for (size_t i = 0; i < v->{n}_len; i++) {{\n        \
                     if (i) {{\n            put(b, \",\");\n            CHECK(mk_str_cmp(v->{n}[i - 1].key, v->{n}[i].key) < 0);\n        }}\n        \
                     dump_str(b, v->{n}[i].key);\n        put(b, \":\");\n        {};\n    }}\n    put(b, \"}}\");",
                    c_leaf(s, t, &format!("v->{n}[i].value"), &format!("&v->{n}[i].value"))
                ),
                t => format!("{};", c_leaf(s, t, &format!("v->{n}"), &format!("&v->{n}"))),
            };
            let line = if f.required() {
                match &f.ty {
                    Ty::Str | Ty::Opaque => format!("CHECK(v->{n}.ptr != NULL);\n    {line}"),
                    Ty::Decimal | Ty::Timestamp => {
                        format!("CHECK(v->{n}.text.ptr != NULL);\n    {line}")
                    }
                    Ty::Enum(_) => format!("CHECK(v->{n}.ptr != NULL);\n    {line}"),
                    Ty::Bool => format!("CHECK(v->{n} != MK_BOOL_ABSENT);\n    {line}"),
                    _ => line,
                }
            } else {
                line
            };
            let _ = writeln!(b, "    {line}");
        }
        let _ = writeln!(b, "    put(b, \"}}\");\n}}\n");
    }
    b
}

/// The C statement that dumps one value (`value` by value, `addr` its address).
fn c_leaf(s: &Schema, t: &Ty, value: &str, addr: &str) -> String {
    match t {
        Ty::Str => format!("dump_str(b, {value})"),
        Ty::Opaque => format!("dump_raw(b, {value})"),
        Ty::Bool => format!("dump_bool(b, {value})"),
        Ty::Decimal => format!("dump_decimal(b, {addr})"),
        Ty::Timestamp => format!("dump_timestamp(b, {addr})"),
        Ty::Object(x) => format!("dump_mk_{}(b, {addr})", c_stem(&s.object(x))),
        _ => panic!("the C view has no mapping for {t:?}"),
    }
}
