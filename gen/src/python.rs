//! The Python emitter: `_models.py` (open enums, frozen dataclasses, their flat
//! builders, `from_dict` / `from_json`, the canonical dump) here, `_status.py`,
//! `_errors.py` and the README's error table in `python/errors.rs`, all in
//! bindings/python/. The hand-written rest of the package (`_values.py`,
//! `_decode.py`, `_helpers.py`, `_error_base.py`) holds what is Python-specific
//! and not derived from the schema.

mod error_fields;
mod errors;
pub(crate) mod repr;
mod surface;
mod timestamp;
mod webhooks;

use crate::out::{Comment, Out};
use crate::schema::{snake, upper, Object, Schema, Ty};
use std::fmt::Write;

const PKG: &str = "bindings/python/src/moneykit_native";

/// Hand-written mixins (in `_helpers.py`) that give an object its conveniences.
const MIXINS: &[(&str, &str)] = &[("IdentityResponse", "IdentityResponseHelpers")];
/// The root's one field that is not in the schema: the response's `x-request-id`. Metadata
/// of one HTTP response, not data: left out of `==`, `hash`, `repr` and `canonical_dump`, so
/// two fetches of the same data compare equal; kept by pickling and `copy` (it is in
/// `__dict__`). Builders set it to None; `decode_validated` to the call's request id.
const ROOT_REQUEST_ID: &str = "    #: The response's `x-request-id` when it came from `Client.get_identity` (None when the\n    \
    #: server sent none, or for `from_json` / `from_dict`). Not part of the data: ignored by\n    \
    #: `==`, `hash`, `repr` and `canonical_dump`.\n    \
    request_id: Optional[str] = field(default=None, repr=False, compare=False, hash=False)\n";
/// What a builder may raise on data it cannot map (only reached by `from_dict`).
const MAPPING_ERRORS: &str = "(KeyError, TypeError, AttributeError, ValueError, ArithmeticError)";

pub fn emit(s: &Schema, out: &mut Out) {
    out.file(
        &format!("{PKG}/_status.py"),
        Comment::Hash,
        &errors::status_py(s),
    );
    out.file(
        &format!("{PKG}/_errors.py"),
        Comment::Hash,
        &errors::errors_py(s),
    );
    out.file(&format!("{PKG}/_models.py"), Comment::Hash, &models_py(s));
    out.file(
        &format!("{PKG}/_timestamp_gen.py"),
        Comment::Hash,
        &timestamp::timestamp_py(),
    );
    out.region(
        "bindings/python/README.md",
        "python-errors",
        &errors::errors_table(s),
    );
    surface::emit(s, out);
    webhooks::emit(s, out);
    out.file(
        &format!("{PKG}/_error_fields_gen.py"),
        Comment::Hash,
        &error_fields::error_fields_py(s),
    );
}

// ------------------------------------------------------------------------ helpers

/// A Python string literal.
pub(crate) fn lit(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// `text` wrapped to lines of at most `width` characters, each prefixed by `indent`.
pub(crate) fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

/// A docstring (`"""..."""`) at `indent`: the first sentence on the first line.
pub(crate) fn docstring(summary: &str, body: &str, indent: &str) -> String {
    let text = summary.replace('\\', "\\\\");
    let mut s = format!("{indent}\"\"\"{text}");
    if body.is_empty() {
        s.push_str("\"\"\"\n");
    } else {
        s.push_str("\n\n");
        s.push_str(&wrap(&body.replace('\\', "\\\\"), indent, 88));
        let _ = writeln!(s, "{indent}\"\"\"");
    }
    s
}

pub(crate) fn lookup<'a>(table: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn class_name(s: &Schema, object: &str) -> String {
    s.object(object).name_in("python")
}

/// `_PHONE_NUMBER_TYPE`: the value -> member table of an enum.
fn enum_table(name: &str) -> String {
    format!("_{}", snake(name).to_ascii_uppercase())
}

fn builder(s: &Schema, object: &str) -> String {
    format!("_build_{}", snake(&class_name(s, object)))
}

fn dumper(s: &Schema, object: &str) -> String {
    format!("_dump_{}", snake(&class_name(s, object)))
}

// ------------------------------------------------------------------------ _models.py

/// The Python annotation of a (non-null) value of type `ty`.
fn annotation(s: &Schema, ty: &Ty) -> String {
    match ty {
        Ty::Str => "str".into(),
        Ty::Bool => "bool".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Timestamp => "Timestamp".into(),
        Ty::Enum(e) => format!("Union[{e}, str]"),
        Ty::Object(o) => class_name(s, o),
        Ty::List(t) => format!("Tuple[{}, ...]", annotation(s, t)),
        Ty::Map(t) => format!("Mapping[str, {}]", annotation(s, t)),
        Ty::Opaque => "Mapping[str, Any]".into(),
    }
}

