"""Exceptions from what the C library reports: a status code and its error JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type

from ._error_base import MoneyKitError
from ._errors import InvalidArgumentError, error_class
from ._records_gen import ERROR_JSON_KEYS
from ._status import Status

#: Keys `MoneyKitError` takes otherwise: `status` (the code), `message` (its first argument).
_OWN_KEYS = frozenset({"status", "message"})


def _opt(d: Mapping[str, Any], key: str, typ: Type[Any]) -> Any:
    v = d.get(key)
    if isinstance(v, typ) and not (typ is int and isinstance(v, bool)):
        return v
    return None


def error_from_json(code: int, text: Optional[str]) -> MoneyKitError:
    """Builds the exception for a failed C call from its status and error JSON.

    `text` may be None (no error JSON was handed out) or, defensively, not the
    documented object; the status code alone then decides the class. Every key of the
    schema's `error_json` becomes the attribute of its name (a `*_ms` one in seconds,
    without the suffix: `retry_after_ms` -> `retry_after`); a missing or mistyped one is
    left to the exception's default.
    """
    status = Status(code)
    data: Dict[str, Any] = {}
    if text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
    fields: Dict[str, Any] = {}
    for key, typ, _required in ERROR_JSON_KEYS:
        v = _opt(data, key, typ)
        if v is None or key in _OWN_KEYS:
            continue
        if key.endswith("_ms"):
            fields[key[:-3]] = v / 1000.0
        else:
            fields[key] = v
    message = _opt(data, "message", str) or f"the library reported {status.c_name}"
    return error_class(status)(message, status=status, raw=data, **fields)


def invalid_argument(message: str) -> InvalidArgumentError:
    """An `InvalidArgumentError` raised by the binding itself, before any C call."""
    return InvalidArgumentError(message, status=Status.INVALID_ARGUMENT)
