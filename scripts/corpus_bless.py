#!/usr/bin/env python3
"""Writes the conformance corpus's expected dumps (tests/corpus/NAME.expected.json) from the
schema alone, without the library: an independent implementation of the canonical dump.

    python3 scripts/corpus_bless.py           # rewrite every NAME.expected.json (make corpus-bless)
    python3 scripts/corpus_bless.py --check   # fail when one differs (make gen-check)

For every body NAME.json of tests/corpus/ that is not a refusal (refuse_NAME.json, with its
refuse_NAME.error), it reads schema/moneykit.json and dumps the body by the rules of
schema/README.md ("Canonical dump"):

- an object: every schema field present, unknown fields left out;
- an absent or null optional field: null; a list stays a list;
- strings, booleans and enum values as sent;
- a decimal: the number's exact text in plain notation (no exponent, no "+", no leading zeros
  in the integer part, no trailing zeros in the fraction, no "." before an empty fraction,
  -0 written 0);
- a timestamp: the UTC instant as YYYY-MM-DDTHH:MM:SS.ffffffZ, fraction digits past 6 cut;
  a bare date is midnight UTC, a time without an offset is UTC;
- a map: an object of its non-null entries;
- an opaque value: the JSON value as sent (numbers keep their text).

Output: UTF-8 JSON, keys sorted, two-space indent, a final newline.

It checks what it dumps (JSON, no key given twice, required fields, types, the timestamp
grammar) and reports `<file>: <path>: <problem>` for a body it cannot dump, so a body the
core would refuse is never blessed. Each refusal (refuse_NAME.json) must be refused here too,
with its refuse_NAME.error text in the message (schema/README.md, "One validator"). Orphan
expected dumps are reported. Exit status 1 on any problem; --check also on a stale dump.
Python 3.9+, standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent


class Refused(Exception):
    """A body this script cannot dump: `<path>: <problem>`."""


class Number(str):
    """A JSON number's text, exactly as sent."""


class _Duplicate(Exception):
    pass


