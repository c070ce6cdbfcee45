"""Builds the moneykit-native Rust crate and bundles libmoneykit into the package.

The Python code is pure ctypes; the only compiled part is the C library itself,
built by setuptools-rust as a cdylib (`Binding.NoBinding`) from the crate at the
repository root (`../../Cargo.toml`) and copied to `moneykit_native/libmoneykit.so`.

* `pip install ./bindings/python` builds in-tree; cargo's target directory is
  `<repo>/target/python` (or `$CARGO_TARGET_DIR`), so it never disturbs the
  repository's own `target/release` build.
* `python -m build bindings/python` first makes an sdist; the sdist carries a copy of
  the crate (Cargo.toml trimmed to this one package, Cargo.lock, build.rs,
  cbindgen.toml, src/, include/) under `rust/`, from which the wheel is then built.
* The wheel is tagged `py3-none-<platform>`: the library does not depend on the
  Python version, only on the platform.
* `make wheel` (bindings/python/wheel.sh) sets `MONEYKIT_PREBUILT_DIR` to `make build`'s
  target/release: nothing is compiled, `libmoneykit.so` and the `moneykit-sandbox` and
  `moneykit` (CLI) binaries are copied from there (debug info stripped) into the package
  (`moneykit_native/` and `moneykit_native/bin/`), and auditwheel then gives the wheel its
  manylinux tag.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Tuple

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension, Strip
from setuptools_rust.build import build_rust

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
VENDORED = HERE / "rust"  # the crate inside an sdist
REPO = HERE.parent.parent  # the crate in a checkout
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "cbindgen.toml"]
CRATE_DIRS = ["src", "include"]

if sys.platform == "win32":
    LIB_FILE = "moneykit.dll"
elif sys.platform == "darwin":
    LIB_FILE = "libmoneykit.dylib"
else:
    LIB_FILE = "libmoneykit.so"


def crate_root() -> Path:
    if (VENDORED / "Cargo.toml").is_file():
        return VENDORED
    if (REPO / "Cargo.toml").is_file() and (REPO / "include" / "moneykit.h").is_file():
        return REPO
    raise SystemExit(
        "moneykit-native: cannot find the Rust crate (neither rust/Cargo.toml of an sdist "
        f"nor the repository's Cargo.toml at {REPO})"
    )


def cargo_args(root: Path) -> List[str]:
    if root == REPO and not os.environ.get("CARGO_TARGET_DIR"):
        return ["--target-dir", str(REPO / "target" / "python")]
    return []


def standalone_manifest(text: str) -> str:
    """The repository's Cargo.toml reduced to the library package alone.

    Drops the workspace members (sandbox/, bench/ are not in the sdist) while keeping an
    empty `[workspace]` table so that cargo never looks for a parent workspace, and drops
    `[dev-dependencies]` (path dependencies on the sandbox, needed for tests only).
    """
    out: List[str] = []
    section = ""
    for line in text.splitlines():
        header = re.match(r"\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            section = header.group(1).strip()
            if section == "dev-dependencies" or section.startswith("dev-dependencies."):
                continue
            out.append(line)
            continue
        if section == "workspace" or section.startswith("workspace."):
            continue
        if section == "dev-dependencies" or section.startswith("dev-dependencies."):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


class Progress:
    """Progress lines for a build that pip runs silently: to stderr (shown by `pip install
    -v`) and, when stderr is not a terminal but the user has one, to /dev/tty, so a plain
    `pip install` does not sit silent for a minute. MONEYKIT_BUILD_QUIET=1 turns the
    terminal copy off. A heartbeat line every 15 s while cargo runs."""

    def __init__(self) -> None:
        self.tty: Any = None
        if not sys.stderr.isatty() and not os.environ.get("MONEYKIT_BUILD_QUIET"):
            try:
                self.tty = open("/dev/tty", "w")
            except OSError:
                self.tty = None

    def say(self, message: str) -> None:
        line = f"moneykit-native: {message}"
        print(line, file=sys.stderr, flush=True)
        if self.tty is not None:
            try:
                self.tty.write(line + "\n")
                self.tty.flush()
            except OSError:
                self.tty = None

    def close(self) -> None:
        if self.tty is not None:
            self.tty.close()
            self.tty = None


class BuildRust(build_rust):  # type: ignore[misc]
    """Names the artefact `libmoneykit.so` (not `libmoneykit.cpython-3xx-....so`), and
    reports progress while cargo builds."""

    def run(self) -> None:
        import threading
        import time

        progress = Progress()
        started = time.monotonic()
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(15):
                progress.say(f"still compiling ({time.monotonic() - started:.0f} s)")

        progress.say("building libmoneykit with cargo --release (about a minute; "
                     "`pip install -v` shows cargo's output)")
        beat = threading.Thread(target=heartbeat, daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            done.set()
            beat.join()
        progress.say(f"libmoneykit built in {time.monotonic() - started:.0f} s")
        progress.close()

    def get_dylib_ext_path(self, ext: RustExtension, target_fname: str) -> str:
        path = super().get_dylib_ext_path(ext, target_fname)
        return os.path.join(os.path.dirname(path), LIB_FILE)


class BdistWheel(bdist_wheel):  # type: ignore[misc]
    """A ctypes library works with any Python 3: tag the wheel py3-none-<platform>."""

    def get_tag(self) -> Tuple[str, str, str]:
        _, _, plat = super().get_tag()
        return "py3", "none", plat


class Sdist(sdist):
    """Carries the crate under rust/ so the sdist builds without the repository."""

    def make_release_tree(self, base_dir: str, files: Any) -> None:
        super().make_release_tree(base_dir, files)
        root = crate_root()
        dest = Path(base_dir) / "rust"
        dest.mkdir(parents=True, exist_ok=True)
        for name in CRATE_FILES:
            src = root / name
            if not src.is_file():
                continue
            if name == "Cargo.toml" and root == REPO:
                (dest / name).write_text(standalone_manifest(src.read_text()))
            else:
                shutil.copy2(src, dest / name)
        for d in CRATE_DIRS:
            shutil.copytree(root / d, dest / d, dirs_exist_ok=True)


PREBUILT = os.environ.get("MONEYKIT_PREBUILT_DIR")
SANDBOX_FILE = "moneykit-sandbox.exe" if sys.platform == "win32" else "moneykit-sandbox"
CLI_FILE = "moneykit.exe" if sys.platform == "win32" else "moneykit"


def say(message: str) -> None:
    """A progress line (pip shows the build's output with -v)."""
    print(f"moneykit-native: {message}", file=sys.stderr, flush=True)


class BinaryDistribution(Distribution):
    """The prebuilt files make the wheel platform-specific (platlib, platform tag)."""

    def has_ext_modules(self) -> bool:
        return True


class BuildPyPrebuilt(build_py):
    """Copies `$MONEYKIT_PREBUILT_DIR`'s library, sandbox and CLI into the package."""

    def run(self) -> None:
        super().run()
        src = Path(PREBUILT or "")
        pkg = Path(self.build_lib) / "moneykit_native"
        for name, dest in (
            (LIB_FILE, pkg / LIB_FILE),
            (SANDBOX_FILE, pkg / "bin" / SANDBOX_FILE),
            (CLI_FILE, pkg / "bin" / CLI_FILE),
        ):
            f = src / name
            if not f.is_file():
                raise SystemExit(f"moneykit-native: {f} not found (MONEYKIT_PREBUILT_DIR; run make build)")
            dest.parent.mkdir(parents=True, exist_ok=True)
            say(f"bundling {f} as {dest.relative_to(self.build_lib)}")
            shutil.copyfile(f, dest)
            os.chmod(dest, 0o755)
            if shutil.which("strip") and sys.platform.startswith("linux"):
                subprocess.run(["strip", "--strip-debug", str(dest)], check=True)


if PREBUILT:
    setup(
        distclass=BinaryDistribution,
        cmdclass={"build_py": BuildPyPrebuilt, "bdist_wheel": BdistWheel, "sdist": Sdist},
        # Its own build directory: a later source build never picks up the binaries.
        options={"build": {"build_base": str(HERE / "build" / "prebuilt")}},
    )
else:
    ROOT = crate_root()
    setup(
        rust_extensions=[
            RustExtension(
                "moneykit_native.libmoneykit",
                path=str(ROOT / "Cargo.toml"),
                binding=Binding.NoBinding,
                strip=Strip.Debug,
                args=cargo_args(ROOT),
                # Only the library; the workspace's other packages are not built.
                debug=False,
            )
        ],
        cmdclass={"build_rust": BuildRust, "bdist_wheel": BdistWheel, "sdist": Sdist},
    )
