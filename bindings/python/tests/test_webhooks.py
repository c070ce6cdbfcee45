"""Webhooks end to end: a sandbox of this module's own (`--webhook-url`) signs and POSTs
its deliveries to an `http.server` receiver here; `WebhookVerifier` verifies them (keys
fetched from the sandbox), hands out typed events, settles duplicates, refuses every
forged magic id with its reason; `RefreshWaiter` returns on the completed event and falls
back to polling."""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

import moneykit_native as mk
from moneykit_native.testing import Sandbox

WAIT = 10.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Received = Tuple[Dict[str, str], bytes]


class Receiver:
    """An http.server on loopback: each POST is queued as (headers, body); the answer is
    `respond(headers, body)` when set, else 200."""

    def __init__(self) -> None:
        self.got: "queue.Queue[Received]" = queue.Queue()
        self.answers: List[int] = []
        self.respond: Optional[Callable[[Any, bytes], int]] = None
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = outer.respond(self.headers, body) if outer.respond else 200
                outer.answers.append(status)
                outer.got.put((dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._t = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._t.start()

    def next(self, timeout: float = WAIT) -> Received:
        return self.got.get(timeout=timeout)

    def drain(self) -> None:
        while not self.got.empty():
            self.got.get_nowait()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def env() -> Iterator[Tuple[Sandbox, Receiver]]:
    r = Receiver()
    sb = Sandbox("--webhook-url", r.url, "--refresh-delay-ms", "600")
    try:
        yield sb, r
    finally:
        sb.stop()
        r.close()


@pytest.fixture()
def receiver(env: Tuple[Sandbox, Receiver]) -> Iterator[Receiver]:
    env[1].respond = None
    env[1].drain()
    yield env[1]
    env[1].respond = None


def trigger(sb: Sandbox, link: str, event: str, key: Optional[str] = None) -> str:
    body: Dict[str, Any] = {"webhook_event": event}
    if key is not None:
        body["webhook_idempotency_key"] = key
    req = urllib.request.Request(
        f"{sb.url}/webhooks/test/link/{link}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Client-Id": "sandbox-client",
            "X-Client-Secret": "sandbox-secret",
            "moneykit-version": "2023-02-18",
        },
    )
    with _OPENER.open(req, timeout=10) as resp:
        token: str = json.loads(resp.read())["delivery_token"]
    return token


_unique = iter(range(10**9))


def key(tag: str) -> str:
    return f"py-{tag}-{time.time_ns()}-{next(_unique)}"


def test_test_deliveries_are_typed_events(env: Tuple[Sandbox, Receiver], receiver: Receiver) -> None:
    sb, _ = env
    with sb.client() as client:
        cases = [
            ("link.state_changed", mk.LinkStateChanged),
            ("link.product_refresh", mk.LinkProductRefresh),
            ("transactions.updates_available", mk.TransactionsUpdatesAvailable),
            ("product.state_changed", mk.UnknownEvent),  # newer than the library: never refused
        ]
        for event, cls in cases:
            k = key(event)
            trigger(sb, "mk_sandbox_ok", event, k)
            h, body = receiver.next()
            d = client.verify_webhook(h, body)
            assert type(d.event) is cls, (event, d)
            assert d.status == "new" and d.new and not d.duplicate and d.http_status == 200
            assert d.idempotency_key == k == d.event.webhook_idempotency_key
            assert d.event.webhook_event == event and d.event.link_id == "mk_sandbox_ok"
            assert d.event.raw == json.loads(body)
            assert repr(d.event) == (
                f"{cls.__name__}(webhook_event={event!r}, link_id='mk_sandbox_ok', "
                f"webhook_idempotency_key={k!r})"
            )
            client.webhook_done(d)
            again = client.verify_webhook(h, body)  # the same delivery once more
            assert again.status == "duplicate" and again.duplicate and again.http_status == 200
        e = mk.LinkStateChanged
        assert isinstance(d.event, mk.WebhookEvent) and not isinstance(d.event, e)


def test_typed_fields(env: Tuple[Sandbox, Receiver], receiver: Receiver) -> None:
    sb, _ = env
    with sb.client() as client:
        trigger(sb, "mk_sandbox_ok", "link.product_refresh", key("fields"))
        d = client.verify_webhook(*receiver.next())
        ev = d.event
        assert isinstance(ev, mk.LinkProductRefresh)
        assert ev.product is mk.WebhookProduct.IDENTITY
        assert ev.state is mk.ProductRefreshState.COMPLETED
        assert isinstance(ev.state_changed_at, mk.Timestamp)
        assert isinstance(ev.webhook_timestamp, mk.Timestamp)
        assert ev.webhook_major_version == 1
        with pytest.raises(Exception):
            ev.state = "failed"  # type: ignore[misc]  # frozen


def test_headers_in_any_shape(env: Tuple[Sandbox, Receiver], receiver: Receiver) -> None:
    sb, _ = env
    with sb.client() as client, client.webhook_verifier(seen_max=0) as v:
        trigger(sb, "mk_sandbox_ok", "link.state_changed", key("shapes"))
        h, body = receiver.next()
        sig = mk.signature_of(h)
        assert sig is not None and sig.count(".") == 2
        for headers in (
            {"moneykit-signature": sig},
            {"MONEYKIT-SIGNATURE": sig.encode()},
            [("Content-Type", "application/json"), ("Moneykit-Signature", sig)],
        ):
            assert v.verify(headers, bytearray(body)).status == "new"  # seen_max=0: no dedup
        with pytest.raises(mk.WebhookSignatureError) as ei:
            v.verify({}, body)
        assert ei.value.reason == "malformed" and mk.http_status_of(ei.value) == 400


def test_refresh_delivers_in_progress_and_completed_once_even_duplicated(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    seen: List[mk.WebhookEvent] = []
    with sb.client() as client, client.webhook_verifier() as v:
        receiver.respond = lambda h, b: v.respond(h, b, seen.append)
        for link, copies in (("mk_sandbox_ok", 1), ("mk_webhook_duplicate", 2)):
            seen.clear()
            receiver.answers.clear()
            client.request_identity_refresh(link)
            for _ in range(2 * copies):
                receiver.next()
            states = [(type(e), e.link_id, e.state) for e in seen]  # type: ignore[attr-defined]
            assert states == [
                (mk.LinkProductRefresh, link, "in_progress"),
                (mk.LinkProductRefresh, link, "completed"),
            ], states
            assert receiver.answers == [200] * (2 * copies)


@pytest.mark.parametrize(
    "link,reason",
    [
        ("mk_webhook_bad_signature", "signature"),
        ("mk_webhook_stale_iat", "iat_too_old"),
        ("mk_webhook_future_iat", "iat_in_future"),
        ("mk_webhook_unknown_kid", "kid_unknown"),
        ("mk_webhook_tampered_body", "body_hash"),
        ("mk_webhook_alg_none", "alg"),
        ("mk_webhook_hs256", "alg"),
    ],
)
def test_forged_deliveries_are_refused_with_their_reason(
    env: Tuple[Sandbox, Receiver], receiver: Receiver, link: str, reason: str
) -> None:
    sb, _ = env
    with sb.client() as client:
        trigger(sb, link, "link.state_changed", key(link))
        h, body = receiver.next()
        with pytest.raises(mk.WebhookSignatureError) as ei:
            client.verify_webhook(h, body)
        e = ei.value
        assert e.reason == reason and e.status == mk.Status.SIGNATURE, (e.reason, e.message)
        assert f"({reason})" in e.message
        assert h[next(k for k in h if k.lower() == "moneykit-signature")] not in str(e)
        # Through respond: answered 400, the handler never called.
        called: List[mk.WebhookEvent] = []
        trigger(sb, link, "link.product_refresh", key(link))
        assert client.webhook_verifier().respond(*receiver.next(), called.append) == 400
        assert called == []


def test_handle_releases_on_exception_and_in_flight_is_409(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    with sb.client() as client, client.webhook_verifier() as v:
        trigger(sb, "mk_sandbox_ok", "link.state_changed", key("handle"))
        h, body = receiver.next()
        with pytest.raises(RuntimeError):
            with v.handle(h, body) as d:
                assert d.new
                assert v.verify(h, body).status == "in_flight"  # claimed meanwhile
                assert v.verify(h, body).http_status == 409
                raise RuntimeError("the application failed")
        with v.handle(h, body) as d:  # released: MoneyKit's retry is handled again
            assert d.new
        with v.handle(h, body) as d:
            assert d.duplicate
        assert v.respond(h, body, lambda e: 1 / 0) == 200  # a duplicate: handler not run


def test_respond_answers_500_when_the_handler_raises(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    with sb.client() as client, client.webhook_verifier() as v:
        trigger(sb, "mk_sandbox_ok", "link.state_changed", key("500"))
        h, body = receiver.next()

        def boom(e: mk.WebhookEvent) -> None:
            raise ValueError("no")

        assert v.respond(h, body, boom) == 500
        assert v.respond(h, body, lambda e: None) == 200  # released, so handled now
        assert v.verify(h, body).duplicate


def test_keys_unreachable_is_503() -> None:
    with mk.Client("id", "secret", base_url="http://127.0.0.1:9", max_retries=0) as client:
        sig = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsiLCJ0eXAiOiJKV1QifQ"
        claims = "eyJpYXQiOjEsInJlcXVlc3RfYm9keV9zaGEyNTYiOiIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIn0"
        v = client.webhook_verifier()
        token = f"{sig}.{claims}.{'A' * 86}"
        with pytest.raises(mk.MoneyKitError) as ei:
            v.verify({"MoneyKit-Signature": token}, b"{}")
        assert not isinstance(ei.value, mk.WebhookSignatureError), ei.value
        assert mk.http_status_of(ei.value) == 503
        assert v.respond({"MoneyKit-Signature": token}, b"{}", lambda e: None) == 503
        v.close()


def test_verifier_keeps_the_client_open_until_closed(env: Tuple[Sandbox, Receiver]) -> None:
    sb, _ = env
    client = sb.client()
    v = client.webhook_verifier()
    client.close()
    with pytest.raises(mk.InvalidArgumentError):
        client.verify_webhook({}, b"{}")
    with pytest.raises(mk.WebhookSignatureError):
        v.verify({}, b"{}")  # the native client is still alive for it
    v.close()
    v.close()
    with pytest.raises(mk.InvalidArgumentError):
        v.verify({}, b"{}")


def test_refresh_waiter_returns_on_the_completed_event(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    with sb.client() as client, client.webhook_verifier() as v:
        waiter = mk.RefreshWaiter(client)
        receiver.respond = lambda h, b: v.respond(h, b, waiter.offer)
        before = client.get_identity("mk_sandbox_ok")
        t0 = time.monotonic()
        fresh = waiter.refresh_identity("mk_sandbox_ok", wait=30, fallback=20)
        took = time.monotonic() - t0
        assert took < 8, took  # the event, not the 20 s fallback
        p0, p1 = before.link.products["identity"], fresh.link.products["identity"]
        assert p0.refreshed_at is not None and p1.refreshed_at is not None
        assert p1.refreshed_at > p0.refreshed_at


def test_refresh_waiter_falls_back_to_polling(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    with sb.client() as client:
        waiter = mk.RefreshWaiter(client)  # no handler offers it anything
        before = client.get_identity("mk_sandbox_ok")
        fresh = waiter.refresh_identity("mk_sandbox_ok", wait=30, fallback=0.2, time_scale=20)
        assert fresh.link.products["identity"].refreshed_at > before.link.products[  # type: ignore[operator]
            "identity"
        ].refreshed_at


def test_refresh_waiter_reports_a_failed_refresh(
    env: Tuple[Sandbox, Receiver], receiver: Receiver
) -> None:
    sb, _ = env
    with sb.client() as client, client.webhook_verifier() as v:
        waiter = mk.RefreshWaiter(client)
        receiver.respond = lambda h, b: v.respond(h, b, waiter.offer)
        with pytest.raises(mk.RefreshFailedError) as ei:
            waiter.refresh_identity("mk_webhook_refresh_failed", wait=30, fallback=20)
        assert ei.value.link_id == "mk_webhook_refresh_failed"
        assert ei.value.stale is not None


def test_example_server_demo() -> None:
    """examples/python/webhook_server.py --demo: its own sandbox delivers a refresh's two
    events to the http.server receiver, and RefreshWaiter returns on the completed one."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[3] / "examples" / "python" / "webhook_server.py"
    run = subprocess.run(
        [sys.executable, str(example), "--demo"],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == [
        "mk_sandbox_ok: identity refresh in_progress",
        "mk_sandbox_ok: identity refresh completed",
    ], run.stdout
    assert lines[2].startswith("refreshed at "), run.stdout
