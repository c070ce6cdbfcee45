"""`MoneyKitError`, the base of the per-status exceptions (generated in `_errors.py`).

Hand-written: how a Python exception carries the C error JSON. Imports nothing
but `Status`, so the ctypes layer and the models can both use the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type

from ._status import Status

if TYPE_CHECKING:
    from ._models import IdentityResponse


class MoneyKitError(Exception):
    """A failed call, with everything the library and the server said about it.

    Attributes mirror the C error JSON (C-API.md): `status` (a `Status`), `name`
    (`"MK_ERR_NOT_FOUND"`), `message` (a sentence for logs, never a secret),
    `http_status`, `error_code`, `error_message` and `documentation_url` (from
    MoneyKit's error body), `link_error_code` (422 `link_error.bad_state`),
    `request_id` (the response's `x-request-id`), `retry_after` (seconds, from a
    `Retry-After` header), `attempts` (HTTP requests made; 0 when the call failed
    before sending anything), `reason` (`WebhookSignatureError`: which check refused the
    delivery, e.g. `"iat_too_old"`) and `raw` (the error JSON as a dict).

    `stale`: set by `Client.refresh_identity` / `wait_identity_newer` when they fail
    (timeout, the daily refresh limit, cancel) after seeing a body: the last, not yet
    refreshed `IdentityResponse`. None otherwise.
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
    reason: Optional[str]
    raw: Dict[str, Any]
    stale: Optional[IdentityResponse]

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
        reason: Optional[str] = None,
        raw: Optional[Dict[str, Any]] = None,
        stale: Optional[IdentityResponse] = None,
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
        self.reason = reason
        self.raw = raw if raw is not None else {}
        self.stale = stale

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
            "reason": self.reason,
            "raw": self.raw,
            "stale": self.stale,
        }


def _rebuild(cls: Type[MoneyKitError], message: str, fields: Dict[str, Any]) -> MoneyKitError:
    return cls(message, **fields)
