"""Fixtures: a moneykit-sandbox process for the session, and clients pointed at it.

The sandbox binary is `$MONEYKIT_SANDBOX_BIN`, else `<repo>/target/release/moneykit-sandbox`,
else `<repo>/target/debug/moneykit-sandbox` (docs/sandbox-contract.md). It is started on a
free loopback port; its first stdout line gives the URL; it is killed at the end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import pytest

import moneykit_native as mk

# The package's fixtures (moneykit_native.testing), as a checkout's conftest.py takes them
# when the package is not installed (an installed one registers them as a pytest plugin;
# conftest's win then, without a clash).
from moneykit_native.testing import moneykit_client, moneykit_sandbox  # noqa: F401

TESTS = Path(__file__).resolve().parent
PACKAGE_ROOT = TESTS.parent  # bindings/python
REPO = TESTS.parents[2]
HEADER = REPO / "include" / "moneykit.h"

CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
TOKEN = "sandbox-access-token"

# The sandbox is on loopback: never send its traffic (or the admin calls) to a proxy, and
# keep the library's environment fallbacks out of the tests unless a test sets them.
for _var in (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "MONEYKIT_BASE_URL", "MONEYKIT_CLIENT_ID", "MONEYKIT_CLIENT_SECRET", "MONEYKIT_LOG",
):
    os.environ.pop(_var, None)

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sandbox_binary() -> Optional[str]:
    env = os.environ.get("MONEYKIT_SANDBOX_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "moneykit-sandbox"
        if p.is_file():
            return str(p)
    return None


class Sandbox:
    """One running moneykit-sandbox process."""

    def __init__(self, *args: str) -> None:
        binary = sandbox_binary()
        if binary is None or not Path(binary).is_file():
            pytest.fail(
                f"moneykit-sandbox not found ({binary or 'no MONEYKIT_SANDBOX_BIN, no target/*/'}): "
                "run `make build` or `cargo build --release -p moneykit-sandbox --bins`"
            )
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [binary, "--addr", "127.0.0.1:0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        lines: "queue.Queue[str]" = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            with self.proc.stdout:
                for line in self.proc.stdout:  # keep draining so it never blocks on a full pipe
                    lines.put(line)
            lines.put("")

        self._pump = threading.Thread(target=pump, name="sandbox-stdout", daemon=True)
        self._pump.start()
        try:
            first = lines.get(timeout=20)
        except queue.Empty:
            first = ""
        prefix = "listening on "
        if not first.startswith(prefix):
            self.stop()
            self._stderr.seek(0)
            err = self._stderr.read().decode("utf-8", "replace")
            pytest.fail(f"sandbox did not start: first line {first!r}, stderr: {err}")
        self.url = first[len(prefix):].strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._pump.join(timeout=10)  # it closes stdout at EOF
        self._stderr.close()

    def admin(self, method: str, path: str) -> Any:
        req = urllib.request.Request(self.url + path, method=method)
        with _OPENER.open(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body.strip() else None

    def stats(self) -> Dict[str, int]:
        s: Dict[str, int] = self.admin("GET", "/_sandbox/stats")
        return s

    def requests(self) -> List[Dict[str, Any]]:
        r: List[Dict[str, Any]] = self.admin("GET", "/_sandbox/requests")
        return r

    def seen(self, link_id: str) -> int:
        """How many identity GETs for `link_id` the request log holds (the sandbox records
        each request when it arrives, before it handles it: a slow link's request is in the
        log while its answer is still being held back)."""
        target = f"/links/{link_id}/identity"
        return sum(1 for r in self.requests() if r["target"] == target)

    def wait_seen(self, link_id: str, count: int, timeout: float = 60.0) -> None:
        """Polls the request log until it holds `count` identity GETs for `link_id`.

        A signal, not a sleep: it returns as soon as the requests have arrived. `timeout`
        is only a generous bound for a stuck test (the failure names what was missing).
        """
        deadline = time.monotonic() + timeout
        while True:
            n = self.seen(link_id)
            if n >= count:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the sandbox saw {n} of {count} GETs for {link_id} within {timeout} s")
            time.sleep(0.01)

    def fetch(self, path: str, token: str = TOKEN) -> bytes:
        """A plain HTTP GET with a bearer token (to compare with what the library returns)."""
        req = urllib.request.Request(
            self.url + path,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        with _OPENER.open(req, timeout=10) as resp:
            data: bytes = resp.read()
        return data


#: Realistic mode at time scale 60 (a minute lasts one second): MoneyKit's limits (3 GETs per
#: link and 600 per app a minute, one refresh per link a day), 40 ± 20 ms latency, and
#: `refreshed_at` advancing one scaled minute (1 s) after a refresh request.
REALISTIC_ARGS = (
    "--realistic", "--time-scale", "60", "--latency-ms", "40,20", "--refresh-delay-ms", "60000",
)
TIME_SCALE = 60.0


@pytest.fixture(scope="module")
def realistic_sandbox() -> Iterator[Sandbox]:
    """A realistic-mode sandbox (`REALISTIC_ARGS`) for one test module; tests use distinct
    `mk_sandbox_bulk_<n>` links, so per-link limits and refreshes never overlap."""
    sb = Sandbox(*REALISTIC_ARGS)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def realistic_client(realistic_sandbox: Sandbox) -> Iterator[mk.Client]:
    """A client on the realistic sandbox, with the static token and no retries (a 429
    must show up as one, not be retried away)."""
    with mk.Client(access_token=TOKEN, base_url=realistic_sandbox.url, **FAST) as c:
        yield c


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    try:
        yield sb
    finally:
        sb.stop()


# Fast-failing defaults for tests: no retries unless a test asks, tiny backoff.
FAST: Dict[str, Any] = {"max_retries": 0, "retry_base": 0.01, "timeout": 10.0, "connect_timeout": 5.0}


@pytest.fixture
def make_client(sandbox: Sandbox) -> Iterator[Callable[..., mk.Client]]:
    """Factory: `make_client(**options)` → a Client on the sandbox (static token unless
    credentials or `access_token=None` are given), closed after the test."""
    made: List[mk.Client] = []

    def make(*args: Any, **kw: Any) -> mk.Client:
        opts: Dict[str, Any] = {**FAST, "base_url": sandbox.url}
        if not args and "access_token" not in kw:
            opts["access_token"] = TOKEN
        opts.update(kw)
        c = mk.Client(*args, **opts)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def client(sandbox: Sandbox) -> Iterator[mk.Client]:
    """One shared client with the static token and no retries."""
    with mk.Client(access_token=TOKEN, base_url=sandbox.url, **FAST) as c:
        yield c


def structure(value: Any) -> Any:
    """A typed result as nested plain data that also records each value's exact type, so
    that two results compare equal only when built alike (`Provider.PLAID == "plaid"`,
    but not here), including every key of each object's `__dict__`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {k: structure(v) for k, v in vars(value).items()})
    if isinstance(value, tuple):
        return [structure(v) for v in value]
    if isinstance(value, Mapping):
        return (type(value).__name__, {k: structure(v) for k, v in value.items()})
    return (type(value), value)


def decode_both_ways(text: str) -> mk.IdentityResponse:
    """`IdentityResponse.from_json` (the core checks the body, then the builders map it)
    and `from_dict` on the same parsed data (the builders alone) must build the same
    thing, down to each value's type, with every field set."""
    via_json = mk.IdentityResponse.from_json(text)
    via_dict = mk.IdentityResponse.from_dict(json.loads(text, parse_float=Decimal))
    assert structure(via_json) == structure(via_dict)
    for obj in (via_json, *via_json.accounts, via_json.link):
        assert set(vars(obj)) == {f.name for f in dataclasses.fields(obj)}
    return via_json
