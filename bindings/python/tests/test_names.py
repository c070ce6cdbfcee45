"""Errors speak Python's names (issue 27): a bad keyword is named as the caller wrote it
(`timeout=`, `auth=`, `client_id=`), in its unit (seconds), never by the C key
(`timeout_ms`), the C argument ("options JSON") or serde's words ("unknown variant")."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Iterator

import pytest

import moneykit_native as mk
from moneykit_native._names import python_message

from conftest import TOKEN, Sandbox

#: What no message a Python caller sees may contain.
C_WORDS = ("_ms", "options JSON", "options_json", "unknown variant", "option ", "expected u64")


def assert_python_words(message: str) -> None:
    for word in C_WORDS:
        assert word not in message, f"{word!r} in {message!r}"


@pytest.fixture
def client_at(sandbox: Sandbox) -> Iterator[Callable[..., mk.Client]]:
    made = []

    def make(**kw: Any) -> mk.Client:
        c = mk.Client(**{"access_token": TOKEN, "base_url": sandbox.url, **kw})
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.mark.parametrize(
    "opts, message",
    [
        ({"timeout": 0}, "timeout= must be from 0.001 to 86400 seconds, got 0"),
        ({"timeout": -1}, "timeout= must be from 0.001 to 86400 seconds, got -1"),
        ({"deadline": 1e9}, "deadline= must be from 0.001 to 86400 seconds, got 1000000000.0"),
        ({"connect_timeout": math.inf}, "connect_timeout= must be from 0.001 to 86400 seconds, got inf"),
        ({"retry_base": math.nan}, "retry_base= must be from 0 to 86400 seconds, got nan"),
        ({"max_retry_after": -0.5}, "max_retry_after= must be from 0 to 86400 seconds, got -0.5"),
        ({"max_retries": 11}, "max_retries= must be from 0 to 10, got 11"),
        ({"max_retries": -1}, "max_retries= must be from 0 to 10, got -1"),
        ({"max_response_bytes": 0}, "max_response_bytes= must be from 1 to 1073741824, got 0"),
        ({"max_response_bytes": 2**70}, f"max_response_bytes= must be from 1 to 1073741824, got {2**70}"),
        ({"time_scale": 0.5}, "time_scale= must be from 1 to 10000, got 0.5"),
        ({"time_scale": math.nan}, "time_scale= must be from 1 to 10000, got nan"),
        ({"auth": "bogus"}, 'auth= must be one of "token", "headers"'),
        ({"log_level": "loud"}, 'log_level= must be one of "off", "warn", "info", "debug"'),
        ({"base_url": "http://example.com"},
         "base_url= must use https: plain http is allowed only for loopback hosts"),
        ({"base_url": "ftp://127.0.0.1"}, "base_url= must use https (or http to a loopback host)"),
        ({"user_agent": "bad\nagent"}, "user_agent= contains control characters"),
        ({"moneykit_version": "é"}, "moneykit_version= must be printable ASCII (it is sent as an HTTP header)"),
        ({"access_token": ""}, "access_token= is empty"),
        ({"proxy": "http://"}, "proxy= is not a valid proxy URL"),
        ({"user_agent": "nul\0inside"}, "user_agent= contains a NUL character"),
    ],
    ids=lambda v: ",".join(f"{k}={x!r}" for k, x in v.items()) if isinstance(v, dict) else "",
)
def test_option_errors_name_the_keyword(
    opts: Dict[str, Any], message: str, client_at: Callable[..., mk.Client]
) -> None:
    with pytest.raises(mk.InvalidArgumentError) as info:
        client_at(**opts)
    err = info.value
    assert err.message == message
    assert str(err) == f"MK_ERR_INVALID_ARGUMENT: {message}"
    assert_python_words(err.message)
    assert err.status is mk.Status.INVALID_ARGUMENT and err.attempts == 0


def test_an_unreadable_ca_file_is_named(client_at: Callable[..., mk.Client], tmp_path: Any) -> None:
    with pytest.raises(mk.InvalidArgumentError) as info:
        client_at(ca_file=tmp_path / "missing.pem")
    assert info.value.message.startswith("ca_file= cannot be read"), info.value.message


@pytest.mark.parametrize(
    "opts, message",
    [
        ({"timeout": "5"}, "timeout= must be a number of seconds, not str"),
        ({"max_retries": 1.5}, "max_retries= must be an int, not float"),
        ({"max_retries": True}, "max_retries= must be an int, not bool"),
        ({"time_scale": "60"}, "time_scale= must be a number, not str"),
        ({"base_url": 5}, "base_url= must be a str, not int"),
        ({"auth": 1}, "auth= must be a str, not int"),
        ({"ca_file": 1}, "ca_file= must be a str or a path, not int"),
    ],
)
def test_type_errors_name_the_keyword(opts: Dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as info:
        mk.Client(access_token=TOKEN, **opts)
    assert str(info.value) == message


def test_missing_credentials_name_the_arguments(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("MONEYKIT_CLIENT_ID", "MONEYKIT_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client(base_url=sandbox.url)
    assert info.value.message == (
        "no client id: pass client_id=, set MONEYKIT_CLIENT_ID, or pass access_token="
    )
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client("sandbox-client", base_url=sandbox.url)
    assert info.value.message == (
        "no client secret: pass client_secret=, set MONEYKIT_CLIENT_SECRET, or pass access_token="
    )
    # Given but empty: the argument, not the environment, is named.
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client("sandbox-client", "", base_url=sandbox.url)
    assert info.value.message == "client_secret= is empty"


def test_values_from_the_environment_name_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONEYKIT_BASE_URL", "http://example.com")
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client(access_token=TOKEN)
    assert info.value.message == (
        "MONEYKIT_BASE_URL must use https: plain http is allowed only for loopback hosts"
    )
    monkeypatch.delenv("MONEYKIT_BASE_URL")
    monkeypatch.setenv("MONEYKIT_CLIENT_ID", "id\nwith a newline")
    monkeypatch.setenv("MONEYKIT_CLIENT_SECRET", "secret")
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client(base_url="http://127.0.0.1:1")
    assert info.value.message == "MONEYKIT_CLIENT_ID contains control characters"


def test_batch_refresh_and_call_arguments(client: mk.Client) -> None:
    cases: Dict[str, Callable[[], Any]] = {
        "concurrency= must be from 1 to 256, got 0":
            lambda: client.get_identities(["mk_sandbox_ok"], concurrency=0),
        "app_per_minute= must be from 1 to 1000000, got 0":
            lambda: client.get_identities(["mk_sandbox_ok"], app_per_minute=0),
        "time_scale= must be from 1 to 10000, got 0":
            lambda: client.get_identities(["mk_sandbox_ok"], time_scale=0),
        "link_per_minute= must be from 1 to 1000, got 0":
            lambda: client.refresh_identity("mk_sandbox_ok", wait=1, link_per_minute=0),
        "wait= must be a finite number of seconds > 0, got 0":
            lambda: client.refresh_identity("mk_sandbox_ok", wait=0),
        "timeout= must be a finite number of seconds > 0 (None: only the client's deadline), got -1":
            lambda: client.get_identity("mk_sandbox_ok", timeout=-1),
    }
    for message, call in cases.items():
        with pytest.raises(mk.InvalidArgumentError) as info:
            call()
        assert info.value.message == message
        assert_python_words(info.value.message)


def test_the_library_words_are_renamed() -> None:
    # Messages only the library can produce, renamed whatever provokes them.
    assert python_message("the call's deadline elapsed (deadline_ms or the per-call timeout)") == (
        "the call's deadline elapsed (the client's deadline= or the call's timeout=)"
    )
    assert python_message("options JSON: option auth: expected `token` or `headers`, got a string") == (
        "auth= expected `token` or `headers`, got a string"
    )
    assert python_message("option timeout_ms must be between 1 and 86400000, got 0") == (
        "timeout= must be between 1 and 86400000, got 0"
    )
    assert python_message("batch option concurrency = 0 is out of range (1 .. 256)") == (
        "concurrency= 0 is out of range (1 .. 256)"
    )
    assert python_message("wait_ms is 0") == "wait= is 0"
    # Anything else is left alone.
    assert python_message("link_ids[2] is empty") == "link_ids[2] is empty"
