"""`moneykit_native.testing` (issue 27): the bundled sandbox on a free port and clients
configured for it, as a context manager and as pytest fixtures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import moneykit_native as mk
from moneykit_native import testing

from conftest import PACKAGE_ROOT


def test_sandbox_client_context_manager() -> None:
    with testing.sandbox_client() as client:
        identity = client.get_identity("mk_sandbox_ok")
        assert len(identity.accounts) == 2
        with pytest.raises(mk.NotFoundError):
            client.get_identity("mk_no_such_link")
    assert client.closed


def test_sandbox_context_manager_stops_the_process() -> None:
    with testing.sandbox() as sb:
        assert sb.running and sb.url.startswith("http://127.0.0.1:")
        with sb.client(access_token=testing.SANDBOX_ACCESS_TOKEN, max_retries=0) as c:
            assert c.get_identity_json("mk_sandbox_minimal")
        assert "running" in repr(sb)
    assert not sb.running
    sb.stop()  # idempotent


def test_the_fixtures(moneykit_client: mk.Client, moneykit_sandbox: testing.Sandbox) -> None:
    assert moneykit_sandbox.running
    assert moneykit_client.get_identity("mk_sandbox_ok").link.link_id == "mk_sandbox_ok"


def test_the_sandbox_time_scale_becomes_the_clients() -> None:
    # A realistic sandbox at time scale 60: a client from it refreshes at that pace without
    # being told (its time_scale option), so a 10 s wait is plenty.
    with testing.sandbox("--realistic", "--refresh-delay-ms", "60000", time_scale=60) as sb:
        with sb.client(max_retries=0) as c:
            t0 = time.monotonic()
            fresh = c.refresh_identity("mk_sandbox_bulk_77", wait=10)
            assert fresh.refreshed_at is not None
            assert time.monotonic() - t0 < 8
        async_client = sb.async_client()
        assert isinstance(async_client, mk.AsyncClient)
        async_client.sync.close()


def test_a_missing_binary_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="did not start"):
        testing.Sandbox(binary=str(tmp_path / "missing"))
    monkeypatch.setenv("MONEYKIT_SANDBOX_BIN", str(tmp_path / "not-a-sandbox"))
    (tmp_path / "not-a-sandbox").write_text("#!/bin/sh\necho hello\n")
    (tmp_path / "not-a-sandbox").chmod(0o755)
    with pytest.raises(RuntimeError, match="first line 'hello"):
        testing.Sandbox(start_timeout=10)


def test_the_wheel_registers_the_plugin() -> None:
    text = (PACKAGE_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.pytest11]\n' in text
    assert 'moneykit_native = "moneykit_native.testing"' in text
