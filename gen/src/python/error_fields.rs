//! `_error_fields_gen.py`: the attributes `MoneyKitError` takes from the error JSON
//! (schema `error_json`), so that a new key is one schema edit: the typed records of
//! the structured keys (`ValidationError`, `RawResponse`), the `ErrorFields` mixin
//! (annotations, defaults, `_set_error_fields` / `_error_fields`) and `error_fields`,
//! which turns a parsed error JSON into the keyword arguments of an exception.

use super::lit;
use crate::schema::Schema;
use std::fmt::Write;

/// The keys `MoneyKitError` handles itself (its first argument and class).
const OWN_KEYS: &[&str] = &["status", "name", "message"];

/// The Python attribute of an error JSON key: a `*_ms` one in seconds, without the suffix.
fn attr(key: &str) -> &str {
    key.strip_suffix("_ms").unwrap_or(key)
}

pub fn error_fields_py(s: &Schema) -> String {
    let mut annotations = String::new();
    let mut defaults = String::new();
    let mut readers = String::new();
    for k in s
        .error_json
        .iter()
        .filter(|k| !OWN_KEYS.contains(&k.key.as_str()))
    {
        let a = attr(&k.key);
        let (ty, default, read) = match (k.ty.as_str(), k.required) {
            ("int", true) if k.key.ends_with("_ms") => ("float", "0.0", "_seconds"),
            ("int", false) if k.key.ends_with("_ms") => ("Optional[float]", "None", "_seconds"),
            ("int", true) => ("int", "0", "_int"),
            ("int", false) => ("Optional[int]", "None", "_int"),
            ("string", true) => ("str", "\"\"", "_str"),
            ("string", false) => ("Optional[str]", "None", "_str"),
            ("bool", true) => ("bool", "False", "_bool"),
            ("validation_errors", false) => (
                "Optional[Tuple[ValidationError, ...]]",
                "None",
                "_validation_errors",
            ),
            ("response", false) => ("Optional[RawResponse]", "None", "_raw_response"),
            (t, r) => panic!(
                "error_json {}: no Python type for {t} (required {r})",
                k.key
            ),
        };
        let _ = writeln!(annotations, "    #: {}\n    {a}: {ty}", k.doc);
        let _ = writeln!(defaults, "    ({}, {default}),", lit(a));
        let _ = writeln!(readers, "    ({}, {}, {read}),", lit(&k.key), lit(a));
    }
    format!(
        r#""""The error JSON's fields as typed attributes (schema `error_json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union


@dataclass(frozen=True)
class ValidationError:
    """One entry of a 422 `api_error.request.validation_failed`'s `validation_errors`."""

    #: Where, as sent: strings and ints, e.g. `("query", "account_ids", 0)`.
    location: Tuple[Union[str, int], ...]
    message: str
    type: str


@dataclass(frozen=True)
class RawResponse:
    """The last HTTP error response of a failed call, redacted (C-API.md "Error JSON"):
    lowercase header names without cookies or credentials, at most 16 KiB of body text.
    Never a 2xx body. `repr` shows the status and sizes only."""

    status: int
    headers: Dict[str, str] = field(hash=False)
    body: str

    def __repr__(self) -> str:
        return f"RawResponse(status={{self.status}}, headers={{len(self.headers)}}, body={{len(self.body)}} chars)"


class ErrorFields:
    """The attributes of `MoneyKitError` that come from the error JSON."""

{annotations}
    def _set_error_fields(self, fields: Mapping[str, Any]) -> None:
        unknown = set(fields) - {{name for name, _ in ERROR_FIELD_DEFAULTS}}
        if unknown:
            raise TypeError(f"unexpected error fields: {{sorted(unknown)}}")
        for name, default in ERROR_FIELD_DEFAULTS:
            setattr(self, name, fields.get(name, default))

    def _error_fields(self) -> Dict[str, Any]:
        return {{name: getattr(self, name) for name, _ in ERROR_FIELD_DEFAULTS}}


#: (attribute, default) of every error JSON field but status, name and message.
ERROR_FIELD_DEFAULTS: Tuple[Tuple[str, Any], ...] = (
{defaults})


def _int(v: Any) -> Optional[int]:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _seconds(v: Any) -> Optional[float]:
    n = _int(v)
    return None if n is None else n / 1000.0


def _str(v: Any) -> Optional[str]:
    return v if isinstance(v, str) else None


def _bool(v: Any) -> Optional[bool]:
    return v if isinstance(v, bool) else None


def _validation_errors(v: Any) -> Optional[Tuple[ValidationError, ...]]:
    if not isinstance(v, list):
        return None
    out = []
    for e in v:
        if not isinstance(e, dict):
            continue
        loc = e.get("location")
        steps = tuple(
            p for p in (loc if isinstance(loc, list) else []) if _str(p) is not None or _int(p) is not None
        )
        out.append(ValidationError(steps, _str(e.get("message")) or "", _str(e.get("type")) or ""))
    return tuple(out)


def _raw_response(v: Any) -> Optional[RawResponse]:
    if not isinstance(v, dict):
        return None
    h = v.get("headers")
    headers = {{k: x for k, x in (h.items() if isinstance(h, dict) else ()) if isinstance(x, str)}}
    return RawResponse(_int(v.get("status")) or 0, headers, _str(v.get("body")) or "")


#: (error JSON key, attribute, reader): a reader returns None for a missing or mistyped value.
_READERS: Tuple[Tuple[str, str, Callable[[Any], Any]], ...] = (
{readers})


def error_fields(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The keyword arguments of an exception from a parsed error JSON; a missing or
    mistyped key is left out (the attribute keeps its default)."""
    fields: Dict[str, Any] = {{}}
    for key, name, read in _READERS:
        v = read(data.get(key))
        if v is not None:
            fields[name] = v
    return fields
"#
    )
}
