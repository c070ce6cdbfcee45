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
//! field names and units; `RECORD_NAMES` keeps today's Python class names, and
//! `RECORD_MIXINS` (in `_record_helpers.py`) adds conveniences such as seconds.

use super::{lit, lookup};
use crate::out::{Comment, Out};
use crate::records::{RTy, Record};
use crate::schema::{OptionDef, Schema};
use std::fmt::Write;

const PKG: &str = "bindings/python/src/moneykit_native";

/// Python class names that differ from the record's.
const RECORD_NAMES: &[(&str, &str)] = &[
    ("NameScore", "NameMatch"),
    ("FieldScore", "FieldMatch"),
    ("AddressScore", "AddressMatch"),
];
/// Hand-written mixins (in `_record_helpers.py`) that give a record its conveniences.
const RECORD_MIXINS: &[(&str, &str)] = &[("BatchProgress", "BatchProgressHelpers")];

pub fn emit(s: &Schema, out: &mut Out) {
    out.file(
        &format!("{PKG}/_options_gen.py"),
        Comment::Hash,
        &options_py(s),
    );
    out.file(
        &format!("{PKG}/_records_gen.py"),
        Comment::Hash,
        &records_py(s),
    );
    out.file(
        &format!("{PKG}/_surface_gen.py"),
        Comment::Hash,
        &surface_py(s),
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
struct PyOption<'a> {
    def: &'a OptionDef,
    /// The keyword's name.
    arg: String,
    /// `text`, `path`, `seconds`, `int` or `float` (`build_options_json`'s conversions).
    kind: &'static str,
    /// The keyword's annotation.
    ann: &'static str,
}

fn py_option(o: &OptionDef) -> PyOption<'_> {
    let (arg, kind, ann) = match o.ty.as_str() {
        "int" if o.key.ends_with("_ms") => (
            o.key.trim_end_matches("_ms").to_string(),
            "seconds",
            "Optional[float]",
        ),
        "int" => (o.key.clone(), "int", "Optional[int]"),
        "float" => (o.key.clone(), "float", "Optional[float]"),
        "string" if o.key.ends_with("_file") => (o.key.clone(), "path", "Optional[StrPath]"),
        "string" | "secret" | "enum" => (o.key.clone(), "text", "Optional[str]"),
        t => panic!("option {}: unknown type {t}", o.key),
    };
    PyOption {
        def: o,
        arg,
        kind,
        ann,
    }
}

fn py_options(group: &[OptionDef]) -> Vec<PyOption<'_>> {
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

