"""Typed, frozen results mirroring MoneyKit's Get Identity response (moneykit-api.md).

Money is `decimal.Decimal` (the JSON is parsed with `parse_float=Decimal`, so no
amount ever passes through a binary float); timestamps are timezone-aware
`datetime`s (a timestamp without an offset is read as UTC). Values of the open enums
(phone number type, link state, provider, error codes) are members of the enums
below when known and plain `str` otherwise; both compare equal to the string.
Unknown fields are ignored; every object keeps the dict it was built from in `.raw`.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)

from ._errors import DecodeError
from ._status import Status

__all__ = [
    "AccountIdentity",
    "Address",
    "Balances",
    "Email",
    "IdentityResponse",
    "Link",
    "LinkErrorCode",
    "LinkProduct",
    "LinkState",
    "Owner",
    "PhoneNumber",
    "PhoneNumberType",
    "ProductErrorCode",
    "Provider",
    "parse_datetime",
]


class _StrEnum(str, enum.Enum):
    """A str-valued enum whose str() is its value (like Python 3.11's StrEnum)."""

    def __str__(self) -> str:
        return str(self.value)


class PhoneNumberType(_StrEnum):
    HOME = "home"
    WORK = "work"
    MOBILE = "mobile"
    OTHER = "other"


class LinkState(_StrEnum):
    CONNECTING = "connecting"
    AWAITING_TOKEN_EXCHANGE = "awaiting_token_exchange"
    CONNECTED = "connected"
    DELETED = "deleted"
    ERROR = "error"


class LinkErrorCode(_StrEnum):
    SYSTEM_ERROR = "system_error"
    PROVIDER_ERROR = "provider_error"
    INSTITUTION_ERROR = "institution_error"
    USER_ERROR = "user_error"
    AUTH_EXPIRED = "auth_expired"
    NO_ACCOUNTS = "no_accounts"
    USER_SETUP_REQUIRED = "user_setup_required"
    INVALID_CREDENTIALS = "invalid_credentials"
    USER_OAUTH_DENIED = "user_oauth_denied"
    USER_INPUT_INCORRECT = "user_input_incorrect"
    INCOMPLETE = "incomplete"


class Provider(_StrEnum):
    MONEYKIT = "moneykit"
    FINICITY = "finicity"
    PLAID = "plaid"
    YODLEE = "yodlee"
    MX = "mx"
    AKOYA = "akoya"


class ProductErrorCode(_StrEnum):
    RATE_LIMIT = "rate_limit"
    AUTH_EXPIRED = "auth_expired"
    NOT_SUPPORTED = "not_supported"
    TIMEOUT = "timeout"
    UNKNOWN = "unknown"
    NO_ACCOUNTS = "no_accounts"
    INSTITUTION_ERROR = "institution_error"
    NO_PERMISSION = "no_permission"


# --------------------------------------------------------------------------- parsing

_E = TypeVar("_E", bound=_StrEnum)
_T = TypeVar("_T")

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)


_fromisoformat = datetime.fromisoformat


def parse_datetime(text: str) -> datetime:
    """An ISO-8601 / RFC 3339 timestamp as an aware `datetime`.

    Accepts `Z` and `±HH:MM` / `±HHMM` / `±HH` offsets, any number of fractional
    digits (cut to microseconds) and a bare date; no offset means UTC.
    Raises `ValueError` for anything else.
    """
    text = text.strip()
    m = _DATETIME.fullmatch(text)
    if m is None:
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    try:
        # The regex decides what is accepted; the C parser builds the value ten times
        # faster than the code below, which stays for what it refuses (e.g. "Z" before
        # Python 3.11).
        dt = _fromisoformat(text)
    except ValueError:
        pass
    else:
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)
    year, month, day, hh, mm, ss, frac, off = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    if off and off not in ("Z", "z"):
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or "0"))
        tz = timezone(sign * delta)
    return datetime(
        int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro, tzinfo=tz
    )


