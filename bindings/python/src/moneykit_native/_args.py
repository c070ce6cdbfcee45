"""Arguments as the C ABI takes them, checked the same way by every call: strings, and the
options JSON built from keywords (the option tables are generated: `_options_gen`)."""

from __future__ import annotations

import json
import math
import os
from typing import Any, Callable, Dict, NamedTuple, Optional, Sequence, Tuple, Union

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
    #: The accepted values of a closed set (`auth`, `log_level`); empty: any string.
    choices: Tuple[str, ...] = ()


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}= must be a str, not {type(value).__name__}")
    c_text(f"{name}=", value)  # same NUL / encoding checks as every other string
    return value


def _path(name: str, value: object) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name}= must be a str or a path, not {type(value).__name__}")
    return _text(name, value)


def _seconds(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}= must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        return -1  # out of every range: _check says so in the keyword's terms
    ms = round(value * 1000)
    if ms == 0 and value > 0:
        ms = 1  # a positive duration never rounds down to "none at all"
    return ms


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}= must be an int, not {type(value).__name__}")
    return value


def _float(name: str, value: object) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}= must be a number, not {type(value).__name__}")
    return value


_CONVERT: Dict[str, Callable[[str, object], Any]] = {
    "text": _text,
    "path": _path,
    "seconds": _seconds,
    "int": _int,
    "float": _float,
}


def _number(v: float) -> str:
    """`86400.0` -> `86400`, `0.001` -> `0.001`: a bound as a reader writes it."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _check(spec: OptionSpec, value: object, converted: Any) -> None:
    """The library's range and value checks, here so the message names the keyword and its
    unit (`timeout= must be from 0.001 to 86400 seconds, got 0`), not the C key."""
    if spec.choices and converted not in spec.choices:
        # Not quoted: a mistyped value could be anything (messages never quote input).
        shown = ", ".join(f'"{c}"' for c in spec.choices)
        raise invalid_argument(f"{spec.arg}= must be one of {shown}")
    if spec.minimum is None or spec.maximum is None:
        return
    if spec.kind == "float" and isinstance(converted, float) and not math.isfinite(converted):
        ok = False
    else:
        ok = spec.minimum <= converted <= spec.maximum
    if not ok:
        scale, unit = (1000.0, " seconds") if spec.kind == "seconds" else (1.0, "")
        lo, hi = _number(spec.minimum / scale), _number(spec.maximum / scale)
        raise invalid_argument(f"{spec.arg}= must be from {lo} to {hi}{unit}, got {value!r}")


def build_options_json(specs: Sequence[OptionSpec], values: Sequence[object]) -> str:
    """The options JSON for `values` (one per spec, in order): a None value leaves its key
    out, so the library's default applies. A wrong type raises `TypeError`, a value out of
    range or not in a closed set `InvalidArgumentError`, each naming the keyword (`timeout=`);
    the library checks the same bounds again."""
    opts: Dict[str, Any] = {}
    for spec, value in zip(specs, values):
        if value is not None:
            converted = _CONVERT[spec.kind](spec.arg, value)
            _check(spec, value, converted)
            opts[spec.key] = converted
    return json.dumps(opts, separators=(",", ":"))


__all__ = ["OptionSpec", "StrPath", "build_options_json", "c_text"]