/// The expression converting the parsed JSON value named `v` (never null) to its
/// Python value, or None when it is used as it is. `depth` names loop variables.
fn build_expr(s: &Schema, ty: &Ty, v: &str, depth: usize) -> Option<String> {
    let (k, x) = (format!("k{depth}"), format!("x{depth}"));
    match ty {
        Ty::Str | Ty::Bool => None,
        // parse_float=Decimal already made most amounts Decimals; ints (and floats
        // from data parsed without it) are converted.
        Ty::Decimal => Some(format!("{v} if type({v}) is Decimal else as_decimal({v})")),
        Ty::Timestamp => Some(format!("read_timestamp({v})")),
        // A dict lookup: calling the enum class costs ten times more.
        Ty::Enum(e) => Some(format!("{}.get({v}, {v})", enum_table(e))),
        Ty::Object(o) => Some(format!("{}({v})", builder(s, o))),
        // A list comprehension, not map(): its builder calls are Python-to-Python (no
        // re-entry into the interpreter per item), and from Python 3.12 it runs inline.
        Ty::List(t) => Some(match build_expr(s, t, &x, depth + 1) {
            None => format!("tuple({v})"),
            Some(e) => format!("tuple([{e} for {x} in {v}])"),
        }),
        Ty::Map(t) => {
            let e = build_expr(s, t, &x, depth + 1).unwrap_or_else(|| x.clone());
            Some(format!(
                "ReadOnlyMap({{{k}: {e} for {k}, {x} in {v}.items() if {x} is not None}})"
            ))
        }
        Ty::Opaque => Some(format!("ReadOnlyMap({v})")),
    }
}

/// The expression turning the Python value `v` (never None) into its canonical dump.
fn dump_expr(s: &Schema, ty: &Ty, v: &str, depth: usize) -> Option<String> {
    let (k, x) = (format!("k{depth}"), format!("x{depth}"));
    match ty {
        Ty::Str | Ty::Bool => None,
        Ty::Decimal => Some(format!("dump_decimal({v})")),
        Ty::Timestamp => Some(format!("dump_timestamp({v})")),
        Ty::Enum(_) => Some(format!("str({v})")),
        Ty::Object(o) => Some(format!("{}({v})", dumper(s, o))),
        Ty::List(t) => Some(match dump_expr(s, t, &x, depth + 1) {
            None => format!("list({v})"),
            Some(e) => format!("[{e} for {x} in {v}]"),
        }),
        Ty::Map(t) => {
            let e = dump_expr(s, t, &x, depth + 1).unwrap_or_else(|| x.clone());
            Some(format!("{{{k}: {e} for {k}, {x} in {v}.items()}}"))
        }
        Ty::Opaque => Some(format!("dump_opaque({v})")),
    }
}

fn is_collection(ty: &Ty) -> bool {
    matches!(ty, Ty::List(_) | Ty::Map(_))
}

/// Dataclass field order: required fields, then optional ones, each in schema order
/// (fields with defaults must come last). A required list or map defaults to empty
/// when every required field after it has a default too.
fn field_order(o: &Object) -> Vec<(usize, bool)> {
    let required: Vec<usize> = (0..o.fields.len())
        .filter(|&i| o.fields[i].required())
        .collect();
    let mut out = Vec::new();
    for (n, &i) in required.iter().enumerate() {
        let defaulted = required[n..]
            .iter()
            .all(|&j| is_collection(&o.fields[j].ty));
        out.push((i, defaulted));
    }
    out.extend(
        (0..o.fields.len())
            .filter(|&i| !o.fields[i].required())
            .map(|i| (i, true)),
    );
    out
}

