"""`coordination_url` (issue 28): the app's budget shared through Redis, from Python.

Against the session's sandbox and a redis-server of this module's own (a free loopback port,
no persistence, stopped at the end): the password of the URL never shows in a repr, an
error or a log record; an unreachable Redis fails no call and is reported once, as one
WARNING record; a reachable one holds the app's and the links' windows.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Callable, Iterator, List

import pytest

import moneykit_native as mk

from conftest import CLIENT_ID, CLIENT_SECRET, TOKEN, Sandbox

LOGGER = "moneykit_native"
PASSWORD = "s3cret-redis-pw"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def dead_url(password: bool = True) -> str:
    auth = f":{PASSWORD}@" if password else ""
    return f"redis://{auth}127.0.0.1:{free_port()}/0"


class Redis:
    """A redis-server on a free port of 127.0.0.1, no persistence."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server not found (make deps installs it)")
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="mk-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self._dir.name],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while self.cli("PING") != "PONG":
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args: str) -> str:
        out = subprocess.run(["redis-cli", "-p", str(self.port), *args],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._dir.cleanup()


@pytest.fixture(scope="module")
def redis() -> Iterator[Redis]:
    r = Redis()
    try:
        yield r
    finally:
        r.stop()


def short_hash(text: str) -> str:
    """The key layout's hash (src/core/coordination/keys.rs): 16 hex digits of SHA-256."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def shown(r: logging.LogRecord) -> str:
    """Everything a handler could print of a record: its message and its fields."""
    return r.getMessage() + repr(vars(r))


def test_the_password_never_shows(
    sandbox: Sandbox, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    url = dead_url()
    with mk.Client(CLIENT_ID, CLIENT_SECRET, base_url=sandbox.url, coordination_url=url,
                   log_level="debug") as client:
        for text in (repr(client), str(client), repr(vars(client))):
            assert PASSWORD not in text
        client.get_identity("mk_sandbox_ok")
    aclient = mk.AsyncClient(CLIENT_ID, CLIENT_SECRET, base_url=sandbox.url,
                             coordination_url=url)
    try:
        assert PASSWORD not in repr(aclient) + str(aclient) + repr(vars(aclient))
    finally:
        aclient.sync.close()

    # The options the library refuses: the message names the option, never the URL.
    refused = [
        {"access_token": TOKEN},  # no client id to name the app's keys
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
         "coordination_reserve_per_minute": 600},
    ]
    for kw in refused:
        with pytest.raises(mk.InvalidArgumentError) as info:
            mk.Client(base_url=sandbox.url, coordination_url=url, **kw)
        e = info.value
        assert "coordination" in str(e)
        assert PASSWORD not in str(e) + repr(e) + repr(vars(e))
    for bad in (f"http://:{PASSWORD}@127.0.0.1/0", f"redis://:{PASSWORD}@\x01host/0"):
        with pytest.raises(mk.InvalidArgumentError) as info:
            mk.Client(CLIENT_ID, CLIENT_SECRET, base_url=sandbox.url, coordination_url=bad)
        assert "coordination_url" in str(info.value)
        assert PASSWORD not in str(info.value) + repr(info.value) + repr(vars(info.value))

    out, err = capfd.readouterr()
    assert "REDIS coordination" in err  # the library's own log line (log_level="debug")
    assert PASSWORD not in out + err
    assert records(caplog) and all(PASSWORD not in shown(r) for r in records(caplog))


def test_an_unreachable_redis_fails_no_call_and_is_reported_once(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(CLIENT_ID, CLIENT_SECRET, coordination_url=dead_url())
    # Distinct links: while Redis is lost this process allows itself one call per link per
    # minute (its share of MoneyKit's 3).
    for link in ("mk_sandbox_ok", "mk_sandbox_bulk_1", "mk_sandbox_bulk_2"):
        assert client.get_identity(link).link.link_id == link
    warnings = [r for r in records(caplog) if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    (lost,) = warnings
    assert lost.levelno == logging.WARNING
    assert (lost.method, lost.path, lost.http_status, lost.request_id) == (
        "REDIS", "coordination", None, None)
    assert lost.status in (mk.Status.TRANSPORT, mk.Status.TIMEOUT)
    assert lost.retry_wait_ms == 1000
    assert lost.getMessage() == (
        f"REDIS coordination: Redis lost ({lost.status.c_name} after {lost.elapsed_ms} ms); "
        "this process keeps to its share of the budget and tries Redis again in 1000 ms"
    )
    assert PASSWORD not in shown(lost)
    oks = [r for r in records(caplog) if r.method == "GET"]
    assert [r.levelno for r in oks] == [logging.INFO] * 3


def test_calls_take_their_permits_from_redis(
    make_client: Callable[..., mk.Client], caplog: pytest.LogCaptureFixture, redis: Redis
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(CLIENT_ID, CLIENT_SECRET, coordination_url=redis.url)
    singles = ["mk_sandbox_ok", "mk_sandbox_bulk_11"]
    for link in singles:
        assert client.get_identity(link).link.link_id == link
    batched = [f"mk_sandbox_bulk_{n}" for n in range(100, 110)]
    with client.get_identities(batched) as batch:
        results = list(batch)
    assert sorted(r.link_id for r in results) == sorted(batched)
    assert all(r.error is None for r in results), [r.error for r in results]
    assert not [r for r in records(caplog) if r.levelno >= logging.WARNING]

    # The key layout (README "Scaling"): one hash tag for the app, one window per link.
    app = f"mk:{{{short_hash(CLIENT_ID)}}}:"
    keys = set(redis.cli("KEYS", "mk:*").split())
    assert app + "app" in keys, keys
    for link in singles + batched:
        assert f"{app}link:{short_hash(link)}" in keys, (link, keys)
    assert all(k.startswith(app) for k in keys), keys
    # One permit per call started (leased permits the batch did not use are given back);
    # the window expires within about a minute.
    assert int(redis.cli("ZCARD", app + "app")) == len(singles) + len(batched)
    assert 0 < int(redis.cli("PTTL", app + "app")) <= 120_000
