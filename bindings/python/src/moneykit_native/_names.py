"""The library's messages in Python's names (issue 27).

The C library names its options by their JSON keys (`timeout_ms`, `option auth`, "options
JSON"); a Python caller wrote keywords (`timeout=`, `auth=`). The binding checks types,
ranges and closed sets itself before any call (`_args`), so those messages are Python's
already; what only the library can see (a base URL without https, an empty secret, missing
credentials, an unreadable `ca_file`, a call's deadline) is renamed here: the key a message
starts with becomes the keyword the caller used (`base_url=`), or the environment variable
the value came from when the caller gave none (`MONEYKIT_BASE_URL`).
"""

from __future__ import annotations

import json
import re
from typing import Collection, Dict, Optional

from ._error_base import MoneyKitError
from ._error_json import error_from_json
from ._options_gen import BATCH_OPTIONS, CLIENT_OPTIONS, REFRESH_OPTIONS
from ._status import Status

#: Key -> keyword for every option of every group, and the other named arguments.
_KEYWORDS: Dict[str, str] = {
    spec.key: spec.arg for spec in (*CLIENT_OPTIONS, *BATCH_OPTIONS, *REFRESH_OPTIONS)
}
_KEYWORDS.update({"client_id": "client_id", "client_secret": "client_secret", "wait_ms": "wait"})

#: Where the library looks when a keyword is not given.
_ENVIRONMENT = {
    "base_url": "MONEYKIT_BASE_URL",
    "client_id": "MONEYKIT_CLIENT_ID",
    "client_secret": "MONEYKIT_CLIENT_SECRET",
}

#: Whole phrases of the library's messages, in Python's words.
_PHRASES = (
    ("pass client_id,", "pass client_id=,"),
    ("pass client_secret,", "pass client_secret=,"),
    ("or set the access_token option", "or pass access_token="),
    ("(deadline_ms or the per-call timeout)", "(the client's deadline= or the call's timeout=)"),
)

#: `options JSON: `, `batch options_json: `: the C argument, meaningless to a caller.
_JSON_PREFIX = re.compile(r"^(?:batch |refresh |webhook )?options(?:_json| JSON): ")
#: `option timeout_ms`, `batch option concurrency =`: the library's way to name an option.
_OPTION = re.compile(r"\b(?:batch |refresh )?option (\w+)(?: =|:)?")
#: A message that starts with a key (`base_url must use https`).
_LEADING_KEY = re.compile(r"^(\w+) ")


def python_message(message: str, given: Collection[str] = ()) -> str:
    """`message` with the library's keys replaced by Python's keywords. `given`: the keys
    the caller set (others came from the environment, when the library reads one)."""
    text = _JSON_PREFIX.sub("", message)
    text = _OPTION.sub(lambda m: f"{_KEYWORDS.get(m.group(1), m.group(1))}=", text)
    m = _LEADING_KEY.match(text)
    if m is not None and m.group(1) in _KEYWORDS:
        key = m.group(1)
        name = f"{_KEYWORDS[key]}="
        if key not in given and key in _ENVIRONMENT:
            name = _ENVIRONMENT[key]
        text = name + " " + text[m.end():]
    for old, new in _PHRASES:
        text = text.replace(old, new)
    return text


def renamed(err: MoneyKitError, given: Collection[str] = ()) -> MoneyKitError:
    """`err` again with its message in Python's names (the same instance when unchanged)."""
    message = python_message(err.message, given)
    if message == err.message:
        return err
    # `raw` stays the library's error JSON, as documented.
    return type(err)(message, **err._fields())


def call_error(code: int, error_json: Optional[str], given: Collection[str] = ()) -> MoneyKitError:
    """The exception for a failed call (`error_from_json`), in Python's names."""
    err = error_from_json(code, error_json)
    if err.status in (Status.INVALID_ARGUMENT, Status.TIMEOUT):
        return renamed(err, given)
    return err


def given_keys(options_json: str) -> Collection[str]:
    """The keys an options JSON built by `_args.build_options_json` sets."""
    keys = json.loads(options_json)
    return frozenset(keys) if isinstance(keys, dict) else frozenset()


__all__ = ["call_error", "given_keys", "python_message", "renamed"]
