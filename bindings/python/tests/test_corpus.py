"""The conformance corpus (tests/corpus/, schema/README.md): every body decodes to its
expected canonical dump, and every refuse_* body raises the core's DecodeError."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, List, Tuple

import pytest

import moneykit_native as mk

from conftest import REPO

CORPUS = REPO / "tests" / "corpus"
REFUSALS = sorted(CORPUS.glob("refuse_*.json"))
BODIES = sorted(
    p for p in CORPUS.glob("*.json")
    if not p.name.endswith(".expected.json") and p not in REFUSALS
)


def expected(body: Path) -> Any:
    return json.loads(body.with_name(body.stem + ".expected.json").read_text(encoding="utf-8"))


def as_json(value: Any) -> Any:
    """A dump as the JSON value it stands for (proves it is plain JSON data)."""
    return json.loads(json.dumps(value))


def test_the_corpus_is_there() -> None:
    assert len(BODIES) >= 10 and len(REFUSALS) >= 10
    for body in REFUSALS:
        assert body.with_suffix(".error").is_file(), body


@pytest.mark.parametrize("body", BODIES, ids=lambda p: p.stem)
def test_body_decodes_to_its_canonical_dump(body: Path) -> None:
    want = expected(body)
    raw = body.read_bytes()
    assert as_json(mk.canonical_dump(mk.IdentityResponse.from_json(raw))) == want
    text = raw.decode("utf-8")
    assert as_json(mk.canonical_dump(mk.IdentityResponse.from_json(text))) == want
    data = json.loads(text, parse_float=Decimal)
    assert as_json(mk.canonical_dump(mk.IdentityResponse.from_dict(data))) == want


@pytest.mark.parametrize("body", REFUSALS, ids=lambda p: p.stem)
def test_refused_body_names_the_path(body: Path) -> None:
    want = body.with_suffix(".error").read_text(encoding="utf-8").strip()
    with pytest.raises(mk.DecodeError) as info:
        mk.IdentityResponse.from_json(body.read_bytes())
    assert want in info.value.message
    assert info.value.status is mk.Status.DECODE and info.value.attempts == 0


@pytest.mark.parametrize("body", BODIES + REFUSALS, ids=lambda p: p.stem)
def test_the_client_agrees_with_from_json(body: Path, client: mk.Client) -> None:
    """The sandbox serves each corpus body as `mk_corpus_<name>`: `get_identity` (validated
    once, in the core) gives what `from_json` gives, and refuses what it refuses."""
    link_id = "mk_corpus_" + body.stem
    if body in REFUSALS:
        with pytest.raises(mk.DecodeError) as info:
            client.get_identity(link_id)
        assert body.with_suffix(".error").read_text(encoding="utf-8").strip() in info.value.message
    else:
        assert as_json(mk.canonical_dump(client.get_identity(link_id))) == expected(body)


OWNER_EMAIL = "john.doe@example.com"


def ok_body() -> Any:
    return json.loads((CORPUS / "seed_example.json").read_text(encoding="utf-8"))


# Owner data where another type belongs: the refusal must name the place, not the value.
# (mutation, whether from_dict cannot map it either: it trusts leaf types, for speed)
MISPLACED: List[Tuple[Callable[[Any], None], bool]] = [
    (lambda d: d["accounts"][0]["owners"][0]["emails"].__setitem__(0, OWNER_EMAIL), True),
    (lambda d: d["accounts"][0]["balances"].__setitem__("available", OWNER_EMAIL), True),
    (lambda d: d["accounts"][0]["balances"].__setitem__("balance_date", OWNER_EMAIL), True),
    (lambda d: d["link"]["products"].__setitem__("identity", OWNER_EMAIL), True),
    (lambda d: d["accounts"][0].__setitem__("closed", OWNER_EMAIL), False),
    (lambda d: d["accounts"][0]["owners"][0]["phone_numbers"][0].__setitem__(
        "number", {"address": OWNER_EMAIL}), False),
]


@pytest.mark.parametrize("mutate, unmappable", MISPLACED)
def test_decode_errors_never_carry_owner_data(
    mutate: Callable[[Any], None], unmappable: bool
) -> None:
    d = ok_body()
    mutate(d)
    with pytest.raises(mk.DecodeError) as info:
        mk.IdentityResponse.from_json(json.dumps(d))
    err = info.value
    assert "accounts[0]" in err.message or "link.products" in err.message
    for text in (str(err), repr(err), err.message, json.dumps(err.raw)):
        assert OWNER_EMAIL not in text and "john.doe" not in text
    if unmappable:  # from_dict asks the core why: the same error
        with pytest.raises(mk.DecodeError) as again:
            mk.IdentityResponse.from_dict(d)
        assert again.value.message == err.message


def test_the_issue_table_rows_decode() -> None:
    d = ok_body()
    d["link"]["products"]["investments"] = None
    d["accounts"][0]["balances"]["balance_date"] = "2023-02-16"
    r = mk.IdentityResponse.from_json(json.dumps(d))
    assert "investments" not in r.link.products  # a null product entry is dropped
    date = r.accounts[0].balances.balance_date
    assert date is not None and date.date_only and date.assumed_utc
    assert mk.canonical_dump(r)["accounts"][0]["balances"]["balance_date"] == (
        "2023-02-16T00:00:00.000000Z"
    )
