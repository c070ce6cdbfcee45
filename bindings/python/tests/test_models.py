"""The generated dataclasses: mapping rules, the core as the one validator, immutability,
helpers."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import decode_both_ways


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
    assert isinstance(naive, mk.Timestamp) and naive.assumed_utc and not naive.date_only
    ident = r.link.products["identity"].refreshed_at
    assert ident is not None and ident.utcoffset() == timedelta(hours=2)
    assert ident.microsecond == 123456  # nanoseconds cut to microseconds
    assert not ident.assumed_utc and not ident.date_only
    assert r.refreshed_at == ident


def test_bare_dates_and_their_form_survive_copies() -> None:
    d = body()
    d["accounts"][0]["balances"]["balance_date"] = "2023-02-16"
    date = parse(d).accounts[0].balances.balance_date
    assert date == datetime(2023, 2, 16, tzinfo=timezone.utc)
    assert date is not None and date.date_only and date.assumed_utc
    for copied in (pickle.loads(pickle.dumps(date)), copy.deepcopy(date), copy.copy(date)):
        assert copied == date and copied.date_only and type(copied) is mk.Timestamp
    later = date + timedelta(hours=1)  # arithmetic makes a new instant: no longer "a date"
    assert isinstance(later, datetime) and not getattr(later, "date_only", False)


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
        ("2023-02-16T09:14", datetime(2023, 2, 16, 9, 14, tzinfo=timezone.utc)),
        ("2023-02-16T09:14:11+05",
         datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone(timedelta(hours=5)))),
        ("2023-02-16T09:14:11.123456789-01:00",
         datetime(2023, 2, 16, 9, 14, 11, 123456, tzinfo=timezone(-timedelta(hours=1)))),
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


def test_null_and_absent_are_the_same() -> None:
    d = body(webhook=None, link_tags=None)
    d["link"]["products"]["investments"] = None  # a null product entry is dropped
    d["accounts"][0]["balances"].update(currency=None, limit=None)
    r = parse(d)
    assert "investments" not in r.link.products and set(r.link.products) == {"identity", "future"}
    assert r.link.webhook is None and r.link.link_tags is None
    for key in ("currency", "limit"):
        d["accounts"][0]["balances"].pop(key)
    assert parse(d) == r


def test_unknown_fields_are_ignored_but_kept_in_raw() -> None:
    r = parse(body(brand_new={"x": 1}))
    assert r.accounts[0].raw["brand_new_field"] == [1, 2, 3]
    assert r.link.raw["brand_new"] == {"x": 1}
    assert not hasattr(r.link, "brand_new")


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("accounts"), "accounts: required field missing"),
        (lambda d: d["accounts"][0].pop("balances"), "accounts[0].balances: required field missing"),
        (lambda d: d["accounts"][0].update(name=5), "accounts[0].name: expected string"),
        (lambda d: d["accounts"][0]["balances"].update(current="12"),
         "accounts[0].balances.current: expected number"),
        (lambda d: d["accounts"][0]["balances"].update(balance_date="soon"),
         "accounts[0].balances.balance_date: expected ISO-8601 date-time"),
        (lambda d: d["accounts"][0]["owners"][0].update(names="A"),
         "accounts[0].owners[0].names: expected array"),
        (lambda d: d["link"].update(products=[]), "link.products: expected object"),
        (lambda d: d["link"].pop("state"), "link.state: required field missing"),
        (lambda d: d["link"].update(state=None), "link.state: required field is null"),
        (lambda d: d["accounts"][0].update(closed="no"), "accounts[0].closed: expected boolean"),
    ],
)
def test_the_core_refuses_with_the_path(mutate: Any, message: str) -> None:
    d = body()
    mutate(d)
    with pytest.raises(mk.DecodeError) as info:
        parse(d)
    assert message in info.value.message
    assert info.value.status is mk.Status.DECODE
    for value in ('"12"', "soon", "'no'", '"no"', "'A'"):
        assert value not in info.value.message  # never a value from the body


def test_not_json_is_a_decode_error() -> None:
    with pytest.raises(mk.DecodeError, match="body is not valid JSON"):
        mk.IdentityResponse.from_json("{")
    with pytest.raises(mk.DecodeError, match="body: expected object"):
        mk.IdentityResponse.from_json(b"[]")
    with pytest.raises(mk.DecodeError):  # a lone surrogate is not UTF-8: the core says so
        mk.IdentityResponse.from_json('{"accounts": "\ud800"}')


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


def test_from_dict_and_from_json_agree() -> None:
    variants = [body(), body(link_tags=["a", "b"], tags=[], webhook="https://h", last_synced_at=None)]
    amounts = body()
    amounts["accounts"][0]["balances"].update(available=None, current=7, limit=0.25)
    variants.append(amounts)
    settings = body()
    settings["link"]["products"]["identity"]["settings"] = {"required": True, "prefetch": False}
    variants.append(settings)
    for d in variants:
        decode_both_ways(dumps(d))
    # Floats (data parsed without parse_float=Decimal) become their shortest Decimal.
    text = dumps(body()).replace("12345678901234567890.01", "1.5")
    r = mk.IdentityResponse.from_dict(json.loads(text))
    assert r.accounts[0].balances.available == Decimal("0.1")
    assert r == mk.IdentityResponse.from_json(text)  # .raw differs (floats), and is not compared


def test_one_validation_per_body(monkeypatch: pytest.MonkeyPatch, client: mk.Client) -> None:
    """from_json asks the core once; from_dict on mappable data and the client's
    get_identity (whose body the core checked already) never ask again."""
    calls: List[bytes] = []
    real = _native.validate_identity

    def counting(data: bytes) -> Tuple[int, Optional[str]]:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(_native, "validate_identity", counting)
    text = dumps(body())
    parse(body())
    assert len(calls) == 1 and calls[0] == text.encode()
    mk.IdentityResponse.from_dict(json.loads(text, parse_float=Decimal))
    assert client.get_identity("mk_sandbox_ok").accounts
    assert len(calls) == 1
    with pytest.raises(mk.DecodeError, match=r"accounts\[0\]\.owners: expected array"):
        mk.IdentityResponse.from_dict({**json.loads(text), "accounts": [{
            **json.loads(text)["accounts"][0], "owners": 5}]})
    assert len(calls) == 2  # unmappable: from_dict asked the core why


def test_parts_refuse_what_they_cannot_map() -> None:
    with pytest.raises(mk.DecodeError, match="expected a PhoneNumber object"):
        mk.PhoneNumber.from_dict({"primary": True})
    assert mk.PhoneNumber.from_dict({"number": "1", "type": "pager"}).type == "pager"


def test_subclasses_get_their_init_called() -> None:
    seen = []

    @dataclasses.dataclass(frozen=True)
    class MyAddress(mk.Address):
        def __post_init__(self) -> None:
            seen.append(self.city)

    a = MyAddress.from_dict({"city": "Lyon"})
    assert type(a) is MyAddress and a.city == "Lyon" and seen == ["Lyon"]


# -- repr: ids and counts, never owner data (issue 27) -----------------------------------


def _texts(value: Any) -> List[str]:
    """Every string and number leaf of a parsed body (the values a repr must not show)."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, (str, Decimal, int, float)) and not isinstance(value, bool):
        return [str(value)]
    return []