fn spec_table(group: &str, options: &[PyOption]) -> String {
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
        let _ = writeln!(
            t,
            "    OptionSpec(\n        {}, {}, {},\n        default={}, minimum={}, maximum={},\n        doc={},\n    ),",
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
fn option_params(options: &[PyOption], indent: &str) -> String {
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
fn build_call(group: &str, options: &[PyOption], indent: &str, lead: &str) -> String {
    let args: Vec<String> = options.iter().map(|o| o.arg.clone()).collect();
    let head = format!("build_options_json({}, (", table_name(group));
    wrapped(indent, lead, &head, &args, "))")
}

const OPTIONS_INTRO: &str =
    "Options (None: left out, so the library's default applies; the library checks the ranges \
     and raises `InvalidArgumentError`):";

fn options_doc(options: &[PyOption], indent: &str) -> String {
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

from typing import Optional, Tuple

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

// ------------------------------------------------------------------------ records

fn record_name(r: &str) -> String {
    lookup(RECORD_NAMES, r).unwrap_or(r).to_string()
}

fn rty_ann(t: &RTy) -> String {
    match t {
        RTy::Str => "str".into(),
        RTy::Bool => "bool".into(),
        RTy::Int(_) => "int".into(),
        RTy::Float => "float".into(),
        RTy::Status => "Status".into(),
        RTy::Record(r) => record_name(r),
        RTy::List(t) => format!("Tuple[{}, ...]", rty_ann(t)),
    }
}

/// The expression mapping the parsed JSON value `v` (never null) to Python.
fn from_json_expr(t: &RTy, v: &str) -> String {
    match t {
        RTy::Str | RTy::Bool | RTy::Int(_) => v.into(),
        RTy::Float => format!("float({v})"),
        RTy::Status => format!("Status({v})"),
        RTy::Record(r) => format!("{}.from_dict({v})", record_name(r)),
        RTy::List(t) => format!("tuple([{} for x in {v}])", from_json_expr(t, "x")),
    }
}

/// The expression mapping the Python value `v` (never None) to JSON data.
fn to_json_expr(t: &RTy, v: &str) -> String {
    match t {
        RTy::Str | RTy::Bool | RTy::Int(_) | RTy::Float => v.into(),
        RTy::Status => format!("int({v})"),
        RTy::Record(_) => format!("{v}.to_dict()"),
        RTy::List(t) => format!("[{} for x in {v}]", to_json_expr(t, "x")),
    }
}

fn record_class(r: &Record, nested: bool) -> String {
    let py = record_name(&r.name);
    let input = r.def.json.as_deref() == Some("input");
    let base = lookup(RECORD_MIXINS, &r.name)
        .map(|m| format!("({m})"))
        .unwrap_or_default();
    let summary = if py == r.name {
        r.def.doc.clone()
    } else {
        format!("`{}`: {}", r.name, r.def.doc)
    };
    let mut c = format!("\n\n@dataclass(frozen=True)\nclass {py}{base}:\n");
    c.push_str(&doc_block(&summary, "    "));
    c.push('\n');
    // Inputs: every optional field defaults to None (required ones first). Outputs and C
    // records are built by the library's data: every field given, in schema order.
    let mut order: Vec<usize> = (0..r.fields.len()).collect();
    if input {
        order.sort_by_key(|&i| !r.fields[i].0.required);
    }
    for i in order {
        let (f, t) = &r.fields[i];
        c.push_str(&crate::python::wrap(&f.doc, "    #: ", 88));
        let ann = rty_ann(t);
        match (f.required, input) {
            (true, _) => {
                let _ = writeln!(c, "    {}: {ann}", f.name);
            }
            (false, true) => {
                let _ = writeln!(c, "    {}: Optional[{ann}] = None", f.name);
            }
            (false, false) => {
                let _ = writeln!(c, "    {}: Optional[{ann}]", f.name);
            }
        }
    }
    if input {
        c.push_str(&format!(
            "\n    def to_dict(self) -> Dict[str, Any]:\n        \"\"\"The JSON object (fields that are None left out).\"\"\"\n        out: Dict[str, Any] = {{}}\n"
        ));
        for (f, t) in &r.fields {
            let v = format!("self.{}", f.name);
            let e = to_json_expr(t, &v);
            if f.required {
                let _ = writeln!(c, "        out[{}] = {e}", lit(&f.name));
            } else {
                let _ = writeln!(
                    c,
                    "        if {v} is not None:\n            out[{}] = {e}",
                    lit(&f.name)
                );
            }
        }
        c.push_str("        return out\n");
    }
    if r.def.json.as_deref() == Some("output") {
        let _ = write!(
            c,
            "\n    @classmethod\n    def from_dict(cls, d: Mapping[str, Any]) -> {py}:\n        \"\"\"Maps one parsed `{}` JSON object (as the library wrote it).\"\"\"\n",
            r.name
        );
        let mut args = String::new();
        for (f, t) in &r.fields {
            let key = lit(&f.name);
            if f.required {
                let _ = writeln!(
                    args,
                    "            {}={},",
                    f.name,
                    from_json_expr(t, &format!("d[{key}]"))
                );
            } else {
                let e = from_json_expr(t, "v");
                if e == "v" {
                    let _ = writeln!(args, "            {}=d.get({key}),", f.name);
                } else {
                    let _ = writeln!(c, "        v_{} = d.get({key})", f.name);
                    let e = from_json_expr(t, &format!("v_{}", f.name));
                    let _ = writeln!(
                        args,
                        "            {}=None if v_{} is None else {e},",
                        f.name, f.name
                    );
                }
            }
        }
        let _ = write!(c, "        return cls(\n{args}        )\n");
        if !nested {
            let _ = write!(
                c,
                "\n    @classmethod\n    def from_json(cls, text: str) -> {py}:\n        \"\"\"Maps the `{}` JSON text the library wrote.\"\"\"\n        return cls.from_dict(json.loads(text))\n",
                r.name
            );
        }
    }
    if let Some(cs) = &r.def.c {
        c.push_str(&from_c(r, &py, cs));
    }
    c
}

/// `_from_c(c, text)`: the record from its C struct. `text` converts a string field (and, for
/// strings the caller owns, frees it): every string field is converted even when one fails.
fn from_c(r: &Record, py: &str, cs: &str) -> String {
    let strings: Vec<&str> = r
        .fields
        .iter()
        .filter(|(_, t)| *t == RTy::Str)
        .map(|(f, _)| f.name.as_str())
        .collect();
    let mut c = if strings.is_empty() {
        format!(
            "\n    @classmethod\n    def _from_c(cls, c: {cs}) -> {py}:\n        \"\"\"From `struct {cs}`.\"\"\"\n"
        )
    } else {
        format!(
            "\n    @classmethod\n    def _from_c(cls, c: {cs}, text: Callable[[Any], Optional[str]]) -> {py}:\n        \"\"\"From `struct {cs}`; `text` reads a string field (NULL: None) and, for\n        strings the caller owns, frees it: every string field is read even when one fails.\n        \"\"\"\n"
        )
    };
    // Nested try/finally: an owning `text` frees every string even when one fails.
    fn nest(c: &mut String, names: &[&str], depth: usize) {
        let Some((first, rest)) = names.split_first() else {
            return;
        };
        let pad = "    ".repeat(depth + 2);
        if rest.is_empty() {
            let _ = writeln!(c, "{pad}s_{first} = text(c.{first})");
            return;
        }
        let _ = writeln!(
            c,
            "{pad}try:\n{pad}    s_{first} = text(c.{first})\n{pad}finally:"
        );
        nest(c, rest, depth + 1);
    }
    nest(&mut c, &strings, 0);
    let mut args = String::new();
    for (f, t) in &r.fields {
        let v = format!("c.{}", f.name);
        let e = match (t, f.required) {
            (RTy::Str, true) => format!("\"\" if s_{n} is None else s_{n}", n = f.name),
            (RTy::Str, false) => format!("s_{}", f.name),
            (RTy::Int(_), true) | (RTy::Float, true) => v,
            (RTy::Int(false), false) => format!("{v} or None"),
            (RTy::Int(true), false) => format!("None if {v} < 0 else {v}"),
            (RTy::Bool, true) => format!("bool({v})"),
            (RTy::Status, true) => format!("Status({v})"),
            (t, _) => panic!(
                "record {}: field {} of type {t:?} cannot come from C",
                r.name, f.name
            ),
        };
        let _ = writeln!(args, "            {}={e},", f.name);
    }
    let _ = write!(c, "        return cls(\n{args}        )\n");
    c
}

fn records_py(s: &Schema) -> String {
    let records = s.records();
    let mut structs: Vec<String> = records.iter().filter_map(|r| r.def.c.clone()).collect();
    structs.sort();
    let mixins: Vec<&str> = records
        .iter()
        .filter_map(|r| lookup(RECORD_MIXINS, &r.name))
        .collect();
    let mut all: Vec<String> = records.iter().map(|r| record_name(&r.name)).collect();
    all.push("ERROR_JSON_KEYS".into());
    all.sort();
    let mut m = format!(
        r#""""The records that cross the boundary besides the identity (schema `records`): the
owner-match claim (`to_dict`) and result (`from_json`), the batch item and progress and the
event (`_from_c`, from their C structs), and the error JSON's keys. Frozen dataclasses; field
names and units are the schema's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type

from ._abi import {}
from ._record_helpers import {}
from ._status import Status

__all__ = [
{}]
"#,
        structs.join(", "),
        mixins.join(", "),
        all.iter()
            .map(|n| format!("    {},\n", lit(n)))
            .collect::<String>(),
    );
    for r in &records {
        // A record another one holds gets no `from_json` of its own.
        let nested = records.iter().any(|o| {
            o.fields.iter().any(|(_, t)| {
                *t == RTy::Record(r.name.clone())
                    || *t == RTy::List(Box::new(RTy::Record(r.name.clone())))
            })
        });
        m.push_str(&record_class(r, nested));
    }
    m.push_str(
        "\n\n#: The error JSON's keys (schema `error_json`): (key, Python type, always present).\n\
         ERROR_JSON_KEYS: Tuple[Tuple[str, Type[Any], bool], ...] = (\n",
    );
    for k in &s.error_json {
        let ty = match k.ty.as_str() {
            "int" => "int",
            "string" => "str",
            t => panic!("error_json {}: unknown type {t}", k.key),
        };
        let req = if k.required { "True" } else { "False" };
        let _ = writeln!(m, "    ({}, {ty}, {req}),", lit(&k.key));
    }
    m.push_str(")\n");
    m
}

// ------------------------------------------------------------------------ the surface

/// A call whose keywords come from the schema: an option group or the claim's fields.
struct Shell {
    /// `client`, `async` or `module`.
    on: &'static str,
    name: &'static str,
    /// The parameters before the schema's keywords (after `self`), each a line.
    before: &'static [&'static str],
    /// `client`, `batch`, `refresh` or `claim`.
    group: &'static str,
    /// Keyword parameters after the schema's.
    after: &'static [&'static str],
    ret: &'static str,
    /// The body's call, with `{opts}` for the options JSON (or the claim JSON).
    call: &'static str,
    doc: &'static str,
}

const CLAIM_BEFORE: &str = "claim: Optional[ClaimLike] = None";

const SHELLS: &[Shell] = &[
    Shell {
        on: "module",
        name: "match_owners",
        before: &["identity: Union[IdentityResponse, str, bytes]", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &[],
        ret: "OwnerMatch",
        call: "match_claim(identity, {opts})",
        doc: "Compares a claim with the owners of a Get Identity response, offline (no request, \
              nothing logged): does this account belong to the person in front of me?\n\n\
              `identity`: an `IdentityResponse` or the body's JSON text. The claim: a `Claim`, or a \
              dict in the same format, and the keywords below, which win; at least one field is \
              required. `address` is a `ClaimAddress`, a dict with its keys, or an `Address` from \
              a response.\n\n\
              Raises `InvalidArgumentError` for a bad claim (unknown key, nothing given, a value \
              over 1024 bytes, a name without letters, a phone without 7 digits) and `DecodeError` \
              for a body the validator refuses; messages never hold a value.",
    },
    Shell {
        on: "client",
        name: "__init__",
        before: &[
            "client_id: Optional[str] = None",
            "client_secret: Optional[str] = None",
            "*",
        ],
        group: "client",
        after: &[],
        ret: "None",
        call: "self._open(client_id, client_secret, {opts})",
        doc: "Opens a client (`mk_client_new`).\n\n\
              Credentials: `client_id` / `client_secret`, or (when None) the environment variables \
              `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`; not needed with `access_token`. \
              Durations are seconds (floats).",
    },
    Shell {
        on: "client",
        name: "get_identities",
        before: &["link_ids: Iterable[str]", "*"],
        group: "batch",
        after: &[],
        ret: "Batch",
        call: "self._get_identities(link_ids, {opts})",
        doc: "Fetches the identity of every link in `link_ids` (`mk_batch_start`): a `Batch` \
              to iterate, which yields one `BatchResult` per link as each call completes.\n\n\
              A 429 pauses the whole batch for its `Retry-After`. Raises at once (nothing started) \
              for an invalid link id or option; a link's own failure is its result's `error`.",
    },
    Shell {
        on: "client",
        name: "refresh_identity",
        before: &["link_id: str", "*", "wait: float", "cancel: Optional[Cancel] = None"],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "self._refresh_identity(link_id, wait, cancel, {opts})",
        doc: "Requests an identity refresh (`POST /links/{id}/products`) and returns the fresh \
              identity once `refreshed_at` has increased (`mk_refresh_identity`).\n\n\
              It reads the identity once, requests the refresh, then polls Get Identity one call \
              per `60 / link_per_minute` s, so the fresh body comes within one poll interval of \
              the update. `wait` (seconds, > 0) bounds the whole call.\n\n\
              Raises `RequestTimeoutError` when no fresh data came within `wait`, \
              `RateLimitedError` when MoneyKit refused the refresh (its daily limit per link; \
              `retry_after` when sent), `CallCancelledError` when `cancel` was triggered, or the \
              error of a call that failed for good. Each of these carries `.stale`, the last (not \
              refreshed) `IdentityResponse` seen, or None.",
    },
    Shell {
        on: "client",
        name: "wait_identity_newer",
        before: &[
            "link_id: str",
            "after: Union[IdentityResponse, datetime, str, None] = None",
            "*",
            "wait: float",
            "cancel: Optional[Cancel] = None",
        ],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "self._wait_identity_newer(link_id, after, wait, cancel, {opts})",
        doc: "Polls Get Identity (the first poll at once, then within the per-link limit) until \
              `refreshed_at` is later than `after`, for a refresh requested elsewhere \
              (`request_identity_refresh`, a webhook, another process) (`mk_wait_identity_newer`).\n\n\
              `after`: an earlier `IdentityResponse` (its `refreshed_at` exactly as sent), an \
              aware `datetime`, an ISO-8601 string, or None (any `refreshed_at` at all). `wait`, \
              `cancel` and the errors (with `.stale`) as `refresh_identity`, without the \
              daily-limit outcome.",
    },
    Shell {
        on: "client",
        name: "match_owners",
        before: &["link_id: str", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &["timeout: Optional[float] = None", "cancel: Optional[Cancel] = None"],
        ret: "OwnerMatch",
        call: "self._match_owners(link_id, {opts}, timeout, cancel)",
        doc: "Fetches the link's identity, then `moneykit_native.match_owners` on it (the \
              claim is checked first, so a bad claim sends nothing). `timeout` and `cancel` as \
              for `get_identity`.",
    },
    Shell {
        on: "async",
        name: "__init__",
        before: &[
            "client_id: Optional[str] = None",
            "client_secret: Optional[str] = None",
            "*",
            "executor: Optional[concurrent.futures.Executor] = None",
        ],
        group: "client",
        after: &[],
        ret: "None",
        call: "self._open(client_id, client_secret, {opts}, executor)",
        doc: "Opens a client (`mk_client_new`) whose calls run on `executor` (None: the event \
              loop's default executor).\n\n\
              Credentials: `client_id` / `client_secret`, or (when None) the environment variables \
              `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`; not needed with `access_token`. \
              Durations are seconds (floats).",
    },
    Shell {
        on: "async",
        name: "refresh_identity",
        before: &["link_id: str", "*", "wait: float"],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "await self._refresh_identity(link_id, wait, {opts})",
        doc: "`Client.refresh_identity` off the event loop (holds a thread up to `wait`).",
    },
    Shell {
        on: "async",
        name: "wait_identity_newer",
        before: &[
            "link_id: str",
            "after: Union[IdentityResponse, datetime, str, None] = None",
            "*",
            "wait: float",
        ],
        group: "refresh",
        after: &[],
        ret: "IdentityResponse",
        call: "await self._wait_identity_newer(link_id, after, wait, {opts})",
        doc: "`Client.wait_identity_newer` off the event loop (holds a thread up to `wait`).",
    },
    Shell {
        on: "async",
        name: "match_owners",
        before: &["link_id: str", CLAIM_BEFORE, "*"],
        group: "claim",
        after: &["timeout: Optional[float] = None"],
        ret: "OwnerMatch",
        call: "await self._match_owners(link_id, {opts}, timeout)",
        doc: "`Client.match_owners` off the event loop (a bad claim raises before any request).",
    },
];

/// The private method a shell delegates to (from its call).
fn delegate(sh: &Shell) -> Option<&str> {
    let call = sh.call.trim_start_matches("await ");
    let rest = call.strip_prefix("self.")?;
    rest.split_once('(').map(|(name, _)| name)
}

/// The claim's keywords: (name, annotation) per field of the `Claim` record.
fn claim_fields(s: &Schema) -> Vec<(String, String)> {
    let claim = s.record("Claim");
    claim
        .fields
        .iter()
        .map(|(f, t)| {
            let ann = match t {
                RTy::Record(r) => format!("Optional[{}Like]", record_name(r)),
                t => format!("Optional[{}]", rty_ann(t)),
            };
            (f.name.clone(), ann)
        })
        .collect()
}

fn shell(s: &Schema, sh: &Shell, indent: &str) -> String {
    let is_async = sh.call.starts_with("await ");
    let inner = format!("{indent}    ");
    let mut params = String::new();
    if sh.on != "module" {
        let _ = writeln!(params, "{inner}self,");
    }
    for p in sh.before {
        let _ = writeln!(params, "{inner}{p},");
    }
    let (kw_params, pre, doc_tail) = if sh.group == "claim" {
        let fields = claim_fields(s);
        let mut p = String::new();
        for (n, a) in &fields {
            let _ = writeln!(p, "{inner}{n}: {a} = None,");
        }
        let given: Vec<String> = fields
            .iter()
            .map(|(n, _)| format!("{}: {n}", lit(n)))
            .collect();
        let claim = s.record("Claim");
        let mut d = crate::python::wrap(
            "The claim's keywords (None: not given; `Claim`'s fields):",
            &inner,
            88,
        );
        d.push('\n');
        for (f, _) in &claim.fields {
            d.push_str(&bullet(&format!("`{}`: {}", f.name, f.doc), &inner, 88));
        }
        let pre = wrapped(&inner, "claim_data = ", "claim_json(claim, {", &given, "})");
        (p, pre, d)
    } else {
        let options = match sh.group {
            "client" => py_options(&s.options),
            "batch" => py_options(&s.batch_options),
            "refresh" => py_options(&s.refresh_options),
            g => panic!("unknown group {g}"),
        };
        (
            option_params(&options, &inner),
            build_call(sh.group, &options, &inner, "options = "),
            options_doc(&options, &inner),
        )
    };
    params.push_str(&kw_params);
    for p in sh.after {
        let _ = writeln!(params, "{inner}{p},");
    }
    let mut doc = String::new();
    let mut paras = sh.doc.split("\n\n");
    let first = paras.next().unwrap_or_default();
    let summary = crate::python::wrap(first, &inner, 85);
    let summary = summary.trim_start();
    let _ = write!(doc, "{inner}\"\"\"{summary}");
    for p in paras {
        doc.push('\n');
        doc.push_str(&crate::python::wrap(p, &inner, 88));
    }
    doc.push('\n');
    doc.push_str(&doc_tail);
    let _ = writeln!(doc, "{inner}\"\"\"");
    let var = if sh.group == "claim" {
        "claim_data"
    } else {
        "options"
    };
    let call = sh.call.replace("{opts}", var);
    let ret = if sh.ret == "None" {
        format!("{pre}{inner}{call}\n")
    } else {
        format!("{pre}{inner}return {call}\n")
    };
    format!(
        "\n{indent}{}def {}(\n{params}{indent}) -> {}:\n{doc}{ret}",
        if is_async { "async " } else { "" },
        sh.name,
        sh.ret
    )
}

/// The abstract private methods each mixin delegates to, declared for type checkers.
const STUBS: &[(&str, &str)] = &[
    (
        "client",
        "def _open(self, client_id: Optional[str], client_secret: Optional[str], options: str) -> None",
    ),
    (
        "client",
        "def _get_identities(self, link_ids: Iterable[str], options: str) -> Batch",
    ),
    (
        "client",
        "def _refresh_identity(\n        self, link_id: str, wait: float, cancel: Optional[Cancel], options: str\n    ) -> IdentityResponse",
    ),
    (
        "client",
        "def _wait_identity_newer(\n        self,\n        link_id: str,\n        after: Union[IdentityResponse, datetime, str, None],\n        wait: float,\n        cancel: Optional[Cancel],\n        options: str,\n    ) -> IdentityResponse",
    ),
    (
        "client",
        "def _match_owners(\n        self, link_id: str, claim: bytes, timeout: Optional[float], cancel: Optional[Cancel]\n    ) -> OwnerMatch",
    ),
    (
        "async",
        "def _open(\n        self,\n        client_id: Optional[str],\n        client_secret: Optional[str],\n        options: str,\n        executor: Optional[concurrent.futures.Executor],\n    ) -> None",
    ),
    (
        "async",
        "async def _refresh_identity(self, link_id: str, wait: float, options: str) -> IdentityResponse",
    ),
    (
        "async",
        "async def _wait_identity_newer(\n        self,\n        link_id: str,\n        after: Union[IdentityResponse, datetime, str, None],\n        wait: float,\n        options: str,\n    ) -> IdentityResponse",
    ),
    (
        "async",
        "async def _match_owners(self, link_id: str, claim: bytes, timeout: Optional[float]) -> OwnerMatch",
    ),
];

fn surface_py(s: &Schema) -> String {
    // Every private method a shell calls has a stub (and no stub is unused).
    for sh in SHELLS.iter().filter(|sh| sh.on != "module") {
        let name = delegate(sh).unwrap_or_else(|| panic!("shell {}: no self call", sh.name));
        assert!(
            STUBS
                .iter()
                .any(|(on, st)| *on == sh.on && st.contains(&format!("def {name}("))),
            "shell {}.{}: no stub for {name}",
            sh.on,
            sh.name
        );
    }
    let mut m = String::from(
        r#""""The signatures and docstrings of every call that takes the schema's options or claim.

`Client` and `AsyncClient` inherit them from `ClientSurface` and `AsyncClientSurface` and
implement the private methods they delegate to, with the options (or claim) already turned
into the JSON the library takes. Every keyword defaults to None: the library's default
applies (the docstring shows it).
"""

from __future__ import annotations

import concurrent.futures
from datetime import datetime
from typing import Iterable, Optional, Union

from ._args import StrPath, build_options_json
from ._batch import Batch
from ._cancel import Cancel
"#,
    );
    let mut from_match = vec![
        "ClaimLike".to_string(),
        "claim_json".into(),
        "match_claim".into(),
    ];
    for (_, a) in claim_fields(s) {
        if let Some(like) = a
            .strip_prefix("Optional[")
            .and_then(|a| a.strip_suffix("]"))
        {
            if like.ends_with("Like") {
                from_match.push(like.to_string());
            }
        }
    }
    from_match.sort();
    let _ = write!(
        m,
        "from ._match import {}\nfrom ._models import IdentityResponse\n\
         from ._options_gen import BATCH_OPTIONS, CLIENT_OPTIONS, REFRESH_OPTIONS\n\
         from ._records_gen import OwnerMatch\n",
        from_match.join(", ")
    );
    m.push_str("\n__all__ = [\"AsyncClientSurface\", \"ClientSurface\", \"match_owners\"]\n");
    for sh in SHELLS.iter().filter(|sh| sh.on == "module") {
        m.push('\n');
        m.push_str(&shell(s, sh, ""));
    }
    for (on, class, doc) in [
        (
            "client",
            "ClientSurface",
            "`Client`'s constructor and the calls that take options or a claim.",
        ),
        (
            "async",
            "AsyncClientSurface",
            "`AsyncClient`'s constructor and the calls that take options or a claim.",
        ),
    ] {
        let _ = write!(m, "\n\nclass {class}:\n    \"\"\"{doc}\"\"\"\n");
        for sh in SHELLS.iter().filter(|sh| sh.on == on) {
            m.push_str(&shell(s, sh, "    "));
        }
        m.push_str("\n    # Implemented by the class that inherits this one.\n");
        for (_, st) in STUBS.iter().filter(|(o, _)| *o == on) {
            let _ = write!(m, "\n    {st}:\n        raise NotImplementedError\n");
        }
    }
    m
}
