"""The value types and conversions the generated models (`_models.py`) use.

Python-specific by nature: how a schema `timestamp`, `decimal`, `map` and open enum
become Python values, and how they are written back in the canonical dump
(schema/README.md). Nothing here decides whether a body is acceptable: the core does.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple, TypeVar

from ._timestamp_gen import DATETIME, RANGES

__all__ = ["ReadOnlyMap", "StrEnum", "Timestamp", "parse_datetime"]


class StrEnum(str, enum.Enum):
    """A str-valued enum whose str() is its value (like Python 3.11's StrEnum)."""

    def __str__(self) -> str:
        return str(self.value)


# ------------------------------------------------------------------------- timestamps

_EXPLICIT, _NO_OFFSET, _DATE_ONLY = 0, 1, 2


class Timestamp(datetime):
    """An aware `datetime` read from a response, remembering how it was written.

    A bare date (`2023-02-16`) is midnight UTC and has `date_only` True; a time without
    an offset (`2023-02-16T09:14:11`) is read as UTC and has `assumed_utc` True (so does a
    bare date). Otherwise it is an ordinary aware datetime, equal to any datetime for the
    same instant. Results of arithmetic keep the class but count as explicit.
    """

    __slots__ = ("_form",)
    _form: int  # _EXPLICIT, _NO_OFFSET or _DATE_ONLY; unset after arithmetic

    @property
    def date_only(self) -> bool:
        """True when the text was a bare date (`YYYY-MM-DD`)."""
        return getattr(self, "_form", _EXPLICIT) == _DATE_ONLY

    @property
    def assumed_utc(self) -> bool:
        """True when the text had no offset (a bare date or a naive time): read as UTC."""
        return getattr(self, "_form", _EXPLICIT) != _EXPLICIT

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        # datetime pickles as (class, state): keep the form too.
        state = super().__reduce_ex__(protocol)[1]
        return (_restore_timestamp, (state, getattr(self, "_form", _EXPLICIT)))


def _restore_timestamp(state: Tuple[Any, ...], form: int) -> Timestamp:
    ts = Timestamp(*state)
    ts._form = form
    return ts


_fromisoformat = Timestamp.fromisoformat
_UTC = timezone.utc
_MIN_UTC = datetime(1, 1, 1, tzinfo=_UTC)
_MAX_UTC = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=_UTC)


def _slow_parse(text: str) -> Timestamp:
    """A timestamp through the generated grammar (`_timestamp_gen`, from gen/): what
    `fromisoformat` refuses on some Python versions (`z`, `t`, `+05`, 7+ digits), and
    `parse_datetime`'s check. Raises ValueError outside the grammar or its ranges."""
    m = DATETIME.fullmatch(text)
    if m is None:
        raise ValueError("not an ISO-8601 date-time")
    g = m.groupdict()
    for name, (lo, hi) in RANGES.items():
        v = g[name]
        if v is not None and not lo <= int(v) <= hi:
            raise ValueError("not an ISO-8601 date-time")
    tz: Optional[timezone] = None  # no offset: naive, as fromisoformat gives it
    if g["sign"] is not None:
        sign = -1 if g["sign"] == "-" else 1
        minutes = int(g["offset_minute"] or "0")
        tz = timezone(sign * timedelta(hours=int(g["offset_hour"]), minutes=minutes))
    elif g["offset"] is not None:  # Z or z
        tz = _UTC
    micro = int((g["fraction"] or "0")[:6].ljust(6, "0"))
    return Timestamp(  # the calendar bounds the day (ValueError past the month's end)
        int(g["year"]), int(g["month"]), int(g["day"]), int(g["hour"] or 0),
        int(g["minute"] or 0), int(g["second"] or 0), micro, tz,
    )


#: Timestamps already read, by text: a body repeats the same few many times, and a
#: Timestamp is immutable, so they are shared. Cleared when full.
_seen: Dict[str, Timestamp] = {}
_SEEN_MAX = 4096


