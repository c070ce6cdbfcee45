"""Leak loops: 10,000 get_identity calls (and 5,000 failing ones) on one client must not
grow the process.

Bound: after a 1,000-call warm-up, resident memory may grow by at most 4 MiB over the
10,000 successful calls and 1 MiB over the 5,000 failing ones. Leaking the identity JSON
(2,900 bytes a call) would add about 28 MiB, leaking each error JSON (about 380 bytes)
about 1.8 MiB; measured growth is about 0.1 MiB and a few KiB.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
from typing import Iterator

import pytest

import moneykit_native as mk

MiB = 1024 * 1024

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")


@contextlib.contextmanager
def records_not_kept() -> Iterator[logging.Logger]:
    """The package logger with propagation off for the loop: records still reach its
    NullHandler, but pytest's log capture (on the root logger) does not keep each WARNING
    record, which otherwise grows RSS by about 1.7 KiB per failing call (the loops then
    passed only when earlier tests had left enough free heap)."""
    log = logging.getLogger("moneykit_native")
    old = log.propagate
    log.propagate = False
    try:
        yield log
    finally:
        log.propagate = old


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_get_identity_loop_does_not_leak(client: mk.Client) -> None:
    for _ in range(1000):
        client.get_identity("mk_sandbox_ok")
    gc.collect()
    before = rss()
    for _ in range(10_000):
        r = client.get_identity("mk_sandbox_ok")
    assert len(r.accounts) == 2
    gc.collect()
    grown = rss() - before
    print(f"RSS growth over 10,000 get_identity calls: {grown / 1024:.0f} KiB")
    assert grown < 4 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"


def test_error_loop_does_not_leak(client: mk.Client) -> None:
    def fail() -> None:
        # Every iteration must take the error path, and the right one: a call that
        # returns, or raises anything but a 404 NotFoundError, fails the test.
        try:
            client.get_identity("mk_no_such_link")
        except mk.NotFoundError as e:
            if e.status is not mk.Status.NOT_FOUND or e.http_status != 404:
                raise AssertionError(f"not the 404 NotFoundError expected: {e!r}") from None
            return
        raise AssertionError("get_identity('mk_no_such_link') returned instead of raising NotFoundError")

    with records_not_kept():
        for _ in range(500):
            fail()
        gc.collect()
        before = rss()
        for _ in range(5_000):
            fail()
        gc.collect()
    grown = rss() - before
    print(f"RSS growth over 5,000 failing calls: {grown / 1024:.0f} KiB")
    assert grown < 1 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"


def test_cancel_and_event_loop_does_not_leak(client: mk.Client) -> None:
    # 50,000 Cancel handles made and freed (one leaked mk_cancel is at least 32 bytes of
    # heap: 1.5 MiB), then 3,000 calls each with its own Cancel and an enabled log record.
    def calls(n: int) -> None:
        for _ in range(n):
            with mk.Cancel() as c:
                r = client.get_identity("mk_sandbox_ok", cancel=c)
        assert r.request_id

    with records_not_kept() as log:
        old = log.level
        log.setLevel(logging.DEBUG)  # records built, dropped by the NullHandler
        try:
            for _ in range(1000):
                mk.Cancel().close()
            calls(300)
            gc.collect()
            before = rss()
            for _ in range(50_000):
                mk.Cancel().close()
            calls(3000)
            gc.collect()
        finally:
            log.setLevel(old)
    grown = rss() - before
    print(f"RSS growth over 50,000 Cancel objects and 3,000 logged calls: {grown / 1024:.0f} KiB")
    assert grown < 1 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"


def test_batch_loop_does_not_leak(client: mk.Client) -> None:
    # 600 batches of 5 results each (the identity JSON and typed results, the item strings,
    # the batch handle and its worker threads): a leaked mk_batch or its 5 bodies (14 KiB)
    # would add over 8 MiB. The plain sandbox has no limits; time_scale lifts the batch's.
    links = ["mk_sandbox_ok", "mk_sandbox_minimal", "mk_no_such_link", "mk_sandbox_ok", "mk_sandbox_unicode"]

    def batches(n: int) -> None:
        for _ in range(n):
            with client.get_identities(links, concurrency=4, time_scale=10_000) as b:
                results = sorted(b, key=lambda r: r.index)
            assert [(r.index, r.link_id) for r in results] == list(enumerate(links))
            for r in results:
                if r.link_id == "mk_no_such_link":  # the error path, each time
                    assert isinstance(r.error, mk.NotFoundError) and r.error.http_status == 404, r
                    assert r.identity is None
                else:
                    assert r.ok and r.identity is not None and r.identity.link.link_id == r.link_id, r

    with records_not_kept():  # the 404's WARNING records, built on the batch's threads
        batches(100)
        gc.collect()
        before = rss()
        batches(600)
        gc.collect()
    grown = rss() - before
    print(f"RSS growth over 600 batches of 5 links: {grown / 1024:.0f} KiB")
    assert grown < 1 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"
