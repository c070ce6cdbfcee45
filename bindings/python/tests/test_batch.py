"""`client.get_identities` (issue 15): the `Batch` iterator over `mk_batch_*`, against a
realistic sandbox (limits, latency, time scale 60)."""

from __future__ import annotations

import _thread
import gc
import signal
import threading
import time
from typing import Dict, List

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import TIME_SCALE, Sandbox


#: Upper bound for "stops within about 100 ms" (calls in flight end, each wait in C lasts
#: at most 100 ms): wide for a loaded 2-core machine, and far below the time the rest of
#: each batch below would take if it were not stopped (25 s and more).
PROMPT = 5.0


def bulk(start: int, n: int) -> List[str]:
    return [f"mk_sandbox_bulk_{i}" for i in range(start, start + n)]


def test_a_batch_yields_each_link_once_within_the_limits(
    realistic_sandbox: Sandbox, realistic_client: mk.Client
) -> None:
    links = bulk(1000, 300)
    before = realistic_sandbox.stats()
    seen: Dict[str, int] = {}
    snapshots: List[mk.BatchProgress] = []
    with realistic_client.get_identities(links, time_scale=TIME_SCALE) as batch:
        assert len(batch) == 300
        assert batch.progress.total == 300
        for r in batch:
            assert isinstance(r, mk.BatchResult)
            assert r.ok and r.error is None, r.error
            assert r.identity is not None and r.identity.link.link_id == r.link_id
            assert links[r.index] == r.link_id
            assert r.json is not None and r.link_id in r.json
            assert r.unwrap() is r.identity
            seen[r.link_id] = seen.get(r.link_id, 0) + 1
            if len(seen) % 50 == 0:
                snapshots.append(batch.progress)
        assert batch.closed  # the end of the iteration frees the handle
        end = batch.progress  # the last snapshot, kept after the handle is freed
    assert seen == {link: 1 for link in links}
    assert (end.total, end.done, end.ok, end.failed, end.in_flight) == (300, 300, 300, 0, 0)
    assert end.rate_limited == 0 and not end.cancelled
    assert end.allowed_per_minute == 600 * TIME_SCALE
    for p in snapshots:
        assert 0 < p.done <= p.total == 300 and p.ok + p.failed == p.done
        assert p.elapsed >= 0 and p.rate_per_minute >= 0 and p.rate == p.rate_per_minute / 60
    after = realistic_sandbox.stats()
    # The sandbox answered 0 rate-limited requests to the batch's default settings.
    assert after["rate_limited"] - before["rate_limited"] == 0
    assert after["identity_requests"] - before["identity_requests"] == 300
    assert next(iter(batch), None) is None  # exhausted for good
    # The client is still usable.
    assert realistic_client.get_identity("mk_sandbox_ok").link.link_id == "mk_sandbox_ok"


def test_cancel_stops_the_batch(realistic_client: mk.Client) -> None:
    links = bulk(2000, 300)
    # 12 a (scaled) minute: at time scale 60, one start per ~85 ms, so 300 take ~25 s.
    batch = realistic_client.get_identities(
        links, concurrency=4, app_per_minute=12, time_scale=TIME_SCALE
    )
    got: List[mk.BatchResult] = []
    for r in batch:
        got.append(r)
        if len(got) == 10:
            batch.cancel()
            t_cancel = time.monotonic()
    took = time.monotonic() - t_cancel
    assert took < PROMPT, took  # calls in flight end within about 100 ms
    assert 10 <= len(got) < 300
    assert len({r.link_id for r in got}) == len(got)
    # Whatever came after the cancel is a result or CallCancelledError, never anything else.
    for r in got[10:]:
        assert r.ok or isinstance(r.error, mk.CallCancelledError), r.error
    p = batch.progress
    assert p.cancelled and p.done < 300 and batch.closed
    batch.cancel()  # idempotent, also once closed
    batch.close()


def test_cancel_from_another_thread(realistic_client: mk.Client) -> None:
    # 6 a (scaled) minute: one start per ~170 ms, so the 200 would take ~34 s.
    batch = realistic_client.get_identities(
        bulk(3000, 200), concurrency=2, app_per_minute=6, time_scale=TIME_SCALE
    )
    cancelled_at: List[float] = []

    def cancel() -> None:
        cancelled_at.append(time.monotonic())
        batch.cancel()

    n = 0
    for _ in batch:
        n += 1
        if n == 1:  # the batch is running: cancel it from another thread
            threading.Thread(target=cancel).start()
    ended = time.monotonic()
    assert len(cancelled_at) == 1 and ended - cancelled_at[0] < PROMPT
    assert 0 < n < 200 and batch.progress.cancelled


