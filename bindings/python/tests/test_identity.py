"""Successful calls against the sandbox: typed results, filtering, auth modes, options."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

import moneykit_native as mk

from conftest import CLIENT_ID, CLIENT_SECRET, Sandbox, decode_both_ways

CHECKING = "acc_6Tef269B6ZArSVpYrxtjBV"
SAVINGS = "acc_2Xq8PnL4cWd7RkYs9TbEhM"
REFRESHED = datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)


def test_ok_fixture_typed(client: mk.Client) -> None:
    r = client.get_identity("mk_sandbox_ok")
    assert isinstance(r, mk.IdentityResponse)
    assert [a.account_id for a in r.accounts] == [CHECKING, SAVINGS]
    checking, savings = r.accounts
    assert checking.account_type == "depository.checking" and checking.name == "Premier Checking"
    assert checking.account_mask == "3748" and checking.closed is False
    assert checking.nickname is None and savings.nickname == "Rainy day fund"

    # Money is exact Decimal, integers included.
    b = checking.balances
    assert b.available == Decimal("340.12") and isinstance(b.available, Decimal)
    assert b.current == Decimal("445.89") and str(b.current) == "445.89"
    assert b.limit is None and b.currency == "USD"
    assert savings.balances.available == Decimal(500) and isinstance(savings.balances.current, Decimal)
    assert b.balance_date == REFRESHED and b.balance_date.tzinfo is not None
    assert not b.balance_date.assumed_utc  # "...Z": the offset was in the text

    # Owners: 2 + 1, with every list typed.
    assert [len(a.owners) for a in r.accounts] == [2, 1] and len(r.owners) == 3
    jose = checking.owners[0]
    assert jose.names == ("José Álvarez",)
    assert jose.addresses[0] == mk.Address(
        city="San Francisco", country="US", postal_code="94110", region="CA",
        street="1234 Valencia St Apt 5", primary=True,
    )
    assert [p.type for p in jose.phone_numbers] == [mk.PhoneNumberType.MOBILE, mk.PhoneNumberType.HOME]
    assert jose.phone_numbers[0].type == "mobile"  # enum members compare equal to the string
    assert jose.emails[0] == mk.Email(address="jose.alvarez@example.com", primary=True)
    zoe = checking.owners[1]
    assert zoe.names == ("Zoë Łukasiewicz", "Zoe Lukasiewicz")
    assert zoe.addresses[1].region is None and zoe.emails[1].primary is None

    link = r.link
    assert link.link_id == "mk_sandbox_ok" and link.institution_id == "chase"
    assert link.state is mk.LinkState.CONNECTED and link.provider is mk.Provider.MONEYKIT
    assert link.available_products == ("accounts", "identity", "transactions")
    assert link.link_tags == ("sandbox", "user_type:admin") and link.webhook is None
    assert set(link.products) == {"accounts", "identity", "transactions"}
    ident = link.products["identity"]
    assert ident.refreshed_at == REFRESHED and ident.settings is not None
    assert ident.settings["required"] is True
    assert link.products["transactions"].has_history is False
    assert link.products["transactions"].refreshed_at is None
    assert r.refreshed_at == REFRESHED

    # .raw keeps the parsed dicts, amounts as Decimal.
    assert r.raw["link"]["link_id"] == "mk_sandbox_ok"
    assert checking.raw["balances"]["available"] == Decimal("340.12")
    assert b.raw is checking.raw["balances"]
    assert r.account(SAVINGS) is savings and r.account("acc_nope") is None


def test_json_is_the_body_unchanged(client: mk.Client, sandbox: Sandbox) -> None:
    for link_id in ("mk_sandbox_ok", "mk_sandbox_unicode", "mk_sandbox_extra_fields"):
        text = client.get_identity_json(link_id)
        assert isinstance(text, str)
        assert text.encode("utf-8") == sandbox.fetch(f"/links/{link_id}/identity")
        assert mk.IdentityResponse.from_json(text) == client.get_identity(link_id)


def test_unicode_owners(client: mk.Client, sandbox: Sandbox) -> None:
    r = client.get_identity("mk_sandbox_unicode")
    names = [n for o in r.owners for n in o.names]
    # Whatever the fixture holds, the binding hands it over exactly as json.loads reads it.
    expected = json.loads(sandbox.fetch("/links/mk_sandbox_unicode/identity"))
    assert names == [n for a in expected["accounts"] for o in a["owners"] for n in o["names"]]
    text = "".join(names)
    scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in text}
    assert {"CJK", "ARABIC", "HEBREW"} <= scripts
    assert any(ord(ch) > 0xFFFF for ch in text)  # emoji beyond the BMP
    assert "\u200d" in text  # ZWJ sequences survive
    assert any(unicodedata.combining(ch) for ch in text)  # NFD combining marks are not normalized
    # And through account_ids / link ids too: non-ASCII ids are percent-encoded, not mangled.
    with pytest.raises(mk.NotFoundError):
        client.get_identity("mk_ünïcødé_🙂")


def test_minimal_fixture(client: mk.Client) -> None:
    r = client.get_identity("mk_sandbox_minimal")
    a, b = r.accounts
    assert a.owners == () and a.nickname is None and a.closed is None
    assert a.balances == mk.Balances()
    assert b.owners == (mk.Owner(),)
    assert r.link.error_code is None and r.link.link_tags is None and r.link.webhook is None
    assert r.link.available_products == ()
    assert r.link.products["identity"] == mk.LinkProduct()
    assert r.refreshed_at is None
    assert not r.is_newer_than(None)


def test_extra_fields_and_unknown_enums(client: mk.Client) -> None:
    r = client.get_identity("mk_sandbox_extra_fields")
    crypto = r.account(SAVINGS)
    assert crypto is not None and crypto.account_type == "other.crypto_wallet"
    assert crypto.balances.available == Decimal("0.00012345") and crypto.balances.currency == "BTC"
    types = [p.type for o in r.owners for p in o.phone_numbers]
    assert "pager" in types
    pager = types[types.index("pager")]
    assert type(pager) is str  # unknown value: a plain string, not an error
    assert all(isinstance(t, mk.PhoneNumberType) for t in types if t != "pager")
    assert "future_product" in r.link.available_products
    assert r.raw["accounts"][0]["future_field"] == {"a": 1}  # unknown fields stay in .raw
    assert r.link.tags is not None


def test_large_fixture(client: mk.Client) -> None:
    r = client.get_identity("mk_sandbox_large")
    assert len(r.accounts) == 1000
    assert all(len(a.owners) == 2 for a in r.accounts)
    assert len(r.accounts[0].owners[0].addresses) == 8


def test_account_ids_filter(client: mk.Client, sandbox: Sandbox) -> None:
    only = client.get_identity("mk_sandbox_ok", account_ids=[SAVINGS])
    assert [a.account_id for a in only.accounts] == [SAVINGS]
    target = sandbox.requests()[-1]["target"]
    assert target == f"/links/mk_sandbox_ok/identity?account_ids={SAVINGS}"
    both = client.get_identity("mk_sandbox_ok", account_ids=(x for x in [SAVINGS, CHECKING]))
    assert {a.account_id for a in both.accounts} == {SAVINGS, CHECKING}
    assert sandbox.requests()[-1]["target"].endswith(f"?account_ids={SAVINGS}&account_ids={CHECKING}")
    assert client.get_identity("mk_sandbox_ok", account_ids=["acc_unknown"]).accounts == ()
    assert len(client.get_identity("mk_sandbox_ok", account_ids=[]).accounts) == 2
    # Ids with reserved characters are percent-encoded as query values.
    client.get_identity("mk_sandbox_ok", account_ids=["a&b=c d"])
    assert sandbox.requests()[-1]["target"].endswith("?account_ids=a%26b%3Dc%20d")


def test_refreshed_at_polling(client: mk.Client) -> None:
    first = client.get_identity("mk_sandbox_refreshing")
    second = client.get_identity("mk_sandbox_refreshing")
    assert first.refreshed_at is not None and second.refreshed_at is not None
    assert (second.refreshed_at - first.refreshed_at).total_seconds() == 1
    assert second.is_newer_than(first)
    assert not first.is_newer_than(second)
    assert not second.is_newer_than(second)
    assert second.is_newer_than(first.refreshed_at)  # a stored timestamp works too
    assert second.is_newer_than(None)
    assert not client.get_identity("mk_sandbox_minimal").is_newer_than(first)


# -- auth modes and options ----------------------------------------------------------------


def test_token_auth_fetches_one_token(make_client: Callable[..., mk.Client], sandbox: Sandbox) -> None:
    c = make_client(CLIENT_ID, CLIENT_SECRET)
    before = sandbox.stats()
    for _ in range(3):
        c.get_identity("mk_sandbox_ok")
    after = sandbox.stats()
    assert after["token_requests"] - before["token_requests"] == 1
    assert after["identity_requests"] - before["identity_requests"] == 3
    assert sandbox.requests()[-1]["authorization"] is True


def test_header_auth(make_client: Callable[..., mk.Client], sandbox: Sandbox) -> None:
    before = sandbox.stats()["token_requests"]
    make_client(CLIENT_ID, CLIENT_SECRET, auth="headers").get_identity("mk_sandbox_ok")
    assert sandbox.stats()["token_requests"] == before
    req = sandbox.requests()[-1]
    assert req["x_client_id"] == CLIENT_ID and req["x_client_secret"] is True


def test_access_token_makes_no_token_request(
    make_client: Callable[..., mk.Client], sandbox: Sandbox
) -> None:
    before = sandbox.stats()["token_requests"]
    make_client().get_identity("mk_sandbox_ok")
    assert sandbox.stats()["token_requests"] == before


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    # None for credentials and base_url: MONEYKIT_CLIENT_ID / _SECRET / MONEYKIT_BASE_URL.
    monkeypatch.setenv("MONEYKIT_BASE_URL", sandbox.url)
    monkeypatch.setenv("MONEYKIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
    with mk.Client(max_retries=0) as c:
        assert len(c.get_identity("mk_sandbox_ok").accounts) == 2


def test_headers_sent(make_client: Callable[..., mk.Client], sandbox: Sandbox) -> None:
    make_client(user_agent="my-app/1.2").get_identity("mk_sandbox_ok")
    req = sandbox.requests()[-1]
    assert req["user_agent"] == f"moneykit-native/{mk.library_version()} my-app/1.2"
    assert req["moneykit_version"] == "2023-02-18"
    assert req["accept"] == "application/json"


def test_options_json_mapping() -> None:
    assert json.loads(mk.options_json()) == {}
    got = json.loads(mk.options_json(
        base_url="http://127.0.0.1:1", access_token="t", auth="headers",
        moneykit_version="2023-02-18", timeout=1.5, connect_timeout=0.25, max_retries=0,
        retry_base=0.01, max_retry_after=2, max_response_bytes=1000, user_agent="ua",
        proxy="http://127.0.0.1:3128", ca_file=Path("/tmp/ca.pem"), log_level="warn",
    ))
    assert got == {
        "base_url": "http://127.0.0.1:1", "access_token": "t", "auth": "headers",
        "moneykit_version": "2023-02-18", "timeout_ms": 1500, "connect_timeout_ms": 250,
        "max_retries": 0, "retry_base_ms": 10, "max_retry_after_ms": 2000,
        "max_response_bytes": 1000, "user_agent": "ua", "proxy": "http://127.0.0.1:3128",
        "ca_file": "/tmp/ca.pem", "log_level": "warn",
    }
    assert json.loads(mk.options_json(timeout=0.0001, retry_base=0)) == {"timeout_ms": 1, "retry_base_ms": 0}


def test_tls_with_ca_file(tmp_path: Path) -> None:
    from conftest import TOKEN, Sandbox as SB

    ca = tmp_path / "ca.pem"
    tls = SB("--tls", "--ca-out", str(ca))
    try:
        assert tls.url.startswith("https://")
        with mk.Client(access_token=TOKEN, base_url=tls.url, ca_file=ca, max_retries=0) as c:
            assert len(c.get_identity("mk_sandbox_ok").accounts) == 2
        with mk.Client(access_token=TOKEN, base_url=tls.url, max_retries=0) as c:
            with pytest.raises(mk.TransportError):  # the sandbox CA is not trusted by default
                c.get_identity("mk_sandbox_ok")
    finally:
        tls.stop()


@pytest.mark.parametrize(
    "link_id",
    ["mk_sandbox_ok", "mk_sandbox_unicode", "mk_sandbox_minimal", "mk_sandbox_extra_fields",
     "mk_sandbox_refreshing", "mk_sandbox_large"],
)
def test_every_fixture_decodes_alike_on_both_paths(client: mk.Client, link_id: str) -> None:
    text = client.get_identity_json(link_id)
    r = decode_both_ways(text)
    again = client.get_identity(link_id)
    if link_id != "mk_sandbox_refreshing":
        assert r == again  # a fixed body: the same result on the typed path
        return
    # mk_sandbox_refreshing moves refreshed_at and last_attempted_at on by 1 s with each
    # request (sandbox/README.md), and changes nothing else: JSON path, then typed twice.
    third = client.get_identity(link_id)
    one_second = timedelta(seconds=1)
    for earlier, later in ((r, again), (again, third)):
        p0, p1 = earlier.link.products["identity"], later.link.products["identity"]
        assert p0.refreshed_at is not None and p1.refreshed_at is not None
        assert p0.last_attempted_at is not None and p1.last_attempted_at is not None
        assert (p1.refreshed_at - p0.refreshed_at, p1.last_attempted_at - p0.last_attempted_at) == (
            one_second, one_second)
        assert later.refreshed_at == p1.refreshed_at and later.is_newer_than(earlier)
    second = again.link.products["identity"]
    data = json.loads(text, parse_float=Decimal)
    stamps = data["link"]["products"]["identity"]
    stamps["refreshed_at"] = second.raw["refreshed_at"]
    stamps["last_attempted_at"] = second.raw["last_attempted_at"]
    assert mk.IdentityResponse.from_dict(data) == again
