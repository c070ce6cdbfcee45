"""Finding and loading `libmoneykit`, and calling its C ABI.

Every function of `include/moneykit.h` is declared with its `argtypes` and `restype` by
`_abi` (generated from the header, as are its constants and structs; re-exported here).
Strings the library hands out (identity JSON, error JSON) are received as `c_void_p`,
copied into Python, and always released with `mk_string_free`: `c_char_p` would convert
them to bytes and lose the pointer, leaking it.

The library is loaded lazily, on first use, so `import moneykit_native` works (and
`Status`, the exceptions and the dataclasses are usable) even where it is missing.

It imports only `_abi` and the records (`_records_gen`) from the package (see the layers in
`__init__`) and turns no C status into an exception (callers get `(status, value,
error_json)` and decide); the only exception it raises is `LibraryNotFoundError`, when the library cannot be loaded.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.machinery
import os
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Tuple

from ._abi import (  # re-exported: the package uses _native.X
    MK_BATCH_DONE,
    MK_BATCH_PENDING,
    MK_ERR_INTERNAL,
    MK_MAX_ACCOUNT_IDS,
    MK_MAX_ID_LEN,
    MK_VERSION_MAJOR,
    MK_VERSION_MINOR,
    FUNCTIONS,
    P_c_char_p,
    P_c_void_p,
    _declare,
    c_char_p,
    c_int32,
    c_size_t,
    c_void_p,
    mk_batch_item,
    mk_batch_progress,
    mk_event,
    mk_event_fn,
)
from ._records_gen import BatchItem

#: The environment variable that names the library file to load, first.
ENV_VAR = "MONEYKIT_NATIVE_LIB"

#: The C ABI version (major, minor) of the header `_abi` was generated from. Before 1.0
#: every minor release may break the ABI (the soname is libmoneykit.so.0 and cargo-c's rule).
ABI_VERSION = (MK_VERSION_MAJOR, MK_VERSION_MINOR)

_HERE = Path(__file__).resolve().parent


class LibraryNotFoundError(ImportError):
    """`libmoneykit` could not be found or loaded; the message lists where we looked."""


def _library_file_names() -> List[str]:
    if sys.platform == "win32":
        return ["moneykit.dll"]
    if sys.platform == "darwin":
        return ["libmoneykit.dylib"]
    return ["libmoneykit.so", "libmoneykit.so.0"]


def _bundled_candidates() -> List[Path]:
    """The copy inside the package: `pip install` / wheels put it next to this file."""
    names = _library_file_names()
    # setuptools-rust names a NoBinding artefact like an extension module unless told
    # otherwise (libmoneykit.cpython-311-x86_64-linux-gnu.so): accept that too.
    names += [f"libmoneykit{sfx}" for sfx in importlib.machinery.EXTENSION_SUFFIXES]
    return [_HERE / n for n in dict.fromkeys(names)]


def repo_root() -> Optional[Path]:
    """The moneykit-native checkout this source file lives in, if it is one.

    `<repo>/bindings/python/src/moneykit_native/_native.py`; recognized by the crate's
    Cargo.toml and the C header, so an installed package never mistakes some other
    directory for it.
    """
    parents = _HERE.parents
    if len(parents) < 4:
        return None
    root = parents[3]
    if (root / "Cargo.toml").is_file() and (root / "include" / "moneykit.h").is_file():
        return root
    return None


def candidates(*, search_system: bool = True) -> List[Tuple[str, str]]:
    """Where the library is looked for, in order: (what, path or name) pairs.

    `search_system=False` leaves out the last resort, `ctypes.util.find_library`
    (which may run `ldconfig` or a compiler, so it is asked only when needed).
    """
    out: List[Tuple[str, str]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        out.append((f"${ENV_VAR}", env))
    for p in _bundled_candidates():
        out.append(("bundled in the package", str(p)))
    root = repo_root()
    if root is not None:
        for profile in ("release", "debug"):
            for n in _library_file_names():
                out.append((f"repository target/{profile}", str(root / "target" / profile / n)))
    if search_system:
        found = ctypes.util.find_library("moneykit")
        out.append(("ctypes.util.find_library('moneykit')", found or ""))
    return out


def _load() -> Tuple[ctypes.CDLL, str]:
    env = os.environ.get(ENV_VAR)
    if env:
        # An explicit choice: load exactly that, and never fall back silently.
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise LibraryNotFoundError(
                f"cannot load libmoneykit from ${ENV_VAR}={env!r}: {e}"
            ) from e
    tried: List[str] = []
    for what, path in candidates(search_system=False):
        if not Path(path).is_file():
            tried.append(f"  {what}: {path} (absent)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"  {what}: {path}: {e}")
    if repo_root() is None:
        tried.append("  repository target/release, target/debug: not inside a checkout")
    found = ctypes.util.find_library("moneykit")
    if found:
        try:
            return ctypes.CDLL(found), found
        except OSError as e:
            tried.append(f"  ctypes.util.find_library('moneykit'): {found}: {e}")
    else:
        tried.append("  ctypes.util.find_library('moneykit'): nothing found")
    raise LibraryNotFoundError(
        "cannot find libmoneykit, the moneykit-native C library. Looked in:\n"
        + "\n".join(tried)
        + "\nInstall the package with pip (the wheel bundles the library), build it with "
        f"`cargo build --release --lib` in the repository, or set {ENV_VAR} to its path."
    )


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def lib() -> ctypes.CDLL:
    """The loaded, declared library (loaded on first call)."""
    global _lib, _path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is None:
            loaded, path = _load()
            try:
                _declare(loaded)
            except AttributeError as e:
                raise LibraryNotFoundError(
                    f"{path} is not a compatible libmoneykit (missing symbol: {e})"
                ) from e
            version = (loaded.mk_version() or b"").decode("utf-8", "replace")
            if _abi(version) != ABI_VERSION:
                raise LibraryNotFoundError(
                    f"{path} is libmoneykit {version}, but this binding needs "
                    f"{ABI_VERSION[0]}.{ABI_VERSION[1]}.x (the C ABI changes between "
                    "0.x minor versions)"
                )
            _path = path
            _lib = loaded
    return _lib


def _abi(version: str) -> Tuple[int, int]:
    parts = version.split("-")[0].split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (-1, -1)


def library_path() -> str:
    """The path (or name) of the library file that was loaded."""
    lib()
    assert _path is not None
    return _path


def library_version() -> str:
    """`mk_version()` of the loaded library, e.g. "0.1.0"."""
    v: bytes = lib().mk_version()
    return v.decode("utf-8")


def status_name(code: int) -> str:
    """`mk_status_name(code)`."""
    v: bytes = lib().mk_status_name(code)
    return v.decode("utf-8")


def status_describe(code: int) -> str:
    """`mk_status_describe(code)`."""
    v: bytes = lib().mk_status_describe(code)
    return v.decode("utf-8")


def take_string(ptr: Optional[int]) -> Optional[str]:
    """Copies a library-owned string into Python and frees it (NULL → None)."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib().mk_string_free(ptr)


