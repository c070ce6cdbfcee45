"""`WebhookVerifier`: MoneyKit's signed webhook deliveries, verified by the library
(`mk_webhook_*`, docs/C-API.md "Webhooks") and handed out as typed events
(`_webhooks_gen`), plus `RefreshWaiter` (a refresh that returns on its webhook).

Framework-neutral: `verify` takes any headers mapping (or list of pairs) and the raw body
bytes; `respond` does a whole delivery and returns the HTTP status to answer.
"""

from __future__ import annotations

import ctypes
import json
import threading
import time
from contextlib import contextmanager
from ctypes import c_void_p
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

from . import _native
from ._abi import MK_ERR_INTERNAL, MK_WEBHOOK_DUPLICATE, MK_WEBHOOK_IN_FLIGHT
from ._error_base import MoneyKitError
from ._handle import NativeHandle
from ._errors import WebhookSignatureError
from ._names import call_error
from ._status import Status
from ._webhooks_gen import LinkProductRefresh, WebhookEvent, build_event

if TYPE_CHECKING:
    from ._client import Client
    from ._models import IdentityResponse

#: The header carrying the signature (looked up case-insensitively).
SIGNATURE_HEADER = "MoneyKit-Signature"

#: What a verified delivery is: new (handle it, then `done`), handled before, or being
#: handled by another delivery right now.
DeliveryStatus = Literal["new", "duplicate", "in_flight"]

_STATUS_OF = {0: "new", MK_WEBHOOK_DUPLICATE: "duplicate", MK_WEBHOOK_IN_FLIGHT: "in_flight"}
_HTTP_OF = {"new": 200, "duplicate": 200, "in_flight": 409}

Headers = Union[Mapping[str, Any], Iterable[Tuple[Any, Any]], Any]
BodyLike = Union[bytes, bytearray, memoryview, str]


class Delivery(NamedTuple):
    """A verified delivery: its typed `event`, its `status` and its idempotency key."""

    event: WebhookEvent
    #: `"new"`: claimed by this call: handle it, then `WebhookVerifier.done`;
    #: `"duplicate"`: handled before (answer 2xx, do not handle it again);
    #: `"in_flight"`: another delivery of the event is being handled now (answer 409).
    status: DeliveryStatus
    #: The event's `webhook_idempotency_key`.
    idempotency_key: str

    @property
    def new(self) -> bool:
        """True when this delivery is to be handled."""
        return self.status == "new"

    @property
    def duplicate(self) -> bool:
        """True when the event was handled before."""
        return self.status == "duplicate"

    @property
    def http_status(self) -> int:
        """The answer for this status once handled: 200, 200 or 409."""
        return _HTTP_OF[self.status]


def signature_of(headers: Headers) -> Optional[str]:
    """The `MoneyKit-Signature` value from any headers object (a dict, `http.server`'s
    `Message`, Starlette's or Werkzeug's headers, a list of pairs), or None."""
    get = getattr(headers, "get", None)
    if get is not None:
        v = get(SIGNATURE_HEADER)
        if v is not None:
            return _text(v)
    items = headers.items() if hasattr(headers, "items") else headers
    want = SIGNATURE_HEADER.lower()
    for k, v in items:
        key = k.decode("latin-1") if isinstance(k, (bytes, bytearray)) else str(k)
        if key.lower() == want:
            return _text(v)
    return None


def _text(v: Any) -> str:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("latin-1")
    return str(v)


def _body_bytes(body: BodyLike) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    raise TypeError(f"body must be bytes (the raw request body), not {type(body).__name__}")


