//! The Python surface that the schema describes besides the identity: the option tables and
//! the JSON they build (`_options_gen.py`), the records that cross the boundary and the error
//! JSON's keys (`_records_gen.py`), the signatures and docstrings of every call that takes
//! options or a claim (`_surface_gen.py`: `Client` and `AsyncClient` get them from mixins),
//! and the README's option tables.
//!
//! Python rules applied here, not in the schema: an `int` option whose key ends in `_ms` is a
//! keyword in float seconds named without the suffix (`timeout_ms` -> `timeout`); a `string`
//! option whose key ends in `_file` also takes an `os.PathLike`; every keyword defaults to
//! `None` (the library's default applies; the docstring shows it). Records keep the schema's
//! names, field names and units (as in Go and C++); `RECORD_MIXINS` (in `_record_helpers.py`)
//! adds conveniences such as seconds.

mod records;
mod shells;

use super::lit;
use crate::out::{Comment, Out};
use crate::schema::{OptionDef, Schema};
use std::fmt::Write;

const PKG: &str = "bindings/python/src/moneykit_native";

pub fn emit(s: &Schema, out: &mut Out) {
    out.file(
        &format!("{PKG}/_options_gen.py"),
        Comment::Hash,
        &options_py(s),
    );
    out.file(
        &format!("{PKG}/_records_gen.py"),
        Comment::Hash,
        &records::records_py(s),
    );
    out.file(
        &format!("{PKG}/_surface_gen.py"),
        Comment::Hash,
        &shells::surface_py(s),
    );
    out.region(
        "bindings/python/README.md",
        "python-options",
        &options_tables(s),
    );
}

// ------------------------------------------------------------------------ text helpers

/// `text` as a bullet (`- ` then `  ` on later lines), wrapped to `width`, at `indent`.
fn bullet(text: &str, indent: &str, width: usize) -> String {
    let lines = crate::schema::wrap(text, width - indent.len() - 2);
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        let mark = if i == 0 { "- " } else { "  " };
        let _ = writeln!(s, "{indent}{mark}{l}");
    }
    s
}

/// A docstring at `indent`, wrapped: `"""` then the text, `"""` on a line of its own when
/// the text takes more than one.
fn doc_block(text: &str, indent: &str) -> String {
    let lines = crate::schema::wrap(text, 88 - indent.len() - 3);
    if lines.len() == 1 {
        return format!("{indent}\"\"\"{}\"\"\"\n", lines[0]);
    }
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        let q = if i == 0 { "\"\"\"" } else { "" };
        let _ = writeln!(s, "{indent}{q}{l}");
    }
    let _ = writeln!(s, "{indent}\"\"\"");
    s
}

/// A number of milliseconds as seconds, shortest form (`30000` -> `30`, `1` -> `0.001`).
fn seconds(ms: f64) -> String {
    format!("{}", ms / 1000.0)
}

// ------------------------------------------------------------------------ options

/// One option as Python sees it.
pub(super) struct PyOption<'a> {
    def: &'a OptionDef,
    /// The keyword's name.
    arg: String,
    /// `text`, `path`, `seconds`, `int` or `float` (`build_options_json`'s conversions).
    kind: &'static str,
    /// The keyword's annotation (`Literal[...]` for a closed set of values).
    ann: String,
}

fn py_option(o: &OptionDef) -> PyOption<'_> {
    let (arg, kind, ann) = match o.ty.as_str() {
        "int" if o.key.ends_with("_ms") => (
            o.key.trim_end_matches("_ms").to_string(),
            "seconds",
            "Optional[float]".to_string(),
        ),
        "int" => (o.key.clone(), "int", "Optional[int]".to_string()),
        "float" => (o.key.clone(), "float", "Optional[float]".to_string()),
        "string" if o.key.ends_with("_file") => {
            (o.key.clone(), "path", "Optional[StrPath]".to_string())
        }
        "string" | "secret" => (o.key.clone(), "text", "Optional[str]".to_string()),
        "enum" => {
            let values: Vec<String> = o.values.iter().map(|v| lit(v)).collect();
            (
                o.key.clone(),
                "text",
                format!("Optional[Literal[{}]]", values.join(", ")),
            )
        }
        t => panic!("option {}: unknown type {t}", o.key),
    };
    PyOption {
        def: o,
        arg,
        kind,
        ann,
    }
}

