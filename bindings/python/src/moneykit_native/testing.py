"""Test support: the bundled sandbox on a free port, and clients configured for it.

    from moneykit_native.testing import sandbox_client

    def test_my_code() -> None:
        with sandbox_client() as client:          # a sandbox of its own, stopped after
            identity = client.get_identity("mk_sandbox_ok")
            assert identity.accounts

With pytest, two fixtures: `moneykit_sandbox` (one `Sandbox` for the session) and
`moneykit_client` (a `Client` on it for each test, closed after):

    def test_my_code(moneykit_client: mk.Client) -> None:
        assert moneykit_client.get_identity("mk_sandbox_ok").accounts

The wheel registers this module as a pytest plugin (the `pytest11` entry point), so the
fixtures are there once `moneykit_native` is installed; from a checkout, add
`pytest_plugins = ["moneykit_native.testing"]` to your `conftest.py`. pytest is needed only
for the fixtures: the rest of this module uses the standard library alone.

The sandbox is the `moneykit-sandbox` binary the wheel bundles (`sandbox_path()`, or
`$MONEYKIT_SANDBOX_BIN`); from a checkout, `target/release` (`make build`). It serves the
magic link ids of `docs/sandbox-contract.md` (`mk_sandbox_ok`, `mk_fault_503`, ...). Its
`--time-scale` (a keyword here) becomes the clients' `time_scale`, so batches and refresh
waits run at the sandbox's pace.
"""

from __future__ import annotations

import queue
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Dict, Iterator, List, Optional, Type

import moneykit_native as mk

try:
    import pytest as _pytest
except ImportError:  # pragma: no cover - the fixtures need pytest, nothing else does
    _pytest = None  # type: ignore[assignment]

#: The client id and secret the sandbox accepts (its token endpoint issues a token for them).
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
#: The static bearer token the sandbox accepts (`access_token=`).
SANDBOX_ACCESS_TOKEN = "sandbox-access-token"

_HERE = Path(__file__).resolve().parent


def _binary() -> str:
    """The sandbox binary: `sandbox_path()`, else a checkout's target/release or debug."""
    found = mk.sandbox_path()
    if found is not None:
        return found
    parents = _HERE.parents
    if len(parents) >= 4:  # <repo>/bindings/python/src/moneykit_native
        for profile in ("release", "debug"):
            candidate = parents[3] / "target" / profile / "moneykit-sandbox"
            if candidate.is_file():
                return str(candidate)
    raise FileNotFoundError(
        "no moneykit-sandbox binary: this install bundles none (only the wheels built by "
        "`make wheel` do); set MONEYKIT_SANDBOX_BIN to one (`make build` puts it in "
        "target/release/)"
    )


class Sandbox:
    """One running `moneykit-sandbox` on a free loopback port (`url`), stopped by `stop()`
    or at the end of a `with` block. `args` are more command-line arguments (e.g.
    `"--realistic"`); `time_scale` is its `--time-scale` and the default `time_scale` of
    the clients `client()` makes."""

    def __init__(
        self,
        *args: str,
        time_scale: Optional[float] = None,
        binary: Optional[str] = None,
        start_timeout: float = 20.0,
    ) -> None:
        self.time_scale = time_scale
        argv: List[str] = [binary or _binary(), "--addr", "127.0.0.1:0", *args]
        if time_scale is not None:
            argv += ["--time-scale", repr(float(time_scale))]
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                text=True,
            )
        except OSError as e:
            self._stderr.close()
            raise RuntimeError(f"moneykit-sandbox did not start ({argv[0]}): {e}") from None
        lines: "queue.Queue[str]" = queue.Queue()
        self._pump = threading.Thread(
            target=self._drain, args=(lines,), name="moneykit-sandbox-stdout", daemon=True
        )
        self._pump.start()
        try:
            first = lines.get(timeout=start_timeout)
        except queue.Empty:
            first = ""
        prefix = "listening on "
        if not first.startswith(prefix):
            self.stop()
            raise RuntimeError(
                f"moneykit-sandbox did not start ({argv[0]}): first line {first!r}, "
                f"stderr: {self._stderr_text}"
            )
        #: The sandbox's base URL (`http://127.0.0.1:PORT`).
        self.url = first[len(prefix):].strip()

    def _drain(self, lines: "queue.Queue[str]") -> None:
        out = self._proc.stdout
        assert out is not None
        with out:
            for line in out:  # drained to the end, so the sandbox never blocks on a pipe
                lines.put(line)
        lines.put("")

    _stderr_text = ""

    def client(self, **options: Any) -> mk.Client:
        """A `Client` on this sandbox: its URL, the sandbox's client id and secret (or
        `access_token=SANDBOX_ACCESS_TOKEN`), the sandbox's `time_scale`; any `Client`
        keyword overrides these. Close it (or use it as a `with` block)."""
        return mk.Client(**self._options(options))

    def async_client(self, **options: Any) -> mk.AsyncClient:
        """An `AsyncClient` on this sandbox, configured as `client()`."""
        return mk.AsyncClient(**self._options(options))

    def _options(self, options: Dict[str, Any]) -> Dict[str, Any]:
        opts: Dict[str, Any] = {"base_url": self.url}
        if "access_token" not in options:
            opts["client_id"] = SANDBOX_CLIENT_ID
            opts["client_secret"] = SANDBOX_CLIENT_SECRET
        if self.time_scale is not None:
            opts["time_scale"] = self.time_scale
        opts.update(options)
        return opts

    @property
    def running(self) -> bool:
        """True until the process has exited."""
        return self._proc.poll() is None

    def stop(self) -> None:
        """Stops the sandbox (idempotent)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait(timeout=10)
        self._pump.join(timeout=10)
        if not self._stderr.closed:
            self._stderr.seek(0)
            self._stderr_text = self._stderr.read().decode("utf-8", "replace")[-2000:]
            self._stderr.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<moneykit_native.testing.Sandbox {state} {getattr(self, 'url', '')}>"


@contextmanager
def sandbox(*args: str, time_scale: Optional[float] = None) -> Iterator[Sandbox]:
    """A `Sandbox` for the `with` block (`args` and `time_scale` as for `Sandbox`)."""
    sb = Sandbox(*args, time_scale=time_scale)
    try:
        yield sb
    finally:
        sb.stop()


@contextmanager
def sandbox_client(
    *args: str, time_scale: Optional[float] = None, **options: Any
) -> Iterator[mk.Client]:
    """A sandbox of its own and a `Client` on it (`Sandbox.client(**options)`) for the
    `with` block; both are closed after it."""
    with sandbox(*args, time_scale=time_scale) as sb, sb.client(**options) as client:
        yield client


if _pytest is not None:

    @_pytest.fixture(scope="session")
    def moneykit_sandbox() -> Iterator[Sandbox]:
        """One sandbox for the test session (`$MONEYKIT_SANDBOX_BIN` or the bundled one)."""
        with sandbox() as sb:
            yield sb

    @_pytest.fixture
    def moneykit_client(moneykit_sandbox: Sandbox) -> Iterator[mk.Client]:
        """A `Client` on the session's sandbox, closed after the test."""
        with moneykit_sandbox.client() as client:
            yield client


__all__ = [
    "SANDBOX_ACCESS_TOKEN",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "Sandbox",
    "sandbox",
    "sandbox_client",
]
if _pytest is not None:
    __all__ += ["moneykit_client", "moneykit_sandbox"]
