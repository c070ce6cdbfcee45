"""The binding against include/moneykit.h: status values, functions, signatures, versions,
and the layout of every struct (`_abi`, generated from the header) as the C compiler sees it."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

import moneykit_native as mk
from moneykit_native import _abi, _native

from conftest import HEADER, PACKAGE_ROOT, REPO


def header() -> str:
    return HEADER.read_text(encoding="utf-8")


def header_statuses() -> Dict[str, int]:
    # Comments out first (they may say "enum mk_status"); then the declaration itself, whose
    # body starts at the first "{" with no ";" before it (other enums may come first).
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", header(), flags=re.S)
    m = re.search(r"enum\s+mk_status\b[^;{}]*\{(.*?)\};", text, re.S)
    assert m, "enum mk_status not found in the header"
    return {name: int(value) for name, value in re.findall(r"\b(MK_\w+)\s*=\s*(-?\d+)", m.group(1))}


def header_functions() -> Dict[str, List[str]]:
    """name -> parameter declarations, for every function prototype."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", header(), flags=re.S)
    out: Dict[str, List[str]] = {}
    for name, params in re.findall(r"\b(mk_\w+)\s*\(([^)]*)\)\s*;", text):
        ps = [p.strip() for p in params.split(",") if p.strip()]
        out[name] = [] if ps == ["void"] else ps
    return out


def test_status_values_equal_the_header() -> None:
    statuses = header_statuses()
    assert len(statuses) == len(mk.Status) >= 14
    expected = {("OK" if n == "MK_OK" else n[len("MK_ERR_"):]): v for n, v in statuses.items()}
    assert {s.name: s.value for s in mk.Status} == expected
    for c_name, value in statuses.items():
        assert mk.Status(value).c_name == c_name


def test_status_names_from_the_library() -> None:
    for s in mk.Status:
        assert _native.status_name(s) == s.c_name
        # Both come from schema/moneykit.json: the generated table equals the library's.
        assert s.describe() == _native.status_describe(s) != "unknown status"
    unknown = max(mk.Status) + 1  # a number from a newer library
    assert mk.Status(unknown).describe() == _native.status_describe(unknown) == "unknown status"
    assert _native.status_name(unknown) == "unknown status"
    assert _native.status_name(-1) == "unknown status"
    assert mk.Status(unknown).c_name == "unknown status"
    assert mk.Status(unknown).name == f"UNKNOWN_{unknown}"


def test_every_header_function_is_declared() -> None:
    functions = header_functions()
    assert set(functions) == set(_native.FUNCTIONS)
    lib = _native.lib()
    for name, params in functions.items():
        fn = getattr(lib, name)
        assert fn.argtypes is not None and len(fn.argtypes) == len(params), name
        # Functions returning strings the caller owns do not exist: owned strings come
        # through char** out-parameters, declared as POINTER(c_void_p) (never c_char_p).
        for p, t in zip(params, fn.argtypes):
            if p.startswith("char **"):
                assert t is _native.P_c_void_p, (name, p)


def test_constants_equal_the_header() -> None:
    h = header()
    assert f"#define MK_MAX_ID_LEN {mk.MAX_ID_LEN}" in h
    assert f"#define MK_MAX_ACCOUNT_IDS {mk.MAX_ACCOUNT_IDS}" in h


def test_versions_move_together() -> None:
    m = re.search(r'#define MK_VERSION "([^"]+)"', header())
    assert m
    cargo = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "Cargo.toml").read_text(), re.M)
    pyproject = re.search(
        r'^version\s*=\s*"([^"]+)"', (PACKAGE_ROOT / "pyproject.toml").read_text(), re.M
    )
    assert cargo and pyproject
    assert mk.__version__ == pyproject.group(1) == cargo.group(1) == m.group(1)
    assert mk.library_version() == m.group(1)


def test_abi_check_refuses_other_minor_versions() -> None:
    assert _native._abi("0.1.7") == (0, 1)
    assert _native._abi("0.2.0-rc.1") == (0, 2)
    assert _native._abi("garbage") == (-1, -1)