pub(super) fn py_options(group: &[OptionDef]) -> Vec<PyOption<'_>> {
    group.iter().map(py_option).collect()
}

impl PyOption<'_> {
    /// A bound or the default in the keyword's unit (seconds for `*_ms`).
    fn in_unit(&self, v: &serde_json::Value) -> String {
        match (self.kind, v.as_f64()) {
            ("seconds", Some(ms)) => seconds(ms),
            _ => v.to_string(),
        }
    }

    /// What the docstring says the default is (`30`, `"token"`, `none`, or the schema's words).
    fn default_doc(&self) -> String {
        if let Some(d) = &self.def.default_doc {
            return d.clone();
        }
        if self.def.default.is_null() {
            return "none".into();
        }
        self.in_unit(&self.def.default)
    }

    /// `seconds, 0.001 to 86400` / `int, 1 to 256` / `one of "token", "headers"` / `str`.
    fn kind_doc(&self) -> String {
        let unit = match self.kind {
            "seconds" => "seconds".to_string(),
            "int" => "int".to_string(),
            "float" => "number".to_string(),
            "path" => "str or path".to_string(),
            _ if !self.def.values.is_empty() => {
                let v: Vec<String> = self.def.values.iter().map(|v| lit(v)).collect();
                format!("one of {}", v.join(", "))
            }
            _ => "str".to_string(),
        };
        match (&self.def.min, &self.def.max) {
            (Some(lo), Some(hi)) => {
                let lo = self.in_unit(&serde_json::Value::Number(lo.clone()));
                let hi = self.in_unit(&serde_json::Value::Number(hi.clone()));
                format!("{unit}, {lo} to {hi}")
            }
            _ => unit,
        }
    }

    /// The docstring entry: ``- `timeout` (seconds, 0.001 to 86400; default 30): ...``.
    fn doc_entry(&self, indent: &str) -> String {
        let key = if self.arg == self.def.key {
            String::new()
        } else {
            format!(", `{}`", self.def.key)
        };
        bullet(
            &format!(
                "`{}` ({}{key}; default {}): {}.",
                self.arg,
                self.kind_doc(),
                self.default_doc(),
                self.def.doc
            ),
            indent,
            88,
        )
    }
}

/// A JSON value as Python.
fn py_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "None".into(),
        serde_json::Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        serde_json::Value::String(t) => lit(t),
        other => other.to_string(),
    }
}

fn table_name(group: &str) -> String {
    format!("{}_OPTIONS", group.to_ascii_uppercase())
}

pub(super) fn spec_table(group: &str, options: &[PyOption]) -> String {
    let mut t = format!(
        "\n#: The {group} options (schema `{}`), in schema order.\n{}: Tuple[OptionSpec, ...] = (\n",
        if group == "client" {
            "options".to_string()
        } else {
            format!("{group}_options")
        },
        table_name(group)
    );
    for o in options {
        let num =
            |n: &Option<serde_json::Number>| n.as_ref().map_or("None".into(), |n| n.to_string());
        let choices = if o.def.values.is_empty() {
            String::new()
        } else {
            let v: Vec<String> = o.def.values.iter().map(|v| lit(v)).collect();
            format!("\n        choices=({},),", v.join(", "))
        };
        let _ = writeln!(
            t,
            "    OptionSpec(\n        {}, {}, {},\n        default={}, minimum={}, maximum={},{choices}\n        doc={},\n    ),",
            lit(&o.def.key),
            lit(&o.arg),
            lit(o.kind),
            py_value(&o.def.default),
            num(&o.def.min),
            num(&o.def.max),
            lit(&o.def.doc),
        );
    }
    t.push_str(")\n");
    t
}

/// The keyword parameters of an option group, one per line at `indent`.
pub(super) fn option_params(options: &[PyOption], indent: &str) -> String {
    options
        .iter()
        .map(|o| format!("{indent}{}: {} = None,\n", o.arg, o.ann))
        .collect()
}

