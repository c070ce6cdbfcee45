"""The keywords of `Client`, `AsyncClient`, the batch and refresh calls and `match_owners` are
the schema's options and claim fields (read from `schema/moneykit.json` at test time), each
defaulting to None with the library's default in the docstring; a client built without them
gets the library's defaults (seen on the wire and in its retries)."""

from __future__ import annotations

import dataclasses
import inspect
import json
import random
from typing import Any, Callable, Dict, List

import pytest

import moneykit_native as mk
from conftest import CLIENT_ID, CLIENT_SECRET, REPO, TOKEN, Sandbox

SCHEMA = json.loads((REPO / "schema" / "moneykit.json").read_text(encoding="utf-8"))


def keyword(option: Dict[str, Any]) -> str:
    """The Python keyword of an option: a `*_ms` int is in seconds, without the suffix."""
    key: str = option["key"]
    return key[:-3] if option["type"] == "int" and key.endswith("_ms") else key


def default_text(option: Dict[str, Any]) -> str:
    """What the docstring must say the default is, from the schema alone."""
    if option.get("default_doc"):
        return str(option["default_doc"])
    d = option["default"]
    if d is None:
        return "none"
    if keyword(option) != option["key"]:
        return f"{d / 1000:g}"  # ms as seconds: 30000 -> 30, 500 -> 0.5
    return json.dumps(d, ensure_ascii=False)


def keywords_of(fn: Callable[..., Any], skip: tuple = ()) -> Dict[str, Any]:
    """A function's keyword-only parameters (name -> default), in order."""
    return {
        p.name: p.default
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in skip
    }


def docstring_entry(fn: Callable[..., Any], name: str) -> str:
    """The `- \\`name\\` (...): ...` entry of a docstring's option list, on one line."""
    doc = " ".join((fn.__doc__ or "").split())
    start = doc.find(f"- `{name}` (")
    assert start >= 0, f"{fn.__qualname__}: no docstring entry for {name}"
    end = doc.find(" - `", start + 1)
    return doc[start:] if end < 0 else doc[start:end]


GROUPS = {
    "options": [mk.Client.__init__, mk.AsyncClient.__init__, mk.options_json],
    "batch_options": [mk.Client.get_identities],
    "refresh_options": [
        mk.Client.refresh_identity, mk.Client.wait_identity_newer,
        mk.AsyncClient.refresh_identity, mk.AsyncClient.wait_identity_newer,
    ],
}
# Keywords of those calls that are not options (each call's own).
OWN = ("executor", "wait", "cancel")


@pytest.mark.parametrize(
    "group, fn",
    [pytest.param(g, fn, id=f"{g}-{fn.__qualname__}") for g, fns in GROUPS.items() for fn in fns],
)
def test_keywords_are_the_schema_options(group: str, fn: Callable[..., Any]) -> None:
    options = SCHEMA[group]
    kws = keywords_of(fn, OWN)
    assert list(kws) == [keyword(o) for o in options]
    assert all(v is None for v in kws.values()), kws  # None: the library's default applies
    for o in options:
        entry = docstring_entry(fn, keyword(o))
        assert f"; default {default_text(o)}): " in entry, entry
        if keyword(o) != o["key"]:
            assert f"`{o['key']}`" in entry  # the library's key is named


def test_the_options_json_leaves_every_default_to_the_library() -> None:
    assert mk.options_json() == "{}"
    for o in SCHEMA["options"]:
        assert json.loads(mk.options_json(**{keyword(o): None})) == {}


@pytest.mark.parametrize("fn", [mk.match_owners, mk.Client.match_owners, mk.AsyncClient.match_owners])
def test_claim_keywords_are_the_claim_fields(fn: Callable[..., Any]) -> None:
    fields = [f["name"] for f in SCHEMA["records"]["Claim"]["fields"]]
    kws = keywords_of(fn, ("timeout", "cancel"))
    assert list(kws) == fields and all(v is None for v in kws.values())
    assert [f.name for f in dataclasses.fields(mk.Claim)] == fields
    assert [f.name for f in dataclasses.fields(mk.ClaimAddress)] == [
        f["name"] for f in SCHEMA["records"]["ClaimAddress"]["fields"]
    ]


@pytest.mark.parametrize("record, cls", [
    ("OwnerMatch", mk.OwnerMatch), ("AccountMatch", mk.AccountMatch),
    ("NameScore", mk.NameScore), ("FieldScore", mk.FieldScore),
    ("AddressScore", mk.AddressScore), ("BatchProgress", mk.BatchProgress),
])
def test_records_have_the_schema_fields(record: str, cls: Any) -> None:
    assert cls.__name__ == record
    assert [f.name for f in dataclasses.fields(cls)] == [
        f["name"] for f in SCHEMA["records"][record]["fields"]
    ]


def test_the_old_match_names_are_aliases() -> None:
    assert mk.NameMatch is mk.NameScore
    assert mk.FieldMatch is mk.FieldScore
    assert mk.AddressMatch is mk.AddressScore


def test_claim_objects_and_keywords_agree(sandbox: Sandbox) -> None:
    body = sandbox.fetch("/links/mk_sandbox_ok/identity").decode("utf-8")
    address = {"street": "77 Beacon Street", "city": "Boston", "region": "Massachusetts",
               "postal_code": "02116-4501", "country": "USA"}
    by_keywords = mk.match_owners(body, name="Peggy OBrien", address=address)
    claim = mk.Claim(name="Peggy OBrien", address=mk.ClaimAddress(**address))
    assert mk.match_owners(body, claim) == by_keywords
    assert mk.match_owners(body, claim.to_dict()) == by_keywords
    # Keywords win over the claim's fields.
    assert mk.match_owners(body, mk.Claim(name="Nobody Else"), name="Peggy OBrien",
                           address=address) == by_keywords
    assert by_keywords.best is not None and by_keywords.best.address is not None
    assert by_keywords.best.address.postal_code_match


def _requests_for(sandbox: Sandbox, link_id: str) -> List[Dict[str, Any]]:
    return [r for r in sandbox.requests() if r["target"] == f"/links/{link_id}/identity"]


def _default(group: str, key: str) -> Any:
    return next(o["default"] for o in SCHEMA[group] if o["key"] == key)


def test_a_client_without_options_sends_the_library_defaults(sandbox: Sandbox) -> None:
    link_id = f"mk_sandbox_bulk_{random.randrange(10**6, 10**7)}"
    with mk.Client(CLIENT_ID, CLIENT_SECRET, base_url=sandbox.url) as client:
        client.get_identity(link_id)
    (req,) = _requests_for(sandbox, link_id)
    assert req["moneykit_version"] == _default("options", "moneykit_version")
    assert req["user_agent"] == f"moneykit-native/{mk.library_version()}"  # no user_agent
    # auth "token": a bearer token from POST /auth/token, not the X-Client-* headers.
    assert _default("options", "auth") == "token"
    assert req["authorization"] is True and not req["x_client_id"]


def test_a_client_without_options_retries_as_the_library_default(sandbox: Sandbox) -> None:
    retries = _default("options", "max_retries")
    assert isinstance(retries, int) and retries > 0
    with mk.Client(access_token=TOKEN, base_url=sandbox.url) as client:
        with pytest.raises(mk.ServerError) as info:
            client.get_identity("mk_fault_500")
    assert info.value.attempts == 1 + retries
