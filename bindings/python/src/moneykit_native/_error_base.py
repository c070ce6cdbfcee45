"""`MoneyKitError`, the base of the per-status exceptions (generated in `_errors.py`).

Hand-written: how a Python exception carries the C error JSON. Imports nothing
but `Status`, so the ctypes layer and the models can both use the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type

from ._error_fields_gen import ErrorFields
from ._status import Status

if TYPE_CHECKING:
    from ._models import IdentityResponse


class MoneyKitError(ErrorFields, Exception):
    """A failed call, with everything the library and the server said about it.

    Attributes mirror the C error JSON (C-API.md "Error JSON"; generated in
    `_error_fields_gen.py` from the schema): `status` (a `Status`), `name`
    (`"MK_ERR_NOT_FOUND"`), `message` (a sentence for logs, never a secret),
    `http_status`, `error_code`, `error_message` and `documentation_url` (from
    MoneyKit's error body), `link_error_code` (422 `link_error.bad_state`),
    `request_id` (the response's `x-request-id`), `retry_after` (seconds, from a
    `Retry-After` header), `attempts` (HTTP requests made; 0 when the call failed
    before sending anything), `reason` (webhook signature checks),
    `validation_errors` (a tuple of `ValidationError` of a 422
    `api_error.request.validation_failed`), `retryable` (whether a later retry can
    help), `response` (a `RawResponse`: the last HTTP error response's status,
    headers and body, redacted) and `raw` (the error JSON as a dict).

    `stale`: set by `Client.refresh_identity` / `wait_identity_newer` when they fail
    (timeout, the daily refresh limit, cancel) after seeing a body: the last, not yet
    refreshed `IdentityResponse`. None otherwise.
    """

    status: Status
    name: str
    message: str
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
        raw: Optional[Dict[str, Any]] = None,
        stale: Optional[IdentityResponse] = None,
        **fields: Any,
    ) -> None:
        """`fields`: the error JSON's other attributes by name (`http_status=404`,
        `retry_after=2.0`, ...; see `ErrorFields`); those not given keep their default."""
        super().__init__(message)
        self.status = status if status is not None else self.default_status
        self.name = name if name is not None else self.status.c_name
        self.message = message
        self._set_error_fields(fields)
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
            f"request_id={self.request_id!r}, attempts={self.attempts!r}, "
            f"retryable={self.retryable!r}, response={self.response!r})"
        )

    def __reduce__(self) -> Tuple[Any, ...]:
        # Exceptions pickle as cls(*args); keep the keyword-only fields too.
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> Dict[str, Any]:
        return {
            "status": self.status,
            "name": self.name,
            **self._error_fields(),
            "raw": self.raw,
            "stale": self.stale,
        }


def _rebuild(cls: Type[MoneyKitError], message: str, fields: Dict[str, Any]) -> MoneyKitError:
    return cls(message, **fields)
