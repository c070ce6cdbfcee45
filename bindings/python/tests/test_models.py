"""The typed dataclasses, without the library: parsing rules, immutability, helpers."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict

import pytest

import moneykit_native as mk

from conftest import decode_both_ways, structure


def body(**link_extra: Any) -> Dict[str, Any]:
    return {
        "accounts": [{
            "account_id": "acc_1", "account_type": "liability.credit_card", "name": "Card",
            "balances": {"currency": "EUR", "available": 0.1, "current": "__BIG__",
                         "limit": 500, "balance_date": "2023-02-16T09:14:11"},
            "owners": [{"names": ["A"], "addresses": [], "emails": [],
                        "phone_numbers": [{"number": "1", "type": "fax", "primary": None}]}],
            "brand_new_field": [1, 2, 3],
        }],
        "link": {
            "link_id": "mk_1", "institution_id": "i", "institution_name": "I",
            "institution_avatar": "https://x", "state": "migrating", "provider": "plaid",
            "error_code": "auth_expired", "products": {
                "identity": {"refreshed_at": "2023-02-16T09:14:11.123456789+02:00",
                             "error_code": "rate_limit"},
                "future": {"refreshed_at": None, "error_code": "brand_new"},
            },
            "available_products": ["identity"], **link_extra,
        },
    }


def dumps(d: Dict[str, Any]) -> str:
    # A Python float cannot hold this amount: put it in the JSON text as written.
    return json.dumps(d).replace('"__BIG__"', "12345678901234567890.01")


def parse(d: Dict[str, Any]) -> mk.IdentityResponse:
    return mk.IdentityResponse.from_json(dumps(d))


def test_decimals_are_exact() -> None:
    r = parse(body())
    b = r.accounts[0].balances
    assert b.available == Decimal("0.1")  # not 0.1000000000000000055...
    assert b.current == Decimal("12345678901234567890.01")  # beyond float precision
    assert b.limit == Decimal(500) and isinstance(b.limit, Decimal)
    # from_dict on data parsed without parse_float=Decimal still gives the short decimal.
    d = json.loads(dumps(body()))
    assert mk.IdentityResponse.from_dict(d).accounts[0].balances.available == Decimal("0.1")


def test_timestamps_are_aware() -> None:
    r = parse(body())
    naive = r.accounts[0].balances.balance_date
    assert naive == datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)  # no offset: UTC
    ident = r.link.products["identity"].refreshed_at
    assert ident is not None and ident.utcoffset() == timedelta(hours=2)
    assert ident.microsecond == 123456  # nanoseconds cut to microseconds
    assert r.refreshed_at == ident


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-02-16T09:14:11Z", datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)),
        ("2023-02-16t09:14:11z", datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)),
        ("2023-02-16 09:14:11.5", datetime(2023, 2, 16, 9, 14, 11, 500000, tzinfo=timezone.utc)),
        ("2023-02-16T09:14:11-0530",
         datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone(-timedelta(hours=5, minutes=30)))),
        ("2023-02-16T09:14:11+00:00", datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)),
        ("2023-02-16", datetime(2023, 2, 16, tzinfo=timezone.utc)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    got = mk.parse_datetime(text)
    assert got == expected and got.tzinfo is not None


@pytest.mark.parametrize("text", ["", "yesterday", "2023-13-01T00:00:00Z", "2023-02-16T25:00:00Z",
                                  "2023-02-16T09:14:11+5"])
def test_parse_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        mk.parse_datetime(text)


def test_unknown_enum_values_stay_strings() -> None:
    r = parse(body())
    assert r.link.state == "migrating" and type(r.link.state) is str
    assert r.link.provider is mk.Provider.PLAID and r.link.provider == "plaid"
    assert r.link.error_code is mk.LinkErrorCode.AUTH_EXPIRED
    assert r.link.products["identity"].error_code is mk.ProductErrorCode.RATE_LIMIT
    assert r.link.products["future"].error_code == "brand_new"
    assert r.accounts[0].owners[0].phone_numbers[0].type == "fax"
    assert str(mk.PhoneNumberType.MOBILE) == "mobile"


def test_unknown_fields_are_ignored_but_kept_in_raw() -> None:
    r = parse(body(brand_new={"x": 1}))
    assert r.accounts[0].raw["brand_new_field"] == [1, 2, 3]
    assert r.link.raw["brand_new"] == {"x": 1}
    assert not hasattr(r.link, "brand_new")


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.pop("accounts"), "response.accounts"),
        (lambda d: d["accounts"][0].pop("balances"), "accounts[0].balances"),
        (lambda d: d["accounts"][0].update(name=5), "name"),
        (lambda d: d["accounts"][0]["balances"].update(current="12"), "current"),
        (lambda d: d["accounts"][0]["balances"].update(balance_date="soon"), "balance_date"),
        (lambda d: d["accounts"][0]["owners"][0].update(names="A"), "names"),
        (lambda d: d["link"].update(products=[]), "products"),
        (lambda d: d["link"].pop("state"), "state"),
        (lambda d: d["accounts"][0].update(closed="no"), "closed"),
    ],
)
def test_schema_violations_are_decode_errors(mutate: Any, where: str) -> None:
    d = body()
    mutate(d)
    with pytest.raises(mk.DecodeError) as info:
        parse(d)
    assert where in str(info.value)
    assert info.value.status is mk.Status.DECODE


def test_not_json_is_a_decode_error() -> None:
    with pytest.raises(mk.DecodeError):
        mk.IdentityResponse.from_json("{")
    with pytest.raises(mk.DecodeError):
        mk.IdentityResponse.from_json("[]")


def test_frozen_hashable_comparable() -> None:
    r = parse(body())
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.accounts[0].name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.link.products["new"] = mk.LinkProduct()  # type: ignore[index]
    assert parse(body()) == r and copy.deepcopy(r) == r
    assert pickle.loads(pickle.dumps(r)) == r
    owner = r.accounts[0].owners[0]
    assert hash(owner) == hash(copy.deepcopy(owner))
    assert hash(r.accounts[0].balances) == hash(parse(body()).accounts[0].balances)
    assert {r.accounts[0]}  # accounts are hashable (products/raw are left out of the hash)
    assert "raw" not in repr(r.accounts[0].balances)


def test_is_newer_than() -> None:
    old = parse(body())
    d = body()
    d["link"]["products"]["identity"]["refreshed_at"] = "2023-02-16T07:14:12Z"  # 1 s later
    new = parse(d)
    assert new.is_newer_than(old) and not old.is_newer_than(new)
    assert new.is_newer_than(None) and new.is_newer_than(old.refreshed_at)
    d["link"]["products"].pop("identity")
    none = parse(d)
    assert none.refreshed_at is None
    assert not none.is_newer_than(None) and not none.is_newer_than(old)
    assert old.is_newer_than(none)


def test_fast_and_checked_paths_agree() -> None:
    variants = [body(), body(link_tags=["a", "b"], tags=[], webhook="https://h", last_synced_at=None)]
    amounts = body()
    amounts["accounts"][0]["balances"].update(available=None, current=7, limit=0.25)
    variants.append(amounts)
    settings = body()
    settings["link"]["products"]["identity"]["settings"] = {"required": True, "prefetch": False}
    variants.append(settings)
    for d in variants:
        r = decode_both_ways(json.loads(dumps(d), parse_float=Decimal))
        assert structure(r) == structure(parse(d))
    # Floats (data parsed without parse_float=Decimal) take the checked path: same result.
    r = decode_both_ways(json.loads(dumps(body())))
    assert r.accounts[0].balances.available == Decimal("0.1")


def test_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("took the checked path")

    d = json.loads(dumps(body()), parse_float=Decimal)
    for model in (mk.IdentityResponse, mk.AccountIdentity, mk.Balances, mk.Owner, mk.Address,
                  mk.PhoneNumber, mk.Email, mk.Link, mk.LinkProduct):
        monkeypatch.setattr(model, "_from_dict_checked", classmethod(refuse))
    assert mk.IdentityResponse.from_dict(d).accounts[0].name == "Card"
    monkeypatch.undo()
    d["accounts"][0]["owners"][0]["names"] = ["A", 5]  # anything unusual: the checked path
    with pytest.raises(mk.DecodeError, match=r"accounts\[0\]\.owners\[0\]\.names\[1\]"):
        mk.IdentityResponse.from_dict(d)


def test_subclasses_get_their_init_called() -> None:
    seen = []

    @dataclasses.dataclass(frozen=True)
    class MyAddress(mk.Address):
        def __post_init__(self) -> None:
            seen.append(self.city)

    a = MyAddress.from_dict({"city": "Lyon"})
    assert type(a) is MyAddress and a.city == "Lyon" and seen == ["Lyon"]