/// `{lead}{head}` then `items` wrapped (each followed by a comma) then `close`, at `indent`.
fn wrapped(indent: &str, lead: &str, head: &str, items: &[String], close: &str) -> String {
    let text: Vec<String> = items.iter().map(|i| format!("{i},")).collect();
    let mut s = format!("{indent}{lead}{head}\n");
    let inner = format!("{indent}    ");
    let mut line = String::new();
    for t in text {
        if !line.is_empty() && inner.len() + line.len() + 1 + t.len() > 88 {
            let _ = writeln!(s, "{inner}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&t);
    }
    let _ = writeln!(s, "{inner}{line}\n{indent}{close}");
    s
}

/// `{lead}build_options_json(BATCH_OPTIONS, (concurrency, ...))` as lines at `indent`.
pub(super) fn build_call(group: &str, options: &[PyOption], indent: &str, lead: &str) -> String {
    let args: Vec<String> = options.iter().map(|o| o.arg.clone()).collect();
    let head = format!("build_options_json({}, (", table_name(group));
    wrapped(indent, lead, &head, &args, "))")
}

const OPTIONS_INTRO: &str =
    "Options (None: left out, so the library's default applies; a value out of range or not \
     one of the listed values raises `InvalidArgumentError`, a wrong type `TypeError`; both \
     name the keyword, e.g. `timeout=`):";

pub(super) fn options_doc(options: &[PyOption], indent: &str) -> String {
    let mut d = crate::python::wrap(OPTIONS_INTRO, indent, 88);
    d.push('\n');
    for o in options {
        d.push_str(&o.doc_entry(indent));
    }
    d
}

fn groups(s: &Schema) -> [(&'static str, Vec<PyOption<'_>>); 3] {
    [
        ("client", py_options(&s.options)),
        ("batch", py_options(&s.batch_options)),
        ("refresh", py_options(&s.refresh_options)),
    ]
}

fn options_py(s: &Schema) -> String {
    let mut m = String::from(
        r#""""The client, batch and refresh options (`mk_client_new`, `mk_batch_start`,
`mk_refresh_identity` / `mk_wait_identity_newer` options JSON) as Python keywords.

Each keyword defaults to None: the key is left out and the library's default (or its
environment fallback) applies. A `*_ms` key is a keyword in seconds without the suffix.
"""

from __future__ import annotations

from typing import Literal, Optional, Tuple

from ._args import OptionSpec, StrPath, build_options_json

__all__ = [
    "BATCH_OPTIONS",
    "CLIENT_OPTIONS",
    "REFRESH_OPTIONS",
    "batch_options_json",
    "options_json",
    "refresh_options_json",
]
"#,
    );
    for (group, options) in groups(s) {
        m.push_str(&spec_table(group, &options));
    }
    let what = [
        ("client", "options_json", "`mk_client_new`"),
        ("batch", "batch_options_json", "`mk_batch_start`"),
        (
            "refresh",
            "refresh_options_json",
            "`mk_refresh_identity` / `mk_wait_identity_newer`",
        ),
    ];
    for ((group, options), (_, name, c)) in groups(s).iter().zip(what) {
        let _ = write!(
            m,
            "\n\ndef {name}(\n    *,\n{}) -> str:\n    \"\"\"The {c} options JSON for these keywords (seconds become `*_ms` integers).\n\n{}    \"\"\"\n{}",
            option_params(options, "    "),
            options_doc(options, "    "),
            build_call(group, options, "    ", "return "),
        );
    }
    m
}

/// The README's option tables.
fn options_tables(s: &Schema) -> String {
    let mut t = String::new();
    let titles = [
        "`mk.Client(...)` and `mk.AsyncClient(...)` (`mk.options_json(...)` shows the JSON)",
        "`client.get_identities(...)`",
        "`client.refresh_identity(...)` and `client.wait_identity_newer(...)`",
    ];
    for ((_, options), title) in groups(s).iter().zip(titles) {
        let _ = writeln!(
            t,
            "{title}:\n\n| keyword | C key | type | default | meaning |\n|---|---|---|---|---|"
        );
        for o in options {
            let _ = writeln!(
                t,
                "| `{}` | `{}` | {} | {} | {} |",
                o.arg,
                o.def.key,
                o.kind_doc().replace('"', "`"),
                o.default_doc().replace('|', "\\|"),
                o.def.doc.replace('|', "\\|")
            );
        }
        t.push('\n');
    }
    t
}
