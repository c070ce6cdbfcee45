"""A reader that touches every field of a typed `IdentityResponse`, recursively, for P2d.

Lazy decoding must not win by skipping work, so the typed side of P2d reads every field of
every object the way a program that uses all of the result would: attribute by attribute,
into every list, map and nested object. The reader is straight-line code per class (what one
would write by hand), generated here at start-up from the classes' dataclass fields and type
hints, so it follows the schema without being kept by hand. `read_all(resp)` returns how many
fields it read; `count_generic(resp)` counts them another way.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping as AbcMapping
from typing import Any, Callable, Dict, List, Tuple

#: Fields that are not data (metadata of the response or the parsed dict).
SKIP = ("raw", "request_id")


def _unwrap(tp: Any) -> Tuple[Any, bool]:
    """(type without Optional, whether it was Optional)."""
    if typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        if len(args) == 1:
            return args[0], optional
        return tp, optional  # an open enum: Union[E, str]
    return tp, False


def _kind(tp: Any) -> Tuple[str, Any]:
    """How to read a value of type `tp`: leaf, obj, list (of what) or map (of what)."""
    if dataclasses.is_dataclass(tp):
        return "obj", tp
    origin = typing.get_origin(tp)
    if origin is tuple:
        return "list", _unwrap(typing.get_args(tp)[0])[0]
    if origin in (AbcMapping, typing.Mapping, dict):
        return "map", _unwrap(typing.get_args(tp)[1])[0]
    return "leaf", None


def make_reader(root: type, namespace: Dict[str, Any]) -> Callable[[Any], int]:
    """Generates `read_<Class>(o) -> int` for `root` and every class reachable from it."""
    code: List[str] = []
    done: Dict[type, str] = {}

    def fn(cls: type) -> str:
        if cls in done:
            return done[cls]
        name = done[cls] = f"read_{cls.__name__}"
        hints = typing.get_type_hints(cls, namespace)
        lines = [f"def {name}(o):", "    n = 0"]
        for f in dataclasses.fields(cls):
            if f.name in SKIP:
                continue
            tp, optional = _unwrap(hints[f.name])
            kind, inner = _kind(tp)
            v = f"v_{f.name}"
            lines.append(f"    {v} = o.{f.name}")
            lines.append("    n += 1")
            body: List[str] = []
            if kind == "obj":
                body = [f"n += {fn(tp)}({v})"]
            elif kind in ("list", "map"):
                items = f"{v}.values()" if kind == "map" else v
                if dataclasses.is_dataclass(inner):
                    body = [f"for x in {items}:", f"    n += {fn(inner)}(x)"]
                elif kind == "map":  # opaque settings or a map of leaves: read every entry
                    body = [f"for x in {items}:", "    pass"]
                else:
                    body = [f"for x in {items}:", "    pass"]
            if body:
                indent = "    "
                if optional:
                    lines.append(f"    if {v} is not None:")
                    indent = "        "
                lines += [indent + b for b in body]
        lines.append("    return n")
        code.append("\n".join(lines))
        return name

    top = fn(root)
    scope: Dict[str, Any] = {}
    exec("\n\n".join(code), scope)  # noqa: S102 - code generated above from the classes
    reader: Callable[[Any], int] = scope[top]
    return reader


def count_generic(obj: Any) -> int:
    """The same count by a slow, generic walk (`dataclasses.fields` of every object): checks
    that the generated reader reads every field."""
    n = 0
    for f in dataclasses.fields(obj):
        if f.name in SKIP:
            continue
        n += 1
        v = getattr(obj, f.name)
        values = v.values() if isinstance(v, AbcMapping) else v if isinstance(v, tuple) else [v]
        n += sum(count_generic(x) for x in values if dataclasses.is_dataclass(x))
    return n
