"""`Client`: one `mk_client` handle, shared safely by every thread that uses it."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Callable, Iterable, List, Optional, Tuple, TypeVar, Union

from . import _events, _native
from ._args import c_text
from ._batch import Batch
from ._cancel import Cancel
from ._error_base import MoneyKitError
from ._error_json import invalid_argument
from ._handle import NativeHandle
from ._match import OwnerMatch, match_claim
from ._models import IdentityResponse, decode_validated
from ._names import call_error, given_keys
from ._surface_gen import ClientSurface
from ._webhooks import BodyLike, Delivery, Headers, WebhookVerifier
from ._webhooks_gen import WebhookSurface

_T = TypeVar("_T")

#: Longest accepted link id or account id, in UTF-8 bytes (`MK_MAX_ID_LEN`).
MAX_ID_LEN: int = _native.MK_MAX_ID_LEN
#: Most account ids per call (`MK_MAX_ACCOUNT_IDS`).
MAX_ACCOUNT_IDS: int = _native.MK_MAX_ACCOUNT_IDS


#: Longest per-call timeout passed down (ms); the core caps it likewise. Practically forever.
_MAX_CALL_TIMEOUT_MS = 2**62


def _call_timeout_ms(value: Optional[float], name: str = "timeout") -> int:
    """A per-call `timeout=` in seconds as `mk_get_identity_ex`'s `timeout_ms` (0: none)."""
    if value is None:
        if name != "timeout":
            raise TypeError(f"{name}= must be a number of seconds, not None")
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}= must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise invalid_argument(
            f"{name}= must be a finite number of seconds > 0"
            + (" (None: only the client's deadline)" if name == "timeout" else "")
            + f", got {value!r}"
        )
    # At least 1 ms: 0 would mean "no per-call timeout" to the library.
    return min(max(1, round(value * 1000)), _MAX_CALL_TIMEOUT_MS)


