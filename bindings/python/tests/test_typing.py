"""`mypy --strict` is clean on the package (and on a small program using it).

Skipped when mypy is not installed, unless MK_REQUIRE_MYPY=1 (test.sh sets it).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import PACKAGE_ROOT, REPO

USAGE = '''
from datetime import datetime
from decimal import Decimal
from typing import List, Optional
import moneykit_native as mk

def owners(client: mk.Client, link_id: str) -> List[str]:
    r: mk.IdentityResponse = client.get_identity(link_id, account_ids=["acc_1"])
    when: Optional[datetime] = r.refreshed_at
    if r.refreshed_at is not None and r.refreshed_at.date_only:  # a Timestamp (issue 27)
        print(r.refreshed_at.assumed_utc)
    amount: Optional[Decimal] = r.accounts[0].balances.current
    status: mk.Status = mk.Status.NOT_FOUND
    return [n for a in r.accounts for o in a.owners for n in o.names]

def main() -> None:
    try:
        with mk.Client("id", "secret", timeout=5.0, max_retries=0) as c:
            print(owners(c, "mk_x"), c.get_identity_json("mk_x"))
    except mk.RateLimitedError as e:
        wait: Optional[float] = e.retry_after
        code: Optional[int] = e.http_status
        print(wait, code, e.request_id, e.attempts, e.status.c_name)

def bounded(client: mk.Client, stop: mk.Cancel) -> Optional[str]:
    try:
        r = client.get_identity("mk_x", timeout=2.5, cancel=stop)
        text: str = client.get_identity_json("mk_x", None, timeout=1, cancel=None)
    except (mk.CallCancelledError, mk.RequestTimeoutError):
        return None
    stop.cancel()
    cancelled: bool = stop.cancelled
    with mk.Cancel() as other:
        print(other.closed, cancelled, text)
    rid: Optional[str] = r.request_id
    return rid

with mk.Client("id", "secret", deadline=10.0, auth="headers", log_level="warn",
               time_scale=60) as c2:
    print(bounded(c2, mk.Cancel()))

async def many(links: List[str]) -> int:
    async with mk.AsyncClient(access_token="t") as ac:
        n = 0
        async with ac.get_identities(links, concurrency=4) as batch:
            async for item in batch:
                r: mk.BatchResult = item
                n += r.ok
        return n
'''

#: Closed sets are Literals: a value outside them is a type error (issue 27).
MISTYPED = '''
import moneykit_native as mk

mk.Client("id", "secret", auth="bogus")
mk.Client("id", "secret", log_level="loud")
'''


def need_mypy() -> None:
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("MK_REQUIRE_MYPY") == "1":
            pytest.fail("mypy is not installed (run bindings/python/ci-deps.sh)")
        pytest.skip("mypy is not installed")


def mypy(*paths: Path) -> "subprocess.CompletedProcess[str]":
    env = {**os.environ, "MYPYPATH": str(PACKAGE_ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--config-file", str(PACKAGE_ROOT / "pyproject.toml"), *map(str, paths)],
        capture_output=True, text=True, env=env, cwd=PACKAGE_ROOT, timeout=300,
    )


def readme_blocks() -> List[Tuple[int, str]]:
    """(line, code) of every Python block bindings/python/README.md marks runnable, by the
    markers of scripts/doc_test.py (`<!-- doc-test -->`; `skip` blocks are fragments)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import doc_test
    finally:
        sys.path.pop(0)
    blocks = doc_test.parse("bindings/python/README.md")
    return [(b.line, b.code) for b in blocks if b.lang == "python" and b.marked and not b.skip]


def test_mypy_strict(tmp_path: Path) -> None:
    """The package, a program using it, and every runnable Python block of the README."""
    need_mypy()
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    paths = [PACKAGE_ROOT / "src" / "moneykit_native", usage]
    blocks = readme_blocks()
    assert len(blocks) >= 3, blocks  # the quickstart, the token example, asyncio
    for line, code in blocks:
        p = tmp_path / f"readme_line_{line}.py"
        p.write_text(code, encoding="utf-8")
        paths.append(p)
    out = mypy(*paths)
    assert out.returncode == 0, out.stdout + out.stderr


def test_closed_sets_are_literals(tmp_path: Path) -> None:
    need_mypy()
    bad = tmp_path / "mistyped.py"
    bad.write_text(MISTYPED)
    out = mypy(bad)
    assert out.returncode != 0
    for line in (4, 5):
        assert f"mistyped.py:{line}: error" in out.stdout, out.stdout
    assert "Literal['token', 'headers']" in out.stdout, out.stdout