#: Where a value sits in the document, built cheaply and formatted only for errors:
#: a str (the root's name) or (parent, key-or-index).
_Path = Union[str, Tuple[Any, Union[str, int]]]


def _fmt(path: _Path) -> str:
    parts: List[str] = []
    while isinstance(path, tuple):
        path, part = path
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return path + "".join(reversed(parts))


class _Reader:
    """Typed access to one JSON object, naming the path in every error.

    The checks are written for speed (a response holds dozens of objects): exact type
    tests, since json.loads makes no subclasses, and no string building until an error.
    """

    __slots__ = ("d", "path")

    def __init__(self, d: Any, path: _Path) -> None:
        if type(d) is not dict:
            raise _decode(f"{_fmt(path)}: expected an object, got {_kind(d)}")
        self.d: Dict[str, Any] = d
        self.path = path

    def _bad(self, key: str, v: Any, what: str) -> DecodeError:
        if key not in self.d:
            return _decode(f"{_fmt(self.path)}.{key}: required field missing")
        if v is None:
            return _decode(f"{_fmt(self.path)}.{key}: required field is null")
        return _decode(f"{_fmt(self.path)}.{key}: expected {what}, got {_kind(v)}")

    def req(self, key: str) -> Any:
        v = self.d.get(key)
        if v is None:
            raise self._bad(key, v, "a value")
        return v

    def req_str(self, key: str) -> str:
        v = self.d.get(key)
        if type(v) is str:
            return v
        raise self._bad(key, v, "a string")

    def opt_str(self, key: str) -> Optional[str]:
        v = self.d.get(key)
        if v is None or type(v) is str:
            return v
        raise self._bad(key, v, "a string")

    def opt_bool(self, key: str) -> Optional[bool]:
        v = self.d.get(key)
        if v is None or type(v) is bool:
            return v
        raise self._bad(key, v, "a boolean")

    def opt_decimal(self, key: str) -> Optional[Decimal]:
        v = self.d.get(key)
        t = type(v)
        if v is None or t is Decimal:
            return v
        if t is int:
            return Decimal(v)
        if t is float:
            # Only when built from data parsed without parse_float=Decimal: take the
            # float's shortest repr ("0.1"), not its binary value.
            return Decimal(repr(v))
        raise self._bad(key, v, "a number")

    def opt_datetime(self, key: str) -> Optional[datetime]:
        v = self.d.get(key)
        if v is None:
            return None
        if type(v) is not str:
            raise self._bad(key, v, "an ISO-8601 date-time string")
        try:
            return parse_datetime(v)
        except ValueError:
            raise _decode(f"{_fmt(self.path)}.{key}: not an ISO-8601 date-time: {v!r}") from None

    def opt_enum(
        self, key: str, enum_type: Type[_E], required: bool = False
    ) -> Union[_E, str, None]:
        v = self.d.get(key)
        if type(v) is not str:
            if v is None and not required:
                return None
            raise self._bad(key, v, "a string")
        try:
            return enum_type(v)
        except ValueError:
            return v

    def opt_list(
        self, key: str, build: Callable[[Any, _Path], _T], required: bool = False
    ) -> Optional[Tuple[_T, ...]]:
        v = self.d.get(key)
        if type(v) is not list:
            if v is None and not required:
                return None
            raise self._bad(key, v, "an array")
        here = (self.path, key)
        return tuple([build(item, (here, i)) for i, item in enumerate(v)])

    def req_list(self, key: str, build: Callable[[Any, _Path], _T]) -> Tuple[_T, ...]:
        v = self.opt_list(key, build, True)
        assert v is not None
        return v

    def opt_object(self, key: str) -> Optional[Mapping[str, Any]]:
        v = self.d.get(key)
        if v is None:
            return None
        if type(v) is not dict:
            raise self._bad(key, v, "an object")
        return ReadOnlyMap(v)


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float, Decimal)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _decode(message: str) -> DecodeError:
    return DecodeError(f"identity response: {message}", status=Status.DECODE)


