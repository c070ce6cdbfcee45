"""Python's timestamp parser (the grammar generated into `_timestamp_gen.py` from
gen/src/python/timestamp.rs) agrees with the core's, the one validator: on every timestamp
of the conformance corpus (accepted and refused bodies) and on edge cases, the same verdict,
the same instant and the same form (bare date / no offset / offset). The core's answer is
read through the typed view of a minimal body around one timestamp (`mk_identity_parse`)."""

from __future__ import annotations

import ctypes
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional, Set, Tuple

import pytest

import moneykit_native as mk
from moneykit_native import _abi, _native

from conftest import REPO

CORPUS = REPO / "tests" / "corpus"
TIMESTAMP_KEYS = ("balance_date", "last_synced_at", "refreshed_at", "last_attempted_at")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

EDGE_CASES = [
    "2023-02-16", "2024-02-29", "2023-02-29", "2100-02-29", "2000-02-29", "2023-04-31",
    "0001-01-01", "0000-01-01", "9999-12-31", "10000-01-01", "2023-1-01", "2023-13-01",
    "2023-02-16T09:14", "2023-02-16T09:14:11", "2023-02-16t09:14:11z", "2023-02-16 09:14:11Z",
    "2023-02-16_09:14:11Z", "2023-02-16T9:14:11Z", "2023-02-16T24:00:00Z", "2023-02-16T23:60:00Z",
    "2023-02-16T23:59:60Z", "2023-02-16T09:14:11.Z", "2023-02-16T09:14.5Z",
    "2023-02-16T09:14:11.1234567891234Z", "2023-02-16T09:14:11.000001-00:00",
    "2023-02-16T09:14:11+05", "2023-02-16T09:14:11+0530", "2023-02-16T09:14:11-05:30",
    "2023-02-16T09:14:11+23:59", "2023-02-16T09:14:11+24:00", "2023-02-16T09:14:11+05:60",
    "2023-02-16T09:14:11+5", "2023-02-16T09:14:11+053", "2023-02-16T09:14:11+05:3",
    "2023-02-16T09:14:11 +05:00", "2023-02-16T09:14:11ZZ", "0001-01-01T00:00:00+00:01",
    "0001-01-01T00:00:00-00:01", "9999-12-31T23:59:59-00:01", "9999-12-31T23:59:59.999999Z",
    "２０２３-02-16", "2023-02-16T09:14:11\u00a0", "", "2023",
]


def corpus_timestamps() -> Set[str]:
    """Every string under a timestamp key in every corpus body, accepted or refused."""
    found: Set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k in TIMESTAMP_KEYS and isinstance(x, str):
                    found.add(x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for path in sorted(CORPUS.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        try:
            walk(json.loads(path.read_bytes()))
        except ValueError:
            continue  # a body that is not JSON holds no timestamp to compare
    return found


def core_reads(text: str) -> Optional[Tuple[int, int]]:
    """The core's (unix micros, kind) of `text` as `link.last_synced_at` of a minimal
    body, or None when it refuses it."""
    body = json.dumps({
        "accounts": [],
        "link": {
            "link_id": "mk_probe", "institution_id": "i", "institution_name": "I",
            "institution_avatar": "https://x", "state": "connected", "provider": "moneykit",
            "products": {}, "available_products": [], "last_synced_at": text,
        },
    }).encode("utf-8")
    L = _native.lib()
    handle, error = ctypes.c_void_p(), ctypes.c_void_p()
    rc = L.mk_identity_parse(body, len(body), ctypes.byref(handle), ctypes.byref(error))
    _native.take_string(error.value)
    if rc != 0:
        assert not handle.value
        return None
    try:
        root = ctypes.c_void_p()
        assert L.mk_identity_root(handle, ctypes.byref(root)) == 0
        ts = _abi.mk_identity_response.from_address(root.value).link.last_synced_at
        return ts.unix_micros, ts.kind
    finally:
        L.mk_identity_free(handle)


def python_reads(text: str) -> Optional[Tuple[int, int]]:
    try:
        ts = mk.parse_datetime(text)
    except ValueError:
        return None
    delta = ts - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if ts.date_only:
        kind = _abi.MK_TIMESTAMP_DATE_ONLY
    elif ts.assumed_utc:
        kind = _abi.MK_TIMESTAMP_NO_OFFSET
    else:
        kind = _abi.MK_TIMESTAMP_OFFSET
    return micros, kind


def cases() -> Iterator[str]:
    yield from sorted(corpus_timestamps())
    yield from EDGE_CASES


def test_the_corpus_has_timestamps_to_compare() -> None:
    found = corpus_timestamps()
    assert len(found) >= 10 and any(len(t) == 10 for t in found)


@pytest.mark.parametrize("text", list(cases()))
def test_python_reads_timestamps_as_the_core_does(text: str) -> None:
    if text != text.strip():
        pytest.skip("parse_datetime strips surrounding whitespace; the core does not")
    assert python_reads(text) == core_reads(text)


def test_the_parser_is_the_generated_grammar() -> None:
    from moneykit_native import _timestamp_gen, _values

    assert _values.DATETIME is _timestamp_gen.DATETIME
    generated = Path(_timestamp_gen.__file__).read_text(encoding="utf-8")
    assert generated.startswith("# Generated by `make gen`")
