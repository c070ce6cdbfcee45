"""Arguments as the C ABI takes them, checked the same way by every call: strings, and the
options JSON built from keywords (the option tables are generated: `_options_gen`)."""

from __future__ import annotations

import json
import math
import os
from typing import Any, Callable, Dict, NamedTuple, Optional, Sequence, Union

from ._error_json import invalid_argument

StrPath = Union[str, "os.PathLike[str]"]


def c_text(name: str, value: object) -> bytes:
    """A str argument as the NUL-terminated UTF-8 the C ABI takes."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        # C would see the string cut at the NUL: a different id than the caller's.
        raise invalid_argument(f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_argument(f"{name} is not valid Unicode (lone surrogate)") from None


class OptionSpec(NamedTuple):
    """One option of the schema (`_options_gen` holds the tables)."""

    #: The library's key in the options JSON.
    key: str
    #: The Python keyword.
    arg: str
    #: How the keyword's value becomes the key's: `text`, `path` (also an `os.PathLike`),
    #: `seconds` (float seconds -> integer ms), `int` or `float`.
    kind: str
    #: The library's default, in the key's unit (None: none, or from the environment).
    default: Any
    #: Inclusive bounds in the key's unit, which the library checks (None: none).
    minimum: Optional[float]
    maximum: Optional[float]
    doc: str


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    c_text(name, value)  # same NUL / encoding checks as every other string
    return value


def _path(name: str, value: object) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    return _text(name, value)


def _seconds(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise invalid_argument(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    ms = round(value * 1000)
    if ms == 0 and value > 0:
        ms = 1  # a positive duration never rounds down to "none at all"
    return ms


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise invalid_argument(f"{name} must be >= 0, got {value!r}")
    return value


def _float(name: str, value: object) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return value


_CONVERT: Dict[str, Callable[[str, object], Any]] = {
    "text": _text,
    "path": _path,
    "seconds": _seconds,
    "int": _int,
    "float": _float,
}


def build_options_json(specs: Sequence[OptionSpec], values: Sequence[object]) -> str:
    """The options JSON for `values` (one per spec, in order): a None value leaves its key
    out, so the library's default applies. Types are checked here (`TypeError`); ranges
    are the library's to check (`InvalidArgumentError`)."""
    opts: Dict[str, Any] = {}
    for spec, value in zip(specs, values):
        if value is not None:
            opts[spec.key] = _CONVERT[spec.kind](spec.arg, value)
    return json.dumps(opts, separators=(",", ":"))


__all__ = ["OptionSpec", "StrPath", "build_options_json", "c_text"]