def _string(v: Any, path: _Path) -> str:
    if type(v) is not str:
        raise _decode(f"{_fmt(path)}: expected a string, got {_kind(v)}")
    return v


_K = TypeVar("_K")
_V = TypeVar("_V")


class ReadOnlyMap(Mapping[_K, _V]):
    """A read-only dict (`Link.products`, `LinkProduct.settings`) that, unlike
    `types.MappingProxyType`, pickles and deep-copies."""

    __slots__ = ("_d",)

    def __init__(self, data: Optional[Mapping[_K, _V]] = None) -> None:
        self._d: Dict[_K, _V] = dict(data) if data is not None else {}

    def __getitem__(self, key: _K) -> _V:
        return self._d[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        return repr(self._d)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self._d,))


def _raw() -> Any:
    return field(default_factory=dict, repr=False, compare=False, hash=False)


# --------------------------------------------------------------------------- models

_new_object = object.__new__
_set_attribute = object.__setattr__
#: The models below; `_make` takes its shortcut for these only, so a subclass with its
#: own `__init__` or `__post_init__` still gets it called.
_MODELS: "set[type]" = set()


def _installed(cls: Type[_T], fields: Dict[str, Any]) -> _T:
    """`cls(**fields)` for a frozen dataclass, three times faster: installs `fields`
    (which must name every field) as the instance's `__dict__` instead of calling the
    generated `__init__`, which sets each field through `object.__setattr__`."""
    obj = _new_object(cls)
    _set_attribute(obj, "__dict__", fields)
    return obj


def _make(cls: Type[_T], fields: Dict[str, Any]) -> _T:
    """`cls(**fields)`, through `_installed` for the models themselves."""
    if cls not in _MODELS:
        return cls(**fields)
    return _installed(cls, fields)


