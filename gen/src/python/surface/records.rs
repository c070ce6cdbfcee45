//! `_records_gen.py`: the schema's records as frozen dataclasses (the claim with `to_dict`,
//! the match result with `from_dict` / `from_json`, the C records with `_from_c`) and the
//! error JSON's keys.

use super::doc_block;
use crate::python::{lit, lookup};
use crate::records::{RTy, Record};
use crate::schema::Schema;
use std::fmt::Write;

/// Hand-written mixins (in `_record_helpers.py`) that give a record its conveniences.
const RECORD_MIXINS: &[(&str, &str)] = &[("BatchProgress", "BatchProgressHelpers")];

/// The Python class of a record: the schema's name (as in Go and C++).
pub(super) fn record_name(r: &str) -> String {
    r.to_string()
}

pub(super) fn rty_ann(t: &RTy) -> String {
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
    // A record that holds user data has its own `__repr__` (python/repr.rs).
    let own_repr = crate::python::repr::record_repr(r);
    let repr_arg = if own_repr.is_some() {
        ", repr=False"
    } else {
        ""
    };
    let mut c = format!("\n\n@dataclass(frozen=True{repr_arg})\nclass {py}{base}:\n");
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
        c.push_str(
            "\n    def to_dict(self) -> Dict[str, Any]:\n        \"\"\"The JSON object (fields that are None left out).\"\"\"\n        out: Dict[str, Any] = {}\n",
        );
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
    if let Some(repr) = own_repr {
        c.push_str(&repr);
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

pub(super) fn records_py(s: &Schema) -> String {
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
            "bool" => "bool",
            "validation_errors" => "list",
            "response" => "dict",
            t => panic!("error_json {}: unknown type {t}", k.key),
        };
        let req = if k.required { "True" } else { "False" };
        let _ = writeln!(m, "    ({}, {ty}, {req}),", lit(&k.key));
    }
    m.push_str(")\n");
    m
}
