"""Per-attempt events as `logging` records (issue 12), and the request id of a result."""

from __future__ import annotations

import copy
import dataclasses
import logging
import pickle
import sys
import threading
import uuid
from typing import Any, Callable, Dict, List

import pytest

import moneykit_native as mk

from conftest import CLIENT_ID, CLIENT_SECRET, TOKEN, Sandbox

LOGGER = "moneykit_native"
FIELDS = ("method", "path", "http_status", "status", "attempt", "elapsed_ms", "request_id",
          "retry_wait_ms")


def records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def fields(r: logging.LogRecord) -> Dict[str, Any]:
    return {k: getattr(r, k) for k in FIELDS}


def test_token_and_success_events(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(CLIENT_ID, CLIENT_SECRET)
    result = client.get_identity("mk_sandbox_ok")
    token, ok = records(caplog)
    assert token.levelno == logging.DEBUG
    assert fields(token) == {
        "method": "POST", "path": "/auth/token", "http_status": token.http_status,
        "status": mk.Status.OK, "attempt": 1, "elapsed_ms": token.elapsed_ms,
        "request_id": token.request_id, "retry_wait_ms": None,
    }
    assert 200 <= token.http_status < 300 and isinstance(token.elapsed_ms, int)
    assert ok.levelno == logging.INFO
    assert fields(ok) == {
        "method": "GET", "path": "/links/{id}/identity", "http_status": 200,
        "status": mk.Status.OK, "attempt": 1, "elapsed_ms": ok.elapsed_ms,
        "request_id": result.request_id, "retry_wait_ms": None,
    }
    assert result.request_id is not None and result.request_id.startswith("req_")
    assert ok.getMessage() == (
        f"GET /links/{{id}}/identity: 200 MK_OK, attempt 1, {ok.elapsed_ms} ms, "
        f"request id {result.request_id}"
    )
    # Emitted on the calling thread, during the call.
    assert ok.thread == threading.get_ident()


def test_retry_and_failure_events(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(max_retries=1)
    result = client.get_identity(f"mk_fault_503_once_{uuid.uuid4().hex}")
    failed, ok = records(caplog)
    assert failed.levelno == logging.WARNING
    assert (failed.http_status, failed.status, failed.attempt) == (503, mk.Status.SERVER, 1)
    assert 900 <= failed.retry_wait_ms <= 1100  # Retry-After: 1
    assert failed.getMessage().endswith(f"; retrying in {failed.retry_wait_ms} ms")
    assert failed.request_id is not None and failed.request_id != result.request_id
    assert ok.levelno == logging.INFO and ok.attempt == 2 and ok.retry_wait_ms is None
    assert ok.request_id == result.request_id

    caplog.clear()
    with pytest.raises(mk.NotFoundError) as info:
        client.get_identity("mk_no_such_link")
    (nf,) = records(caplog)
    assert nf.levelno == logging.WARNING
    assert (nf.http_status, nf.status, nf.retry_wait_ms) == (404, mk.Status.NOT_FOUND, None)
    assert nf.request_id == info.value.request_id is not None


def test_no_response_and_cancel_events(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture, sandbox: Sandbox
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client()
    with pytest.raises(mk.RequestTimeoutError):
        client.get_identity("mk_fault_silent", timeout=0.1)
    (timeout,) = records(caplog)
    assert timeout.levelno == logging.WARNING
    assert (timeout.http_status, timeout.status, timeout.request_id) == (
        None, mk.Status.TIMEOUT, None)
    assert "no response MK_ERR_TIMEOUT" in timeout.getMessage()

    caplog.clear()
    cancel = mk.Cancel()
    before = sandbox.seen("mk_fault_silent")

    def cancel_once_sent() -> None:  # not a timer: a cancel before the request makes no attempt
        sandbox.wait_seen("mk_fault_silent", before + 1)
        cancel.cancel()

    canceller = threading.Thread(target=cancel_once_sent, daemon=True)
    canceller.start()
    with pytest.raises(mk.CallCancelledError):
        client.get_identity("mk_fault_silent", cancel=cancel)
    canceller.join(60)
    (cancelled,) = records(caplog)
    # One level per outcome, as the library's log_level lines and the other bindings: an
    # attempt that did not succeed is a WARNING, whatever ended it (issue 27).
    assert cancelled.levelno == logging.WARNING and cancelled.status == mk.Status.CANCELLED


@pytest.mark.parametrize(
    "link, options, call_kw, raised",
    [
        ("mk_no_such_link", {}, {}, mk.NotFoundError),
        ("mk_fault_503", {}, {}, mk.ServerError),
        ("mk_fault_503", {"max_retries": 1, "retry_base": 0.01}, {}, mk.ServerError),
        ("mk_sandbox_rate_limited_long", {}, {}, mk.RateLimitedError),
        ("mk_fault_malformed", {}, {}, mk.DecodeError),
        ("mk_fault_silent", {}, {"timeout": 0.2}, mk.RequestTimeoutError),
        ("mk_fault_silent", {"deadline": 0.3, "timeout": 5.0}, {}, mk.RequestTimeoutError),
        ("mk_fault_silent", {"deadline": 0.5, "timeout": 0.2, "max_retries": 5,
                             "retry_base": 0.01}, {}, mk.RequestTimeoutError),
        ("mk_sandbox_ok", {"access_token": "not-the-sandbox-token"}, {}, mk.UnauthorizedError),
    ],
    ids=["not_found", "server", "server_retried", "rate_limited", "decode", "call_timeout",
         "deadline", "deadline_with_retries", "unauthorized"],
)
def test_one_level_per_outcome_and_the_raised_status(
    link: str, options: Dict[str, Any], call_kw: Dict[str, Any], raised: type,
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture,
) -> None:
    """The last attempt's record carries the status of the exception the call raises, and
    every attempt that did not succeed is a WARNING (issue 27: one level and one status per
    outcome in every binding)."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(**options)
    with pytest.raises(raised) as info:  # type: ignore[call-overload]
        client.get_identity(link, **call_kw)
    recs = [r for r in records(caplog) if r.path == "/links/{id}/identity"]
    assert recs and len(recs) == info.value.attempts
    assert recs[-1].status == info.value.status
    assert {r.levelno for r in recs} == {logging.WARNING}


def test_a_cancelled_async_task_logs_cancelled_at_warning(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    caplog.set_level(logging.DEBUG, logger=LOGGER)

    async def main() -> None:
        async with mk.AsyncClient(access_token=TOKEN, base_url=sandbox.url, max_retries=0) as ac:
            before = sandbox.seen("mk_fault_silent")
            task = asyncio.ensure_future(ac.get_identity("mk_fault_silent"))
            while sandbox.seen("mk_fault_silent") == before:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    (rec,) = records(caplog)
    assert (rec.status, rec.levelno) == (mk.Status.CANCELLED, logging.WARNING)


def test_events_never_carry_owner_data_or_secrets(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    link = "mk_sandbox_ok"
    account = "acc_6Tef269B6ZArSVpYrxtjBV"
    client = make_client(CLIENT_ID, CLIENT_SECRET)
    result = client.get_identity(link, account_ids=[account])
    with pytest.raises(mk.NotFoundError):
        client.get_identity("mk_no_such_link_secret_id")
    make_client(access_token=TOKEN).get_identity(link)
    recs = records(caplog)
    assert len(recs) == 4
    text = "\n".join(r.getMessage() + repr(fields(r)) for r in recs)
    forbidden = [link, "mk_no_such_link_secret_id", account, CLIENT_ID, CLIENT_SECRET, TOKEN]
    forbidden += [n for o in result.owners for n in o.names]
    forbidden += [e.address for o in result.owners for e in o.emails]
    assert result.owners and not [f for f in forbidden if f in text]


def test_disabled_levels_build_no_record(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    client = make_client(CLIENT_ID, CLIENT_SECRET)
    client.get_identity("mk_sandbox_ok")
    assert records(caplog) == []
    with pytest.raises(mk.NotFoundError):
        client.get_identity("mk_no_such_link")
    assert [r.levelno for r in records(caplog)] == [logging.WARNING]


def test_library_logger_has_a_null_handler() -> None:
    # Nothing reaches stderr through logging.lastResort unless the application configures
    # logging (the standard library's advice for libraries).
    handlers = logging.getLogger(LOGGER).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_a_failing_handler_does_not_break_the_call(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A handler whose emit() raises (instead of calling handleError): the exception
    # cannot unwind into C; ctypes reports it to sys.unraisablehook and the call goes on.
    class Boom(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("handler bug")

    reported: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    caplog.set_level(logging.INFO, logger=LOGGER)
    handler = Boom()
    logging.getLogger(LOGGER).addHandler(handler)
    try:
        assert len(make_client().get_identity("mk_sandbox_ok").accounts) == 2
    finally:
        logging.getLogger(LOGGER).removeHandler(handler)
    assert [type(u.exc_value) for u in reported] == [RuntimeError]


# -- request id on the result ---------------------------------------------------------------


def test_request_id_on_the_result(client: mk.Client) -> None:
    a = client.get_identity("mk_sandbox_ok")
    b = client.get_identity("mk_sandbox_ok")
    assert a.request_id and b.request_id and a.request_id != b.request_id
    # Metadata of the HTTP response, not data: equality, hash, repr and the dump ignore it.
    assert a == b and hash(a) == hash(b)
    assert a.request_id not in repr(a)
    assert "request_id" not in mk.canonical_dump(a)
    # Kept by pickling, copying and dataclasses.replace.
    for c in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a), copy.copy(a),
              dataclasses.replace(a)):
        assert c == a and c.request_id == a.request_id
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.request_id = "x"  # type: ignore[misc]
    # Decoding a body you hold has no request id.
    text = client.get_identity_json("mk_sandbox_ok")
    assert mk.IdentityResponse.from_json(text).request_id is None
    assert mk.IdentityResponse.from_json(text) == a
