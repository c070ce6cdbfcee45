"""Exceptions from what the C library reports: a status code and its error JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type

from ._error_base import MoneyKitError
from ._errors import InvalidArgumentError, error_class
from ._error_fields_gen import error_fields
from ._status import Status


def _opt(d: Mapping[str, Any], key: str, typ: Type[Any]) -> Any:
    v = d.get(key)
    if isinstance(v, typ) and not (typ is int and isinstance(v, bool)):
        return v
    return None


def error_from_json(code: int, text: Optional[str]) -> MoneyKitError:
    """Builds the exception for a failed C call from its status and error JSON.

    `text` may be None (no error JSON was handed out) or, defensively, not the
    documented object; the status code alone then decides the class. Every key of the
    schema's `error_json` becomes the attribute of its name (`_error_fields_gen.py`: a
    `*_ms` one in seconds, without the suffix: `retry_after_ms` -> `retry_after`;
    `validation_errors` and `response` as typed records); a missing or mistyped one is
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
    fields = error_fields(data)
    message = _opt(data, "message", str) or f"the library reported {status.c_name}"
    return error_class(status)(
        message, status=status, name=_opt(data, "name", str), raw=data, **fields
    )


def invalid_argument(message: str) -> InvalidArgumentError:
    """An `InvalidArgumentError` raised by the binding itself, before any C call."""
    return InvalidArgumentError(message, status=Status.INVALID_ARGUMENT)
