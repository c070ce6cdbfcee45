//! The Python `Status` IntEnum (`_status.py`), one exception class per status
//! (`_errors.py`) and the README's status -> exception table.

use super::{docstring, lit, lookup};
use crate::schema::{status_short, Schema, StatusDef};
use std::fmt::Write;

/// Exception class names that differ from `<class>Error`: `TimeoutError` is a builtin, and
/// `CancelledError` would shadow `asyncio.CancelledError` /
/// `concurrent.futures.CancelledError` after `from moneykit_native import *`.
const CLASS_NAMES: &[(&str, &str)] = &[
    ("Timeout", "RequestTimeoutError"),
    ("Cancelled", "CallCancelledError"),
];
/// Extra base classes of some exceptions.
const EXTRA_BASES: &[(&str, &str)] = &[("InvalidArgument", "ValueError")];

fn exception_name(st: &StatusDef) -> String {
    lookup(CLASS_NAMES, &st.class)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}Error", st.class))
}

// ------------------------------------------------------------------------ _status.py

pub fn status_py(s: &Schema) -> String {
    let mut members = String::new();
    let mut names = String::new();
    let mut describe = String::new();
    for st in &s.statuses {
        let _ = writeln!(members, "    {} = {}", status_short(&st.name), st.code);
        let _ = writeln!(names, "    {}: {},", st.code, lit(&st.name));
        let _ = writeln!(describe, "    {}: {},", st.code, lit(&st.describe));
    }
    format!(
        r#""""`Status`: the C library's `enum mk_status`, value for value."""

from __future__ import annotations

import enum
from typing import Dict, Optional


class Status(enum.IntEnum):
    """Result of every C call (`enum mk_status` in `moneykit.h`).

    Member names drop the C prefix: `MK_OK` is `Status.OK`, `MK_ERR_NOT_FOUND` is
    `Status.NOT_FOUND`. Numbers are stable and never reused. A number this version does
    not know (from a newer library) becomes a pseudo-member named `UNKNOWN_<n>` rather
    than an error.
    """

{members}
    @classmethod
    def _missing_(cls, value: object) -> Optional[Status]:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{{value}}"
            member._value_ = value
            return member
        return None

    @property
    def c_name(self) -> str:
        """The C name, e.g. `"MK_ERR_NOT_FOUND"` (what `mk_status_name` returns)."""
        return _C_NAMES.get(self.value, "unknown status")

    def describe(self) -> str:
        """The one-line English description (what `mk_status_describe` returns)."""
        return _DESCRIPTIONS.get(self.value, "unknown status")


_C_NAMES: Dict[int, str] = {{
{names}}}

_DESCRIPTIONS: Dict[int, str] = {{
{describe}}}
"#
    )
}

// ------------------------------------------------------------------------ _errors.py

pub fn errors_py(s: &Schema) -> String {
    let mut classes = String::new();
    let mut table = String::new();
    let mut all = String::new();
    for st in s.error_statuses() {
        let name = exception_name(st);
        let bases = match lookup(EXTRA_BASES, &st.class) {
            Some(extra) => format!("MoneyKitError, {extra}"),
            None => "MoneyKitError".to_string(),
        };
        let summary = format!("`{}`: {}.", st.name, st.describe);
        let _ = write!(
            classes,
            "\n\nclass {name}({bases}):\n{}\n    default_status = Status.{}\n",
            docstring(&summary, &format!("When: {}.", st.when), "    "),
            status_short(&st.name)
        );
        let _ = writeln!(table, "    Status.{}: {name},", status_short(&st.name));
        let _ = writeln!(all, "    {},", lit(&name));
    }
    format!(
        r#""""One `MoneyKitError` subclass per C status, and the status -> class table."""

from __future__ import annotations

from typing import Mapping, Type

from ._error_base import MoneyKitError
from ._status import Status

__all__ = [
{all}    "ERROR_CLASSES",
    "error_class",
]
{classes}

ERROR_CLASSES: Mapping[Status, Type[MoneyKitError]] = {{
{table}}}


def error_class(status: Status) -> Type[MoneyKitError]:
    """The exception class for a status (`MoneyKitError` itself for unknown ones)."""
    return ERROR_CLASSES.get(status, MoneyKitError)
"#
    )
}

/// The README's status -> exception table.
pub fn errors_table(s: &Schema) -> String {
    let mut t = String::from("| `mk.Status` | exception | when |\n|---|---|---|\n");
    for st in s.error_statuses() {
        let also = lookup(EXTRA_BASES, &st.class)
            .map(|b| format!(" (also a `{b}`)"))
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "| `{}` ({}) | `{}`{also} | {} |",
            status_short(&st.name),
            st.code,
            exception_name(st),
            st.when.replace('|', "\\|")
        );
    }
    t
}
