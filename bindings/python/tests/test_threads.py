"""One Client shared by many threads: the GIL is released during calls, so they overlap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import moneykit_native as mk

SLOW = "mk_fault_slow_300"  # the sandbox waits 300 ms, then answers like mk_sandbox_ok
N = 8


def test_parallel_calls_on_one_client(client: mk.Client) -> None:
    client.get_identity("mk_sandbox_ok")  # warm: connection pool ready
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=N) as pool:
        results = list(pool.map(lambda _: client.get_identity(SLOW), range(N)))
    elapsed = time.perf_counter() - start
    assert all(len(r.accounts) == 2 for r in results)
    # Serialized, N calls would take N x 0.3 s = 2.4 s; in parallel about 0.3 s.
    assert elapsed < 0.3 * N / 3, f"{N} parallel calls took {elapsed:.2f}s"


def test_python_runs_while_a_call_blocks(client: mk.Client) -> None:
    # If the GIL were held during the C call, this thread could not count at all.
    done = threading.Event()
    worker = threading.Thread(target=lambda: (client.get_identity("mk_fault_slow_500"), done.set()))
    worker.start()
    time.sleep(0.05)
    count = 0
    deadline = time.perf_counter() + 0.2
    while time.perf_counter() < deadline:
        count += 1
    assert not done.is_set(), "the slow call should still be running"
    worker.join()
    assert done.is_set()
    assert count > 10_000


def test_many_threads_mixed_results(client: mk.Client) -> None:
    ids = ["mk_sandbox_ok", "mk_sandbox_deleted", "mk_sandbox_minimal", "mk_nope"] * 25
    errors: List[BaseException] = []

    def call(link_id: str) -> str:
        try:
            return client.get_identity(link_id).link.link_id
        except mk.MoneyKitError as e:
            return type(e).__name__

    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(call, ids))
    assert not errors
    want = {"mk_sandbox_ok": "mk_sandbox_ok", "mk_sandbox_deleted": "LinkDeletedError",
            "mk_sandbox_minimal": "mk_sandbox_minimal", "mk_nope": "NotFoundError"}
    assert got == [want[i] for i in ids]
