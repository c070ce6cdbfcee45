"""Issue 27: errors say enough: validation_errors, retryable, the raw error response,
and transport errors naming host:port and the attempts."""

from __future__ import annotations

import pickle
import socket
from typing import Callable

import pytest

import moneykit_native as mk
from moneykit_native._error_json import error_from_json


def test_validation_errors_are_typed(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.HTTPStatusError) as info:
        make_client().get_identity("mk_sandbox_validation")
    err = info.value
    assert err.validation_errors is not None
    assert len(err.validation_errors) == 1
    v = err.validation_errors[0]
    assert isinstance(v, mk.ValidationError)
    assert v.location == ("query", "account_ids", 0)
    assert v.message == "account_ids must be MoneyKit account ids (acc_...)"
    assert v.type == "value_error"
    assert err.retryable is False
    assert isinstance(err.response, mk.RawResponse)
    assert err.response.status == 422
    assert "validation_errors" in err.response.body
    assert err.response.headers["x-request-id"] == err.request_id
    # repr names the response's status and size, never its body.
    assert "account_ids must be" not in repr(err)
    assert "status=422" in repr(err)
    # Pickling keeps the typed fields.
    copy = pickle.loads(pickle.dumps(err))
    assert copy.validation_errors == err.validation_errors
    assert copy.response == err.response


def test_a_503_is_retryable_with_its_response(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.ServerError) as info:
        make_client().get_identity("mk_fault_503")
    err = info.value
    assert err.retryable is True
    assert err.validation_errors is None
    assert err.response is not None
    assert err.response.status == 503
    assert err.response.headers.get("retry-after") == "1"
    assert "authorization" not in err.response.headers


def test_a_404_is_not_retryable(make_client: Callable[..., mk.Client]) -> None:
    with pytest.raises(mk.NotFoundError) as info:
        make_client().get_identity("mk_no_such_link")
    assert info.value.retryable is False
    assert info.value.response is not None and info.value.response.status == 404


def test_transport_error_names_host_and_attempts() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with mk.Client(access_token="tok", base_url=f"http://127.0.0.1:{port}", max_retries=2,
                   retry_base=0.01) as c:
        with pytest.raises(mk.TransportError) as info:
            c.get_identity("mk_sandbox_ok")
    err = info.value
    assert f"127.0.0.1:{port}, after 3 attempts" in err.message, err.message
    assert "mk_sandbox_ok" not in err.message
    assert err.retryable is True
    assert err.response is None
    assert err.attempts == 3


def test_mistyped_fields_keep_their_defaults() -> None:
    err = error_from_json(7, '{"retryable": "yes", "response": [1], "validation_errors": {}}')
    assert err.retryable is False
    assert err.response is None
    assert err.validation_errors is None
