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
from typing import Any, Dict, Optional, Tuple

import pytest

import moneykit_native as mk
from moneykit_native import _native

from conftest import HEADER, PACKAGE_ROOT

SRC = PACKAGE_ROOT / "src"
#: Every probe runs isolated from the system's library search: `ctypes.util.find_library`
#: (ldconfig's cache, gcc, ld, LD_LIBRARY_PATH) is replaced, before the package is imported,
#: by a stub that records what it was asked and answers `$MK_TEST_FIND_LIBRARY` (unset:
#: nothing found). So a libmoneykit installed on this machine changes no result here and
#: no case has to be skipped for it.
PROBE = (
    "import ctypes.util, json, os\n"
    "asked = []\n"
    "def find_library(name):\n"
    "    asked.append(name)\n"
    "    return os.environ.get('MK_TEST_FIND_LIBRARY') or None\n"
    "ctypes.util.find_library = find_library\n"
    "import moneykit_native as mk, moneykit_native._native as n\n"
    "try:\n"
    "    out = {'path': mk.library_path(), 'version': mk.library_version()}\n"
    "except ImportError as e:\n"
    "    out = {'error': str(e), 'type': type(e).__name__}\n"
    "out['asked'] = asked\n"
    "print(json.dumps(out))\n"
)


def probe(pythonpath: Path, lib: Optional[str], system: Optional[str] = None) -> Dict[str, Any]:
    """Imports the package found on `pythonpath` in a fresh interpreter and loads the
    library; `lib`: `$MONEYKIT_NATIVE_LIB` (None: unset); `system`: what the stubbed
    `find_library('moneykit')` answers (None: nothing)."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("MONEYKIT_NATIVE_LIB", "MK_TEST_FIND_LIBRARY", "LD_LIBRARY_PATH")
    }
    env["PYTHONPATH"] = str(pythonpath)
    if lib is not None:
        env["MONEYKIT_NATIVE_LIB"] = lib
    if system is not None:
        env["MK_TEST_FIND_LIBRARY"] = system
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60,
        cwd="/",
    )
    assert out.returncode == 0, out.stderr
    result: Dict[str, Any] = json.loads(out.stdout)
    return result


def package_copy(dest: Path) -> Path:
    """The package's sources (no library file) copied to `dest/moneykit_native`."""
    pkg = dest / "moneykit_native"
    shutil.copytree(SRC / "moneykit_native", pkg, ignore=shutil.ignore_patterns("*.so*"))
    return pkg


def fake_checkout(root: Path, profiles: Tuple[str, ...]) -> Path:
    """A checkout as `_native.repo_root()` recognizes it (Cargo.toml, include/moneykit.h),
    with the package at bindings/python/src and a copy of the library in each of
    `target/<profile>`; returns the source directory to put on PYTHONPATH."""
    (root / "include").mkdir(parents=True)
    (root / "Cargo.toml").write_text("[package]\nname = \"moneykit-native\"\n")
    shutil.copy(HEADER, root / "include" / "moneykit.h")
    src = root / "bindings" / "python" / "src"
    package_copy(src)
    for profile in profiles:
        (root / "target" / profile).mkdir(parents=True)
        shutil.copy(mk.library_path(), root / "target" / profile / "libmoneykit.so")
    return src


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
    src = fake_checkout(tmp_path / "repo", ("release", "debug"))
    bundled = src / "moneykit_native" / "libmoneykit.so"
    shutil.copy(mk.library_path(), bundled)
    got = probe(src, None, system=mk.library_path())
    assert got["path"] == str(bundled) and got["asked"] == []


@pytest.mark.parametrize(
    "profiles, found",
    [(("release",), "release"), (("debug",), "debug"), (("release", "debug"), "release")],
)
def test_repository_target_dir(tmp_path: Path, profiles: Tuple[str, ...], found: str) -> None:
    # A checkout of its own (not this one: its target/ may hold either build, and an
    # editable install may have put a bundled copy in its source tree).
    root = tmp_path / "repo"
    src = fake_checkout(root, profiles)
    got = probe(src, None, system=mk.library_path())
    assert got.get("path") == str(root / "target" / found / "libmoneykit.so"), got
    assert got["asked"] == []  # the system is the last resort, not asked here
    assert got["version"] == mk.library_version()


def test_nothing_found_lists_every_place(tmp_path: Path) -> None:
    pkg = package_copy(tmp_path)
    got = probe(tmp_path, None)
    assert got["asked"] == ["moneykit"]
    assert got.get("type") == "LibraryNotFoundError", got
    msg = got["error"]
    assert "bundled in the package" in msg and str(pkg / "libmoneykit.so") in msg
    assert "not inside a checkout" in msg
    assert "ctypes.util.find_library('moneykit'): nothing found" in msg
    assert "MONEYKIT_NATIVE_LIB" in msg


def test_system_library_is_the_last_resort(tmp_path: Path) -> None:
    # Nothing bundled, not in a checkout: what find_library('moneykit') names is loaded.
    system = tmp_path / "system" / "libmoneykit.so.0"
    system.parent.mkdir()
    shutil.copy(mk.library_path(), system)
    pkg_parent = tmp_path / "site"
    package_copy(pkg_parent)
    got = probe(pkg_parent, None, system=str(system))
    assert got.get("path") == str(system), got
    assert got["asked"] == ["moneykit"] and got["version"] == mk.library_version()
    # A name it cannot load is reported with the reason, not skipped over.
    broken = tmp_path / "system" / "libbroken.so"
    broken.write_bytes(b"not an ELF file")
    got = probe(pkg_parent, None, system=str(broken))
    assert got.get("type") == "LibraryNotFoundError", got
    assert f"ctypes.util.find_library('moneykit'): {broken}: " in got["error"]


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
