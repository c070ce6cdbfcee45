"""`pip install ./bindings/python` and `python -m build bindings/python` produce packages
that carry libmoneykit and work on their own.

Slow (a release build of the crate, twice, and PyPI for the build dependencies), so it
runs only with MONEYKIT_TEST_PACKAGING=1 (`bash bindings/python/test.sh --packaging`).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Dict

import pytest

from conftest import PACKAGE_ROOT, TOKEN, Sandbox

pytestmark = pytest.mark.skipif(
    os.environ.get("MONEYKIT_TEST_PACKAGING") != "1", reason="set MONEYKIT_TEST_PACKAGING=1"
)

SMOKE = f"""
import sys, moneykit_native as mk
path = mk.library_path()
assert "site-packages" in path and path.endswith("moneykit_native/libmoneykit.so"), path
with mk.Client(access_token="{TOKEN}", base_url=sys.argv[1], max_retries=0) as c:
    assert len(c.get_identity("mk_sandbox_ok").accounts) == 2
print("ok", mk.__version__, mk.library_version())
"""


def run(*args: str, env: Dict[str, str], cwd: Path) -> str:
    out = subprocess.run(list(args), env=env, cwd=cwd, capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, f"{args}: {out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


def make_venv(path: Path) -> Path:
    venv.create(path, with_pip=True)
    return path / "bin" / "python"


def clean_env() -> Dict[str, str]:
    # The installed package must find its own copy: no override, no repository fallback.
    return {k: v for k, v in os.environ.items() if k not in ("MONEYKIT_NATIVE_LIB", "PYTHONPATH")}


def test_pip_install(tmp_path: Path, sandbox: Sandbox) -> None:
    py = make_venv(tmp_path / "venv")
    env = clean_env()
    res = subprocess.run([str(py), "-m", "pip", "install", "-v", str(PACKAGE_ROOT)], env=env,
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=1200)
    out = res.stdout
    assert res.returncode == 0, out[-3000:]
    # Progress while cargo builds (shown by -v; also on /dev/tty when there is one).
    assert "moneykit-native: building libmoneykit with cargo" in out, out[-3000:]
    assert "moneykit-native: libmoneykit built in" in out
    assert "ok" in run(str(py), "-c", SMOKE, sandbox.url, env=env, cwd=tmp_path)
    # A source install carries no sandbox: the console script says so, or runs
    # MONEYKIT_SANDBOX_BIN.
    script = str(py.parent / "moneykit-sandbox")
    no_bin = {k: v for k, v in env.items() if k != "MONEYKIT_SANDBOX_BIN"}
    res = subprocess.run([script, "--version"], env=no_bin, capture_output=True, text=True)
    assert res.returncode == 127 and "no bundled sandbox" in res.stderr, res
    if os.environ.get("MONEYKIT_SANDBOX_BIN"):
        res = subprocess.run([script, "--version"], env=env, capture_output=True, text=True)
        assert res.returncode == 0 and res.stdout.startswith("moneykit-sandbox "), res


def test_build_sdist_and_wheel(tmp_path: Path, sandbox: Sandbox) -> None:
    if importlib.util.find_spec("build") is None:
        pytest.fail("the `build` package is not installed (run bindings/python/ci-deps.sh)")
    env = clean_env()
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--outdir", str(dist), str(PACKAGE_ROOT), env=env, cwd=tmp_path)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1 and wheels[0].name.endswith(".whl")
    assert "-py3-none-" in wheels[0].name
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "moneykit_native/libmoneykit.so" in names and "moneykit_native/py.typed" in names
    assert len(list(dist.glob("*.tar.gz"))) == 1
    py = make_venv(tmp_path / "venv")
    run(str(py), "-m", "pip", "install", "-q", str(wheels[0]), env=env, cwd=tmp_path)
    assert "ok" in run(str(py), "-c", SMOKE, sandbox.url, env=env, cwd=tmp_path)
