"""`NativeHandle`: the lifetime of an object that owns one native handle (the client, a
webhook verifier). Calls take the handle with `_acquire` and give it back with `_release`;
`close` frees it at once, or when the last call in progress ends. Idempotent; `__del__` is
only a backstop."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Optional, Type, TypeVar

from ._error_json import invalid_argument

_H = TypeVar("_H", bound="NativeHandle")


class NativeHandle:
    #: What the closed-object error and the repr call it ("client", "webhook verifier").
    _KIND = "handle"
    #: The repr's class name.
    _TYPE_NAME = "NativeHandle"

    _handle: Optional[int]

    def _init_handle(self) -> None:
        self._lock = threading.Lock()
        self._handle = None
        self._closed = False
        self._inflight = 0

    def _free(self, handle: int) -> None:
        """Frees the native handle (once, with no call in progress)."""
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        """True once `close()` has been called."""
        return self._closed

    def close(self) -> None:
        """Frees the native handle (at once, or when the calls in progress end). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handle = self._handle if self._inflight == 0 else None
            if handle is not None:
                self._handle = None
        if handle is not None:
            self._free(handle)

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # Last resort only; also runs for a half-built object whose __init__ raised.
        try:
            if getattr(self, "_handle", None) is not None and not getattr(self, "_closed", True):
                self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"<moneykit_native.{self._TYPE_NAME} {'closed' if self._closed else 'open'}>"

    def _acquire(self) -> int:
        with self._lock:
            if self._closed or self._handle is None:
                raise invalid_argument(f"the {self._KIND} is closed")
            self._inflight += 1
            return self._handle

    def _release(self) -> None:
        with self._lock:
            self._inflight -= 1
            handle = None
            if self._closed and self._inflight == 0 and self._handle is not None:
                handle, self._handle = self._handle, None
        if handle is not None:
            self._free(handle)