@dataclass(frozen=True)
class Balances:
    """`AccountBalances`: amounts are exact `Decimal`s."""

    currency: Optional[str] = None
    available: Optional[Decimal] = None
    current: Optional[Decimal] = None
    limit: Optional[Decimal] = None
    balance_date: Optional[datetime] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "balances") -> Balances:
        if cls is Balances:
            try:
                return _fast_balances(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> Balances:
        r = _Reader(d, path)
        return _make(cls, {
            "currency": r.opt_str("currency"),
            "available": r.opt_decimal("available"),
            "current": r.opt_decimal("current"),
            "limit": r.opt_decimal("limit"),
            "balance_date": r.opt_datetime("balance_date"),
            "raw": r.d,
        })


@dataclass(frozen=True)
class Address:
    city: Optional[str] = None
    country: Optional[str] = None
    postal_code: Optional[str] = None
    region: Optional[str] = None
    street: Optional[str] = None
    primary: Optional[bool] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "address") -> Address:
        if cls is Address:
            try:
                return _fast_address(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> Address:
        r = _Reader(d, path)
        return _make(cls, {
            "city": r.opt_str("city"),
            "country": r.opt_str("country"),
            "postal_code": r.opt_str("postal_code"),
            "region": r.opt_str("region"),
            "street": r.opt_str("street"),
            "primary": r.opt_bool("primary"),
            "raw": r.d,
        })


@dataclass(frozen=True)
class PhoneNumber:
    number: str
    #: A `PhoneNumberType` when known, else the server's string.
    type: Union[PhoneNumberType, str]
    primary: Optional[bool] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "phone_number") -> PhoneNumber:
        if cls is PhoneNumber:
            try:
                return _fast_phone_number(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> PhoneNumber:
        r = _Reader(d, path)
        typ = r.opt_enum("type", PhoneNumberType, required=True)
        assert typ is not None
        return _make(
            cls,
            {
                "number": r.req_str("number"),
                "type": typ,
                "primary": r.opt_bool("primary"),
                "raw": r.d,
            },
        )


@dataclass(frozen=True)
class Email:
    address: str
    primary: Optional[bool] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "email") -> Email:
        if cls is Email:
            try:
                return _fast_email(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> Email:
        r = _Reader(d, path)
        return _make(
            cls, {"address": r.req_str("address"), "primary": r.opt_bool("primary"), "raw": r.d}
        )


@dataclass(frozen=True)
class Owner:
    """One owner of an account; any of the lists may be empty."""

    names: Tuple[str, ...] = ()
    addresses: Tuple[Address, ...] = ()
    phone_numbers: Tuple[PhoneNumber, ...] = ()
    emails: Tuple[Email, ...] = ()
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "owner") -> Owner:
        if cls is Owner:
            try:
                return _fast_owner(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> Owner:
        r = _Reader(d, path)
        return _make(cls, {
            "names": r.req_list("names", _string),
            "addresses": r.req_list("addresses", Address._from_dict_checked),
            "phone_numbers": r.req_list("phone_numbers", PhoneNumber._from_dict_checked),
            "emails": r.req_list("emails", Email._from_dict_checked),
            "raw": r.d,
        })


@dataclass(frozen=True)
class AccountIdentity:
    """An account and its owners."""

    account_id: str
    #: e.g. "depository.checking"; an open set, kept as the server's string.
    account_type: str
    name: str
    balances: Balances
    owners: Tuple[Owner, ...] = ()
    nickname: Optional[str] = None
    account_mask: Optional[str] = None
    original_id: Optional[str] = None
    closed: Optional[bool] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "account") -> AccountIdentity:
        if cls is AccountIdentity:
            try:
                return _fast_account_identity(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> AccountIdentity:
        r = _Reader(d, path)
        return _make(cls, {
            "account_id": r.req_str("account_id"),
            "account_type": r.req_str("account_type"),
            "name": r.req_str("name"),
            "balances": Balances._from_dict_checked(r.req("balances"), (path, "balances")),
            "owners": r.req_list("owners", Owner._from_dict_checked),
            "nickname": r.opt_str("nickname"),
            "account_mask": r.opt_str("account_mask"),
            "original_id": r.opt_str("original_id"),
            "closed": r.opt_bool("closed"),
            "raw": r.d,
        })


@dataclass(frozen=True)
class LinkProduct:
    """The state of one product of a link (`link.products[name]`)."""

    refreshed_at: Optional[datetime] = None
    last_attempted_at: Optional[datetime] = None
    error_code: Union[ProductErrorCode, str, None] = None
    error_message: Optional[str] = None
    unavailable: Optional[str] = None
    #: `{"required", "require_permission", "prefetch", "reason"}` as sent, or None.
    settings: Optional[Mapping[str, Any]] = field(default=None, hash=False)
    #: Only the `transactions` product has it.
    has_history: Optional[bool] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "product") -> LinkProduct:
        if cls is LinkProduct:
            try:
                return _fast_link_product(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> LinkProduct:
        r = _Reader(d, path)
        return _make(cls, {
            "refreshed_at": r.opt_datetime("refreshed_at"),
            "last_attempted_at": r.opt_datetime("last_attempted_at"),
            "error_code": r.opt_enum("error_code", ProductErrorCode),
            "error_message": r.opt_str("error_message"),
            "unavailable": r.opt_str("unavailable"),
            "settings": r.opt_object("settings"),
            "has_history": r.opt_bool("has_history"),
            "raw": r.d,
        })


@dataclass(frozen=True)
class Link:
    """`LinkCommon`: the link the identity belongs to."""

    link_id: str
    institution_id: str
    institution_name: str
    institution_avatar: str
    state: Union[LinkState, str]
    provider: Union[Provider, str]
    #: Product name → state; read-only.
    products: Mapping[str, LinkProduct] = field(
        default_factory=lambda: ReadOnlyMap({}), hash=False
    )
    available_products: Tuple[str, ...] = ()
    error_code: Union[LinkErrorCode, str, None] = None
    last_synced_at: Optional[datetime] = None
    link_tags: Optional[Tuple[str, ...]] = None
    #: The newer API versions' name for `link_tags`.
    tags: Optional[Tuple[str, ...]] = None
    webhook: Optional[str] = None
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any, path: _Path = "link") -> Link:
        if cls is Link:
            try:
                return _fast_link(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d, path)

    @classmethod
    def _from_dict_checked(cls, d: Any, path: _Path) -> Link:
        r = _Reader(d, path)
        state = r.opt_enum("state", LinkState, required=True)
        provider = r.opt_enum("provider", Provider, required=True)
        assert state is not None and provider is not None
        products_raw = r.req("products")
        if type(products_raw) is not dict:
            raise r._bad("products", products_raw, "an object")
        here = (path, "products")
        products = {
            _string(k, here): LinkProduct._from_dict_checked(v, (here, k))
            for k, v in products_raw.items()
        }
        return _make(cls, {
            "link_id": r.req_str("link_id"),
            "institution_id": r.req_str("institution_id"),
            "institution_name": r.req_str("institution_name"),
            "institution_avatar": r.req_str("institution_avatar"),
            "state": state,
            "provider": provider,
            "products": ReadOnlyMap(products),
            "available_products": r.req_list("available_products", _string),
            "error_code": r.opt_enum("error_code", LinkErrorCode),
            "last_synced_at": r.opt_datetime("last_synced_at"),
            "link_tags": r.opt_list("link_tags", _string, required=False),
            "tags": r.opt_list("tags", _string, required=False),
            "webhook": r.opt_str("webhook"),
            "raw": r.d,
        })


