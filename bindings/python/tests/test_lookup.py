"""Library lookup: $MONEYKIT_NATIVE_LIB, then the bundled copy, then the repository's
target/release and target/debug, then ctypes.util.find_library. Each case runs in a fresh
interpreter, since a process loads the library once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import PACKAGE_ROOT, REPO

SRC = PACKAGE_ROOT / "src"
PROBE = (
    "import json, moneykit_native as mk, moneykit_native._native as n\n"
    "try:\n"
    "    print(json.dumps({'path': mk.library_path(), 'version': mk.library_version()}))\n"
    "except ImportError as e:\n"
    "    print(json.dumps({'error': str(e), 'type': type(e).__name__}))\n"
)


def probe(pythonpath: Path, lib: Optional[str]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MONEYKIT_NATIVE_LIB"}
    env["PYTHONPATH"] = str(pythonpath)
    if lib is not None:
        env["MONEYKIT_NATIVE_LIB"] = lib
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60,
        cwd="/",
    )
    assert out.returncode == 0, out.stderr
    result: Dict[str, str] = json.loads(out.stdout)
    return result


def test_env_var_wins(tmp_path: Path) -> None:
    copy = tmp_path / "renamed-libmoneykit.so"
    shutil.copy(mk.library_path(), copy)
    got = probe(SRC, str(copy))
    assert got["path"] == str(copy) and got["version"] == mk.library_version()


def test_env_var_pointing_nowhere_is_an_import_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.so")
    got = probe(SRC, missing)
    assert got["type"] == "LibraryNotFoundError"
    assert missing in got["error"] and "MONEYKIT_NATIVE_LIB" in got["error"]
    assert issubclass(mk.LibraryNotFoundError, ImportError)


def test_bundled_copy_comes_before_the_repository(tmp_path: Path) -> None:
    pkg = tmp_path / "moneykit_native"
    shutil.copytree(SRC / "moneykit_native", pkg, ignore=shutil.ignore_patterns("*.so*"))
    shutil.copy(mk.library_path(), pkg / "libmoneykit.so")
    got = probe(tmp_path, None)
    assert got["path"] == str(pkg / "libmoneykit.so")


def test_repository_target_dir(tmp_path: Path) -> None:
    built = [REPO / "target" / p / "libmoneykit.so" for p in ("release", "debug")]
    if not any(p.is_file() for p in built):
        pytest.skip("no target/release or target/debug build in this checkout")
    if any((SRC / "moneykit_native" / n).exists() for n in ("libmoneykit.so", "libmoneykit.so.0")):
        pytest.skip("a bundled copy in the source tree (editable install) takes precedence")
    got = probe(SRC, None)
    assert got.get("path") == str(next(p for p in built if p.is_file()))


def test_nothing_found_lists_every_place(tmp_path: Path) -> None:
    pkg = tmp_path / "moneykit_native"
    shutil.copytree(SRC / "moneykit_native", pkg, ignore=shutil.ignore_patterns("*.so*"))
    got = probe(tmp_path, None)
    if "path" in got:
        pytest.skip(f"a system-wide libmoneykit exists: {got['path']}")
    assert got["type"] == "LibraryNotFoundError"
    msg = got["error"]
    assert "bundled in the package" in msg and str(pkg / "libmoneykit.so") in msg
    assert "not inside a checkout" in msg
    assert "find_library" in msg and "MONEYKIT_NATIVE_LIB" in msg


def test_candidate_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEYKIT_NATIVE_LIB", "/x/libmoneykit.so")
    whats = [what for what, _ in _native.candidates()]
    assert whats[0] == "$MONEYKIT_NATIVE_LIB"
    order = ["$MONEYKIT_NATIVE_LIB", "bundled in the package", "repository target/release",
             "repository target/debug", "ctypes.util.find_library('moneykit')"]
    assert [w for w in order if w in whats] == sorted(set(whats), key=order.index)
    firsts = [whats.index(w) for w in order if w in whats]
    assert firsts == sorted(firsts)
    assert whats[-1] == "ctypes.util.find_library('moneykit')"
