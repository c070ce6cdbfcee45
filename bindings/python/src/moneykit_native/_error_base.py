"""The exception hierarchy: one `MoneyKitError` subclass per C status."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Tuple, Type

from ._status import Status


class MoneyKitError(Exception):
    """A failed call, with everything the library and the server said about it.

    Attributes mirror the C error JSON (C-API.md): `status` (a `Status`), `name`
    (`"MK_ERR_NOT_FOUND"`), `message` (a sentence for logs, never a secret),
    `http_status`, `error_code`, `error_message` and `documentation_url` (from
    MoneyKit's error body), `link_error_code` (422 `link_error.bad_state`),
    `request_id` (the response's `x-request-id`), `retry_after` (seconds, from a
    `Retry-After` header), `attempts` (HTTP requests made; 0 when the call failed
    before sending anything) and `raw` (the error JSON as a dict).
    """

    status: Status
    name: str
    message: str
    http_status: Optional[int]
    error_code: Optional[str]
    error_message: Optional[str]
    documentation_url: Optional[str]
    link_error_code: Optional[str]
    request_id: Optional[str]
    retry_after: Optional[float]
    attempts: int
    raw: Dict[str, Any]

    #: The status every instance of this class carries (the base class: any).
    default_status: Status = Status.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        status: Optional[Status] = None,
        name: Optional[str] = None,
        http_status: Optional[int] = None,
        error_code: Optional[str] = None,
        error_message: Optional[str] = None,
        documentation_url: Optional[str] = None,
        link_error_code: Optional[str] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        attempts: int = 0,
        raw: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.status = status if status is not None else self.default_status
        self.name = name if name is not None else self.status.c_name
        self.message = message
        self.http_status = http_status
        self.error_code = error_code
        self.error_message = error_message
        self.documentation_url = documentation_url
        self.link_error_code = link_error_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.attempts = attempts
        self.raw = raw if raw is not None else {}

    def __str__(self) -> str:
        text = f"{self.name}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        # One line, whatever a server put in its error message.
        return " ".join(text.split())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status.c_name}, message={self.message!r}, "
            f"http_status={self.http_status!r}, error_code={self.error_code!r}, "
            f"request_id={self.request_id!r}, attempts={self.attempts!r})"
        )

    def __reduce__(self) -> Tuple[Any, ...]:
        # Exceptions pickle as cls(*args); keep the keyword-only fields too.
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> Dict[str, Any]:
        return {
            "status": self.status,
            "name": self.name,
            "http_status": self.http_status,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "documentation_url": self.documentation_url,
            "link_error_code": self.link_error_code,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
            "attempts": self.attempts,
            "raw": self.raw,
        }


def _rebuild(cls: Type[MoneyKitError], message: str, fields: Dict[str, Any]) -> MoneyKitError:
    return cls(message, **fields)


class InvalidArgumentError(MoneyKitError, ValueError):
    """`MK_ERR_INVALID_ARGUMENT`: a bad argument or option, or a call on a closed client."""

    default_status = Status.INVALID_ARGUMENT


class TransportError(MoneyKitError):
    """`MK_ERR_TRANSPORT`: DNS, connection refused or reset, TLS, refused redirects."""

    default_status = Status.TRANSPORT


class RequestTimeoutError(MoneyKitError):
    """`MK_ERR_TIMEOUT`: the connect timeout or the whole-request deadline elapsed."""

    default_status = Status.TIMEOUT


class DecodeError(MoneyKitError):
    """`MK_ERR_DECODE`: the body is not the documented JSON, or is too large."""

    default_status = Status.DECODE


class UnauthorizedError(MoneyKitError):
    """`MK_ERR_UNAUTHORIZED`: HTTP 401, or the token endpoint refused the credentials."""

    default_status = Status.UNAUTHORIZED


class ForbiddenError(MoneyKitError):
    """`MK_ERR_FORBIDDEN`: HTTP 403 `link_error.forbidden_action`."""

    default_status = Status.FORBIDDEN


class NotFoundError(MoneyKitError):
    """`MK_ERR_NOT_FOUND`: HTTP 404 `link_error.not_found`."""

    default_status = Status.NOT_FOUND


class LinkDeletedError(MoneyKitError):
    """`MK_ERR_LINK_DELETED`: HTTP 410 `link_error.deleted`."""

    default_status = Status.LINK_DELETED


class LinkBadStateError(MoneyKitError):
    """`MK_ERR_LINK_BAD_STATE`: HTTP 422 `link_error.bad_state`; see `link_error_code`."""

    default_status = Status.LINK_BAD_STATE


class RateLimitedError(MoneyKitError):
    """`MK_ERR_RATE_LIMITED`: HTTP 429 after the retries; see `retry_after`."""

    default_status = Status.RATE_LIMITED


class ServerError(MoneyKitError):
    """`MK_ERR_SERVER`: HTTP 5xx after the retries."""

    default_status = Status.SERVER


class HTTPStatusError(MoneyKitError):
    """`MK_ERR_HTTP`: any other unexpected HTTP status (400, 422 validation errors...)."""

    default_status = Status.HTTP


class InternalError(MoneyKitError):
    """`MK_ERR_INTERNAL`: a bug inside the library; never expected."""

    default_status = Status.INTERNAL


ERROR_CLASSES: Mapping[Status, Type[MoneyKitError]] = {
    cls.default_status: cls
    for cls in (
        InvalidArgumentError,
        TransportError,
        RequestTimeoutError,
        DecodeError,
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        LinkDeletedError,
        LinkBadStateError,
        RateLimitedError,
        ServerError,
        HTTPStatusError,
        InternalError,
    )
}


def error_class(status: Status) -> Type[MoneyKitError]:
    """The exception class for a status (`MoneyKitError` itself for unknown ones)."""
    return ERROR_CLASSES.get(status, MoneyKitError)


def _opt(d: Mapping[str, Any], key: str, typ: Type[Any]) -> Any:
    v = d.get(key)
    if isinstance(v, typ) and not (typ is int and isinstance(v, bool)):
        return v
    return None


def error_from_json(code: int, text: Optional[str]) -> MoneyKitError:
    """Builds the exception for a failed C call from its status and error JSON.

    `text` may be None (no error JSON was handed out) or, defensively, not the
    documented object; the status code alone then decides the class.
    """
    status = Status(code)
    data: Dict[str, Any] = {}
    if text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
    retry_ms = _opt(data, "retry_after_ms", int)
    attempts = _opt(data, "attempts", int)
    message = _opt(data, "message", str) or f"the library reported {status.c_name}"
    cls = error_class(status)
    return cls(
        message,
        status=status,
        name=_opt(data, "name", str) or status.c_name,
        http_status=_opt(data, "http_status", int),
        error_code=_opt(data, "error_code", str),
        error_message=_opt(data, "error_message", str),
        documentation_url=_opt(data, "documentation_url", str),
        link_error_code=_opt(data, "link_error_code", str),
        request_id=_opt(data, "request_id", str),
        retry_after=retry_ms / 1000.0 if retry_ms is not None else None,
        attempts=attempts if attempts is not None else 0,
        raw=data,
    )


def invalid_argument(message: str) -> InvalidArgumentError:
    """An `InvalidArgumentError` raised by the binding itself, before any C call."""
    return InvalidArgumentError(message, status=Status.INVALID_ARGUMENT)
