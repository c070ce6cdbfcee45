"""One Client shared by many threads: the GIL is released during calls, so they overlap.

No timing: overlap is shown by the sandbox, which records each request when it arrives
and holds a `mk_fault_slow_<ms>` answer back for <ms> ms. If calls ran one at a time
(the GIL held, a lock around the call, a one-connection pool), the server could not see
the last request before the first call had returned.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List

import moneykit_native as mk

from conftest import Sandbox

N = 8


def test_parallel_calls_on_one_client(
    make_client: Callable[..., mk.Client], sandbox: Sandbox
) -> None:
    # 4 s: the N requests must all reach the server within 4 s of the first, whatever the
    # load; serialized, the N-th would come only after N - 1 answers (28 s).
    slow = "mk_fault_slow_4000"
    client = make_client(timeout=120.0, deadline=300.0)
    client.get_identity("mk_sandbox_ok")  # warm: connection pool ready
    before = sandbox.seen(slow)
    returned: List[int] = []

    def call(i: int) -> mk.IdentityResponse:
        r = client.get_identity(slow)
        returned.append(i)
        return r

    with ThreadPoolExecutor(max_workers=N) as pool:
        futures = [pool.submit(call, i) for i in range(N)]
        sandbox.wait_seen(slow, before + N, timeout=120.0)
        returned_before_all_seen = len(returned)
        results = [f.result(timeout=120.0) for f in futures]
    assert returned_before_all_seen == 0, (
        f"{returned_before_all_seen} of {N} calls had returned before the sandbox had seen "
        f"all {N} requests: the calls did not overlap"
    )
    assert sorted(returned) == list(range(N))
    assert all(len(r.accounts) == 2 for r in results)


def test_python_runs_while_a_call_blocks(
    make_client: Callable[..., mk.Client], sandbox: Sandbox
) -> None:
    # If the GIL were held during the C call, this thread could not run Python at all
    # while the call is in flight: not even the poll of the request log.
    slow = "mk_fault_slow_3000"
    client = make_client(timeout=120.0, deadline=300.0)
    before = sandbox.seen(slow)
    results: List[mk.IdentityResponse] = []
    worker = threading.Thread(target=lambda: results.append(client.get_identity(slow)))
    worker.start()
    sandbox.wait_seen(slow, before + 1, timeout=120.0)  # the call is in flight now
    count = 0
    for _ in range(100_000):  # pure Python: needs the GIL 100,000 times over
        count += 1
    still_running = worker.is_alive() and not results
    worker.join(timeout=120.0)
    assert still_running, "the call returned before this thread got to run: the GIL was held"
    assert count == 100_000
    assert len(results) == 1 and len(results[0].accounts) == 2


def test_many_threads_mixed_results(client: mk.Client) -> None:
    # Each thread gets its own link's outcome, never another thread's. An exception other
    # than the expected MoneyKitError propagates out of pool.map and fails the test.
    ids = ["mk_sandbox_ok", "mk_sandbox_deleted", "mk_sandbox_minimal", "mk_nope"] * 25

    def call(link_id: str) -> str:
        try:
            return client.get_identity(link_id).link.link_id
        except mk.MoneyKitError as e:
            return f"{type(e).__name__} {e.http_status}"

    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(call, ids))
    want = {"mk_sandbox_ok": "mk_sandbox_ok", "mk_sandbox_deleted": "LinkDeletedError 410",
            "mk_sandbox_minimal": "mk_sandbox_minimal", "mk_nope": "NotFoundError 404"}
    assert got == [want[i] for i in ids]
