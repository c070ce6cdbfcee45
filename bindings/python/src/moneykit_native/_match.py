"""Owner match (`mk_match_owners`): does this account belong to the person who claims it?"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Union

from . import _native
from ._error_json import error_from_json, invalid_argument
from ._models import Address, IdentityResponse
from ._records_gen import (
    AccountMatch,
    AddressScore,
    Claim,
    ClaimAddress,
    FieldScore,
    NameScore,
    OwnerMatch,
)
from ._status import Status

#: A field score at least this high means the same value written differently.
MATCH_SCORE = 80
#: A field score below this means a different value (50-79: a partial match).
DIFFERENT_BELOW = 50

#: The names these classes had before they came from the schema (kept as aliases).
NameMatch = NameScore
FieldMatch = FieldScore
AddressMatch = AddressScore

#: A claim: a `Claim`, or a dict in the same (JSON) format.
ClaimLike = Union[Claim, Mapping[str, Any]]
#: A claimed address: a `ClaimAddress`, a dict with its keys, or an `Address` of a response.
ClaimAddressLike = Union[ClaimAddress, Address, Mapping[str, Optional[str]]]

_ADDRESS_KEYS = tuple(f.name for f in fields(ClaimAddress))


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


def _address(value: Any) -> Any:
    if isinstance(value, ClaimAddress):
        return value.to_dict()
    if isinstance(value, Address):
        return {k: getattr(value, k) for k in _ADDRESS_KEYS}
    return value


def claim_json(claim: Optional[ClaimLike], given: Mapping[str, Any]) -> bytes:
    """The claim JSON: `claim` (a `Claim` or a dict in its format) and the keywords `given`
    (a `Claim` field -> value; None: not given), which win. The library checks the result
    (unknown keys, wrong types, nothing given...)."""
    out: Dict[str, Any] = {}
    if isinstance(claim, Claim):
        out.update(claim.to_dict())
    elif claim is not None:
        if not isinstance(claim, Mapping):
            raise TypeError(f"claim must be a Claim or a dict, not {type(claim).__name__}")
        out.update(claim)
    out.update((k, v) for k, v in given.items() if v is not None)
    if "address" in out:
        out["address"] = _address(out["address"])
    try:
        text = json.dumps(out, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"the claim is not JSON data: {e}") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_argument("the claim is not valid Unicode (lone surrogate)") from None


def match_claim(identity: Union[IdentityResponse, str, bytes], claim: bytes) -> OwnerMatch:
    """`mk_match_owners` on a response and a claim JSON (`claim_json`); `match_owners`
    (generated, `_surface_gen`) is the public form."""
    ident = identity_json(identity)
    rc, body, error = _native.match_owners(ident, claim)
    if rc != 0 or body is None:
        raise error_from_json(rc if rc != 0 else Status.INTERNAL, error)
    return OwnerMatch.from_json(body)


__all__ = [
    "AccountMatch",
    "AddressMatch",
    "AddressScore",
    "Claim",
    "ClaimAddress",
    "ClaimAddressLike",
    "ClaimLike",
    "DIFFERENT_BELOW",
    "FieldMatch",
    "FieldScore",
    "MATCH_SCORE",
    "NameMatch",
    "NameScore",
    "OwnerMatch",
    "claim_json",
    "match_claim",
]
