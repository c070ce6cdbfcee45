"""close(), with, __del__: the native handle is freed exactly once, never while in use."""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any, Callable, Iterator, List

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import TOKEN, Sandbox


@pytest.fixture
def frees(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[int]]:
    """Records every handle passed to mk_client_free (and still frees it)."""
    freed: List[int] = []
    real = _native.free_client

    def spy(handle: int) -> None:
        freed.append(handle)
        real(handle)

    monkeypatch.setattr(_native, "free_client", spy)
    yield freed


def new(sandbox: Sandbox, **kw: Any) -> mk.Client:
    return mk.Client(access_token=TOKEN, base_url=sandbox.url, max_retries=0, **kw)


def test_close_twice_frees_once(sandbox: Sandbox, frees: List[int]) -> None:
    c = new(sandbox)
    handle = c._handle
    assert handle and not c.closed
    c.close()
    c.close()
    assert frees == [handle] and c.closed
    del c
    gc.collect()
    assert frees == [handle]  # __del__ after close: nothing more


def test_call_after_close_raises(sandbox: Sandbox) -> None:
    c = new(sandbox)
    c.close()
    for call in (c.get_identity, c.get_identity_json):
        with pytest.raises(mk.InvalidArgumentError, match="closed") as info:
            call("mk_sandbox_ok")
        assert isinstance(info.value, ValueError) and info.value.attempts == 0


def test_with_block(sandbox: Sandbox, frees: List[int]) -> None:
    with new(sandbox) as c:
        handle = c._handle
        assert len(c.get_identity("mk_sandbox_ok").accounts) == 2
    assert c.closed and frees == [handle]
    with pytest.raises(mk.InvalidArgumentError):
        c.get_identity("mk_sandbox_ok")


def test_with_block_closes_on_exception(sandbox: Sandbox, frees: List[int]) -> None:
    with pytest.raises(mk.NotFoundError):
        with new(sandbox) as c:
            c.get_identity("mk_nope")
    assert c.closed and len(frees) == 1


def test_del_frees(sandbox: Sandbox, frees: List[int]) -> None:
    c = new(sandbox)
    c.get_identity("mk_sandbox_ok")
    handle = c._handle
    del c
    gc.collect()
    assert frees == [handle]


def test_del_frees_in_a_reference_cycle(sandbox: Sandbox, frees: List[int]) -> None:
    c: Any = new(sandbox)
    c.self_ref = c
    handle = c._handle
    del c
    gc.collect()
    assert frees == [handle]


def test_failed_constructor_leaves_nothing(frees: List[int]) -> None:
    seen: List[Any] = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        with pytest.raises(mk.InvalidArgumentError):
            mk.Client(access_token="t", base_url="http://example.com")
        gc.collect()
    finally:
        sys.unraisablehook = old
    assert frees == [] and seen == []


def test_close_while_a_call_runs(sandbox: Sandbox, frees: List[int]) -> None:
    c = new(sandbox)
    handle = c._handle
    result: List[Any] = []
    t = threading.Thread(target=lambda: result.append(c.get_identity("mk_fault_slow_400")))
    t.start()
    time.sleep(0.1)
    start = time.perf_counter()
    c.close()  # returns at once; the handle stays alive for the running call
    assert time.perf_counter() - start < 0.05
    assert frees == [] and c.closed
    with pytest.raises(mk.InvalidArgumentError):
        c.get_identity("mk_sandbox_ok")
    t.join()
    assert len(result) == 1 and len(result[0].accounts) == 2
    assert frees == [handle]  # freed by the last call to finish


def test_many_clients(sandbox: Sandbox, frees: List[int]) -> None:
    for _ in range(200):
        with new(sandbox) as c:
            c.get_identity_json("mk_sandbox_minimal")
    assert len(frees) == 200 and len(set(frees)) <= 200


def test_repr(sandbox: Sandbox) -> None:
    c = new(sandbox)
    assert repr(c) == "<moneykit_native.Client open>"
    c.close()
    assert repr(c) == "<moneykit_native.Client closed>"
