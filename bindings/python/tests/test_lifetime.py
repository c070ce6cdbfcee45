"""close(), with, __del__: the native handle is freed exactly once, never while in use."""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any, Iterator, List, Optional, Set, Tuple

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import TOKEN, Sandbox


@pytest.fixture
def frees(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[int]]:
    """Records every handle passed to mk_client_free, in order, and frees it.

    A handle that is not live (never made by mk_client_new while the spy was on, or
    already freed) is not passed on, so a double free shows up as a failure here rather
    than as a crash: the free raises AssertionError (which `__del__` would swallow, so
    it is checked again after the test)."""
    freed: List[int] = []
    live: Set[int] = set()
    bad: List[int] = []
    real_new = _native.new_client
    real_free = _native.free_client

    def new_spy(*args: Any) -> Tuple[int, Optional[int], Optional[str]]:
        rc, handle, error = real_new(*args)
        if handle is not None:
            live.add(handle)
        return rc, handle, error

    def free_spy(handle: int) -> None:
        freed.append(handle)
        if handle not in live:
            bad.append(handle)
            raise AssertionError(f"mk_client_free({handle:#x}): not a live handle (double free?)")
        live.remove(handle)
        real_free(handle)

    monkeypatch.setattr(_native, "new_client", new_spy)
    monkeypatch.setattr(_native, "free_client", free_spy)
    yield freed
    assert bad == [], f"handles freed twice or never made: {bad}"


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
    slow = "mk_fault_slow_3000"
    c = new(sandbox, timeout=120.0, deadline=300.0)
    handle = c._handle
    before = sandbox.seen(slow)
    result: List[Any] = []
    t = threading.Thread(target=lambda: result.append(c.get_identity(slow)))
    t.start()
    sandbox.wait_seen(slow, before + 1)  # the call is in flight: its request is at the sandbox
    c.close()  # returns at once; the handle stays alive for the running call
    call_still_running = t.is_alive() and not result
    freed_at_close = list(frees)
    assert c.closed
    with pytest.raises(mk.InvalidArgumentError):
        c.get_identity("mk_sandbox_ok")
    t.join(timeout=120.0)
    assert call_still_running, "close() returned only after the running call had ended"
    assert freed_at_close == [], "close() freed the handle while a call was using it"
    assert len(result) == 1 and len(result[0].accounts) == 2
    assert frees == [handle]  # freed by the last call to finish


def test_many_clients(sandbox: Sandbox, frees: List[int]) -> None:
    # Each client's own handle is freed once, when its with block ends (not later by
    # __del__ or garbage collection), and nothing else is freed.
    handles: List[int] = []
    for _ in range(200):
        with new(sandbox) as c:
            assert c._handle is not None
            handles.append(c._handle)
            c.get_identity_json("mk_sandbox_minimal")
        assert frees == handles
    del c
    gc.collect()
    assert frees == handles and len(frees) == 200


def test_repr(sandbox: Sandbox) -> None:
    c = new(sandbox)
    assert repr(c) == "<moneykit_native.Client open>"
    c.close()
    assert repr(c) == "<moneykit_native.Client closed>"
