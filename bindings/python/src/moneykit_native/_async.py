"""`AsyncClient`: the blocking `Client` calls as coroutines, cancellable by asyncio.

Each call runs the native (blocking, GIL-free) call on an executor thread, so the event loop
keeps running. Cancelling the awaiting task triggers a per-call `Cancel`: the native call
returns within about 100 ms, the executor thread is free again, and only then does the task
end with `asyncio.CancelledError`. Results and exceptions are exactly those of `Client`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import threading
from datetime import datetime
from types import TracebackType
from typing import Any, Callable, Iterable, Optional, Type, TypeVar, Union

from ._batch import AsyncBatch
from ._cancel import Cancel
from ._client import Client
from ._match import OwnerMatch
from ._models import IdentityResponse
from ._surface_gen import AsyncClientSurface

_T = TypeVar("_T")

_QUEUED, _RUNNING, _SKIPPED = 0, 1, 2


class AsyncClient(AsyncClientSurface):
    """A MoneyKit client for asyncio: `await client.get_identity(link_id)`.

        async with mk.AsyncClient("client-id", "client-secret") as client:
            identity = await client.get_identity("mk_eqkWN34UEoa2NxyALG8pcV")

    The constructor takes `Client`'s arguments (it creates one `Client`, available as
    `.sync`; both constructors come from the schema, through `AsyncClientSurface`) plus
    `executor`: the `concurrent.futures.Executor` the blocking calls run on
    (None: the event loop's default executor, as `asyncio.to_thread` uses). Each call holds
    one executor thread while it runs; size the executor for the calls you run at once.

    Cancellation: cancelling the task that awaits a call cancels the native call itself
    (through a `Cancel` made for that call). The task ends with `asyncio.CancelledError`
    once the native call has returned, within about 100 ms, so no thread is left blocked.
    A call still waiting for an executor thread is dropped without running. There is no
    `cancel=` argument: cancel the task (`task.cancel()`, `asyncio.timeout`,
    `asyncio.wait_for`), or use `timeout=` for a deadline the native call enforces itself.

    Results and exceptions are those of `Client` (`IdentityResponse`, `MoneyKitError`
    subclasses, `OwnerMatch`). `aclose()` (or `async with`) closes the client; calls in
    progress finish normally, as with `Client.close()`. `get_identities` returns an
    `AsyncBatch`: `async for r in client.get_identities(links)`.
    """

    def _open(
        self,
        client_id: Optional[str],
        client_secret: Optional[str],
        options: str,
        executor: Optional[concurrent.futures.Executor],
    ) -> None:
        """The `Client` (`mk_client_new` with the options JSON `AsyncClientSurface.__init__`
        built) and the executor."""
        self._executor = executor
        self._client = Client.__new__(Client)
        self._client._open(client_id, client_secret, options)

    # -- lifetime ---------------------------------------------------------------------

    @property
    def sync(self) -> Client:
        """The underlying blocking `Client` (same handle, same connection pool)."""
        return self._client

    @property
    def closed(self) -> bool:
        """True once `aclose()` has been called."""
        return self._client.closed

    async def aclose(self) -> None:
        """Closes the client (idempotent). Calls in progress finish normally; the native
        handle is freed when the last of them returns. Never blocks the loop."""
        self._client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<moneykit_native.AsyncClient {'closed' if self.closed else 'open'}>"

    # -- the bridge -------------------------------------------------------------------

    async def _run(self, fn: Callable[[Cancel], _T]) -> _T:
        """Runs `fn(cancel)` on the executor; task cancellation triggers `cancel`.

        On cancellation: a job not yet started is dropped; a running one is cancelled
        natively and awaited (it returns within ~100 ms) before CancelledError is raised,
        so the executor thread is free when the task ends.
        """
        loop = asyncio.get_running_loop()
        stop = Cancel()
        lock = threading.Lock()
        state = [_QUEUED]
        ctx = contextvars.copy_context()  # as asyncio.to_thread: logging context etc.

        def job() -> Optional[_T]:
            with lock:
                if state[0] == _SKIPPED:
                    return None
                state[0] = _RUNNING
            return ctx.run(fn, stop)

        fut = loop.run_in_executor(self._executor, job)
        try:
            try:
                result = await asyncio.shield(fut)
            except asyncio.CancelledError:
                with lock:
                    started = state[0] == _RUNNING
                    if not started:
                        state[0] = _SKIPPED
                if started:
                    stop.cancel()
                    await _finish(fut)
                else:
                    fut.add_done_callback(_consume)
                raise
            return result  # type: ignore[return-value]  # never None: the job was not skipped
        finally:
            stop.close()  # frees the handle now, or when the call using it returns

    # -- calls ------------------------------------------------------------------------

    async def get_identity_json(
        self,
        link_id: str,
        account_ids: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> str:
        """`Client.get_identity_json` off the event loop: the body exactly as sent."""
        ids = _listed(account_ids)
        return await self._run(
            lambda c: self._client.get_identity_json(link_id, ids, timeout=timeout, cancel=c)
        )

    async def get_identity(
        self,
        link_id: str,
        account_ids: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> IdentityResponse:
        """`Client.get_identity` off the event loop: an `IdentityResponse`."""
        ids = _listed(account_ids)
        return await self._run(
            lambda c: self._client.get_identity(link_id, ids, timeout=timeout, cancel=c)
        )

    def _get_identities(self, link_ids: Iterable[str], options: str) -> AsyncBatch:
        # Starting a batch does not block (the core's workers fetch); waits for results
        # run on the executor.
        return AsyncBatch(self._client._get_identities(link_ids, options), self._executor)

    async def _match_owners(
        self, link_id: str, claim: bytes, timeout: Optional[float]
    ) -> OwnerMatch:
        # The claim JSON was built (and type-checked) on the loop, before any request.
        client = self._client
        return await self._run(
            lambda c: client._match_owners(link_id, claim, timeout, c)
        )

    async def _refresh_identity(self, link_id: str, wait: float, options: str) -> IdentityResponse:
        client = self._client
        return await self._run(
            lambda c: client._refresh_identity(link_id, wait, c, options)
        )

    async def _wait_identity_newer(
        self,
        link_id: str,
        after: Union[IdentityResponse, datetime, str, None],
        wait: float,
        options: str,
    ) -> IdentityResponse:
        client = self._client
        return await self._run(
            lambda c: client._wait_identity_newer(link_id, after, wait, c, options)
        )

    async def request_identity_refresh(
        self, link_id: str, *, timeout: Optional[float] = None
    ) -> None:
        """`Client.request_identity_refresh` off the event loop."""
        await self._run(
            functools.partial(self._request_refresh, link_id, timeout)
        )

    def _request_refresh(self, link_id: str, timeout: Optional[float], cancel: Cancel) -> None:
        self._client.request_identity_refresh(link_id, timeout=timeout, cancel=cancel)


def _listed(account_ids: Optional[Iterable[str]]) -> Optional[Iterable[str]]:
    # A generator is consumed here, on the loop, not on the executor thread.
    if account_ids is None or isinstance(account_ids, (str, bytes)):
        return account_ids  # a single string: Client raises its TypeError
    return list(account_ids)


async def _finish(fut: "asyncio.Future[Any]") -> None:
    """Waits for `fut` (a cancelled native call: ~100 ms) whatever it raises, even if the
    task is cancelled again meanwhile; the task's own CancelledError is re-raised after."""
    while not fut.done():
        try:
            await asyncio.shield(fut)
        except asyncio.CancelledError:
            continue
        except BaseException:
            break
    _consume(fut)


def _consume(fut: "asyncio.Future[Any]") -> None:
    # Retrieve the outcome so asyncio never logs "exception was never retrieved".
    if fut.done() and not fut.cancelled():
        fut.exception()