@dataclass(frozen=True)
class IdentityResponse:
    """The 200 body of `GET /links/{id}/identity`."""

    accounts: Tuple[AccountIdentity, ...]
    link: Link
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_dict(cls, d: Any) -> IdentityResponse:
        """Builds the typed response from parsed JSON (amounts as `Decimal` or numbers)."""
        if cls is IdentityResponse:
            try:
                return _fast_identity_response(d)
            except _Unusual:
                pass
        return cls._from_dict_checked(d)

    @classmethod
    def _from_dict_checked(cls, d: Any) -> IdentityResponse:
        r = _Reader(d, "response")
        return _make(cls, {
            "accounts": r.req_list("accounts", AccountIdentity._from_dict_checked),
            "link": Link._from_dict_checked(r.req("link"), "link"),
            "raw": r.d,
        })

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> IdentityResponse:
        """Parses the JSON text of a response (e.g. `Client.get_identity_json`'s).

        Raises `DecodeError` when it is not a Get Identity body.
        """
        try:
            data = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError) as e:
            raise _decode(f"not valid JSON: {e}") from None
        return cls.from_dict(data)

    @property
    def refreshed_at(self) -> Optional[datetime]:
        """`link.products["identity"].refreshed_at`: when the owner data was last fetched."""
        product = self.link.products.get("identity")
        return product.refreshed_at if product is not None else None

    def is_newer_than(self, previous: Union[IdentityResponse, datetime, None]) -> bool:
        """True when this response carries identity data refreshed after `previous`.

        `previous` is an earlier response (or its `refreshed_at`, or None when there
        was none). The endpoint never triggers a fetch, so polling clients compare
        `refreshed_at` values: new data has arrived only when it increased. A response
        without `refreshed_at` is never newer; anything is newer than nothing.
        """
        mine = self.refreshed_at
        if mine is None:
            return False
        before = previous.refreshed_at if isinstance(previous, IdentityResponse) else previous
        return before is None or mine > before

    def account(self, account_id: str) -> Optional[AccountIdentity]:
        """The account with this id, or None."""
        for a in self.accounts:
            if a.account_id == account_id:
                return a
        return None

    @property
    def owners(self) -> List[Owner]:
        """Every owner of every account, in order (owners of joint accounts repeat)."""
        return [o for a in self.accounts for o in a.owners]



