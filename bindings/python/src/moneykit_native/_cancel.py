"""`Cancel`: one `mk_cancel` handle, which another thread triggers to stop calls."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Optional, Type

from . import _native
from ._error_json import error_from_json, invalid_argument


class Cancel:
    """A cancel switch for blocking calls, safe to trigger from any thread.

    Pass it as `cancel=` to `Client.get_identity` / `get_identity_json` (to any number of
    calls, on any threads); `cancel()` makes each of them raise `CallCancelledError`
    within about 100 ms, and every later call given this object raises it at once. A
    triggered `Cancel` stays triggered: make a new one for new work.

        stop = mk.Cancel()
        threading.Timer(2.0, stop.cancel).start()   # or a UI button, a shutdown hook...
        try:
            identity = client.get_identity(link_id, cancel=stop)
        except mk.CallCancelledError:
            ...

    It owns a native `mk_cancel` handle, freed by `close()` (or a `with` block, or
    garbage collection). A call using it holds a reference and a use count, so the
    handle is freed only after every such call has returned, even when `close()` runs
    in between; `cancel()` still reaches those calls. A closed `Cancel` is refused by new
    calls (`InvalidArgumentError`).
    """

    def __init__(self) -> None:
        # Reentrant: cancel() may run in a signal handler that interrupted this object's
        # own critical section on the main thread. The handle is only freed outside it.
        self._lock = threading.RLock()
        self._handle: Optional[int] = None
        self._closed = False
        self._cancelled = False
        self._inflight = 0
        rc, handle, error = _native.new_cancel()
        if rc != 0 or handle is None:
            raise error_from_json(rc, error)
        self._handle = handle

    def cancel(self) -> None:
        """Cancels every call using this object, now and later. Idempotent, any thread."""
        with self._lock:
            self._cancelled = True
            # Under the lock: the handle cannot be freed while it is triggered.
            if self._handle is not None:
                _native.trigger_cancel(self._handle)

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` has been called."""
        return self._cancelled

    @property
    def closed(self) -> bool:
        """True once `close()` has been called."""
        return self._closed

    def close(self) -> None:
        """Frees the native handle (at once, or when the calls using it return). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self._handle if self._inflight == 0 else None
            if handle is not None:
                self._handle = None
        if handle is not None:
            _native.free_cancel(handle)

    def __enter__(self) -> Cancel:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # Runs only when no call holds this object any more (each call keeps a reference).
        try:
            if getattr(self, "_handle", None) is not None and not getattr(self, "_closed", True):
                self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        state = "cancelled" if self._cancelled else "not cancelled"
        return f"<moneykit_native.Cancel {state}{', closed' if self._closed else ''}>"

    # -- used by Client ---------------------------------------------------------------

    def _acquire(self) -> int:
        with self._lock:
            if self._closed or self._handle is None:
                raise invalid_argument("the Cancel object is closed")
            self._inflight += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._inflight -= 1
            handle = None
            if self._closed and self._inflight == 0 and self._handle is not None:
                handle, self._handle = self._handle, None
        if handle is not None:
            _native.free_cancel(handle)