def free_client(handle: int) -> None:
    """`mk_client_free` (a module function so tests can observe it)."""
    lib().mk_client_free(handle)


#: A C call's outcome: its status, the value it handed out (or None) and the error JSON
#: (None when it handed none out). `_client` / `_models` turn a failure into an exception.
Outcome = Tuple[int, Optional[str], Optional[str]]


def new_client(
    client_id: Optional[bytes], client_secret: Optional[bytes], options_json: bytes
) -> Tuple[int, Optional[int], Optional[str]]:
    """`mk_client_new`: (status, handle or None, error JSON or None)."""
    L = lib()
    out_client = c_void_p()
    out_error = c_void_p()
    rc = L.mk_client_new(
        client_id, client_secret, options_json, ctypes.byref(out_client), ctypes.byref(out_error)
    )
    error = take_string(out_error.value)
    if rc != 0:
        if out_client.value:  # never, per the header; do not leak it if it happens
            L.mk_client_free(out_client.value)
        return rc, None, error
    if not out_client.value:
        return MK_ERR_INTERNAL, None, None
    return 0, out_client.value, error


def get_identity(handle: int, link_id: bytes, account_ids: Iterable[bytes]) -> Outcome:
    """`mk_get_identity`: (status, response JSON or None, error JSON or None).

    ctypes releases the GIL for the duration of the call.
    """
    L = lib()
    ids = list(account_ids)
    arr = (c_char_p * len(ids))(*ids) if ids else None
    out_json = c_void_p()
    out_error = c_void_p()
    rc = L.mk_get_identity(
        handle, link_id, arr, len(ids), ctypes.byref(out_json), ctypes.byref(out_error)
    )
    # Take (and free) both before anything can raise.
    try:
        body = take_string(out_json.value)
    finally:
        error = take_string(out_error.value)
    if rc == 0 and body is None:
        return MK_ERR_INTERNAL, None, error
    return rc, body, error