def _finite_number(text: str) -> Number:
    """A number must fit a 64-bit float wherever it stands (the core's rule: `1e400` is
    refused in an unknown member as in an amount)."""
    if math.isinf(float(text)):
        raise ValueError("number out of range")
    return Number(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate()
        out[key] = value
    return out


def load_body(raw: bytes) -> Any:
    """The body as Python values, numbers as `Number` text, JSON only (RFC 8259)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(f"body is not valid JSON: not UTF-8 ({e})") from None
    if text.startswith("\ufeff"):
        raise Refused("body is not valid JSON: it starts with a byte order mark")
    try:
        value = json.loads(
            text,
            parse_float=_finite_number,
            parse_int=_finite_number,
            parse_constant=_no_constant,
            object_pairs_hook=_unique_keys,
        )
    except _Duplicate:
        raise Refused("body: an object has a duplicate key") from None
    except ValueError as e:
        raise Refused(f"body is not valid JSON: {e}") from None
    if _has_surrogate(value):
        raise Refused("body is not valid JSON: a lone surrogate escape")
    return value


def _has_surrogate(v: Any) -> bool:
    if isinstance(v, str):
        return any("\ud800" <= c <= "\udfff" for c in v)
    if isinstance(v, list):
        return any(_has_surrogate(x) for x in v)
    if isinstance(v, dict):
        return any(_has_surrogate(k) or _has_surrogate(x) for k, x in v.items())
    return False


# ------------------------------------------------------------------------ values


def canonical_decimal(text: str) -> str:
    """A JSON number's text in plain notation (schema/README.md), exactly: no float."""
    try:
        sign, digits, exponent = Decimal(text).as_tuple()
    except InvalidOperation:
        raise ValueError(text) from None
    if not isinstance(exponent, int):  # NaN or Infinity: not a JSON number
        raise ValueError(text)
    s = "".join(map(str, digits)).lstrip("0")
    if not s:
        return "0"  # also -0, -0.0, 0e5
    # Trailing zeros of the digits move into the exponent.
    stripped = s.rstrip("0")
    exponent += len(s) - len(stripped)
    s = stripped
    if exponent >= 0:
        plain = s + "0" * exponent
    else:
        point = len(s) + exponent  # digits before the decimal point
        if point > 0:
            plain = s[:point] + "." + s[point:]
        else:
            plain = "0." + "0" * -point + s
    return "-" + plain if sign else plain


_TIMESTAMP = re.compile(
    r"""
    (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})
    (?:
      [Tt\x20](?P<h>\d{2}):(?P<mi>\d{2})
      (?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?
      (?P<off>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    """,
    re.X | re.A,
)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_since_epoch(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (year >= 1)."""
    y = year - 1
    days = 365 * y + y // 4 - y // 100 + y // 400  # days before January 1 of `year`
    days += sum(_days_in_month(year, m) for m in range(1, month))
    days += day - 1
    return days - 719162  # days from 0001-01-01 to 1970-01-01


def _date_of(days: int) -> Tuple[int, int, int]:
    """The inverse of `_days_since_epoch`, for any day (years 0 and 10000 included)."""
    n = days + 719162  # days since 0001-01-01
    cycles, n = divmod(n, 146097)  # 400-year cycles
    year = 1 + 400 * cycles
    while True:
        length = 366 if _days_in_month(year, 2) == 29 else 365
        if n < length:
            break
        n -= length
        year += 1
    month = 1
    while n >= _days_in_month(year, month):
        n -= _days_in_month(year, month)
        month += 1
    return year, month, n + 1


def canonical_timestamp(text: str) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC (schema/README.md, "Timestamps")."""
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        raise ValueError(text)
    year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    if not (1 <= year and 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        raise ValueError(text)
    hour, minute, second = int(m["h"] or 0), int(m["mi"] or 0), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(text)
    micros = int((m["f"] or "")[:6].ljust(6, "0"))  # cut, not rounded
    offset = 0
    off = m["off"]
    if off and off not in "Zz":
        oh, om = int(off[1:3]), int(off[-2:]) if len(off) > 3 else 0
        if oh > 23 or om > 59:
            raise ValueError(text)
        offset = (oh * 60 + om) * 60 * (-1 if off[0] == "-" else 1)
    seconds = _days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    seconds -= offset
    # The UTC instant must fall within years 1..=9999 (the core's rule: every binding's
    # date type holds it).
    if not _days_since_epoch(1, 1, 1) * 86400 <= seconds < _days_since_epoch(10000, 1, 1) * 86400:
        raise ValueError(text)
    days, rest = divmod(seconds, 86400)
    y, mo, d = _date_of(days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (
        y, mo, d, rest // 3600, rest // 60 % 60, rest % 60, micros
    )


# ------------------------------------------------------------------------ the dump


def _utf8(key: str) -> bytes:
    return key.encode("utf-8", "surrogatepass")


def key_label(key: str, index: int) -> str:
    """How a refusal's path names a map key: the key when it is short snake_case
    (`[a-z0-9_]`, 1 to 32 bytes), else `#N`, its position among the map's keys in byte
    order, so no data used as a key reaches a message."""
    if re.fullmatch(r"[a-z0-9_]{1,32}", key):
        return key
    return f"#{index}"


class Dumper:
    """The canonical dump of a body, by the types of schema/moneykit.json."""

    def __init__(self, schema: Dict[str, Any]) -> None:
        self.objects: Dict[str, Any] = schema["objects"]
        self.enums: Dict[str, Any] = schema["enums"]
        self.root: str = schema["root"]

    def dump(self, body: Any) -> Any:
        return self.value(self.root, body, "body")

    def value(self, ty: str, v: Any, path: str) -> Any:
        """A non-null value of type `ty`."""
        if ty.startswith("list:"):
            if not isinstance(v, list):
                raise Refused(f"{path}: expected array")
            return [self.nonnull(ty[5:], x, f"{path}[{i}]") for i, x in enumerate(v)]
        if ty.startswith("map:"):
            if not isinstance(v, dict):
                raise Refused(f"{path}: expected object")
            out = {}
            for i, k in enumerate(sorted(v, key=_utf8)):  # in the order of the core's map
                if v[k] is not None:
                    out[k] = self.value(ty[4:], v[k], f"{path}.{key_label(k, i)}")
            return out
        if ty == "string" or ty.startswith("enum:"):
            if ty.startswith("enum:") and ty[5:] not in self.enums:
                raise Refused(f"{path}: the schema has no enum {ty[5:]}")
            if not isinstance(v, str) or isinstance(v, Number):
                raise Refused(f"{path}: expected string")
            return v  # an enum value as sent, known or not
        if ty == "bool":
            if not isinstance(v, bool):
                raise Refused(f"{path}: expected boolean")
            return v
        if ty == "decimal":
            if not isinstance(v, Number):
                raise Refused(f"{path}: expected number")
            return canonical_decimal(v)
        if ty == "timestamp":
            if not isinstance(v, str) or isinstance(v, Number):
                raise Refused(f"{path}: expected string")
            try:
                return canonical_timestamp(v)
            except ValueError:
                raise Refused(f"{path}: expected ISO-8601 date-time") from None
        if ty == "opaque":
            if not isinstance(v, dict):
                raise Refused(f"{path}: expected object")
            return v  # as sent, numbers included (Number keeps their text)
        if ty in self.objects:
            return self.object(ty, v, path)
        raise Refused(f"{path}: the schema has no type {ty!r}")

    def nonnull(self, ty: str, v: Any, path: str) -> Any:
        """A list item: present and not null."""
        if v is None:
            raise Refused(f"{path}: required field is null")
        return self.value(ty, v, path)

    def object(self, name: str, v: Any, path: str) -> Dict[str, Any]:
        if not isinstance(v, dict):
            raise Refused(f"{path}: expected object")
        out: Dict[str, Any] = {}
        for f in self.objects[name]["fields"]:
            key = f["name"]
            sub = f"{path}.{key}" if path != "body" else key
            x = v.get(key)
            if x is None:
                if f["required"]:
                    problem = "required field missing" if key not in v else "required field is null"
                    raise Refused(f"{sub}: {problem}")
                out[key] = None
            else:
                out[key] = self.value(f["type"], x, sub)
        return out  # fields not in the schema are left out


# ------------------------------------------------------------------------ output


def to_json(v: Any, indent: str = "") -> str:
    """JSON text: keys sorted, two-space indent, strings not ASCII-escaped, numbers as sent."""
    inner = indent + "  "
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Number):
        return str.__str__(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        if not v:
            return "[]"
        items = [inner + to_json(x, inner) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [
            inner + json.dumps(k, ensure_ascii=False) + ": " + to_json(v[k], inner)
            for k in sorted(v)
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    raise TypeError(f"not a JSON value: {v!r}")


def corpus_files(corpus: Path) -> Tuple[List[Path], List[Path]]:
    """(bodies that must be accepted, refusals): NAME.json is a body unless it is an expected
    dump; refuse_NAME.json is a refusal, with its refuse_NAME.error."""
    bodies: List[Path] = []
    refusals: List[Path] = []
    for p in sorted(corpus.glob("*.json")):
        if p.name.endswith(".expected.json"):
            continue
        (refusals if p.name.startswith("refuse_") else bodies).append(p)
    return bodies, refusals


def check_refusal(dumper: Dumper, body: Path) -> Optional[str]:
    """None when this script refuses the body too, with the `.error` text in its message."""
    error = body.with_suffix(".error")
    if not error.is_file():
        return f"{body.name}: a refusal without its {error.name}"
    want = error.read_text(encoding="utf-8").strip()
    try:
        dumper.dump(load_body(body.read_bytes()))
    except Refused as e:
        return None if want in str(e) else f"{body.name}: refused with '{e}', not '{want}'"
    return f"{body.name}: accepted here, but the core must refuse it with '{want}'"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; fail when a file differs")
    ap.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this script's)")
    args = ap.parse_args(argv)
    corpus = args.root / "tests" / "corpus"
    schema = json.loads((args.root / "schema" / "moneykit.json").read_text(encoding="utf-8"))
    dumper = Dumper(schema)
    bodies, refusals = corpus_files(corpus)
    problems: List[str] = []
    stale: List[str] = []
    for body in bodies:
        try:
            want = to_json(dumper.dump(load_body(body.read_bytes()))) + "\n"
        except Refused as e:
            problems.append(f"{body.name}: {e} (a body that is not refuse_* must be accepted)")
            continue
        target = body.with_name(body.stem + ".expected.json")
        have = target.read_text(encoding="utf-8") if target.is_file() else None
        if have == want:
            continue
        if args.check:
            stale.append(target.name)
        else:
            target.write_text(want, encoding="utf-8")
            print(f"wrote {target.relative_to(args.root)}")
    for body in refusals:
        problem = check_refusal(dumper, body)
        if problem:
            problems.append(problem)
    names = {b.stem for b in bodies}
    for p in sorted(corpus.glob("*.expected.json")):
        if p.name[: -len(".expected.json")] not in names:
            problems.append(f"{p.name}: an expected dump without its body")
    for problem in problems:
        print(f"corpus_bless: {problem}", file=sys.stderr)
    if stale:
        print(
            "corpus_bless: these expected dumps differ from the schema's canonical dump of their "
            f"body (run `make corpus-bless`, review the diff, commit): {', '.join(stale)}",
            file=sys.stderr,
        )
    if problems or stale:
        return 1
    if args.check:
        print(
            f"corpus_bless: {len(bodies)} expected dumps up to date, "
            f"{len(refusals)} refusals refused here too"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
