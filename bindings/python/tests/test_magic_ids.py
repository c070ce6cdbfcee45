"""Every sandbox magic link id gives the status the schema says, through the public client.

The cases come from `schema/moneykit.json` at test time (`magic_ids`), by the rule of
gen/src/schema.rs `MagicId::check()`: an entry's `check`, else the id itself when its
`status` is one status name and its kind is neither `prefix` nor `default`. `{tag}` becomes a
fresh tag; the client's options are `check_options` plus the check's `options` (a `*_ms` key
is the keyword without the suffix, in seconds). A new id in the schema is a new case here.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Dict, List, Optional

import pytest

import moneykit_native as mk
from conftest import CLIENT_ID, CLIENT_SECRET, REPO, Sandbox

SCHEMA = json.loads((REPO / "schema" / "moneykit.json").read_text(encoding="utf-8"))
_SINGLE = re.compile(r"MK_[A-Z_]+")


def check_of(entry: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The call to make for one `magic_ids.ids` entry (None: its status depends on input)."""
    if entry.get("check") is not None:
        return dict(entry["check"])
    if _SINGLE.fullmatch(entry["status"]) and entry["kind"] not in ("prefix", "default"):
        return {"id": entry["id"], "status": entry["status"]}
    return None


def python_options(options: Dict[str, Any]) -> Dict[str, Any]:
    """The options JSON's keys as `Client` keywords (`timeout_ms: 300` -> `timeout=0.3`)."""
    return {
        (k[:-3] if k.endswith("_ms") else k): (v / 1000.0 if k.endswith("_ms") else v)
        for k, v in options.items()
    }


def cases() -> List[Any]:
    out = []
    for entry in SCHEMA["magic_ids"]["ids"]:
        check = check_of(entry)
        if check is not None:
            out.append(pytest.param(entry, check, id=entry["id"]))
    return out


def test_every_id_with_one_status_has_a_case() -> None:
    """The rule above leaves out only ids whose status depends on the input."""
    left_out = [e["id"] for e in SCHEMA["magic_ids"]["ids"] if check_of(e) is None]
    assert left_out == [
        e["id"] for e in SCHEMA["magic_ids"]["ids"]
        if not _SINGLE.fullmatch(e["status"]) and not e.get("check")
    ]
    assert len(cases()) >= 40


@pytest.mark.parametrize("entry, check", cases())
def test_magic_id(entry: Dict[str, Any], check: Dict[str, Any], sandbox: Sandbox) -> None:
    link_id = check["id"].replace("{tag}", uuid.uuid4().hex[:12])
    options = {**SCHEMA["magic_ids"]["check_options"], **check.get("options", {})}
    want = check["status"]
    # Client credentials (`auth`'s default, token requests): an expired token is fetched again.
    kw = python_options(options)
    with mk.Client(CLIENT_ID, CLIENT_SECRET, base_url=sandbox.url, **kw) as client:
        if want == "MK_OK":
            identity = client.get_identity(link_id)
            assert isinstance(identity, mk.IdentityResponse)
            return
        with pytest.raises(mk.MoneyKitError) as info:
            client.get_identity(link_id)
    err = info.value
    assert err.status.c_name == want, f"{link_id}: {err!r}"
    assert err.name == want
    assert type(err) is mk.error_class(err.status)