#: `mk_get_identity_ex`'s outcome: status, response JSON, the response's request id, error JSON.
OutcomeEx = Tuple[int, Optional[str], Optional[str], Optional[str]]


def get_identity_ex(
    handle: int,
    link_id: bytes,
    account_ids: Iterable[bytes],
    timeout_ms: int,
    cancel: Optional[int],
) -> OutcomeEx:
    """`mk_get_identity_ex`: (status, response JSON, request id, error JSON), each None
    when not handed out. `timeout_ms` 0: only the client's `deadline_ms`; `cancel` a live
    `mk_cancel` handle or None. ctypes releases the GIL for the duration of the call.
    """
    L = lib()
    ids = list(account_ids)
    arr = (c_char_p * len(ids))(*ids) if ids else None
    out_json = c_void_p()
    out_request_id = c_void_p()
    out_error = c_void_p()
    rc = L.mk_get_identity_ex(
        handle, link_id, arr, len(ids), timeout_ms, cancel,
        ctypes.byref(out_json), ctypes.byref(out_request_id), ctypes.byref(out_error),
    )
    # Take (and free) all three before anything can raise.
    try:
        body = take_string(out_json.value)
    finally:
        try:
            request_id = take_string(out_request_id.value)
        finally:
            error = take_string(out_error.value)
    if rc == 0 and body is None:
        return MK_ERR_INTERNAL, None, None, error
    return rc, body, request_id, error


def new_cancel() -> Tuple[int, Optional[int], Optional[str]]:
    """`mk_cancel_new`: (status, handle or None, error JSON or None)."""
    L = lib()
    out = c_void_p()
    out_error = c_void_p()
    rc = L.mk_cancel_new(ctypes.byref(out), ctypes.byref(out_error))
    error = take_string(out_error.value)
    if rc != 0:
        if out.value:  # never, per the header
            L.mk_cancel_free(out.value)
        return rc, None, error
    if not out.value:
        return MK_ERR_INTERNAL, None, None
    return 0, out.value, error


def trigger_cancel(handle: int) -> None:
    """`mk_cancel_trigger` (any thread, idempotent)."""
    lib().mk_cancel_trigger(handle)


def free_cancel(handle: int) -> None:
    """`mk_cancel_free` (a module function so tests can observe it)."""
    lib().mk_cancel_free(handle)


