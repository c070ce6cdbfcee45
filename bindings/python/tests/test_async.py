"""`AsyncClient` (issue 13, item 6): the blocking calls as coroutines, with asyncio task
cancellation wired to the native per-call cancel. Plain `asyncio.run`, no plugin."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any, Callable, Dict, List

import pytest

import moneykit_native as mk

from conftest import FAST, TOKEN, Sandbox, structure

SILENT = "mk_fault_silent"
#: Upper bound for "at once / within about 100 ms": wide for a loaded 2-core machine, far
#: below the 60 s a `PATIENT` client's call on the silent link runs if nothing stops it.
PROMPT = 5.0
PATIENT: Dict[str, Any] = {"timeout": 60.0, "deadline": 120.0}
CLAIM: Dict[str, Any] = {"name": "ALVAREZ, Jose", "email": "jose.alvarez@example.com"}


def same(a: mk.IdentityResponse, b: mk.IdentityResponse) -> bool:
    """Equal down to each value's type; `request_id` (one response's metadata) aside."""
    return a == b and structure(a.accounts) == structure(b.accounts) and structure(
        a.link) == structure(b.link)


def make_async(sandbox: Sandbox, **kw: Any) -> mk.AsyncClient:
    return mk.AsyncClient(**{**FAST, "access_token": TOKEN, "base_url": sandbox.url, **kw})


async def until_seen(sandbox: Sandbox, link_id: str, count: int, task: "asyncio.Task[Any]") -> None:
    """Polls the sandbox's request log (on the loop: each poll is a short blocking admin
    call) until it holds `count` GETs for `link_id`; `task` must still be running."""
    deadline = time.monotonic() + 60
    while sandbox.seen(link_id) < count:
        assert not task.done(), task
        assert time.monotonic() < deadline, f"{link_id}: request not seen within 60 s"
        await asyncio.sleep(0.01)
    assert not task.done(), f"{task} ended before the loop saw its request arrive"


def test_results_equal_client(client: mk.Client, sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as ac:
            ident = await ac.get_identity("mk_sandbox_ok")
            assert isinstance(ident, mk.IdentityResponse)
            assert same(ident, client.get_identity("mk_sandbox_ok"))
            assert ident.request_id is not None
            some = [ident.accounts[0].account_id]
            part = await ac.get_identity("mk_sandbox_ok", iter(some))  # a generator is fine
            assert same(part, client.get_identity("mk_sandbox_ok", some))
            assert len(part.accounts) == 1
            text = await ac.get_identity_json("mk_sandbox_unicode")
            assert isinstance(text, str)
            assert text == client.get_identity_json("mk_sandbox_unicode")
            m = await ac.match_owners("mk_sandbox_ok", CLAIM)
            assert m == client.match_owners("mk_sandbox_ok", CLAIM)
            assert m == await ac.match_owners("mk_sandbox_ok", **CLAIM)
        assert ac.closed and ac.sync.closed

    asyncio.run(main())


def test_exceptions_map_like_client(client: mk.Client, sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as ac:
            for link in ("mk_sandbox_forbidden", "mk_no_such_link", "mk_sandbox_rate_limited",
                         "mk_fault_malformed"):
                with pytest.raises(mk.MoneyKitError) as sync_info:
                    client.get_identity(link)
                with pytest.raises(mk.MoneyKitError) as async_info:
                    await ac.get_identity(link)
                assert type(async_info.value) is type(sync_info.value)
                a, s = async_info.value, sync_info.value
                for attr in ("status", "http_status", "error_code", "error_message", "attempts"):
                    assert getattr(a, attr) == getattr(s, attr), (link, attr)
            with pytest.raises(mk.RequestTimeoutError):
                await ac.get_identity(SILENT, timeout=0.2)
            with pytest.raises(mk.InvalidArgumentError):
                await ac.get_identity("mk_sandbox_ok", timeout=0)
            with pytest.raises(TypeError):
                await ac.get_identity("mk_sandbox_ok", "acc_1")  # a single string
            with pytest.raises(TypeError):  # before any request, as Client's
                await ac.match_owners("mk_sandbox_ok", ["name"])  # type: ignore[arg-type]
            with pytest.raises(mk.InvalidArgumentError):  # the library's claim check
                await ac.match_owners("mk_sandbox_ok", name=3)  # type: ignore[arg-type]
        # After aclose(): InvalidArgumentError, as Client after close().
        with pytest.raises(mk.InvalidArgumentError):
            await ac.get_identity("mk_sandbox_ok")
        await ac.aclose()  # idempotent

    asyncio.run(main())


def test_cancel_ends_task_and_frees_the_thread(sandbox: Sandbox) -> None:
    # One executor thread: the follow-up call can only run if the cancelled call freed it.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def main() -> None:
        async with make_async(sandbox, executor=pool, **PATIENT) as ac:
            before = sandbox.seen(SILENT)
            task = asyncio.create_task(ac.get_identity(SILENT))
            await until_seen(sandbox, SILENT, before + 1, task)  # the request is out, the server silent
            cancelled_at = time.perf_counter()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.perf_counter() - cancelled_at < PROMPT
            assert task.cancelled()
            started = time.perf_counter()
            ident = await ac.get_identity("mk_sandbox_ok")
            assert len(ident.accounts) == 2
            # At once: nothing left running on the only thread (the silent call would hold
            # it for the client's 60 s timeout).
            assert time.perf_counter() - started < PROMPT

    try:
        asyncio.run(main())
    finally:
        pool.shutdown(wait=True)


def test_wait_for_timeout_cancels_natively(sandbox: Sandbox) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def main() -> None:
        async with make_async(sandbox, executor=pool, **PATIENT) as ac:
            started = time.perf_counter()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ac.get_identity_json(SILENT), 0.3)
            assert time.perf_counter() - started < PROMPT  # not the client's 60 s
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ac.match_owners(SILENT, CLAIM), 0.3)
            assert (await ac.get_identity_json("mk_sandbox_ok")).startswith("{")

    try:
        asyncio.run(main())
    finally:
        pool.shutdown(wait=True)


def test_cancel_of_a_queued_call_sends_nothing(sandbox: Sandbox) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def main() -> None:
        async with make_async(sandbox, executor=pool, **PATIENT) as ac:
            seen = sandbox.seen(SILENT)
            busy = asyncio.create_task(ac.get_identity(SILENT))
            await until_seen(sandbox, SILENT, seen + 1, busy)  # the only thread is busy
            before = sandbox.stats()["requests"]
            queued = asyncio.create_task(ac.get_identity("mk_sandbox_ok"))
            # One pass of the loop runs the new task up to its first await: the executor
            # has its job in the queue (behind the busy one) from then on.
            await asyncio.sleep(0)
            assert not queued.done() and not busy.done()
            queued.cancel()
            with pytest.raises(asyncio.CancelledError):
                await queued
            # Not waiting for the busy thread: that call is still running.
            assert not busy.done()
            busy.cancel()
            with pytest.raises(asyncio.CancelledError):
                await busy
            await ac.get_identity("mk_sandbox_ok")
            # The queued call never ran: the only request since is the follow-up.
            assert sandbox.stats()["requests"] == before + 1

    try:
        asyncio.run(main())
    finally:
        pool.shutdown(wait=True)


def test_many_concurrent_tasks(client: mk.Client, sandbox: Sandbox) -> None:
    expected = client.get_identity("mk_sandbox_ok")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    threads: List[str] = []

    async def main() -> None:
        async with make_async(sandbox, executor=pool) as ac:
            async def one(i: int) -> Any:
                threads.append(threading.current_thread().name)  # the loop's thread
                return await ac.get_identity("mk_sandbox_ok" if i % 5 else "mk_sandbox_unicode")

            # Silent calls cancelled in the middle of the crowd do not disturb the others.
            silent = [asyncio.create_task(ac.get_identity(SILENT)) for _ in range(3)]
            results = await asyncio.gather(*(one(i) for i in range(60)))
            for t in silent:
                t.cancel()
            done = await asyncio.gather(*silent, return_exceptions=True)
            assert all(isinstance(d, asyncio.CancelledError) for d in done)
        for i, r in enumerate(results):
            if i % 5:
                assert same(r, expected)
            else:
                assert r.accounts and r.accounts[0].owners
        assert set(threads) == {threading.main_thread().name}

    try:
        asyncio.run(main())
    finally:
        pool.shutdown(wait=True)


def test_default_executor_and_refresh_calls(sandbox: Sandbox) -> None:
    async def main() -> None:
        ac = make_async(sandbox, **PATIENT)  # the loop's default executor
        try:
            assert "open" in repr(ac)
            # A link of its own: a refresh of mk_sandbox_ok on the session's sandbox would
            # change its refreshed_at for every later test, 10 s (the refresh delay) later.
            link = "mk_sandbox_bulk_7000001"
            await ac.request_identity_refresh(link)
            assert sandbox.admin("GET", f"/_sandbox/links/{link}")["refresh_requests"] == 1
            before = sandbox.seen(SILENT)
            task = asyncio.create_task(ac.wait_identity_newer(SILENT, wait=60.0))
            await until_seen(sandbox, SILENT, before + 1, task)  # its first poll is out
            t0 = time.perf_counter()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.perf_counter() - t0 < PROMPT  # not the 60 s wait
        finally:
            await ac.aclose()
        assert "closed" in repr(ac)

    asyncio.run(main())


def test_loop_keeps_running_during_a_call(sandbox: Sandbox) -> None:
    # The loop sees the call's request reach the sandbox while the call is still running,
    # and keeps ticking until it ends: a call run on the loop's thread would block it
    # from before the request until after the answer.
    async def main() -> int:
        ticks = 0
        async with make_async(sandbox, **PATIENT) as ac:
            before = sandbox.seen(SILENT)
            call = asyncio.create_task(ac.get_identity(SILENT, timeout=5.0))
            await until_seen(sandbox, SILENT, before + 1, call)
            while not call.done():
                ticks += 1
                await asyncio.sleep(0.01)
            with pytest.raises(mk.RequestTimeoutError):
                call.result()
        return ticks

    assert asyncio.run(main()) > 0


def test_async_client_is_exported() -> None:
    assert "AsyncClient" in mk.__all__ and mk.AsyncClient.__module__ == "moneykit_native"
    f: Callable[..., Any] = mk.AsyncClient.get_identity
    assert asyncio.iscoroutinefunction(f)


# -- batches: async for (issue 27) --------------------------------------------------------


def test_async_batch_yields_every_result_without_blocking_the_loop(
    client: mk.Client, sandbox: Sandbox
) -> None:
    links = ["mk_sandbox_ok", "mk_no_such_link", "mk_fault_slow_400", "mk_sandbox_unicode"]

    async def main() -> None:
        async with make_async(sandbox) as ac:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            tick = asyncio.create_task(ticker())
            results: List[mk.BatchResult] = []
            async with ac.get_identities(links, concurrency=2) as batch:
                assert isinstance(batch, mk.AsyncBatch) and len(batch) == len(links)
                async for r in batch:
                    results.append(r)
                assert batch.progress.done == len(links)
            tick.cancel()
            # The loop ran while the slow link (400 ms) was awaited.
            assert ticks >= 10, ticks
            assert batch.closed
            assert sorted(r.index for r in results) == list(range(len(links)))
            by_link = {r.link_id: r for r in results}
            assert isinstance(by_link["mk_no_such_link"].error, mk.NotFoundError)
            ok = by_link["mk_sandbox_ok"].unwrap()
            assert same(ok, client.get_identity("mk_sandbox_ok"))
            assert by_link["mk_fault_slow_400"].ok

    asyncio.run(main())


def test_async_batch_cancelled_task_keeps_results_and_closes(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox, **PATIENT) as ac:
            before = sandbox.seen(SILENT)
            batch = ac.get_identities(["mk_sandbox_ok", SILENT, "mk_sandbox_unicode"])
            seen: List[str] = []

            async def consume() -> None:
                async for r in batch:
                    seen.append(r.link_id)

            task = asyncio.create_task(consume())
            await until_seen(sandbox, SILENT, before + 1, task)
            while len(seen) < 2:  # the two quick links; the silent one never answers
                await asyncio.sleep(0.01)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < PROMPT
            # The batch goes on: cancel() ends the silent call, its result comes out.
            batch.cancel()
            rest = [r async for r in batch]
            assert [r.link_id for r in rest] == [SILENT]
            assert isinstance(rest[0].error, mk.CallCancelledError)
            await batch.aclose()
            assert batch.closed
            assert sorted(seen) == ["mk_sandbox_ok", "mk_sandbox_unicode"]

    asyncio.run(main())


def test_async_batch_refuses_bad_arguments_at_once(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as ac:
            with pytest.raises(mk.InvalidArgumentError, match="concurrency= must be from 1"):
                ac.get_identities(["mk_sandbox_ok"], concurrency=0)
            with pytest.raises(TypeError):
                ac.get_identities("mk_sandbox_ok")

    asyncio.run(main())