def read_timestamp(text: str) -> Timestamp:
    """A timestamp the core accepted, as a `Timestamp` (aware; UTC when no offset)."""
    ts = _seen.get(text)
    if ts is not None:
        return ts
    ts = _read(text)
    if len(_seen) >= _SEEN_MAX:
        _seen.clear()
    _seen[text] = ts
    return ts


def _read(text: str) -> Timestamp:
    try:
        ts = _fromisoformat(text)
    except ValueError:
        ts = _slow_parse(text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=_UTC)
        ts._form = _DATE_ONLY if len(text) == 10 else _NO_OFFSET
    else:
        ts._form = _EXPLICIT
    return ts


def parse_datetime(text: str) -> Timestamp:
    """An ISO-8601 / RFC 3339 timestamp (schema/README.md's grammar) as a `Timestamp`.

    Accepts a bare date, `T`/`t`/space, `HH:MM` with optional `:SS` and after seconds any
    number of fraction digits (cut to microseconds), and `Z`, `±HH:MM`, `±HHMM` or `±HH`
    offsets; no offset means UTC. The grammar is generated (`_timestamp_gen.py`) and
    agrees with the core's (tests/test_timestamps.py). Raises `ValueError` otherwise.
    """
    text = text.strip()
    try:
        ts = _slow_parse(text)  # the grammar and its ranges decide, not fromisoformat
        ts = _read(text)  # the same value, with its form
        if not _MIN_UTC <= ts <= _MAX_UTC:  # the instant in UTC is in years 0001-9999
            raise ValueError(text)
        return ts
    except (ValueError, OverflowError):
        raise ValueError(f"not an ISO-8601 date-time: {text!r}") from None


def dump_timestamp(ts: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ`, the UTC instant (the canonical dump)."""
    u = ts.astimezone(_UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:"
        f"{u.second:02d}.{u.microsecond:06d}Z"
    )


# ------------------------------------------------------------------------- decimals


def as_decimal(v: Any) -> Decimal:
    """A JSON number as an exact `Decimal`: int as is, a float by its shortest repr
    (data parsed without `parse_float=Decimal`)."""
    if type(v) is float:
        return Decimal(repr(v))
    return Decimal(v)


def dump_decimal(d: Decimal) -> str:
    """Plain notation, no exponent, no trailing fraction zeros, `-0` as `0`."""
    sign, digits, exp = d.as_tuple()
    text = "".join(map(str, digits)).lstrip("0")
    if not text:
        return "0"
    assert isinstance(exp, int)  # core-accepted JSON numbers are finite
    if exp >= 0:
        text += "0" * exp
    else:
        point = len(text) + exp
        whole, frac = (text[:point], text[point:]) if point > 0 else ("", "0" * -point + text)
        frac = frac.rstrip("0")
        text = (whole or "0") + ("." + frac if frac else "")
    return ("-" if sign else "") + text


def dump_opaque(v: Any) -> Any:
    """An opaque JSON value as plain JSON data (numbers as int or float)."""
    if isinstance(v, Mapping):
        return {k: dump_opaque(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [dump_opaque(x) for x in v]
    if type(v) is Decimal:  # only parse_float makes these: the text had a '.' or exponent
        return float(v)
    return v


# ------------------------------------------------------------------------- containers

_K = TypeVar("_K")
_V = TypeVar("_V")


class ReadOnlyMap(Mapping[_K, _V]):
    """A read-only dict (`Link.products`, `LinkProduct.settings`) that, unlike
    `types.MappingProxyType`, pickles and deep-copies."""

    __slots__ = ("_d",)

    def __init__(self, data: Optional[Mapping[_K, _V]] = None) -> None:
        self._d: Dict[_K, _V] = dict(data) if data is not None else {}

    def __getitem__(self, key: _K) -> _V:
        return self._d[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        return repr(self._d)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self._d,))
