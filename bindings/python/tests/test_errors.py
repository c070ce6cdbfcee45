"""Every status, provoked through the sandbox's magic ids and mapped to its exception."""

from __future__ import annotations

import json
import pickle
import socket
import uuid
from typing import Any, Callable, Dict, Tuple, Type, Union

import pytest

import moneykit_native as mk
from moneykit_native._error_json import error_from_json

from conftest import CLIENT_ID, CLIENT_SECRET, Sandbox

ExcSpec = Union[Type[mk.MoneyKitError], Tuple[Type[mk.MoneyKitError], ...]]

# link id, client options, expected exception, expected attributes ("req" = a request id)
CASES: Dict[str, Tuple[str, Dict[str, Any], ExcSpec, Dict[str, Any]]] = {
    "forbidden": ("mk_sandbox_forbidden", {}, mk.ForbiddenError, {
        "http_status": 403, "error_code": "link_error.forbidden_action",
        "error_message": "Accounts access not permitted", "attempts": 1, "request_id": "req"}),
    "deleted": ("mk_sandbox_deleted", {}, mk.LinkDeletedError, {
        "http_status": 410, "error_code": "link_error.deleted",
        "error_message": "This link was deleted at some earlier time.", "request_id": "req"}),
    "bad_state": ("mk_sandbox_bad_state", {}, mk.LinkBadStateError, {
        "http_status": 422, "error_code": "link_error.bad_state",
        "link_error_code": "auth_expired", "request_id": "req"}),
    "validation": ("mk_sandbox_validation", {}, mk.HTTPStatusError, {
        "http_status": 422, "error_code": "api_error.request.validation_failed",
        "link_error_code": None, "request_id": "req"}),
    "bad_request": ("mk_sandbox_bad_request", {}, mk.HTTPStatusError, {
        "http_status": 400, "error_code": "api_error.request.bad_request", "request_id": "req"}),
    "other_app": ("mk_sandbox_other_app", {}, mk.UnauthorizedError, {
        "http_status": 401, "error_code": "link_error.unauthorized_access",
        "error_message": "Unauthorized link access.", "request_id": "req"}),
    "not_found": ("mk_no_such_link", {}, mk.NotFoundError, {
        "http_status": 404, "error_code": "link_error.not_found",
        "error_message": "Link not found.", "retry_after": None, "attempts": 1, "request_id": "req"}),
    "rate_limited": ("mk_sandbox_rate_limited", {}, mk.RateLimitedError, {
        "http_status": 429, "error_code": "api_error.rate_limit_exceeded",
        "retry_after": 1.0, "attempts": 1, "request_id": "req"}),
    # Retry-After 3600 > max_retry_after: no retry at all, even with retries allowed.
    "rate_limited_long": ("mk_sandbox_rate_limited_long", {"max_retries": 2}, mk.RateLimitedError, {
        "http_status": 429, "retry_after": 3600.0, "attempts": 1}),
    "server_500": ("mk_fault_500", {}, mk.ServerError, {
        "http_status": 500, "attempts": 1, "request_id": "req"}),
    "server_500_retried": ("mk_fault_500", {"max_retries": 2}, mk.ServerError, {
        "http_status": 500, "attempts": 3}),
    "server_503": ("mk_fault_503", {}, mk.ServerError, {"http_status": 503, "retry_after": 1.0}),
    "html_502": ("mk_fault_html_502", {}, mk.ServerError, {
        "http_status": 502, "error_code": None, "error_message": None}),
    "timeout_slow": ("mk_fault_slow_3000", {"timeout": 0.2}, mk.RequestTimeoutError, {
        "http_status": None, "attempts": 1}),
    "timeout_silent": ("mk_fault_silent", {"timeout": 0.2}, mk.RequestTimeoutError, {"http_status": None}),
    "timeout_trickle": ("mk_fault_trickle", {"timeout": 0.5}, mk.RequestTimeoutError, {}),
    "malformed": ("mk_fault_malformed", {}, mk.DecodeError, {"attempts": 1}),
    "empty": ("mk_fault_empty", {}, mk.DecodeError, {}),
    "wrong_shape": ("mk_fault_wrong_shape", {}, mk.DecodeError, {}),
    "deep": ("mk_fault_deep", {}, mk.DecodeError, {}),
    "oversized": ("mk_fault_oversized_200000", {"max_response_bytes": 10000}, mk.DecodeError, {}),
    "oversized_chunked": ("mk_fault_oversized_chunked_200000", {"max_response_bytes": 10000},
                          mk.DecodeError, {}),
    "truncated": ("mk_fault_truncated", {}, (mk.TransportError, mk.DecodeError), {}),
    # The status line (200) arrived before the reset: http_status is 200, not None.
    "reset": ("mk_fault_reset", {}, mk.TransportError, {"http_status": 200}),
    "redirect_other_host": ("mk_fault_redirect_other_host", {}, mk.TransportError, {}),
    "redirect_loop": ("mk_fault_redirect_loop", {}, mk.TransportError, {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_statuses(case: str, make_client: Callable[..., mk.Client]) -> None:
    link_id, opts, exc, attrs = CASES[case]
    client = make_client(**opts)
    with pytest.raises(exc) as info:
        client.get_identity(link_id)
    err = info.value
    assert isinstance(err, mk.MoneyKitError)
    assert isinstance(err.status, mk.Status)
    assert mk.error_class(err.status) is type(err)
    assert err.name == err.status.c_name
    assert err.raw["status"] == int(err.status)
    assert err.message and "\n" not in str(err)
    assert str(err).startswith(err.name + ": ")
    for key, want in attrs.items():
        got = getattr(err, key)
        if want == "req":
            assert isinstance(got, str) and got.startswith("req_"), (key, got)
            assert got in str(err)
        else:
            assert got == want, (key, got, want)
    if err.http_status is None:
        assert err.error_code is None
    # get_identity_json fails the same way.
    with pytest.raises(type(err)):
        client.get_identity_json(link_id)


def test_rate_limited_date(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.RateLimitedError) as info:
        make_client().get_identity("mk_sandbox_rate_limited_date")
    assert info.value.http_status == 429
    assert info.value.retry_after is not None and 0 <= info.value.retry_after <= 3.5


def test_rate_limited_retries_then_gives_up(make_client: Callable[..., mk.Client]) -> None:
    # Retry-After: 1 is honoured once, then the retries are used up.
    with pytest.raises(mk.RateLimitedError) as info:
        make_client(max_retries=1).get_identity("mk_sandbox_rate_limited")
    assert info.value.attempts == 2


@pytest.mark.parametrize("fault", ["mk_fault_500_once_", "mk_fault_expired_once_"])
def test_faults_recovered_by_retries(
    fault: str, make_client: Callable[..., mk.Client], sandbox: Sandbox
) -> None:
    client = make_client(CLIENT_ID, CLIENT_SECRET, max_retries=2)
    before = sandbox.stats()["token_requests"]
    identity = client.get_identity(fault + uuid.uuid4().hex)
    assert len(identity.accounts) == 2
    if "expired" in fault:  # the first token expired: exactly one refresh
        assert sandbox.stats()["token_requests"] - before == 2


def test_redirect_same_host_is_followed(make_client: Callable[..., mk.Client]) -> None:
    assert make_client().get_identity("mk_fault_redirect_same_host").link.link_id == "mk_sandbox_ok"


# -- credentials and the token endpoint ---------------------------------------------------


def test_token_endpoint_500(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.ServerError) as info:
        make_client("sandbox-token-500", "anything").get_identity("mk_sandbox_ok")
    assert info.value.http_status == 500


def test_token_endpoint_garbage(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.DecodeError):
        make_client("sandbox-token-garbage", "anything").get_identity("mk_sandbox_ok")


@pytest.mark.parametrize("auth", ["token", "headers"])
def test_wrong_secret_is_unauthorized_and_never_shown(
    auth: str, make_client: Callable[..., mk.Client]
) -> None:
    secret = "wrong-secret-" + uuid.uuid4().hex
    client = make_client(CLIENT_ID, secret, auth=auth)
    assert secret not in repr(client)
    with pytest.raises(mk.UnauthorizedError) as info:
        client.get_identity("mk_sandbox_ok")
    err = info.value
    assert err.http_status in (400, 401)
    for text in (str(err), repr(err), json.dumps(err.raw)):
        assert secret not in text


def test_wrong_token_is_unauthorized(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.UnauthorizedError) as info:
        make_client(access_token="not-a-valid-token").get_identity("mk_sandbox_ok")
    assert "not-a-valid-token" not in str(info.value)


def test_unsupported_moneykit_version(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.HTTPStatusError) as info:
        make_client(moneykit_version="2099-01-01").get_identity("mk_sandbox_ok")
    assert info.value.http_status == 422


def test_connection_refused_is_transport() -> None:
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with mk.Client(access_token="t", base_url=f"http://127.0.0.1:{port}", max_retries=0) as c:
        with pytest.raises(mk.TransportError) as info:
            c.get_identity("mk_sandbox_ok")
    assert info.value.http_status is None and info.value.attempts == 1


# -- invalid arguments ------------------------------------------------------------------


@pytest.mark.parametrize(
    "opts",
    [
        {"base_url": "http://example.com"},  # plain http only to loopback
        {"base_url": "ftp://127.0.0.1"},
        {"base_url": "not a url"},
        {"timeout": 0},  # 0 ms: the library's minimum is 1
        {"timeout": -1},
        {"timeout": float("nan")},
        {"connect_timeout": float("inf")},
        {"max_retries": 11},
        {"max_retries": -1},
        {"max_response_bytes": 0},
        {"auth": "bogus"},
        {"log_level": "loud"},
        {"user_agent": "bad\nagent"},
        {"access_token": "nul\0inside"},
    ],
    ids=lambda o: ",".join(f"{k}={v!r}" for k, v in o.items()),
)
def test_invalid_options(opts: Dict[str, Any], sandbox: Sandbox) -> None:
    kw: Dict[str, Any] = {"access_token": "t", "base_url": sandbox.url, **opts}
    with pytest.raises(mk.InvalidArgumentError) as info:
        mk.Client(**kw)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.status is mk.Status.INVALID_ARGUMENT and err.name == "MK_ERR_INVALID_ARGUMENT"
    assert err.http_status is None and err.attempts == 0


@pytest.mark.parametrize("opts", [{"timeout": "5"}, {"max_retries": 1.5}, {"base_url": 5}])
def test_wrong_option_types(opts: Dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        mk.Client(access_token="t", **opts)


def test_missing_credentials(sandbox: Sandbox) -> None:
    with pytest.raises(mk.InvalidArgumentError, match="MONEYKIT_CLIENT_ID"):
        mk.Client(base_url=sandbox.url)


@pytest.mark.parametrize(
    "link_id, account_ids",
    [
        ("", None),
        ("x" * 1025, None),
        ("mk_sandbox_ok\0../other", None),  # C would see a shorter id: refused
        ("\ud800", None),  # not encodable as UTF-8
        ("mk_sandbox_ok", [""]),
        ("mk_sandbox_ok", ["a" * 1025]),
        ("mk_sandbox_ok", [f"acc_{i}" for i in range(1001)]),
        ("mk_sandbox_ok", ["acc\0x"]),
    ],
    ids=["empty", "too_long", "nul", "surrogate", "empty_account", "long_account",
         "too_many_accounts", "nul_account"],
)
def test_invalid_call_arguments(
    link_id: str, account_ids: Any, client: mk.Client, sandbox: Sandbox
) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(mk.InvalidArgumentError) as info:
        client.get_identity(link_id, account_ids=account_ids)
    assert info.value.attempts == 0
    assert sandbox.stats()["requests"] == before  # nothing was sent (admin calls are not counted)


def test_wrong_argument_types(client: mk.Client) -> None:
    with pytest.raises(TypeError):
        client.get_identity(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # a lone string is not a list of ids
        client.get_identity("mk_sandbox_ok", account_ids="acc_6Tef269B6ZArSVpYrxtjBV")
    with pytest.raises(TypeError):
        client.get_identity("mk_sandbox_ok", account_ids=[b"acc"])  # type: ignore[list-item]


def test_hostile_link_id_stays_one_path_segment(client: mk.Client, sandbox: Sandbox) -> None:
    with pytest.raises(mk.NotFoundError):
        client.get_identity("../../auth/token?x=1#frag")
    target = sandbox.requests()[-1]["target"]
    assert target.startswith("/links/") and target.endswith("/identity")
    assert "/auth/token" not in target and "?" not in target and "#" not in target


# -- the exception classes themselves ------------------------------------------------------


def test_every_status_has_its_class() -> None:
    expected = {
        mk.Status.INVALID_ARGUMENT: mk.InvalidArgumentError,
        mk.Status.TRANSPORT: mk.TransportError,
        mk.Status.TIMEOUT: mk.RequestTimeoutError,
        mk.Status.DECODE: mk.DecodeError,
        mk.Status.UNAUTHORIZED: mk.UnauthorizedError,
        mk.Status.FORBIDDEN: mk.ForbiddenError,
        mk.Status.NOT_FOUND: mk.NotFoundError,
        mk.Status.LINK_DELETED: mk.LinkDeletedError,
        mk.Status.LINK_BAD_STATE: mk.LinkBadStateError,
        mk.Status.RATE_LIMITED: mk.RateLimitedError,
        mk.Status.SERVER: mk.ServerError,
        mk.Status.HTTP: mk.HTTPStatusError,
        mk.Status.INTERNAL: mk.InternalError,
    }
    for status in set(mk.Status) - {mk.Status.OK}:  # later statuses too, generated alike
        cls = mk.error_class(status)
        assert cls.default_status is status and getattr(mk, cls.__name__) is cls
        expected.setdefault(status, cls)
    assert set(expected) == set(mk.Status) - {mk.Status.OK}
    for status, cls in expected.items():
        assert mk.error_class(status) is cls
        assert issubclass(cls, mk.MoneyKitError)
        err = error_from_json(int(status), json.dumps({
            "status": int(status), "name": status.c_name, "message": "boom",
            "http_status": None, "error_code": None, "error_message": None,
            "documentation_url": None, "link_error_code": None, "request_id": "req_x",
            "retry_after_ms": 1500, "attempts": 2,
        }))
        assert type(err) is cls and err.status is status
        assert err.retry_after == 1.5 and err.attempts == 2 and err.request_id == "req_x"
        assert str(err) == f"{status.c_name}: boom (request id req_x)"
    assert issubclass(mk.InvalidArgumentError, ValueError)


def test_internal_and_unknown_statuses_without_json() -> None:
    err = error_from_json(13, None)
    assert isinstance(err, mk.InternalError) and err.attempts == 0
    future = error_from_json(99, '{"status": 99, "name": "MK_ERR_FUTURE", "message": "new"}')
    assert type(future) is mk.MoneyKitError
    assert future.status == 99 and isinstance(future.status, mk.Status)
    assert future.name == "MK_ERR_FUTURE" and str(future) == "MK_ERR_FUTURE: new"
    garbled = error_from_json(7, "not json")
    assert isinstance(garbled, mk.NotFoundError) and garbled.raw == {}


def test_str_is_one_line() -> None:
    err = mk.ServerError("line one\nline two\r\n", request_id="req_1")
    assert str(err) == "MK_ERR_SERVER: line one line two (request id req_1)"


def test_errors_pickle(client: mk.Client) -> None:
    with pytest.raises(mk.LinkBadStateError) as info:
        client.get_identity("mk_sandbox_bad_state")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is mk.LinkBadStateError
    assert copy.__dict__ == info.value.__dict__
    assert str(copy) == str(info.value)