fn dataclass(s: &Schema, o: &Object) -> String {
    let py = o.name_in("python");
    let mut c = String::new();
    let base = lookup(MIXINS, &o.name)
        .map(|m| format!("({m})"))
        .unwrap_or_default();
    let summary = if py == o.name {
        o.def.doc.clone()
    } else {
        format!("`{}`: {}", o.name, o.def.doc)
    };
    // repr=False: the generated `__repr__` (python/repr.rs) shows ids and counts only.
    let _ = write!(
        c,
        "\n\n@dataclass(frozen=True, repr=False)\nclass {py}{base}:\n"
    );
    c.push_str(&docstring(&summary, "", "    "));
    c.push('\n');
    for (i, defaulted) in field_order(o) {
        let f = &o.fields[i];
        let ann = annotation(s, &f.ty);
        let unhashable = matches!(f.ty, Ty::Map(_) | Ty::Opaque);
        let (ann, default) = match (f.required(), defaulted) {
            (true, false) if unhashable => (ann, " = field(hash=False)".to_string()),
            (true, false) => (ann, String::new()),
            (true, true) if matches!(f.ty, Ty::Map(_)) => (
                ann,
                " = field(default_factory=ReadOnlyMap, hash=False)".to_string(),
            ),
            (true, true) => (ann, " = ()".to_string()),
            (false, _) => {
                let ann = match &f.ty {
                    Ty::Enum(e) => format!("Union[{e}, str, None]"),
                    _ => format!("Optional[{ann}]"),
                };
                let d = if unhashable {
                    " = field(default=None, hash=False)"
                } else {
                    " = None"
                };
                (ann, d.to_string())
            }
        };
        c.push_str(&wrap(&f.def.doc, "    #: ", 88));
        let _ = writeln!(c, "    {}: {ann}{default}", f.name());
    }
    c.push_str("    #: The parsed JSON object this was built from (unknown fields included).\n");
    c.push_str(
        "    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)\n",
    );
    let root = o.name == s.root;
    if root {
        c.push_str(ROOT_REQUEST_ID);
    }
    let what = if root {
        "IdentityResponse".to_string()
    } else {
        o.name.clone()
    };
    let doc = if root {
        "Maps parsed JSON (`json.loads(text, parse_float=Decimal)`) to the typed response.\n\n        \
         For speed it trusts the data's types (`from_json` has the core check a body);\n        \
         data it cannot map raises the core's `DecodeError`, which names the JSON path."
            .to_string()
    } else {
        format!(
            "Maps one parsed `{}` object without checking it (only a whole response is\n        \
             checked, by `IdentityResponse.from_json`).",
            o.name
        )
    };
    let _ = write!(
        c,
        r#"
    @classmethod
    def from_dict(cls, d: Any) -> {py}:
        """{doc}
        """
        try:
            obj = {b}(d)
        except {MAPPING_ERRORS}:
            raise refusal(d, {what}) from None
        return obj if cls is {py} else cls(**vars(obj))
"#,
        b = builder(s, &o.name),
        what = lit(&what),
    );
    if root {
        let _ = write!(
            c,
            r#"
    @classmethod
    def from_json(cls, text: Body) -> {py}:
        """Parses the JSON text of a response (e.g. `Client.get_identity_json`'s).

        The core (`mk_validate_identity`) checks it first: `DecodeError` names the JSON
        path and the expected type of what it refuses; what it accepts is mapped.
        """
        check_body(text)
        obj = {b}(loads(text))
        return obj if cls is {py} else cls(**vars(obj))
"#,
            b = builder(s, &o.name),
        );
    }
    c.push_str(&repr::model_repr(s, o));
    c
}

fn builder_fn(s: &Schema, o: &Object) -> String {
    let py = o.name_in("python");
    let mut locals = String::new();
    let mut entries = String::new();
    let mut uses_get = false;
    for f in &o.fields {
        let key = lit(f.name());
        let get = if f.required() {
            format!("d[{key}]")
        } else {
            uses_get = true;
            format!("g({key})")
        };
        const HOLE: &str = "\u{1}";
        let value = match build_expr(s, &f.ty, HOLE, 0) {
            None => get,
            Some(e) => {
                // An enum table lookup passes None through by itself.
                let none_check = !f.required() && !matches!(f.ty, Ty::Enum(_));
                if !none_check && e.matches(HOLE).count() == 1 {
                    e.replace(HOLE, &get)
                } else {
                    let v = format!("v_{}", f.name());
                    let _ = writeln!(locals, "    {v} = {get}");
                    let e = e.replace(HOLE, &v);
                    if none_check {
                        format!("None if {v} is None else {e}")
                    } else {
                        e
                    }
                }
            }
        };
        let _ = writeln!(entries, "        {key}: {value},");
    }
    let mut params = "d: Dict[str, Any]";
    if o.name == s.root {
        entries.push_str("        \"request_id\": request_id,\n");
        params = "d: Dict[str, Any], request_id: Optional[str] = None";
    }
    let g = if uses_get { "    g = d.get\n" } else { "" };
    // `installed()` inlined: one call less per object.
    format!(
        "\n\ndef {b}({params}) -> {py}:\n{g}{locals}    obj = _new({py})\n    {set}(obj, {{\n{entries}        \"raw\": d,\n    }})\n    return obj\n",
        b = builder(s, &o.name),
        set = dict_setter(s, &o.name),
    )
}

