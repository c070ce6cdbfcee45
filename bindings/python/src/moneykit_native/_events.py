"""The library's per-attempt events (`mk_client_set_event_callback`) as `logging` records.

One record per HTTP attempt on the logger `"moneykit_native"`, emitted on the thread that
made the call, before the call returns. One level per outcome, the same in every binding and
in the library's own `log_level` lines:

- DEBUG: a successful token request (`POST /auth/token`);
- INFO: a successful identity attempt;
- WARNING: every attempt that failed, retried or not, whatever ended it: an error, the
  `timeout=` / `deadline` (`MK_ERR_TIMEOUT`) or a `Cancel` (`MK_ERR_CANCELLED`).

The record's `status` is the attempt's outcome as the library reports it; for a call's last
attempt it is the status of the exception the call raises (`RequestTimeoutError` for a
deadline, `CallCancelledError` for a cancel).

Each record carries the fields of the event (the schema's `Event` record, `_records_gen`) as
attributes (`extra`): `method`, `path` (a template, never the link id), `http_status` (None
when no response arrived), `status` (a `Status`), `attempt` (1-based), `elapsed_ms`,
`request_id` (None when none) and `retry_wait_ms` (None when no retry follows). Never owner
data or secrets.

With `coordination_url`, Redis itself reports through the same records (method `"REDIS"`,
path `"coordination"`, no `http_status`, `attempt` 1): a WARNING when this process loses
Redis (`status` `TRANSPORT` or `TIMEOUT`; it then keeps to its local share of the budget and
tries Redis again after `retry_wait_ms`), an INFO when Redis is back (`status` `OK`,
`elapsed_ms`: how long it was lost); one record per loss and one per return.

The package adds a `NullHandler` to the logger (the library convention), so nothing is
printed until the application configures logging. A record whose level the logger does
not enable is not built at all.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

from . import _native
from ._records_gen import Event
from ._status import Status

LOGGER_NAME = "moneykit_native"
logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())

_DEBUG, _INFO, _WARNING = logging.DEBUG, logging.INFO, logging.WARNING
_OK = int(Status.OK)
_REDIS = "REDIS"


def level_for(method: bytes, status: int) -> int:
    """The record level of an attempt (see the module docstring)."""
    if status == _OK:
        return _DEBUG if method == b"POST" else _INFO
    return _WARNING


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8", "replace")


def _on_event(_user_data: Optional[int], event: Any) -> None:
    # Called by the library, on the caller's thread, with the GIL taken by ctypes. An
    # exception here cannot unwind into C: ctypes reports it to sys.unraisablehook.
    e = event.contents
    level = level_for(e.method, e.status)
    if not logger.isEnabledFor(level):
        return
    ev = Event._from_c(e, _text)
    extra: Dict[str, Any] = dict(vars(ev))
    if ev.method == _REDIS:
        logger.log(level, *_redis_message(ev), extra=extra)
        return
    msg = "%s %s: %s %s, attempt %d, %d ms"
    args = [
        ev.method, ev.path, ev.http_status or "no response",
        ev.status.c_name, ev.attempt, ev.elapsed_ms,
    ]
    if ev.request_id is not None:
        msg += ", request id %s"
        args.append(ev.request_id)
    if ev.retry_wait_ms is not None:
        msg += "; retrying in %d ms"
        args.append(ev.retry_wait_ms)
    logger.log(level, msg, *args, extra=extra)


def _redis_message(ev: Event) -> Tuple[Any, ...]:
    """A coordination event's message and arguments: a loss or a return, no attempt."""
    if ev.status == Status.OK:
        return ("%s %s: Redis is back after %d ms; the budget is shared again",
                ev.method, ev.path, ev.elapsed_ms)
    msg = ("%s %s: Redis lost (%s after %d ms); this process keeps to its share of the "
           "budget")
    args: List[Any] = [ev.method, ev.path, ev.status.c_name, ev.elapsed_ms]
    if ev.retry_wait_ms is not None:
        msg += " and tries Redis again in %d ms"
        args.append(ev.retry_wait_ms)
    return (msg, *args)


#: The one ctypes callback every client is given. Module-level, so it lives as long as
#: the library can call it (each Client also keeps a reference).
EVENT_CALLBACK: Any = _native.mk_event_fn(_on_event)

__all__ = ["EVENT_CALLBACK", "LOGGER_NAME", "level_for", "logger"]
