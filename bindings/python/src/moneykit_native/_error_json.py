"""Exceptions from what the C library reports: a status code and its error JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type

from ._error_base import MoneyKitError
from ._errors import InvalidArgumentError, error_class
from ._status import Status


def _opt(d: Mapping[str, Any], key: str, typ: Type[Any]) -> Any:
    v = d.get(key)
    if isinstance(v, typ) and not (typ is int and isinstance(v, bool)):
        return v
    return None


def error_from_json(code: int, text: Optional[str]) -> MoneyKitError:
    """Builds the exception for a failed C call from its status and error JSON.

    `text` may be None (no error JSON was handed out) or, defensively, not the
    documented object; the status code alone then decides the class.
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
    retry_ms = _opt(data, "retry_after_ms", int)
    attempts = _opt(data, "attempts", int)
    message = _opt(data, "message", str) or f"the library reported {status.c_name}"
    cls = error_class(status)
    return cls(
        message,
        status=status,
        name=_opt(data, "name", str) or status.c_name,
        http_status=_opt(data, "http_status", int),
        error_code=_opt(data, "error_code", str),
        error_message=_opt(data, "error_message", str),
        documentation_url=_opt(data, "documentation_url", str),
        link_error_code=_opt(data, "link_error_code", str),
        request_id=_opt(data, "request_id", str),
        retry_after=retry_ms / 1000.0 if retry_ms is not None else None,
        attempts=attempts if attempts is not None else 0,
        raw=data,
    )


def invalid_argument(message: str) -> InvalidArgumentError:
    """An `InvalidArgumentError` raised by the binding itself, before any C call."""
    return InvalidArgumentError(message, status=Status.INVALID_ARGUMENT)
