"""`Batch`: many links' identities through one client (`mk_batch_*`), as an iterator;
`AsyncBatch`: the same batch as an async iterator, for `AsyncClient`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, List, Optional, Tuple, Type

from . import _native
from ._args import c_text
from ._error_base import MoneyKitError
from ._models import IdentityResponse, decode_validated
from ._names import call_error
from ._records_gen import BatchProgress
from ._status import Status

if TYPE_CHECKING:
    from ._client import Client

#: How long one `mk_batch_next` waits before Python gets control back (signals, Ctrl-C).
_POLL_MS = 100


@dataclass(frozen=True)
class BatchResult:
    """One link's result: `identity` on success, else `error` (never both).

    `index` is the link's position in the list given to `get_identities` (results come
    in completion order, not in that order). `json` is the body exactly as the server
    sent it (None on error), for callers that store it.
    """

    link_id: str
    index: int
    identity: Optional[IdentityResponse]
    error: Optional[MoneyKitError]
    json: Optional[str] = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the identity was fetched."""
        return self.error is None

    def unwrap(self) -> IdentityResponse:
        """The identity, or raises the result's error."""
        if self.error is not None:
            raise self.error
        assert self.identity is not None
        return self.identity


class Batch:
    """A running batch: iterate it for one `BatchResult` per link, as each completes.

        with client.get_identities(links) as batch:
            for r in tqdm(batch):              # len(batch) is the number of links
                if r.ok: store(r.link_id, r.identity)
                else:    log(r.link_id, r.error)

    The library fetches with bounded concurrency, within the app and per-link limits,
    and slows the whole batch down on a 429. Results not taken stop the workers (at
    most `2 × concurrency` wait), so memory stays flat whatever the number of links.

    `len()` is the number of links; `progress` a `BatchProgress` snapshot (any thread);
    `cancel()` (any thread) starts nothing new and ends the calls in flight, whose
    results (`CallCancelledError`) still come out before the iteration stops. Iterate
    from one thread at a time. Each wait for a result lasts at most 100 ms before
    Python regains control, so Ctrl-C (`KeyboardInterrupt`) works.

    The batch holds its client: the client's handle is not freed before the batch is.
    `close()` (or the end of the iteration, the `with` block, or garbage collection)
    cancels what is left, waits for the workers (about 100 ms) and frees the handle.
    """

    def __init__(self, client: Client, link_ids: List[str], options_json: str) -> None:
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        self._closed = False
        self._inflight = 0
        self._total = len(link_ids)
        self._last: Optional[BatchProgress] = None
        self._finished = False  # mk_batch_next said MK_BATCH_DONE
        ids = [c_text(f"link_ids[{i}]", lid) for i, lid in enumerate(link_ids)]
        opts = options_json.encode("utf-8")
        self._client = client
        client_handle = client._acquire()  # released when the batch is freed
        try:
            rc, handle, error = _native.batch_start(client_handle, ids, opts)
        except BaseException:
            client._release()
            raise
        if rc != 0 or handle is None:
            client._release()
            raise call_error(rc, error)
        self._handle = handle

    # -- lifetime ---------------------------------------------------------------------

    def _acquire(self) -> Optional[int]:
        with self._lock:
            if self._closed or self._handle is None:
                return None
            self._inflight += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._inflight -= 1
            handle = self._take_if_free()
        self._free(handle)

    def _take_if_free(self) -> Optional[int]:
        # Under the lock: the handle, once nobody uses it and the batch is closed.
        if self._closed and self._inflight == 0 and self._handle is not None:
            handle, self._handle = self._handle, None
            return handle
        return None

    def _free(self, handle: Optional[int]) -> None:
        if handle is None:
            return
        try:
            if not self._finished:
                _native.batch_cancel(handle)  # closed early: the snapshot says cancelled
            rc, p, _ = _native.batch_progress(handle)
            if rc == 0:
                self._last = BatchProgress._from_c(p)
        finally:
            _native.free_batch(handle)
            self._client._release()

    @property
    def closed(self) -> bool:
        """True once the batch ended (every result taken) or `close()` was called."""
        return self._closed

    def close(self) -> None:
        """Cancels what is left and frees the batch (at once, or when a `next` or
        `progress` running on another thread returns). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self._take_if_free()
            if handle is None and self._handle is not None:
                # In use on another thread: stop the workers now, free on its release.
                _native.batch_cancel(self._handle)
        self._free(handle)  # mk_batch_free cancels what is left itself

    def cancel(self) -> None:
        """Stops the batch: no new call starts, calls in flight end with
        `CallCancelledError` (delivered as results), then the iteration stops. Any thread."""
        handle = self._acquire()
        if handle is None:
            return
        try:
            _native.batch_cancel(handle)
        finally:
            self._release()

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if getattr(self, "_handle", None) is not None and not getattr(self, "_closed", True):
                self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        p = self.progress
        state = "closed" if self._closed else "running"
        return f"<moneykit_native.Batch {state} {p.done}/{p.total}, {p.failed} failed>"

    # -- progress ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._total

    @property
    def progress(self) -> BatchProgress:
        """A snapshot of the counters (the last one once the batch is closed)."""
        handle = self._acquire()
        if handle is None:
            if self._last is not None:
                return self._last
            return BatchProgress(
                total=self._total, done=0, ok=0, failed=0, in_flight=0, requests=0,
                rate_limited=0, paused_ms=0, elapsed_ms=0, rate_per_minute=0.0,
                allowed_per_minute=0.0, paused=False, cancelled=True,
            )
        try:
            rc, p, error = _native.batch_progress(handle)
        finally:
            self._release()
        if rc != 0:
            raise call_error(rc, error)
        return BatchProgress._from_c(p)

    # -- iteration --------------------------------------------------------------------

    def __iter__(self) -> Iterator[BatchResult]:
        return self

    def __next__(self) -> BatchResult:
        while True:
            done, result = self._poll(_POLL_MS)
            if done:
                raise StopIteration
            if result is not None:
                return result
            # Pending: back in Python, where a KeyboardInterrupt is raised.

    def _poll(self, wait_ms: int) -> Tuple[bool, Optional[BatchResult]]:
        """One `mk_batch_next` of at most `wait_ms`: (True, None) once the batch is over
        (or closed), (False, result) for a result, (False, None) when none came in time."""
        handle = None
        try:
            handle = self._acquire()
            if handle is None:
                return True, None
            code, item, error = _native.batch_next(handle, wait_ms)
        finally:
            if handle is not None:
                self._release()
        if code == _native.MK_BATCH_PENDING:
            return False, None
        if code == _native.MK_BATCH_DONE:
            self._finished = True
            self.close()
            return True, None
        if code != 0 or item is None:
            raise call_error(code or Status.INTERNAL, error)
        status, body = item.status, item.json
        if status == Status.OK and body is not None:
            # The core validated the body (as for get_identity): only map it.
            identity = decode_validated(body, None)
            return False, BatchResult(item.link_id, item.index, identity, None, body)
        if status == Status.OK:  # an OK item without a body breaks the header's promise
            status = Status.INTERNAL
        err = call_error(status, item.error)
        return False, BatchResult(item.link_id, item.index, None, err, None)


class AsyncBatch:
    """A running batch for asyncio (`AsyncClient.get_identities`): `async for` it for one
    `BatchResult` per link, as each completes, without blocking the event loop.

        async with client.get_identities(links) as batch:
            async for r in batch:               # len(batch) is the number of links
                if r.ok: store(r.link_id, r.identity)
                else:    log(r.link_id, r.error)

    Each wait for a result runs on the client's executor, at most 100 ms at a time, so a
    cancelled task stops waiting within about that (a result already taken is kept for the
    next `__anext__`, never lost). Everything else is `Batch`'s: the limits, `len()`,
    `progress`, `cancel()` (any thread), and `aclose()` (or the end of the `async with`
    block, or of the iteration) cancels what is left and frees the batch.
    """

    def __init__(self, batch: Batch, executor: Optional[concurrent.futures.Executor]) -> None:
        self._batch = batch
        self._executor = executor
        self._pending: "Optional[asyncio.Future[Tuple[bool, Optional[BatchResult]]]]" = None

    def __aiter__(self) -> AsyncIterator[BatchResult]:
        return self

    async def __anext__(self) -> BatchResult:
        loop = asyncio.get_running_loop()
        while True:
            if self._pending is None:
                self._pending = loop.run_in_executor(self._executor, self._batch._poll, _POLL_MS)
            # Shielded: a cancelled task leaves the poll running; its result is kept.
            done, result = await asyncio.shield(self._pending)
            self._pending = None
            if done:
                raise StopAsyncIteration
            if result is not None:
                return result

    def __len__(self) -> int:
        return len(self._batch)

    @property
    def progress(self) -> BatchProgress:
        """A snapshot of the counters (`Batch.progress`)."""
        return self._batch.progress

    @property
    def closed(self) -> bool:
        """True once the batch ended or was closed."""
        return self._batch.closed

    def cancel(self) -> None:
        """`Batch.cancel`: nothing new starts; calls in flight end as results."""
        self._batch.cancel()

    async def aclose(self) -> None:
        """Cancels what is left and frees the batch (`Batch.close`; never blocks the loop
        for long: a poll running on the executor is at most 100 ms)."""
        self._batch.close()
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.add_done_callback(_consume)

    async def __aenter__(self) -> AsyncBatch:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return repr(self._batch).replace("moneykit_native.Batch", "moneykit_native.AsyncBatch")


def _consume(fut: "asyncio.Future[Any]") -> None:
    # Retrieve the outcome so asyncio never logs "exception was never retrieved".
    if not fut.cancelled():
        fut.exception()


__all__ = ["AsyncBatch", "Batch", "BatchProgress", "BatchResult"]
