"""The glue between the generated models and the one validator, the Rust core.

`from_json` has the core check the body (`mk_validate_identity`), then parses it and
maps fields without refusing anything. `from_dict` maps parsed data directly (it trusts
it, for speed); only when the mapping itself fails does it ask the core why, so the
error is the core's: a JSON path and an expected type, never a value from the body.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable, Tuple, Union

from . import _native
from ._error_base import MoneyKitError
from ._error_json import error_from_json
from ._errors import DecodeError, InternalError
from ._status import Status

Body = Union[str, bytes, bytearray]


def check_body(text: Body) -> None:
    """Raises the core's `DecodeError` unless it accepts `text` as a Get Identity body."""
    if isinstance(text, str):
        # Lone surrogates go through as invalid UTF-8: the core refuses them, not us.
        data = text.encode("utf-8", "surrogatepass")
    else:
        data = bytes(text)
    rc, error = _native.validate_identity(data)
    if rc != 0:
        raise error_from_json(rc, error)


#: `json.loads(text, parse_float=Decimal)` builds a decoder and its scanner on every
#: call (a tenth of parsing a typical body): one made once is shared, as json's own
#: default decoder is (it keeps no state between calls).
_scan_once: Callable[[str, int], Tuple[Any, int]] = (
    json.JSONDecoder(parse_float=Decimal).scan_once  # type: ignore[attr-defined]  # set by __init__
)


def loads(text: Body) -> Any:
    """The parsed JSON of a body the core accepted, numbers with a '.' or exponent as
    `Decimal` (so no amount passes through a binary float)."""
    if type(text) is str:
        # A body with no whitespace around its value (what MoneyKit sends), scanned as
        # `json.loads` would; anything else takes json.loads' own path below.
        try:
            obj, end = _scan_once(text, 0)
            if end == len(text):
                return obj
        except (StopIteration, ValueError):
            pass
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        # An integer longer than Python's int parsing limit, which the core accepts.
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _number(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)  # only the JSON type matters to the validator
    raise TypeError("not JSON data")


def refusal(data: Any, what: str) -> MoneyKitError:
    """The error for `data` that the `what` builder could not map.

    For a whole response the core names the path; for a part of one (e.g.
    `Address.from_dict`) there is no validator, and the message names the type only.
    """
    if what == "IdentityResponse":
        try:
            body = json.dumps(data, default=_number, ensure_ascii=False)
        except (TypeError, ValueError):
            return DecodeError("body: not JSON data", status=Status.DECODE)
        rc, error = _native.validate_identity(body.encode("utf-8", "surrogatepass"))
        if rc != 0:
            return error_from_json(rc, error)
        return InternalError(
            "the core accepts this response but the Python models could not map it",
            status=Status.INTERNAL,
        )
    return DecodeError(f"{what}: expected a {what} object", status=Status.DECODE)
