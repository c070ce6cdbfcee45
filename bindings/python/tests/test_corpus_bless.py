"""scripts/corpus_bless.py, the corpus's independent canonical dump (no library): its value
rules on the core's own tables (src/core/decimal.rs, src/core/timestamp.rs), and the
committed expected dumps equal to what it makes of their bodies (also run by make gen-check)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from types import ModuleType

import pytest

from conftest import REPO

SCRIPT = REPO / "scripts" / "corpus_bless.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_bless", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cb = load_script()


@pytest.mark.parametrize(
    "text,want",
    [
        ("0", "0"),
        ("-0.0", "0"),
        ("0.000", "0"),
        ("0e5", "0"),
        ("500", "500"),
        ("340.12", "340.12"),
        ("1.50", "1.5"),
        ("-12.5", "-12.5"),
        ("1e3", "1000"),
        ("2.5E3", "2500"),
        ("1e+2", "100"),
        ("1E-3", "0.001"),
        ("-0.000001", "-0.000001"),
        ("0.0012e2", "0.12"),
        ("120e-1", "12"),
        ("007", "7"),
        (
            "12345678901234567890.12345678901234567890",
            "12345678901234567890.1234567890123456789",
        ),
    ],
)
def test_decimal_rules(text: str, want: str) -> None:
    assert cb.canonical_decimal(text) == want


@pytest.mark.parametrize(
    "text,want",
    [
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
        ("2023-02-16", "2023-02-16T00:00:00.000000Z"),
        ("2023-02-16T09:14", "2023-02-16T09:14:00.000000Z"),
        ("2023-02-16t09:14:11.5+02:00", "2023-02-16T07:14:11.500000Z"),
        ("2023-02-16 09:14:11-0500", "2023-02-16T14:14:11.000000Z"),
        ("2023-02-16T23:30:00+05", "2023-02-16T18:30:00.000000Z"),
        ("2023-12-31T23:59:59.999999999-01:00", "2024-01-01T00:59:59.999999Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"),
        ("0001-01-01", "0001-01-01T00:00:00.000000Z"),
        ("2020-02-29T00:00:00z", "2020-02-29T00:00:00.000000Z"),
        # The ends of the UTC range (years 1-9999), reached through an offset.
        ("0001-01-01T01:00+01:00", "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T22:59:59.9999999-01:00", "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_timestamp_rules(text: str, want: str) -> None:
    assert cb.canonical_timestamp(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "", "2023", "2023-2-16", "2023-02-30", "2021-02-29", "0000-01-01", "2023-13-01",
        "2023-02-16T24:00:00", "2023-02-16T09:60", "2023-02-16T09:14:60", "2023-02-16T09",
        "2023-02-16T09:14:11.", "2023-02-16T09:14.5", "2023-02-16T09:14:11+2",
        "2023-02-16T09:14:11+24:00", "2023-02-16T09:14:11+02:60", "2023-02-16T09:14:11ZZ",
        "2023-02-16X09:14:11", "2023-02-16T09:14:11 ", "\uff12\uff10\uff12\uff13-02-16",
        # Within years 1-9999 locally, outside them in UTC (src/core/timestamp.rs).
        "0001-01-01T00:00+01:00", "9999-12-31T23:59:59.9999999-23:59",
    ],
)
def test_timestamps_outside_the_grammar_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        cb.canonical_timestamp(text)


def test_opaque_numbers_keep_their_text_and_maps_drop_nulls() -> None:
    schema = json.loads((REPO / "schema" / "moneykit.json").read_text(encoding="utf-8"))
    dumper = cb.Dumper(schema)
    body = cb.load_body(b'{"a": null, "b": {"settings": {"x": 1.50, "y": [1e3]}}}')
    assert dumper.value("map:LinkProduct", body, "link.products") == {
        "b": {
            "refreshed_at": None, "last_attempted_at": None, "error_code": None,
            "error_message": None, "unavailable": None, "has_history": None,
            "settings": {"x": "1.50", "y": ["1e3"]},
        }
    }
    assert cb.to_json(body["b"]["settings"]) == '{\n  "x": 1.50,\n  "y": [\n    1e3\n  ]\n}'
    with pytest.raises(cb.Refused, match="^body: an object has a duplicate key$"):
        cb.load_body(b'{"a": 1, "a": 2}')
    with pytest.raises(cb.Refused, match="^body is not valid JSON"):
        cb.load_body(b'{"a": NaN}')


def test_the_committed_expected_dumps_are_the_scripts() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "expected dumps up to date" in run.stdout