def test_lifecycle_declarations_work(client: mk.Client) -> None:
    """The ctypes signatures of the cancel functions and mk_get_identity_ex are usable
    (no Python API over them yet): a pre-triggered handle cancels the call."""
    L = _native.lib()
    cancel = ctypes.c_void_p()
    assert L.mk_cancel_new(ctypes.byref(cancel), None) == 0 and cancel.value
    try:
        L.mk_cancel_trigger(cancel)
        out_json, out_request_id, out_error = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
        rc = L.mk_get_identity_ex(
            client._acquire(), b"mk_sandbox_ok", None, 0, 0, cancel,
            ctypes.byref(out_json), ctypes.byref(out_request_id), ctypes.byref(out_error),
        )
        client._release()
        assert _native.take_string(out_json.value) is None
        assert _native.take_string(out_request_id.value) is None
        error = _native.take_string(out_error.value)
        assert rc == mk.Status.CANCELLED and error and "MK_ERR_CANCELLED" in error
    finally:
        L.mk_cancel_free(cancel)


def _layout_program() -> str:
    """A C program printing, for every struct `_abi` declares, `sizeof` and `_Alignof`, and
    for each of its fields `offsetof` and `sizeof`; then every constant `_abi` declares."""
    lines = [
        "#include <stddef.h>",
        "#include <stdio.h>",
        '#include "moneykit.h"',
        "int main(void) {",
    ]
    for name, cls in _abi.STRUCTS.items():
        lines.append(
            f'  printf("{name} %zu %zu\\n", sizeof(struct {name}), _Alignof(struct {name}));'
        )
        for field in cls._fields_:
            f = field[0]
            lines.append(
                f'  printf("{name}.{f} %zu %zu\\n", offsetof(struct {name}, {f}), '
                f"sizeof(((struct {name} *)0)->{f}));"
            )
    for c in _abi.CONSTANTS:
        if isinstance(getattr(_abi, c), str):
            lines.append(f'  printf("{c} %s\\n", {c});')
        else:
            lines.append(f'  printf("{c} %lld\\n", (long long){c});')
    lines += ["  return 0;", "}"]
    return "\n".join(lines) + "\n"


def _python_layout() -> List[str]:
    """What the C program must print, from ctypes."""
    out = []
    for name, cls in _abi.STRUCTS.items():
        out.append(f"{name} {ctypes.sizeof(cls)} {ctypes.alignment(cls)}")
        for field in cls._fields_:
            f = field[0]
            descriptor = getattr(cls, f)
            out.append(f"{name}.{f} {descriptor.offset} {descriptor.size}")
    for c in _abi.CONSTANTS:
        out.append(f"{c} {getattr(_abi, c)}")
    return out


def test_struct_layouts_and_constants_equal_the_c_compilers(tmp_path: Path) -> None:
    """Compiles a program against include/moneykit.h with the system C compiler (`$CC`, else
    `cc`; never skipped: every supported machine has one) and compares the size, alignment,
    field offsets and field sizes of every struct in `_abi`, and every constant, with ctypes."""
    cc = os.environ.get("CC") or "cc"
    if shutil.which(cc) is None:
        pytest.fail(f"no C compiler ({cc!r} not on PATH): the layout check needs one")
    src = tmp_path / "layout.c"
    src.write_text(_layout_program(), encoding="utf-8")
    exe = tmp_path / "layout"
    build = subprocess.run(
        [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", str(HEADER.parent),
         str(src), "-o", str(exe)],
        capture_output=True, text=True, timeout=120,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, check=True)
    c_lines = run.stdout.splitlines()
    py_lines = _python_layout()
    assert len(c_lines) == len(py_lines) > len(_abi.STRUCTS) + len(_abi.CONSTANTS)
    drift = [f"C: {c}  ctypes: {p}" for c, p in zip(c_lines, py_lines) if c != p]
    assert not drift, "layout drift between include/moneykit.h and _abi.py:\n" + "\n".join(drift)


def test_abi_declares_everything_the_header_does() -> None:
    """Every struct with fields, every #define with a value and every enum member of the header
    is in `_abi` (the generator skips nothing)."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", header(), flags=re.S)
    structs = set(re.findall(r"typedef struct (\w+) \{", text))
    assert structs and structs == set(_abi.STRUCTS)
    defines = set(re.findall(r"^#define (MK_\w+) \S", text, flags=re.M))
    members = set(re.findall(r"^\s*(MK_\w+) = -?\d+,", text, flags=re.M))
    assert defines and members and defines | members == set(_abi.CONSTANTS)
    assert _native.ABI_VERSION == (_abi.MK_VERSION_MAJOR, _abi.MK_VERSION_MINOR)
    assert _abi.MK_VERSION == mk.library_version()