def set_event_callback(handle: int, callback: Optional[object]) -> Tuple[int, Optional[str]]:
    """`mk_client_set_event_callback(handle, callback, NULL)`: (status, error JSON or None).

    `callback` is an `mk_event_fn` instance (the caller keeps it alive as long as the client)
    or None to remove it.
    """
    out_error = c_void_p()
    rc: int = lib().mk_client_set_event_callback(
        handle, callback if callback is not None else mk_event_fn(), None, ctypes.byref(out_error)
    )
    return rc, take_string(out_error.value)


_validate: Optional[Callable[..., int]] = None


def validate_identity(body: bytes) -> Tuple[int, Optional[str]]:
    """`mk_validate_identity`: (status, error JSON or None). The one validator of bodies.

    Called for every `from_json`, so the accepted case is kept short: no error
    out-parameter (NULL is allowed); a refused body is checked again to get the JSON.
    """
    global _validate
    fn = _validate
    if fn is None:
        fn = _validate = lib().mk_validate_identity
    rc: int = fn(body, len(body), None)
    if rc == 0:
        return 0, None
    out_error = c_void_p()
    rc = fn(body, len(body), ctypes.byref(out_error))
    return rc, take_string(out_error.value)


# -- batches ---------------------------------------------------------------------------


def batch_start(
    handle: int, link_ids: List[bytes], options_json: bytes
) -> Tuple[int, Optional[int], Optional[str]]:
    """`mk_batch_start`: (status, batch handle or None, error JSON or None)."""
    L = lib()
    arr = (c_char_p * len(link_ids))(*link_ids) if link_ids else None
    out = c_void_p()
    out_error = c_void_p()
    rc = L.mk_batch_start(
        handle, arr, len(link_ids), options_json, ctypes.byref(out), ctypes.byref(out_error)
    )
    error = take_string(out_error.value)
    if rc != 0:
        if out.value:  # never, per the header
            L.mk_batch_free(out.value)
        return rc, None, error
    if not out.value:
        return MK_ERR_INTERNAL, None, None
    return 0, out.value, error


#: One `mk_batch_next` outcome: (code, the item when code is 0, the call's error JSON).
BatchOutcome = Tuple[int, Optional[BatchItem], Optional[str]]


def batch_next(batch: int, timeout_ms: int) -> BatchOutcome:
    """`mk_batch_next`: (code, item, error JSON).

    `code` is 0 with an item, `MK_BATCH_PENDING`, `MK_BATCH_DONE`, or an error status (then the
    error JSON is the call's). The item's strings are taken and freed here, always (by
    `BatchItem._from_c`, which reads every one even when one fails). ctypes releases the GIL
    while it waits.
    """
    item = mk_batch_item()
    out_error = c_void_p()
    rc: int = lib().mk_batch_next(batch, timeout_ms, ctypes.byref(item), ctypes.byref(out_error))
    try:
        got = BatchItem._from_c(item, take_string)
    finally:
        call_error = take_string(out_error.value)
    if rc != 0:
        return rc, None, call_error
    return 0, got, None


def batch_progress(batch: int) -> Tuple[int, mk_batch_progress, Optional[str]]:
    """`mk_batch_get_progress`: (status, the snapshot, error JSON or None)."""
    out = mk_batch_progress()
    out_error = c_void_p()
    rc: int = lib().mk_batch_get_progress(batch, ctypes.byref(out), ctypes.byref(out_error))
    return rc, out, take_string(out_error.value)


def batch_cancel(batch: int) -> None:
    """`mk_batch_cancel` (any thread)."""
    lib().mk_batch_cancel(batch)


def free_batch(batch: int) -> None:
    """`mk_batch_free` (cancels, joins the workers; a module function so tests can observe it)."""
    lib().mk_batch_free(batch)


# -- refresh and wait -----------------------------------------------------------------

#: A refresh or wait outcome: (status, fresh JSON, last stale JSON, error JSON).
RefreshOutcome = Tuple[int, Optional[str], Optional[str], Optional[str]]


def _take3(a: c_void_p, b: c_void_p, c: c_void_p) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    try:
        x = take_string(a.value)
    finally:
        try:
            y = take_string(b.value)
        finally:
            z = take_string(c.value)
    return x, y, z