class WebhookVerifier(NativeHandle):
    """Verifies MoneyKit's webhook deliveries (`Client.webhook_verifier(...)`).

    Safe to use from many threads at once. Keys are fetched through the client (on first
    use, then cached; see the options). It keeps its client open until `close()` (or the
    end of a `with` block); `__del__` is only a backstop.

    `verify(headers, body)` returns a `Delivery` or raises: `WebhookSignatureError` (not
    genuine: answer 400; `.reason` says which check failed), another `MoneyKitError`
    (the keys could not be fetched: answer 503 so MoneyKit retries). A `"new"` delivery is
    claimed: call `done(delivery, ok)` once handled (`handle` and `respond` do it).
    """

    def __init__(self, client: Client, options_json: str) -> None:
        self._init_handle()
        handle = client._acquire()  # released by close(): the client outlives us
        try:
            out, err = c_void_p(), c_void_p()
            rc = _native.lib().mk_webhook_verifier_new(
                handle, options_json.encode("utf-8"), ctypes.byref(out), ctypes.byref(err)
            )
            error = _native.take_string(err.value)
            if rc != 0 or not out.value:
                if out.value:
                    _native.lib().mk_webhook_verifier_free(out.value)
                raise call_error(rc or MK_ERR_INTERNAL, error)
        except BaseException:
            client._release()
            raise
        self._client = client
        self._handle = out.value

    # -- lifetime ---------------------------------------------------------------------

    _KIND = "webhook verifier"
    _TYPE_NAME = "WebhookVerifier"

    def _free(self, handle: int) -> None:
        _native.lib().mk_webhook_verifier_free(handle)
        self._client._release()

    # -- deliveries -------------------------------------------------------------------

    def verify(self, headers: Headers, body: BodyLike) -> Delivery:
        """Verifies one delivery: its headers (any mapping; `MoneyKit-Signature` is found
        whatever its case) and its raw body, exactly as received. Returns the `Delivery`;
        raises `WebhookSignatureError` (answer 400) or, when the signing keys could not be
        fetched, the fetch's `MoneyKitError` (answer 503)."""
        return self.verify_signature(signature_of(headers), body)

    def verify_signature(self, signature: Optional[str], body: BodyLike) -> Delivery:
        """`verify` with the `MoneyKit-Signature` value itself (None: the header was absent)."""
        raw = _body_bytes(body)
        sig: Optional[bytes] = None
        if signature is not None:
            sig = signature.encode("utf-8", "surrogateescape")
            if b"\0" in sig:
                sig = b"!"  # not a token: refused as malformed, like any other
        out_event, out_key, out_err = c_void_p(), c_void_p(), c_void_p()
        handle = self._acquire()
        try:
            rc = _native.lib().mk_webhook_verify(
                handle, sig, raw, len(raw), None,
                ctypes.byref(out_event), None, ctypes.byref(out_key), ctypes.byref(out_err),
            )
        finally:
            self._release()
        try:
            event_json = _native.take_string(out_event.value)
        finally:
            try:
                key = _native.take_string(out_key.value)
            finally:
                error = _native.take_string(out_err.value)
        status = _STATUS_OF.get(rc)
        if status is None:
            raise call_error(rc, error)
        if event_json is None or key is None:
            raise call_error(MK_ERR_INTERNAL, error)
        event = build_event(json.loads(event_json))
        return Delivery(event, status, key)  # type: ignore[arg-type]

    def done(self, delivery: Union[Delivery, str], ok: bool = True) -> None:
        """Settles a `"new"` delivery (or its idempotency key): `ok` remembers it as
        handled (a repeat is then a duplicate), not `ok` releases it so MoneyKit's retry
        is handled again. A key that is not claimed is ignored."""
        key = delivery.idempotency_key if isinstance(delivery, Delivery) else delivery
        err = c_void_p()
        handle = self._acquire()
        try:
            rc = _native.lib().mk_webhook_done(
                handle, key.encode("utf-8"), 1 if ok else 0, ctypes.byref(err)
            )
        finally:
            self._release()
        error = _native.take_string(err.value)
        if rc != 0:
            raise call_error(rc, error)

    @contextmanager
    def handle(self, headers: Headers, body: BodyLike) -> Iterator[Delivery]:
        """`with verifier.handle(headers, body) as d:` verifies (raising as `verify` does),
        then runs the block; a `"new"` delivery is marked handled when the block ends and
        released (for MoneyKit's retry) when it raises. Handle `d.event` only when `d.new`;
        answer `d.http_status`."""
        d = self.verify(headers, body)
        if not d.new:
            yield d
            return
        try:
            yield d
        except BaseException:
            self.done(d, ok=False)
            raise
        self.done(d, ok=True)

    def respond(
        self, headers: Headers, body: BodyLike, handler: Callable[[WebhookEvent], Any]
    ) -> int:
        """Does a whole delivery and returns the HTTP status to answer: `handler(event)`
        runs once per event (not for duplicates or deliveries in flight); 200 when it
        returned (or for a duplicate), 500 when it raised (the delivery is released for
        MoneyKit's retry; the exception is not re-raised), 409 in flight, 400 not genuine,
        503 when the keys could not be fetched."""
        try:
            d = self.verify(headers, body)
        except MoneyKitError as e:
            return http_status_of(e)
        if not d.new:
            return d.http_status
        try:
            handler(d.event)
        except Exception:
            self.done(d, ok=False)
            return 500
        self.done(d, ok=True)
        return 200