# --------------------------------------------------------------------------- fast path
#
# `from_dict` first tries these builders: the same rules as the checked `_Reader` code
# above, written flat (no reader objects, no paths, no per-field calls), which makes a
# typical response about twice as fast to build. Anything they do not take as it is
# (a wrong type, a missing field, an unparsable timestamp, a float amount) raises
# `_Unusual`, and the outermost `from_dict` decodes the whole object again on the
# checked path, which either accepts it or raises the `DecodeError` naming the field.
# tests/test_models.py checks that both paths give equal results.


class _Unusual(Exception):
    """Not for the fast path: decode on the checked path instead."""


_NONE = type(None)
_STR_OR_NONE = frozenset((str, _NONE))
_BOOL_OR_NONE = frozenset((bool, _NONE))


def _members(enum_type: Type[_StrEnum]) -> Dict[str, Any]:
    # A dict lookup: calling the enum class costs ten times more.
    return {m.value: m for m in enum_type}


_PHONE_TYPES = _members(PhoneNumberType)
_LINK_STATES = _members(LinkState)
_PROVIDERS = _members(Provider)
_LINK_ERRORS = _members(LinkErrorCode)
_PRODUCT_ERRORS = _members(ProductErrorCode)


def _fast_amount(v: Any) -> Optional[Decimal]:
    t = type(v)
    if t is Decimal or v is None:
        return cast(Optional[Decimal], v)
    if t is int:
        return Decimal(v)
    raise _Unusual


def _fast_datetime(v: Any) -> Optional[datetime]:
    if v is None:
        return None
    if type(v) is str:
        try:
            return parse_datetime(v)
        except ValueError:
            pass
    raise _Unusual


def _fast_strings(v: Any) -> Tuple[str, ...]:
    if type(v) is not list:
        raise _Unusual
    for item in v:
        if type(item) is not str:
            raise _Unusual
    return tuple(v)


def _fast_list(v: Any, build: Callable[[Any], _T]) -> Tuple[_T, ...]:
    if type(v) is not list:
        raise _Unusual
    return tuple([build(item) for item in v])


def _fast_enum(v: Any, members: Dict[str, Any]) -> Any:
    if type(v) is not str:
        raise _Unusual
    return members.get(v, v)


def _fast_opt_enum(v: Any, members: Dict[str, Any]) -> Any:
    return None if v is None else _fast_enum(v, members)


def _fast_balances(d: Any) -> Balances:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    currency = g("currency")
    if type(currency) not in _STR_OR_NONE:
        raise _Unusual
    return _installed(Balances, {
        "currency": currency,
        "available": _fast_amount(g("available")),
        "current": _fast_amount(g("current")),
        "limit": _fast_amount(g("limit")),
        "balance_date": _fast_datetime(g("balance_date")),
        "raw": d,
    })


def _fast_address(d: Any) -> Address:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    f = {
        "city": g("city"),
        "country": g("country"),
        "postal_code": g("postal_code"),
        "region": g("region"),
        "street": g("street"),
        "primary": g("primary"),
        "raw": d,
    }
    if not (
        type(f["city"]) in _STR_OR_NONE
        and type(f["country"]) in _STR_OR_NONE
        and type(f["postal_code"]) in _STR_OR_NONE
        and type(f["region"]) in _STR_OR_NONE
        and type(f["street"]) in _STR_OR_NONE
        and type(f["primary"]) in _BOOL_OR_NONE
    ):
        raise _Unusual
    return _installed(Address, f)


def _fast_phone_number(d: Any) -> PhoneNumber:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    number, primary = g("number"), g("primary")
    if type(number) is not str or type(primary) not in _BOOL_OR_NONE:
        raise _Unusual
    return _installed(PhoneNumber, {
        "number": number,
        "type": _fast_enum(g("type"), _PHONE_TYPES),
        "primary": primary,
        "raw": d,
    })


def _fast_email(d: Any) -> Email:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    address, primary = g("address"), g("primary")
    if type(address) is not str or type(primary) not in _BOOL_OR_NONE:
        raise _Unusual
    return _installed(Email, {"address": address, "primary": primary, "raw": d})


