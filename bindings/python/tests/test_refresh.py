"""`refresh_identity`, `wait_identity_newer`, `request_identity_refresh` (issue 15) against
the realistic sandbox: time scale 60, `refreshed_at` advancing 1 s after a refresh request,
one refresh per link a day."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Dict

import pytest

import moneykit_native as mk

from conftest import FAST, REALISTIC_ARGS, TIME_SCALE, TOKEN, Sandbox

#: The bulk links' `refreshed_at` before any refresh.
ORIGINAL = datetime(2023, 2, 16, 9, 14, 11, tzinfo=timezone.utc)
#: One poll per 60 / 3 scaled seconds plus 2 %: 340 ms.
POLL = 0.34
#: Slack on upper time bounds for a loaded 2-core machine.
SLACK = 2.0
#: Upper bound for "ends within about 100 ms" (wide), far below the 60 s wait it replaces.
PROMPT = 5.0


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
    # The update comes 1 s after the request; the next poll sees it (far before the
    # 10 s wait). Never sooner: load only adds.
    assert 0.9 <= took <= 1.0 + POLL + SLACK, took
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
    assert took <= 0.5 + SLACK, took  # not past the wait (the refresh itself lands at 1 s)
    e = info.value
    # Polls at 0 and 0.34 s; the next (0.68 s) would come after the wait: it ends then.
    assert "would come after the wait of 500 ms" in e.message, e.message
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


def test_cancel_ends_a_refresh() -> None:
    # A sandbox of its own whose refreshes take 100 s (6,000,000 ms at time scale 60):
    # the call can only end by the cancel, which comes once the refresh was requested
    # (so after the first read), not after a guessed delay.
    args = list(REALISTIC_ARGS)
    args[args.index("--refresh-delay-ms") + 1] = "6000000"
    sb = Sandbox(*args)
    link = "mk_sandbox_bulk_9005"
    out: Dict[str, Any] = {}
    try:
        with mk.Client(access_token=TOKEN, base_url=sb.url, **FAST) as client, mk.Cancel() as stop:
            def run() -> None:
                try:
                    out["result"] = client.refresh_identity(
                        link, wait=60, cancel=stop, time_scale=TIME_SCALE
                    )
                except BaseException as e:  # noqa: B902 - handed to the test
                    out["error"] = e
                out["ended"] = time.monotonic()

            t = threading.Thread(target=run, daemon=True)
            t.start()
            deadline = time.monotonic() + 60
            while sb.admin("GET", f"/_sandbox/links/{link}")["refresh_requests"] < 1:
                assert t.is_alive() and time.monotonic() < deadline, out
                time.sleep(0.01)
            cancelled_at = time.monotonic()
            stop.cancel()
            t.join(60)
    finally:
        sb.stop()
    assert isinstance(out.get("error"), mk.CallCancelledError), out
    assert out["ended"] - cancelled_at < PROMPT  # not the 60 s wait
    assert out["error"].stale is not None  # the read before the request


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


# -- issue 27: a true timeout message, and time_scale set once on the client -------------


def test_a_wait_shorter_than_one_poll_interval_says_why_it_ends_at_once(
    realistic_sandbox: Sandbox,
) -> None:
    # No time_scale anywhere: one poll per 20.4 s, so after the first poll the next would
    # come after the 5 s wait. The call ends at once and says so (before: "not refreshed
    # within 5000 ms (1 polls, one per 20400 ms)" after 0.0 s).
    with mk.Client(access_token=TOKEN, base_url=realistic_sandbox.url, **FAST) as c:
        t0 = time.monotonic()
        with pytest.raises(mk.RequestTimeoutError) as info:
            c.refresh_identity("mk_sandbox_bulk_9020", wait=5.0)
    assert time.monotonic() - t0 < 5.0
    m = info.value.message
    assert "within" not in m and "1 polls" not in m, m
    assert m.startswith("identity not refreshed: 1 poll in "), m
    assert "the next poll this link allows (one per 20400 ms) would come after the wait of 5000 ms" in m
    assert info.value.stale is not None and info.value.attempts == 1


def test_time_scale_set_once_on_the_client(realistic_sandbox: Sandbox) -> None:
    """`time_scale=` on the client paces its refresh waits and batches that set none."""
    with mk.Client(access_token=TOKEN, base_url=realistic_sandbox.url, time_scale=TIME_SCALE,
                   **FAST) as c:
        link = "mk_sandbox_bulk_9021"
        t0 = time.monotonic()
        fresh = c.refresh_identity(link, wait=10)  # at time scale 1 this would time out
        assert fresh.is_newer_than(ORIGINAL)
        assert time.monotonic() - t0 <= 1.0 + POLL + SLACK
        within_link_limit(realistic_sandbox, link)
        with c.get_identities(["mk_sandbox_bulk_9022"] * 4) as batch:
            assert batch.progress.allowed_per_minute == 600 * TIME_SCALE
            t0 = time.monotonic()
            assert all(r.ok for r in batch)
        # The 4th call of the link waits one scaled minute (1 s), not 60 s.
        assert time.monotonic() - t0 < 1.0 + SLACK
        within_link_limit(realistic_sandbox, "mk_sandbox_bulk_9022")
        # A call's own time_scale wins.
        with c.get_identities(["mk_sandbox_bulk_9023"], time_scale=2) as batch:
            assert batch.progress.allowed_per_minute == 600 * 2
            list(batch)
