"""`mypy --strict` is clean on the package (and on a small program using it).

Skipped when mypy is not installed, unless MK_REQUIRE_MYPY=1 (test.sh sets it).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PACKAGE_ROOT

USAGE = '''
from datetime import datetime
from decimal import Decimal
from typing import List, Optional
import moneykit_native as mk

def owners(client: mk.Client, link_id: str) -> List[str]:
    r: mk.IdentityResponse = client.get_identity(link_id, account_ids=["acc_1"])
    when: Optional[datetime] = r.refreshed_at
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

with mk.Client("id", "secret", deadline=10.0) as c2:
    print(bounded(c2, mk.Cancel()))
'''


def test_mypy_strict(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("MK_REQUIRE_MYPY") == "1":
            pytest.fail("mypy is not installed (run bindings/python/ci-deps.sh)")
        pytest.skip("mypy is not installed")
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    env = {**os.environ, "MYPYPATH": str(PACKAGE_ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--config-file", str(PACKAGE_ROOT / "pyproject.toml"),
         str(PACKAGE_ROOT / "src" / "moneykit_native"), str(usage)],
        capture_output=True, text=True, env=env, cwd=PACKAGE_ROOT, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