def _fast_owner(d: Any) -> Owner:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    return _installed(Owner, {
        "names": _fast_strings(g("names")),
        "addresses": _fast_list(g("addresses"), _fast_address),
        "phone_numbers": _fast_list(g("phone_numbers"), _fast_phone_number),
        "emails": _fast_list(g("emails"), _fast_email),
        "raw": d,
    })


def _fast_account_identity(d: Any) -> AccountIdentity:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    f = {
        "account_id": g("account_id"),
        "account_type": g("account_type"),
        "name": g("name"),
        "balances": _fast_balances(g("balances")),
        "owners": _fast_list(g("owners"), _fast_owner),
        "nickname": g("nickname"),
        "account_mask": g("account_mask"),
        "original_id": g("original_id"),
        "closed": g("closed"),
        "raw": d,
    }
    if not (
        type(f["account_id"]) is str
        and type(f["account_type"]) is str
        and type(f["name"]) is str
        and type(f["nickname"]) in _STR_OR_NONE
        and type(f["account_mask"]) in _STR_OR_NONE
        and type(f["original_id"]) in _STR_OR_NONE
        and type(f["closed"]) in _BOOL_OR_NONE
    ):
        raise _Unusual
    return _installed(AccountIdentity, f)


def _fast_link_product(d: Any) -> LinkProduct:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    settings = g("settings")
    if settings is not None:
        if type(settings) is not dict:
            raise _Unusual
        settings = ReadOnlyMap(settings)
    f = {
        "refreshed_at": _fast_datetime(g("refreshed_at")),
        "last_attempted_at": _fast_datetime(g("last_attempted_at")),
        "error_code": _fast_opt_enum(g("error_code"), _PRODUCT_ERRORS),
        "error_message": g("error_message"),
        "unavailable": g("unavailable"),
        "settings": settings,
        "has_history": g("has_history"),
        "raw": d,
    }
    if not (
        type(f["error_message"]) in _STR_OR_NONE
        and type(f["unavailable"]) in _STR_OR_NONE
        and type(f["has_history"]) in _BOOL_OR_NONE
    ):
        raise _Unusual
    return _installed(LinkProduct, f)


def _fast_link(d: Any) -> Link:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    products = g("products")
    if type(products) is not dict:
        raise _Unusual
    for name in products:
        if type(name) is not str:
            raise _Unusual
    link_tags, tags = g("link_tags"), g("tags")
    f = {
        "link_id": g("link_id"),
        "institution_id": g("institution_id"),
        "institution_name": g("institution_name"),
        "institution_avatar": g("institution_avatar"),
        "state": _fast_enum(g("state"), _LINK_STATES),
        "provider": _fast_enum(g("provider"), _PROVIDERS),
        "products": ReadOnlyMap({k: _fast_link_product(v) for k, v in products.items()}),
        "available_products": _fast_strings(g("available_products")),
        "error_code": _fast_opt_enum(g("error_code"), _LINK_ERRORS),
        "last_synced_at": _fast_datetime(g("last_synced_at")),
        "link_tags": None if link_tags is None else _fast_strings(link_tags),
        "tags": None if tags is None else _fast_strings(tags),
        "webhook": g("webhook"),
        "raw": d,
    }
    if not (
        type(f["link_id"]) is str
        and type(f["institution_id"]) is str
        and type(f["institution_name"]) is str
        and type(f["institution_avatar"]) is str
        and type(f["webhook"]) in _STR_OR_NONE
    ):
        raise _Unusual
    return _installed(Link, f)


def _fast_identity_response(d: Any) -> IdentityResponse:
    if type(d) is not dict:
        raise _Unusual
    g = d.get
    return _installed(IdentityResponse, {
        "accounts": _fast_list(g("accounts"), _fast_account_identity),
        "link": _fast_link(g("link")),
        "raw": d,
    })


_MODELS.update((
    Balances, Address, PhoneNumber, Email, Owner, AccountIdentity, LinkProduct, Link,
    IdentityResponse,
))