def http_status_of(error: MoneyKitError) -> int:
    """What to answer MoneyKit when `verify` raised `error`: 400 for a delivery that is
    not genuine (`WebhookSignatureError`), 503 otherwise (retry later)."""
    return 400 if isinstance(error, WebhookSignatureError) else 503


# -- refresh without polling ----------------------------------------------------------


class RefreshFailedError(MoneyKitError):
    """MoneyKit's webhook said the identity refresh failed (`link.product_refresh`, state
    `failed`). `message` is the event's `error_message`; `stale` the identity read before
    the refresh; `link_id` the link."""

    default_status = Status.SERVER
    link_id: Optional[str] = None


class RefreshWaiter:
    """Refreshes identities without polling: `refresh_identity(link_id)` requests the
    refresh and returns the new identity when the link's verified identity refresh event
    (`link.product_refresh`, product `identity`, state `completed`) arrives, which the
    application's webhook handler hands to `offer`. When none came within `fallback`
    seconds, it polls (`Client.wait_identity_newer`) for the rest of `wait`. Thread-safe;
    one waiter serves any number of refreshes and links.

        waiter = RefreshWaiter(client)
        # in the webhook handler: verifier.respond(headers, body, waiter.offer)
        identity = waiter.refresh_identity("mk_...", wait=600, fallback=60)
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._waiting: Dict[str, List[List[LinkProductRefresh]]] = {}

    def offer(self, event: WebhookEvent) -> bool:
        """Hands the waiter a verified event (any event; others are ignored). Returns
        whether a `refresh_identity` was waiting for it. Never blocks for long."""
        if not isinstance(event, LinkProductRefresh) or event.product != "identity":
            return False
        if event.state not in ("completed", "failed"):
            return False
        with self._cond:
            boxes = self._waiting.get(event.link_id)
            if not boxes:
                return False
            for box in boxes:
                box.append(event)
            self._cond.notify_all()
            return True

    def refresh_identity(
        self, link_id: str, *, wait: float = 600.0, fallback: float = 60.0, **poll: Any
    ) -> IdentityResponse:
        """Reads the link's identity, requests a refresh, waits for its event, returns the
        identity read after it (newer than the one before). An event older than the first
        read (a previous refresh's, late) is ignored. Without an event within `fallback`
        seconds (0: poll at once), or when the identity read after it is not newer yet,
        it polls until it is, within `wait` seconds in all. Raises `RefreshFailedError`
        when the event says the refresh failed, and the client's errors otherwise.
        `poll`: `wait_identity_newer`'s keywords for the fallback (`link_per_minute`, ...)."""
        c = self._client
        start = time.monotonic()
        before = c.get_identity(link_id)
        product = before.link.products.get("identity")
        after = product.refreshed_at if product is not None else None
        box: List[LinkProductRefresh] = []
        with self._cond:
            self._waiting.setdefault(link_id, []).append(box)
        try:
            c.request_identity_refresh(link_id)
            until = start + min(fallback, wait)
            got: Optional[LinkProductRefresh] = None
            with self._cond:
                while got is None:
                    while box and got is None:
                        ev = box.pop(0)
                        if after is None or ev.state_changed_at > after:
                            got = ev  # else a previous refresh's event
                    left = until - time.monotonic()
                    if got is not None or left <= 0:
                        break
                    self._cond.wait(left)
            if got is not None:
                if got.state == "failed":
                    err = RefreshFailedError(got.error_message or "the identity refresh failed")
                    err.link_id, err.stale = link_id, before
                    raise err
                fresh = c.get_identity(link_id)
                if after is None or _refreshed(fresh, after):
                    return fresh
        finally:
            with self._cond:
                rest = [b for b in self._waiting.get(link_id, []) if b is not box]
                if rest:
                    self._waiting[link_id] = rest
                else:
                    self._waiting.pop(link_id, None)
        left = max(0.001, wait - (time.monotonic() - start))
        return c.wait_identity_newer(link_id, after=before, wait=left, **poll)


def _refreshed(resp: IdentityResponse, after: Any) -> bool:
    p = resp.link.products.get("identity")
    return p is not None and p.refreshed_at is not None and p.refreshed_at > after
