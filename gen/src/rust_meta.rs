//! The Rust core's status enum (which cbindgen turns into the header's
//! `enum mk_status`), the error JSON's keys and the option table, all from the
//! schema. The hand-written core uses these; a key added to the schema fails to
//! compile there until it is handled. Submodules: `call_options` (the batch, refresh and
//! webhook option structs, bounds and readers), `match_records` (the owner match's
//! records), `webhook_schema` (the schema's `webhook_events`, typed, for every emitter) and
//! `webhook_events` (the core's webhook event table).

mod call_options;
mod match_records;
mod webhook_events;
pub(crate) mod webhook_schema;

use crate::out::{Comment, Out};
use crate::rust::rustfmt;
use crate::schema::{pascal, upper, wrap, Schema};
use std::fmt::Write;

/// `MK_ERR_NOT_FOUND` -> `MkErrNotFound` (cbindgen's rename rule gives back the C name).
fn variant(c_name: &str) -> String {
    pascal(&c_name.to_ascii_lowercase())
}

fn statuses(s: &Schema, out: &mut Out) {
    let mut b = String::from(
        "//! The status codes every fallible call returns (schema/moneykit.json\n\
         //! `statuses`): the source of the C header's `enum mk_status` and, through\n\
         //! the schema, of every binding's status and error classes.\n\n\
         /// Result of every fallible `mk_` function. Numbers are stable and never reused.\n\
         #[repr(i32)]\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n\
         #[allow(clippy::enum_variant_names)] // the `Mk` prefix becomes the header's `MK_` prefix\n\
         pub enum Status {\n",
    );
    for (i, st) in s.statuses.iter().enumerate() {
        assert_eq!(st.code, i as i32, "status codes must be dense, in order");
        for line in wrap(&capitalise(&st.when), 90) {
            let _ = writeln!(b, "    /// {line}");
        }
        let _ = writeln!(b, "    {} = {},", variant(&st.name), st.code);
    }
    b.push_str("}\n\nimpl Status {\n");
    let _ = writeln!(
        b,
        "    /// Every status, by code.\n    pub const ALL: [Status; {}] = [{}];\n",
        s.statuses.len(),
        s.statuses
            .iter()
            .map(|st| format!("Status::{}", variant(&st.name)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    b.push_str(
        "    /// (name, description) of this status.\n    pub(crate) fn texts(self) -> (&'static str, &'static str) {\n        match self {\n",
    );
    for st in &s.statuses {
        let _ = writeln!(
            b,
            "            Status::{} => ({:?}, {:?}),",
            variant(&st.name),
            st.name,
            st.describe
        );
    }
    b.push_str("        }\n    }\n}\n");
    out.file("src/core/status_gen.rs", Comment::Slash, &rustfmt(&b));
}

fn capitalise(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => String::new(),
    }
}

fn error_json(s: &Schema, out: &mut Out) {
    let mut b = String::from(
        "//! The error JSON every failed call hands out (schema/moneykit.json\n\
         //! `error_json`, docs/C-API.md \"Error JSON\"): every key always present,\n\
         //! in this order, null when unknown.\n\n\
         /// The error JSON on the wire.\n\
         #[derive(serde::Serialize)]\n\
         pub(crate) struct ErrorJson<'a> {\n",
    );
    for k in &s.error_json {
        let ty = match (k.ty.as_str(), k.required) {
            ("int", true) => "i64",
            ("int", false) => "Option<i64>",
            ("string", true) => "&'a str",
            ("string", false) => "Option<&'a str>",
            ("bool", true) => "bool",
            ("validation_errors", false) => "Option<&'a [crate::core::ValidationError]>",
            ("response", false) => "Option<&'a crate::core::RawResponse>",
            (t, _) => panic!("error_json {}: unknown type {t}", k.key),
        };
        let _ = writeln!(b, "    /// {}\n    pub {}: {ty},", k.doc, k.key);
    }
    b.push_str("}\n\n");
    let keys: Vec<String> = s
        .error_json
        .iter()
        .map(|k| format!("{:?}", k.key))
        .collect();
    let _ = writeln!(
        b,
        "/// The keys, in order.\npub const ERROR_JSON_KEYS: [&str; {}] = [{}];",
        keys.len(),
        keys.join(", ")
    );
    out.file("src/core/error_json_gen.rs", Comment::Slash, &rustfmt(&b));
}

fn options(s: &Schema, out: &mut Out) {
    let mut b = String::from(
        "//! The client options' keys, defaults and bounds (schema/moneykit.json\n\
         //! `options`, docs/C-API.md \"Options JSON\").\n\n\
         /// A numeric option: its default and inclusive bounds.\n\
         #[derive(Debug, Clone, Copy)]\n\
         pub(crate) struct IntOption {\n    pub key: &'static str,\n    pub default: u64,\n    pub min: u64,\n    pub max: u64,\n}\n\n",
    );
    for o in s.options.iter().filter(|o| o.ty == "int") {
        let default = o.default.as_u64().expect("int options have a default");
        let _ = writeln!(
            b,
            "/// `{}`: {}\npub(crate) const {}: IntOption = IntOption {{ key: {:?}, default: {default}, min: {}, max: {} }};",
            o.key,
            o.doc,
            upper(&o.key),
            o.key,
            o.min.as_ref().expect("int options have a min"),
            o.max.as_ref().expect("int options have a max"),
        );
    }
    if s.options.iter().any(|o| o.ty == "float") {
        b.push_str(
            "\n/// A number option: its default and inclusive bounds.\n\
             #[derive(Debug, Clone, Copy)]\n\
             pub(crate) struct FloatOption {\n    pub key: &'static str,\n    pub default: f64,\n    pub min: f64,\n    pub max: f64,\n}\n\n",
        );
    }
    let float = |o: &crate::schema::OptionDef, part: &str, n: Option<&serde_json::Number>| {
        let f = n
            .and_then(serde_json::Number::as_f64)
            .unwrap_or_else(|| panic!("float option {}: {part} must be a number", o.key));
        format!("{f:?}")
    };
    for o in s.options.iter().filter(|o| o.ty == "float") {
        let _ = writeln!(
            b,
            "/// `{}`: {}\npub(crate) const {}: FloatOption = FloatOption {{ key: {:?}, default: {}, min: {}, max: {} }};",
            o.key,
            o.doc,
            upper(&o.key),
            o.key,
            float(o, "default", o.default.as_number()),
            float(o, "min", o.min.as_ref()),
            float(o, "max", o.max.as_ref()),
        );
    }
    for o in s
        .options
        .iter()
        .filter(|o| o.ty != "int" && o.ty != "float")
    {
        if let Some(d) = o.default.as_str() {
            let _ = writeln!(
                b,
                "/// The default of `{}`.\npub const DEFAULT_{}: &str = {d:?};",
                o.key,
                upper(&o.key)
            );
        }
    }
    let enums: Vec<String> = s
        .options
        .iter()
        .filter(|o| o.ty == "enum")
        .map(|o| format!("({:?}, &{:?})", o.key, o.values))
        .collect();
    let _ = writeln!(
        b,
        "\n/// The accepted values of each string-enum option.\npub const ENUM_OPTIONS: [(&str, &[&str]); {}] = [{}];",
        enums.len(),
        enums.join(", ")
    );
    let keys: Vec<String> = s.options.iter().map(|o| format!("{:?}", o.key)).collect();
    let _ = writeln!(
        b,
        "\n/// Every option key (any other key is refused).\npub const OPTION_KEYS: [&str; {}] = [{}];",
        keys.len(),
        keys.join(", ")
    );
    out.file("src/core/options_gen.rs", Comment::Slash, &rustfmt(&b));
}

pub fn emit(s: &Schema, out: &mut Out) {
    statuses(s, out);
    error_json(s, out);
    options(s, out);
    call_options::emit(s, out);
    match_records::emit(s, out);
    webhook_events::emit(s, out);
}