class Client(NativeHandle, ClientSurface, WebhookSurface):
    """A MoneyKit client backed by the native library.

    Credentials: `client_id` / `client_secret`, or (when None) the environment
    variables `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`; not needed with
    `access_token`. Durations are seconds (floats); every option left None takes the
    library default (`help(Client.__init__)` lists them: the constructor and the calls
    that take options come from the schema, through `ClientSurface`). `auth="token"`
    fetches and caches an OAuth2 token, `"headers"` sends `X-Client-Id` /
    `X-Client-Secret` with every request. `timeout` bounds one
    attempt (token request, redirects and body), `deadline` a whole call (every attempt,
    backoff and `Retry-After` wait); a call also takes its own `timeout=` and `cancel=`.

    Every HTTP attempt is logged on `logging.getLogger("moneykit_native")` (see
    `_events`: DEBUG token requests, INFO successes, WARNING failures, with structured
    `extra` fields and never owner data or secrets).

    One client may be used by many threads at once: the GIL is released during each
    request, and the client keeps one connection pool and one access token for all
    of them. Close it with `close()` or a `with` block; `__del__` is only a backstop.
    `close()` while other threads are inside a call is safe: the handle is freed
    when the last of those calls returns, and new calls raise `InvalidArgumentError`.
    The client secret is handed to the library and not kept by this object.
    """

    def _open(self, client_id: Optional[str], client_secret: Optional[str], options: str) -> None:
        """`mk_client_new` with the options JSON (`ClientSurface.__init__` built it)."""
        self._init_handle()
        self._verifier: Optional[WebhookVerifier] = None
        cid = None if client_id is None else c_text("client_id", client_id)
        secret = None if client_secret is None else c_text("client_secret", client_secret)
        rc, handle, error = _native.new_client(cid, secret, options.encode("utf-8"))
        if rc != 0 or handle is None:
            given = set(given_keys(options))
            given.update(
                k for k, v in (("client_id", cid), ("client_secret", secret)) if v is not None
            )
            raise call_error(rc, error, given)
        # Always set: an attempt whose level the logger does not enable costs a ctypes
        # callback and one isEnabledFor (a few µs; README "Logging"). The callback object
        # is module-level; the reference here documents that it must outlive the handle.
        self._event_callback = _events.EVENT_CALLBACK
        rc, error = _native.set_event_callback(handle, self._event_callback)
        if rc != 0:
            _native.free_client(handle)
            raise call_error(rc, error)
        self._handle = handle

    # -- lifetime ---------------------------------------------------------------------

    _KIND = "client"
    _TYPE_NAME = "Client"

    def close(self) -> None:
        """Frees the native client (at once, or when the calls in progress end).

        Idempotent: closing twice does nothing. Closes `verify_webhook`'s verifier; one
        from `webhook_verifier()` keeps the native client alive until it is closed.
        """
        verifier = getattr(self, "_verifier", None)
        if verifier is not None:
            verifier.close()
        super().close()

    def _free(self, handle: int) -> None:
        _native.free_client(handle)

    # -- calls ------------------------------------------------------------------------

    def _call(
        self,
        link_id: str,
        account_ids: Optional[Iterable[str]],
        timeout: Optional[float],
        cancel: Optional[Cancel],
    ) -> Tuple[str, Optional[str]]:
        """One `mk_get_identity_ex`: (body, request id), or raises."""
        # Empty or too long ids and too many account ids are the library's to refuse
        # (MK_ERR_INVALID_ARGUMENT); only what C cannot see is checked here.
        lid = c_text("link_id", link_id)
        ids: List[bytes] = []
        if account_ids is not None:
            if isinstance(account_ids, (str, bytes)):
                raise TypeError("account_ids must be a list of str, not a single string")
            ids = [c_text(f"account_ids[{i}]", a) for i, a in enumerate(account_ids)]
        timeout_ms = _call_timeout_ms(timeout)
        if cancel is not None and not isinstance(cancel, Cancel):
            raise TypeError(f"cancel= must be a moneykit_native.Cancel, not {type(cancel).__name__}")
        # `cancel` stays referenced by this frame and counted as in use, so its handle
        # is not freed (by close() or garbage collection) before the call returns.
        cancel_handle = cancel._acquire() if cancel is not None else None
        try:
            handle = self._acquire()
            try:
                rc, body, request_id, error = _native.get_identity_ex(
                    handle, lid, ids, timeout_ms, cancel_handle
                )
            finally:
                self._release()
        finally:
            if cancel is not None:
                cancel._release()
        if rc != 0 or body is None:
            raise call_error(rc, error)
        return body, request_id

    def get_identity_json(
        self,
        link_id: str,
        account_ids: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
        cancel: Optional[Cancel] = None,
    ) -> str:
        """`GET /links/{link_id}/identity`: the response body, exactly as MoneyKit sent it.

        The body has been checked against the response schema. `account_ids` keeps only
        those accounts (None or empty: all of them). Raises a `MoneyKitError` subclass
        on failure. Blocks (without holding the GIL) until the request and its retries
        are done, and at most the client's `deadline`.

        `timeout` (seconds, > 0): this call raises `RequestTimeoutError` once it has run
        that long, or at the client's `deadline` if that comes first (None: the
        deadline only). `cancel`: a `Cancel` another thread may trigger; the call then
        raises `CallCancelledError` within about 100 ms.
        """
        return self._call(link_id, account_ids, timeout, cancel)[0]

    def get_identity(
        self,
        link_id: str,
        account_ids: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
        cancel: Optional[Cancel] = None,
    ) -> IdentityResponse:
        """`GET /links/{link_id}/identity`, decoded into an `IdentityResponse`.

        Same arguments and errors as `get_identity_json`. The result's `request_id` is
        the response's `x-request-id` (None when the server sent none).
        """
        body, request_id = self._call(link_id, account_ids, timeout, cancel)
        # The core validated the body before handing it out: only map it here.
        return decode_validated(body, request_id)

    # -- many links -------------------------------------------------------------------

    def _get_identities(self, link_ids: Iterable[str], options: str) -> Batch:
        if isinstance(link_ids, (str, bytes)):
            raise TypeError("link_ids must be a list of str, not a single string")
        return Batch(self, list(link_ids), options)

    # -- refresh ----------------------------------------------------------------------

    def _with_handles(
        self, cancel: Optional[Cancel], fn: Callable[[int, Optional[int]], _T]
    ) -> _T:
        """Runs `fn(client handle, cancel handle)` with both kept alive for the call."""
        if cancel is not None and not isinstance(cancel, Cancel):
            raise TypeError(f"cancel= must be a moneykit_native.Cancel, not {type(cancel).__name__}")
        cancel_handle = cancel._acquire() if cancel is not None else None
        try:
            handle = self._acquire()
            try:
                return fn(handle, cancel_handle)
            finally:
                self._release()
        finally:
            if cancel is not None:
                cancel._release()

    @staticmethod
    def _fresh(outcome: _native.RefreshOutcome) -> IdentityResponse:
        rc, body, stale, error = outcome
        if rc != 0 or body is None:
            err: MoneyKitError = call_error(rc, error)
            if stale is not None:
                err.stale = decode_validated(stale, None)
            raise err
        return decode_validated(body, None)

    def _refresh_identity(
        self, link_id: str, wait: float, cancel: Optional[Cancel], options: str
    ) -> IdentityResponse:
        lid = c_text("link_id", link_id)
        wait_ms = _call_timeout_ms(wait, "wait")
        opts = options.encode("utf-8")
        return self._fresh(self._with_handles(
            cancel, lambda h, c: _native.refresh_identity(h, lid, wait_ms, opts, c)
        ))

    def _wait_identity_newer(
        self,
        link_id: str,
        after: Union[IdentityResponse, datetime, str, None],
        wait: float,
        cancel: Optional[Cancel],
        options: str,
    ) -> IdentityResponse:
        lid = c_text("link_id", link_id)
        after_b = _after_text(after)
        wait_ms = _call_timeout_ms(wait, "wait")
        opts = options.encode("utf-8")
        return self._fresh(self._with_handles(
            cancel,
            lambda h, c: _native.wait_identity_newer(h, lid, after_b, wait_ms, opts, c),
        ))

    def request_identity_refresh(
        self,
        link_id: str,
        *,
        timeout: Optional[float] = None,
        cancel: Optional[Cancel] = None,
    ) -> None:
        """Only requests an identity refresh (`POST /links/{id}/products`, answered 202);
        wait for it later with `wait_identity_newer`. Raises `RateLimitedError` when
        MoneyKit's daily refresh limit for the link is reached (never retried).
        `timeout` and `cancel` as for `get_identity`."""
        lid = c_text("link_id", link_id)
        timeout_ms = _call_timeout_ms(timeout)
        rc, error = self._with_handles(
            cancel, lambda h, c: _native.request_identity_refresh(h, lid, timeout_ms, c)
        )
        if rc != 0:
            raise call_error(rc, error)

    # -- webhooks ---------------------------------------------------------------------

    def _webhook_verifier(self, options: str) -> WebhookVerifier:
        return WebhookVerifier(self, options)

    def verify_webhook(self, headers: Headers, body: BodyLike) -> Delivery:
        """`WebhookVerifier.verify` with this client's default verifier (made on first use
        with the default options; `webhook_verifier(...)` makes one with others). Returns
        the `Delivery` (`.event`, `.status`); a `"new"` one is settled with
        `webhook_done(delivery, ok)`. Raises `WebhookSignatureError` (answer 400) or the
        key fetch's error (answer 503)."""
        return self._default_verifier().verify(headers, body)

    def webhook_done(self, delivery: Delivery, ok: bool = True) -> None:
        """`WebhookVerifier.done` on the default verifier of `verify_webhook`."""
        self._default_verifier().done(delivery, ok)

    def _default_verifier(self) -> WebhookVerifier:
        v = self._verifier
        if v is None:
            with self._lock:
                closed = self._closed
            if closed:
                raise invalid_argument("the client is closed")
            made = self.webhook_verifier()
            with self._lock:
                if self._verifier is None:
                    self._verifier, made = made, None  # type: ignore[assignment]
                v = self._verifier
            if made is not None:
                made.close()  # another thread made one first
        assert v is not None
        return v

    # -- owner match ------------------------------------------------------------------

    def _match_owners(
        self, link_id: str, claim: bytes, timeout: Optional[float], cancel: Optional[Cancel]
    ) -> OwnerMatch:
        # The claim JSON was built (and type-checked) before any request.
        body = self.get_identity_json(link_id, timeout=timeout, cancel=cancel)
        return match_claim(body, claim)


def _after_text(after: Union[IdentityResponse, datetime, str, None]) -> Optional[bytes]:
    """`mk_wait_identity_newer`'s `after`: the exact text when we have it."""
    if after is None:
        return None
    if isinstance(after, IdentityResponse):
        product = after.link.products.get("identity")
        raw = product.raw.get("refreshed_at") if product is not None else None
        if isinstance(raw, str):
            return c_text("after", raw)  # as sent: no precision lost to datetime
        return None
    if isinstance(after, datetime):
        if after.tzinfo is None or after.utcoffset() is None:
            raise invalid_argument("after must be an aware datetime (with a timezone)")
        return c_text("after", after.isoformat())
    if isinstance(after, str):
        return c_text("after", after)
    raise TypeError(
        f"after must be an IdentityResponse, a datetime, a str or None, not {type(after).__name__}"
    )