/// `_set_dict_address`: the module-level name of the `__dict__` setter of a class.
fn dict_setter(s: &Schema, object: &str) -> String {
    format!("_set_dict_{}", snake(&class_name(s, object)))
}

fn dump_fn(s: &Schema, o: &Object) -> String {
    let py = o.name_in("python");
    let mut entries = String::new();
    for f in &o.fields {
        let v = format!("o.{}", f.name());
        let value = match dump_expr(s, &f.ty, &v, 0) {
            None => v,
            Some(e) if f.required() => e,
            Some(e) => format!("None if {v} is None else {e}"),
        };
        let _ = writeln!(entries, "        {}: {value},", lit(f.name()));
    }
    format!(
        "\n\ndef {}(o: {py}) -> Dict[str, Any]:\n    return {{\n{entries}    }}\n",
        dumper(s, &o.name)
    )
}

fn models_py(s: &Schema) -> String {
    let objects = s.objects();
    let root = class_name(s, &s.root);
    let mut all: Vec<String> = s.enums().into_iter().map(|(n, _)| n).collect();
    all.extend(objects.iter().map(|o| o.name_in("python")));
    all.push("canonical_dump".into());
    all.sort();
    let mut m = String::new();
    m.push_str(
        r#""""Typed, frozen results mirroring MoneyKit's Get Identity response.

Money is `decimal.Decimal`; timestamps are `Timestamp`s (aware datetimes that remember a
bare date or a missing offset); values of the open enums are members of the enums below
when known and plain `str` otherwise (both compare equal to the string). Unknown fields
are ignored; every object keeps the dict it was built from in `.raw`. The builders map
without checking anything: the Rust core (`mk_validate_identity`) is the one validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

from ._decode import Body, check_body, loads, refusal
from ._helpers import IdentityResponseHelpers
from ._values import (
    ReadOnlyMap,
    StrEnum,
    Timestamp,
    as_decimal,
    dump_decimal,
    dump_opaque,
    dump_timestamp,
    read_timestamp,
)

__all__ = [
"#,
    );
    for name in &all {
        let _ = writeln!(m, "    {},", lit(name));
    }
    m.push_str("]\n");
    for (name, def) in s.enums() {
        let _ = write!(m, "\n\nclass {name}(StrEnum):\n");
        m.push_str(&docstring(
            &format!("{} An open set: unknown values stay `str`.", def.doc),
            "",
            "    ",
        ));
        m.push('\n');
        for v in &def.values {
            let _ = writeln!(m, "    {} = {}", upper(v), lit(v));
        }
    }
    m.push('\n');
    for (name, _) in s.enums() {
        let _ = write!(
            m,
            "\n{}: Dict[Any, Any] = {{m.value: m for m in {name}}}",
            enum_table(&name)
        );
    }
    m.push('\n');
    for o in &objects {
        m.push_str(&dataclass(s, o));
    }
    m.push_str(
        r#"

# Builders: flat, no per-field checks (the core validated the body). Each sets the
# instance's __dict__ at once: a frozen dataclass's __init__ would set every field
# through object.__setattr__, three times slower.

_new = object.__new__


def _dict_setter(cls: type) -> Callable[[Any, Dict[str, Any]], None]:
    """The `__set__` of the `__dict__` descriptor instances of `cls` use: what
    `object.__setattr__(obj, "__dict__", d)` ends up calling, minus the lookups."""
    for c in cls.__mro__:
        descriptor = vars(c).get("__dict__")
        if descriptor is not None:
            setter: Callable[[Any, Dict[str, Any]], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} instances have no __dict__")


"#,
    );
    for o in &objects {
        let _ = writeln!(
            m,
            "{} = _dict_setter({})",
            dict_setter(s, &o.name),
            o.name_in("python")
        );
    }
    for o in &objects {
        m.push_str(&builder_fn(s, o));
    }
    let _ = write!(
        m,
        r#"

def decode_validated(text: Body, request_id: Optional[str] = None) -> {root}:
    """The response for a body the core already accepted (`Client.get_identity`), with
    the request id of the HTTP response that carried it."""
    return {b}(loads(text), request_id)


# The canonical dump (schema/README.md): what tests/corpus/*.expected.json pin.


def canonical_dump(resp: {root}) -> Dict[str, Any]:
    """`resp` as plain JSON data: every schema field present (None when absent), decimals
    as plain strings, timestamps as UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, enums as strings."""
    return {d}(resp)
"#,
        b = builder(s, &s.root),
        d = dumper(s, &s.root),
    );
    for o in &objects {
        m.push_str(&dump_fn(s, o));
    }
    m
}
