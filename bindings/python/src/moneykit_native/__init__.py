"""moneykit_native: MoneyKit's Get Identity endpoint through the native moneykit-native core.

    import moneykit_native as mk

    with mk.Client("client-id", "client-secret") as client:
        identity = client.get_identity("mk_eqkWN34UEoa2NxyALG8pcV")
        for account in identity.accounts:
            print(account.name, account.balances.current, [o.names for o in account.owners])

A thin ctypes binding over `libmoneykit` (bundled in the wheel): no compiled
extension and no dependency outside the standard library. Calls take a per-call
`timeout=` and a `Cancel` another thread can trigger; every HTTP attempt is logged on
`logging.getLogger("moneykit_native")`. `AsyncClient` offers the same calls as
coroutines (`await client.get_identity(...)`), cancelled natively with their task.
"""

# The package's layers, lowest first. A module imports only modules of lower layers, or of its
# own layer listed before it: never one listed after it, not even inside a function (imports
# under `if TYPE_CHECKING:`, for annotations only, are exempt). tests/test_layers.py holds this
# list to the code: every module is in it, each imports alone in a fresh interpreter, and an
# AST walk finds no import upwards.
#
#   1. leaves (standard library only): _version, _abi, _status, _timestamp_gen, _values, _sandbox, _cli, _record_helpers, _error_fields_gen
#   2. the C library (its records, loading, calls, no exceptions): _records_gen, _native
#   3. errors and argument checks: _error_base, _errors, _error_json, _handle, _args, _options_gen, _names
#   4. the response model: _decode, _helpers, _models, _webhooks_gen
#   5. calls: _events, _cancel, _match, _batch, _surface_gen, _webhooks, _client, _async
#   6. the public names: __init__
#   7. test support (imports the package; not imported by it): testing

from . import _errors, _models
from ._async import AsyncClient
from ._batch import AsyncBatch, Batch, BatchProgress, BatchResult
from ._cancel import Cancel
from ._client import MAX_ACCOUNT_IDS, MAX_ID_LEN, Client
from ._error_base import MoneyKitError
from ._error_fields_gen import RawResponse, ValidationError
from ._match import (
    DIFFERENT_BELOW,
    MATCH_SCORE,
    AccountMatch,
    AddressMatch,
    AddressScore,
    Claim,
    ClaimAddress,
    FieldMatch,
    FieldScore,
    NameMatch,
    NameScore,
    OwnerMatch,
)
from ._options_gen import options_json
from ._surface_gen import match_owners
from ._errors import *  # noqa: F403 - generated: one class per status, error_class
from ._models import *  # noqa: F403 - generated: the enums, dataclasses, canonical_dump
from ._native import LibraryNotFoundError, library_path, library_version
from ._sandbox import sandbox_path
from ._status import Status
from ._values import ReadOnlyMap, Timestamp, parse_datetime
from ._version import __version__
from ._webhooks import (
    Delivery,
    RefreshFailedError,
    RefreshWaiter,
    WebhookVerifier,
    http_status_of,
    signature_of,
)
from ._webhooks_gen import *  # noqa: F403 - generated: the webhook events and their enums
from . import _webhooks_gen

__all__ = [
    "__version__",
    "AccountMatch",
    "AddressMatch",
    "AddressScore",
    "AsyncBatch",
    "AsyncClient",
    "Batch",
    "BatchProgress",
    "BatchResult",
    "Cancel",
    "Claim",
    "Delivery",
    "ClaimAddress",
    "Client",
    "DIFFERENT_BELOW",
    "FieldMatch",
    "FieldScore",
    "LibraryNotFoundError",
    "MATCH_SCORE",
    "MAX_ACCOUNT_IDS",
    "MAX_ID_LEN",
    "MoneyKitError",
    "NameMatch",
    "NameScore",
    "RawResponse",
    "OwnerMatch",
    "ReadOnlyMap",
    "RefreshFailedError",
    "RefreshWaiter",
    "Status",
    "Timestamp",
    "ValidationError",
    "WebhookVerifier",
    "http_status_of",
    "signature_of",
    "library_path",
    "library_version",
    "match_owners",
    "sandbox_path",
    "options_json",
    "parse_datetime",
]
# What the schema generates is exported as it is generated: a new status or object
# needs no edit here.
__all__ += _errors.__all__
__all__ += _models.__all__
__all__ += [n for n in _webhooks_gen.__all__ if n not in ("WEBHOOK_OPTIONS", "WebhookSurface", "build_event")]

# Public classes report the package as their module (tracebacks, repr, pickling).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
