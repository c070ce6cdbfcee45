"""`refresh_identity`, `wait_identity_newer`, `request_identity_refresh` (issue 15) against
the realistic sandbox: time scale 60, `refreshed_at` advancing 1 s after a refresh request,
one refresh per link a day."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest

import moneykit_native as mk

from conftest import TIME_SCALE, Sandbox

#: The bulk links' `refreshed_at` before any refresh.
ORIGINAL = datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)
#: One poll per 60 / 3 scaled seconds plus 2 %: 340 ms.
POLL = 0.34


def within_link_limit(sb: Sandbox, link: str) -> None:
    s = sb.admin("GET", f"/_sandbox/links/{link}")
    assert s["rate_limited"] == 0 and s["max_in_window"] <= 3, s


def test_refresh_returns_a_newer_identity(
    realistic_sandbox: Sandbox, realistic_client: mk.Client
) -> None:
    link = "mk_sandbox_bulk_9001"
    t0 = time.monotonic()
    fresh = realistic_client.refresh_identity(link, wait=10, time_scale=TIME_SCALE)
    took = time.monotonic() - t0
    assert isinstance(fresh, mk.IdentityResponse) and fresh.link.link_id == link
    assert fresh.refreshed_at is not None and fresh.refreshed_at > ORIGINAL
    assert fresh.is_newer_than(ORIGINAL)
    # The update comes 1 s after the request; the next poll sees it.
    assert 0.9 <= took <= 1.0 + POLL + 0.6, took  # wide: loaded CI machines
    s = realistic_sandbox.admin("GET", f"/_sandbox/links/{link}")
    assert (s["refresh_requests"], s["refreshes_completed"]) == (1, 1), s
    within_link_limit(realistic_sandbox, link)


def test_a_too_short_wait_raises_with_the_stale_identity(
    realistic_sandbox: Sandbox, realistic_client: mk.Client
) -> None:
    link = "mk_sandbox_bulk_9002"
    t0 = time.monotonic()
    with pytest.raises(mk.RequestTimeoutError) as info:
        realistic_client.refresh_identity(link, wait=0.5, time_scale=TIME_SCALE)
    took = time.monotonic() - t0
    assert took <= 0.5 + 0.4, took  # never after the wait (+ slack for loaded machines)
    e = info.value
    assert "not refreshed within 500 ms" in e.message
    assert isinstance(e.stale, mk.IdentityResponse)
    assert e.stale.link.link_id == link and e.stale.refreshed_at == ORIGINAL
    within_link_limit(realistic_sandbox, link)


def test_the_daily_refresh_limit_raises_rate_limited(
    realistic_sandbox: Sandbox, realistic_client: mk.Client
) -> None:
    link = "mk_sandbox_bulk_9003"
    realistic_client.refresh_identity(link, wait=10, time_scale=TIME_SCALE)
    time.sleep(1.05)  # leave the link one scaled minute (each call paces only its own polls)
    with pytest.raises(mk.RateLimitedError) as info:
        realistic_client.refresh_identity(link, wait=10, time_scale=TIME_SCALE)
    e = info.value
    assert "daily refresh limit" in e.message and e.http_status == 429
    assert e.retry_after is not None and e.retry_after > 0
    assert e.stale is not None and e.stale.refreshed_at is not None
    assert e.stale.refreshed_at > ORIGINAL  # the first refresh's data
    # The request alone gives the same outcome.
    with pytest.raises(mk.RateLimitedError, match="daily refresh limit"):
        realistic_client.request_identity_refresh(link)
    s = realistic_sandbox.admin("GET", f"/_sandbox/links/{link}")
    assert s["refreshes_refused"] == 2, s
    within_link_limit(realistic_sandbox, link)


def test_request_then_wait_newer(realistic_sandbox: Sandbox, realistic_client: mk.Client) -> None:
    link = "mk_sandbox_bulk_9004"
    before = realistic_client.get_identity(link)
    assert before.refreshed_at == ORIGINAL
    realistic_client.request_identity_refresh(link)
    time.sleep(0.4)  # the GET above and the first poll stay within 3 a (scaled) minute
    fresh = realistic_client.wait_identity_newer(link, before, wait=5, time_scale=TIME_SCALE)
    assert fresh.is_newer_than(before)
    # Already newer: the first poll (immediate) returns it, whatever form `after` takes.
    time.sleep(1.05)
    again = realistic_client.wait_identity_newer(
        link, ORIGINAL, wait=5, time_scale=TIME_SCALE
    )
    assert again.refreshed_at == fresh.refreshed_at
    within_link_limit(realistic_sandbox, link)

    # Not newer than itself: times out with the stale (here: the fresh) body.
    time.sleep(1.05)
    with pytest.raises(mk.RequestTimeoutError) as info:
        realistic_client.wait_identity_newer(
            link, "2999-01-01T00:00:00Z", wait=0.4, time_scale=TIME_SCALE
        )
    assert info.value.stale is not None and info.value.stale.refreshed_at == fresh.refreshed_at


def test_cancel_ends_a_refresh(realistic_client: mk.Client) -> None:
    stop = mk.Cancel()
    threading.Timer(0.3, stop.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(mk.CallCancelledError) as info:
        realistic_client.refresh_identity(
            "mk_sandbox_bulk_9005", wait=10, cancel=stop, time_scale=TIME_SCALE
        )
    assert time.monotonic() - t0 < 0.8
    assert info.value.stale is not None  # the read before the request
    stop.close()


def test_arguments(realistic_client: mk.Client) -> None:
    c = realistic_client
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(mk.InvalidArgumentError):
            c.refresh_identity("mk_sandbox_bulk_9006", wait=bad)
    with pytest.raises(TypeError):
        c.refresh_identity("mk_sandbox_bulk_9006", wait=None)  # type: ignore[arg-type]
    with pytest.raises(mk.InvalidArgumentError):
        c.refresh_identity("mk_sandbox_bulk_9006", wait=1, link_per_minute=0)
    with pytest.raises(mk.InvalidArgumentError, match="aware"):
        c.wait_identity_newer("mk_sandbox_bulk_9006", datetime(2024, 1, 1), wait=1)
    with pytest.raises(mk.InvalidArgumentError):
        c.wait_identity_newer("mk_sandbox_bulk_9006", "not a date", wait=1)
    with pytest.raises(TypeError):
        c.wait_identity_newer("mk_sandbox_bulk_9006", 12, wait=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.refresh_identity("mk_sandbox_bulk_9006", wait=1, cancel=object())  # type: ignore[arg-type]