def test_ctrl_c_interrupts_the_iteration(realistic_client: mk.Client) -> None:
    # Python's own SIGINT handler, whatever this process inherited: a shell starts a
    # background job with SIGINT ignored, and interrupt_main() then does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_interrupts_the_iteration(realistic_client)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_interrupts_the_iteration(realistic_client: mk.Client) -> None:
    # 6 a (scaled) minute: the 200 would take ~34 s; Ctrl-C comes after the first result.
    batch = realistic_client.get_identities(
        bulk(4000, 200), concurrency=2, app_per_minute=6, time_scale=TIME_SCALE
    )
    interrupted_at: List[float] = []

    def ctrl_c() -> None:
        interrupted_at.append(time.monotonic())
        _thread.interrupt_main()

    n = 0
    with pytest.raises(KeyboardInterrupt):
        with batch:
            for _ in batch:
                n += 1
                if n == 1:
                    threading.Thread(target=ctrl_c).start()
    ended = time.monotonic()
    assert len(interrupted_at) == 1
    assert ended - interrupted_at[0] < PROMPT  # each wait in C lasts at most 100 ms
    assert 0 < n < 200 and batch.closed and batch.progress.cancelled


def test_failures_are_results_and_bad_arguments_raise(realistic_client: mk.Client) -> None:
    links = ["mk_sandbox_ok", "mk_sandbox_not_found", "mk_sandbox_bulk_5000"]
    with realistic_client.get_identities(links, time_scale=TIME_SCALE) as batch:
        results = {r.link_id: r for r in batch}
    assert set(results) == set(links)
    bad = results["mk_sandbox_not_found"]
    assert not bad.ok and bad.identity is None and bad.json is None
    assert isinstance(bad.error, mk.NotFoundError)
    with pytest.raises(mk.NotFoundError):
        bad.unwrap()
    assert batch.progress.failed == 1 and batch.progress.ok == 2

    with pytest.raises(mk.InvalidArgumentError):
        realistic_client.get_identities(["mk_sandbox_ok"], concurrency=0)
    with pytest.raises(mk.InvalidArgumentError):
        realistic_client.get_identities(["mk_sandbox_ok", ""])  # nothing starts
    with pytest.raises(TypeError):
        realistic_client.get_identities("mk_sandbox_ok")
    with pytest.raises(TypeError):
        realistic_client.get_identities(["mk_sandbox_ok"], concurrency="4")  # type: ignore[arg-type]
    with pytest.raises(mk.InvalidArgumentError):
        realistic_client.get_identities(["a\0b"])

    empty = realistic_client.get_identities([])
    assert len(empty) == 0 and list(empty) == [] and empty.closed


def test_the_batch_keeps_its_client_and_is_freed(
    realistic_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: List[str] = []
    real_free_batch, real_free_client = _native.free_batch, _native.free_client

    def free_batch(h: int) -> None:
        order.append("batch")
        real_free_batch(h)

    def free_client(h: int) -> None:
        order.append("client")
        real_free_client(h)

    monkeypatch.setattr(_native, "free_batch", free_batch)
    monkeypatch.setattr(_native, "free_client", free_client)

    client = mk.Client(access_token="sandbox-access-token", base_url=realistic_sandbox.url)
    batch = client.get_identities(bulk(5100, 50), time_scale=TIME_SCALE)
    first = next(batch)
    assert first.ok
    client.close()  # the batch still holds the handle
    assert order == []
    rest = list(batch)  # and keeps working
    assert len(rest) == 49
    assert order == ["batch", "client"]

    # Garbage collection frees an abandoned batch (and then its client).
    order.clear()
    client = mk.Client(access_token="sandbox-access-token", base_url=realistic_sandbox.url)
    batch = client.get_identities(bulk(5200, 50), time_scale=TIME_SCALE)
    next(batch)
    del batch
    gc.collect()
    assert order == ["batch"]
    client.close()
    assert order == ["batch", "client"]