def refresh_identity(
    handle: int, link_id: bytes, wait_ms: int, options_json: bytes, cancel: Optional[int]
) -> RefreshOutcome:
    """`mk_refresh_identity`: (status, fresh JSON, stale JSON, error JSON)."""
    out_json, out_stale, out_error = c_void_p(), c_void_p(), c_void_p()
    rc: int = lib().mk_refresh_identity(
        handle, link_id, wait_ms, options_json, cancel,
        ctypes.byref(out_json), ctypes.byref(out_stale), ctypes.byref(out_error),
    )
    body, stale, error = _take3(out_json, out_stale, out_error)
    if rc == 0 and body is None:
        return MK_ERR_INTERNAL, None, stale, error
    return rc, body, stale, error


def wait_identity_newer(
    handle: int,
    link_id: bytes,
    after: Optional[bytes],
    wait_ms: int,
    options_json: bytes,
    cancel: Optional[int],
) -> RefreshOutcome:
    """`mk_wait_identity_newer`: (status, fresh JSON, stale JSON, error JSON)."""
    out_json, out_stale, out_error = c_void_p(), c_void_p(), c_void_p()
    rc: int = lib().mk_wait_identity_newer(
        handle, link_id, after, wait_ms, options_json, cancel,
        ctypes.byref(out_json), ctypes.byref(out_stale), ctypes.byref(out_error),
    )
    body, stale, error = _take3(out_json, out_stale, out_error)
    if rc == 0 and body is None:
        return MK_ERR_INTERNAL, None, stale, error
    return rc, body, stale, error


def request_identity_refresh(
    handle: int, link_id: bytes, timeout_ms: int, cancel: Optional[int]
) -> Tuple[int, Optional[str]]:
    """`mk_request_identity_refresh`: (status, error JSON or None)."""
    out_error = c_void_p()
    rc: int = lib().mk_request_identity_refresh(
        handle, link_id, timeout_ms, cancel, ctypes.byref(out_error)
    )
    return rc, take_string(out_error.value)


# -- owner match ----------------------------------------------------------------------


def match_owners(identity_json: bytes, claim_json: bytes) -> Outcome:
    """`mk_match_owners`: (status, result JSON or None, error JSON or None). Offline."""
    out_json, out_error = c_void_p(), c_void_p()
    rc: int = lib().mk_match_owners(
        identity_json, claim_json, ctypes.byref(out_json), ctypes.byref(out_error)
    )
    try:
        body = take_string(out_json.value)
    finally:
        error = take_string(out_error.value)
    if rc == 0 and body is None:
        return MK_ERR_INTERNAL, None, error
    return rc, body, error


__all__ = [
    "ABI_VERSION",
    "BatchOutcome",
    "ENV_VAR",
    "FUNCTIONS",
    "LibraryNotFoundError",
    "MK_BATCH_DONE",
    "MK_BATCH_PENDING",
    "MK_ERR_INTERNAL",
    "MK_MAX_ACCOUNT_IDS",
    "MK_MAX_ID_LEN",
    "Outcome",
    "OutcomeEx",
    "RefreshOutcome",
    "batch_cancel",
    "batch_next",
    "batch_progress",
    "batch_start",
    "candidates",
    "free_batch",
    "free_cancel",
    "free_client",
    "get_identity",
    "get_identity_ex",
    "lib",
    "library_path",
    "library_version",
    "match_owners",
    "mk_batch_item",
    "mk_batch_progress",
    "mk_event",
    "mk_event_fn",
    "new_cancel",
    "new_client",
    "refresh_identity",
    "repo_root",
    "request_identity_refresh",
    "set_event_callback",
    "status_describe",
    "status_name",
    "take_string",
    "trigger_cancel",
    "validate_identity",
    "wait_identity_newer",
]