@pytest.mark.parametrize("link", ["mk_sandbox_ok", "mk_sandbox_unicode", "mk_sandbox_large"])
def test_repr_shows_ids_and_counts_never_owner_data(client: mk.Client, link: str) -> None:
    import pprint

    r = client.get_identity(link)
    owner_values = [
        t
        for a in r.raw["accounts"]
        for field in ("name", "nickname", "account_mask", "balances", "owners")
        for t in _texts(a.get(field))
    ]
    # Short values ("US", "MA", "1") could occur anywhere; every longer one must not.
    ids = [r.link.link_id, r.link.institution_id] + [
        i for a in r.accounts for i in (a.account_id, a.original_id) if i]
    secret = sorted({v for v in owner_values if len(v) >= 4 and not any(v in i for i in ids)},
                    key=len)
    assert any("@" in v for v in secret) and r.owners  # the check has owner data to find
    objects: List[Any] = [r, r.link, *r.link.products.values()]
    for a in r.accounts:
        objects += [a, a.balances]
        for o in a.owners:
            objects += [o, *o.addresses, *o.emails, *o.phone_numbers]
    for obj in objects:
        for text in (repr(obj), str(obj), f"{obj}", pprint.pformat(obj), "%s" % (obj,)):
            leaked = [v for v in secret if v in text]
            assert not leaked, f"{type(obj).__name__}: {leaked} in {text}"
    # What it does show: ids and counts (and the data is still in the fields).
    text = repr(r)
    assert text.startswith(f"IdentityResponse(accounts={len(r.accounts)}, link=Link(")
    assert f"link_id={link!r}" in text
    a = r.accounts[0]
    assert repr(a) == (
        f"AccountIdentity(account_id={a.account_id!r}, original_id={a.original_id!r}, "
        f"owners={len(a.owners)}, ...)"
    )
    o = a.owners[0]
    assert repr(o) == (
        f"Owner(names={len(o.names)}, addresses={len(o.addresses)}, "
        f"phone_numbers={len(o.phone_numbers)}, emails={len(o.emails)})"
    )
    assert repr(a.balances) == "Balances(...)"
    assert o.names and o.names[0] in r.raw["accounts"][0]["owners"][0]["names"]


def test_repr_of_claims_says_what_was_given_never_the_value() -> None:
    claim = mk.Claim(name="Peggy OBrien", phone="(617) 555-1212",
                     address=mk.ClaimAddress(street="77 Beacon Street", postal_code="02116"))
    text = repr(claim)
    for value in ("Peggy", "OBrien", "617", "555-1212", "Beacon", "02116"):
        assert value not in text and value not in str(claim)
    assert text == (
        "Claim(name=<given>, email=None, phone=<given>, address=ClaimAddress(street=<given>, "
        "city=None, region=None, postal_code=<given>, country=None))"
    )
    assert claim.name == "Peggy OBrien"  # the data stays in the fields
    odd = mk.Claim(address={"street": "77 Beacon Street"})  # type: ignore[arg-type]
    assert "Beacon" not in repr(odd) and "address=<given>" in repr(odd)


def test_repr_of_match_results_and_batch_results(client: mk.Client) -> None:
    m = client.match_owners("mk_sandbox_ok", name="Peggy OBrien", email="m.obrien@example.com")
    assert "Peggy" not in repr(m) and "obrien" not in repr(m).lower()
    assert repr(m).startswith("OwnerMatch(best=AccountMatch(account_id=")
    with client.get_identities(["mk_sandbox_ok"]) as batch:
        (result,) = list(batch)
    assert result.identity is not None
    names = [n for o in result.identity.owners for n in o.names]
    assert names and not [n for n in names if n in repr(result)]
