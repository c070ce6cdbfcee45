"""`mk.match_owners` / `Client.match_owners` (issue 14) over `mk_match_owners`: the typed
result, the shared labelled pair table, and bad input."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

import moneykit_native as mk

from conftest import REPO

PAIRS = REPO / "tests" / "matching" / "pairs.json"

#: `mk_sandbox_ok`'s Margaret O'Brien, written differently (docs/C-API.md's example).
CLAIM: Dict[str, Any] = {
    "name": "Peggy OBrien",
    "email": "M.OBrien@example.com",
    "phone": "(617) 555-1212",
    "address": {"street": "77 Beacon Street", "city": "Boston", "region": "Massachusetts",
                "postal_code": "02116-4501", "country": "USA"},
}
OTHER_PERSON: Dict[str, Any] = {
    "name": "Henry Kowalski",
    "email": "hkowalski@example.org",
    "phone": "+1 312 555 0199",
    "address": {"street": "5 Lake Shore Drive", "city": "Chicago", "region": "IL",
                "postal_code": "60611", "country": "US"},
}


def test_sandbox_owner_written_differently_matches(client: mk.Client) -> None:
    identity = client.get_identity("mk_sandbox_ok")
    m = mk.match_owners(identity, CLAIM)
    assert isinstance(m, mk.OwnerMatch) and len(m.accounts) == 2
    best = m.best
    assert isinstance(best, mk.AccountMatch)
    assert best.account_id == "acc_2Xq8PnL4cWd7RkYs9TbEhM" and best.owner_index == 0
    assert best.score >= mk.MATCH_SCORE == 80
    assert best.name == mk.NameMatch(90, nickname=True, first_or_last_only=False, business=False)
    assert best.email == mk.FieldMatch(100) and best.phone == mk.FieldMatch(100)
    assert best.address is not None and best.address.score >= 80 and best.address.postal_code_match
    assert m.accounts[1] == best
    assert m.accounts[0].account_id == "acc_6Tef269B6ZArSVpYrxtjBV"
    assert m.accounts[0].score < mk.DIFFERENT_BELOW == 50

    # The same numbers from keyword arguments, the JSON text, and the client.
    text = client.get_identity_json("mk_sandbox_ok")
    assert mk.match_owners(text, **CLAIM) == m
    assert mk.match_owners(text.encode(), CLAIM) == m
    assert client.match_owners("mk_sandbox_ok", **CLAIM) == m
    addr = mk.Address(**CLAIM["address"])
    assert mk.match_owners(identity, {**CLAIM, "address": addr}) == m


def test_a_different_person_scores_below_50(client: mk.Client) -> None:
    identity = client.get_identity("mk_sandbox_ok")
    m = mk.match_owners(identity, OTHER_PERSON)
    assert m.best is not None and m.best.score < 50
    for a in m.accounts:
        assert a.score < 50
        for f in (a.name, a.email, a.phone, a.address):
            assert f is not None and f.score < 50


def test_null_fields_and_owner_less_accounts(client: mk.Client) -> None:
    identity = client.get_identity("mk_sandbox_ok")
    m = mk.match_owners(identity, name="ZOE LUKASIEWICZ")
    a0 = m.accounts[0]
    assert (a0.owner_index, a0.score) == (1, 100)
    assert a0.email is None and a0.phone is None and a0.address is None
    minimal = mk.match_owners(client.get_identity_json("mk_sandbox_minimal"), name="John Doe")
    assert minimal.best is None or minimal.best.owner_index is not None
    empty = [a for a in minimal.accounts if a.owner_index is None]
    assert empty and all(a.score == 0 and a.name is None for a in empty)


def owner(field: str, value: Any) -> Dict[str, Any]:
    o: Dict[str, Any] = {"names": [], "addresses": [], "phone_numbers": [], "emails": []}
    if field == "name":
        o["names"] = [value]
    elif field == "email":
        o["emails"] = [{"address": value}]
    elif field == "phone":
        o["phone_numbers"] = [{"number": value, "type": "mobile"}]
    else:
        o["addresses"] = [value]
    return o


def identity_with(o: Dict[str, Any]) -> str:
    return json.dumps({
        "accounts": [{"account_id": "acc_0", "account_type": "depository.checking",
                      "name": "Checking", "balances": {}, "owners": [o]}],
        "link": {"link_id": "mk_x", "institution_id": "i", "institution_name": "Bank",
                 "institution_avatar": "", "state": "connected", "provider": "p",
                 "products": {}, "available_products": []},
    })


def test_the_shared_labelled_pairs() -> None:
    """tests/matching/pairs.json, the table every language runs: the same rule as the core."""
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 200
    wrong: List[str] = []
    for p in pairs:
        field = p["field"]
        m = mk.match_owners(identity_with(owner(field, p["owner"])), {field: p["claim"]})
        scored = getattr(m.accounts[0], field)
        assert scored is not None, p
        s = scored.score
        ok = {"match": s >= 80, "different": s < 50, "partial": 50 <= s < 80}[p["expect"]]
        if not ok:
            wrong.append(f"{field} {p['claim']!r} / {p['owner']!r} -> {s}, want {p['expect']}")
    assert not wrong, "\n".join(wrong)


def test_bad_input_is_a_clear_error_without_values(client: mk.Client) -> None:
    text = client.get_identity_json("mk_sandbox_ok")
    with pytest.raises(mk.InvalidArgumentError):
        mk.match_owners(text)  # nothing claimed
    with pytest.raises(mk.InvalidArgumentError, match="nickname"):
        mk.match_owners(text, {"name": "Secret Person", "nickname": "x"})
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.match_owners(text, phone="12 secret")
    assert "secret" not in str(info.value)
    with pytest.raises(mk.InvalidArgumentError):
        mk.match_owners(text, name="x" * (1 << 20))
    with pytest.raises(mk.DecodeError) as dinfo:
        mk.match_owners('{"accounts": [{"owners": "Margaret"}]}', name="Margaret")
    assert "Margaret" not in str(dinfo.value)
    with pytest.raises(mk.DecodeError):
        mk.match_owners("not json", name="A B")
    with pytest.raises(mk.InvalidArgumentError):
        mk.match_owners("a\0b", name="A B")
    with pytest.raises(TypeError):
        mk.match_owners(12, name="A B")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mk.match_owners(text, ["name"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mk.match_owners(text, {"name": object()})
    # A bad claim is refused before the client sends anything.
    with pytest.raises(TypeError):
        client.match_owners("mk_sandbox_ok", {"name": object()})
