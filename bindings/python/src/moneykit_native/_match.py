"""Owner match (`mk_match_owners`): does this account belong to the person who claims it?"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _native
from ._error_json import error_from_json, invalid_argument
from ._models import Address, IdentityResponse
from ._status import Status

#: A field score at least this high means the same value written differently.
MATCH_SCORE = 80
#: A field score below this means a different value (50-79: a partial match).
DIFFERENT_BELOW = 50

#: The address parts a claim may give (`mk_match_owners`'s claim format).
ADDRESS_KEYS = ("street", "city", "region", "postal_code", "country")

ClaimAddress = Union[Mapping[str, Optional[str]], Address]


@dataclass(frozen=True)
class NameMatch:
    """The name's score and why it is partial: `nickname` (Bob / Robert),
    `first_or_last_only` (one side gives only a first or last name), `business` (compared
    as business names: Inc, LLC, Ltd...)."""

    score: int
    nickname: bool
    first_or_last_only: bool
    business: bool


@dataclass(frozen=True)
class FieldMatch:
    """An email's or a phone number's score."""

    score: int


@dataclass(frozen=True)
class AddressMatch:
    """The address's score; `postal_code_match` when both have a postal code and they
    agree (ZIP vs ZIP+4 agree)."""

    score: int
    postal_code_match: bool


@dataclass(frozen=True)
class AccountMatch:
    """One account, for its owner who matches the claim best (`owner_index` in the
    account's `owners`; None for an account without owners, whose `score` is 0).

    A field is None when the claim or that owner has no usable value for it. `score`
    is the weighted mean of the present fields (name 40, email 20, phone 20, address 20,
    rounded half up). Field scores are 0-100: at least 80 the same value written
    differently, below 50 a different value, 50-79 a partial match.
    """

    account_id: str
    owner_index: Optional[int]
    score: int
    name: Optional[NameMatch]
    email: Optional[FieldMatch]
    phone: Optional[FieldMatch]
    address: Optional[AddressMatch]


@dataclass(frozen=True)
class OwnerMatch:
    """The result: one `AccountMatch` per account, in response order, and `best`, the
    entry with the highest `score` (the first on ties) among accounts with owners,
    None when no account has owners. Scores and flags only: never an owner's value."""

    best: Optional[AccountMatch]
    accounts: Tuple[AccountMatch, ...]

    @classmethod
    def from_json(cls, text: str) -> OwnerMatch:
        """Maps `mk_match_owners`'s result JSON."""
        d = json.loads(text)
        best = d["best"]
        return cls(
            best=_account(best) if best is not None else None,
            accounts=tuple(_account(a) for a in d["accounts"]),
        )


def _account(d: Mapping[str, Any]) -> AccountMatch:
    name, email, phone, address = d["name"], d["email"], d["phone"], d["address"]
    return AccountMatch(
        account_id=d["account_id"],
        owner_index=d["owner_index"],
        score=d["score"],
        name=None if name is None else NameMatch(
            name["score"], name["nickname"], name["first_or_last_only"], name["business"]
        ),
        email=None if email is None else FieldMatch(email["score"]),
        phone=None if phone is None else FieldMatch(phone["score"]),
        address=None if address is None else AddressMatch(
            address["score"], address["postal_code_match"]
        ),
    )


def _decimal_as_number(value: object) -> float:
    if isinstance(value, Decimal):
        # Only the owners are compared; amounts just have to stay (finite) JSON numbers.
        f = float(value)
        return f if math.isfinite(f) else 0.0
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def identity_json(identity: Union[IdentityResponse, str, bytes]) -> bytes:
    """A Get Identity body for `mk_match_owners`: the text given, or a response's `raw`."""
    if isinstance(identity, IdentityResponse):
        text = json.dumps(identity.raw, default=_decimal_as_number, ensure_ascii=False)
        return text.encode("utf-8")
    if isinstance(identity, bytes):
        if b"\0" in identity:
            raise invalid_argument("identity contains a NUL character")
        return identity
    if isinstance(identity, str):
        if "\0" in identity:
            raise invalid_argument("identity contains a NUL character")
        try:
            return identity.encode("utf-8")
        except UnicodeEncodeError:
            raise invalid_argument("identity is not valid Unicode (lone surrogate)") from None
    raise TypeError(
        "identity must be an IdentityResponse or the JSON text (str or bytes), "
        f"not {type(identity).__name__}"
    )


def claim_json(
    claim: Optional[Mapping[str, Any]],
    name: Optional[str],
    email: Optional[str],
    phone: Optional[str],
    address: Optional[ClaimAddress],
) -> bytes:
    """The claim JSON: `claim` (a dict in the C format) and the keyword arguments, which
    win. The library checks it (unknown keys, wrong types, nothing given...)."""
    out: Dict[str, Any] = {}
    if claim is not None:
        if not isinstance(claim, Mapping):
            raise TypeError(f"claim must be a dict, not {type(claim).__name__}")
        out.update(claim)
    for key, value in (("name", name), ("email", email), ("phone", phone)):
        if value is not None:
            out[key] = value
    if address is not None:
        out["address"] = address
    if isinstance(out.get("address"), Address):
        a = out["address"]
        out["address"] = {k: getattr(a, k) for k in ADDRESS_KEYS}
    try:
        text = json.dumps(out, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"the claim is not JSON data: {e}") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_argument("the claim is not valid Unicode (lone surrogate)") from None


def match_owners(
    identity: Union[IdentityResponse, str, bytes],
    claim: Optional[Mapping[str, Any]] = None,
    *,
    name: Optional[str] = None,
    email: Optional[str] = None,
    phone: Optional[str] = None,
    address: Optional[ClaimAddress] = None,
) -> OwnerMatch:
    """Compares a claim with the owners of a Get Identity response, offline (no request,
    nothing logged): does this account belong to the person in front of me?

    `identity`: an `IdentityResponse` or the body's JSON text. The claim: `name`,
    `email`, `phone` and `address` (a dict with `street`, `city`, `region`,
    `postal_code`, `country`, or an `Address`), as keyword arguments or as one dict
    `claim` in the same format (keyword arguments win); at least one is required.

        m = mk.match_owners(identity, name="Peggy OBrien", phone="(617) 555-1212")
        if m.best and m.best.name and m.best.name.score >= 80: ...

    Raises `InvalidArgumentError` for a bad claim (unknown key, nothing given, a value
    over 1024 bytes, a name without letters, a phone without 7 digits) and
    `DecodeError` for a body the validator refuses; messages never hold a value.
    """
    ident = identity_json(identity)
    cl = claim_json(claim, name, email, phone, address)
    rc, body, error = _native.match_owners(ident, cl)
    if rc != 0 or body is None:
        raise error_from_json(rc if rc != 0 else Status.INTERNAL, error)
    return OwnerMatch.from_json(body)


__all__ = [
    "AccountMatch",
    "AddressMatch",
    "DIFFERENT_BELOW",
    "FieldMatch",
    "MATCH_SCORE",
    "NameMatch",
    "OwnerMatch",
    "match_owners",
]
