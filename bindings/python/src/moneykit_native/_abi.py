"""The ctypes declarations of the C ABI (`include/moneykit.h`): the structures the
library exchanges and every function's `argtypes` and `restype`. `_native` loads the
library and calls `_declare` on it; `FUNCTIONS` lists every declared function (a test
checks it against the header).
"""

from __future__ import annotations

import ctypes

# Types of the C ABI.
c_int32 = ctypes.c_int32
c_size_t = ctypes.c_size_t
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
P_c_void_p = ctypes.POINTER(ctypes.c_void_p)
P_c_char_p = ctypes.POINTER(ctypes.c_char_p)

class Event(ctypes.Structure):
    """`struct mk_event`: one HTTP attempt, valid only during the callback."""

    _fields_ = [
        ("method", c_char_p),
        ("path", c_char_p),
        ("http_status", ctypes.c_int32),
        ("status", ctypes.c_int32),
        ("attempt", ctypes.c_uint32),
        ("elapsed_ms", ctypes.c_uint64),
        ("request_id", c_char_p),
        ("retry_wait_ms", ctypes.c_int64),
    ]


#: `mk_event_fn`: void (*)(void *user_data, const struct mk_event *event).
EVENT_FN = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(Event))

#: `mk_batch_next`: no result arrived within the timeout (not a status).
BATCH_PENDING = 100
#: `mk_batch_next`: every result was delivered (not a status).
BATCH_DONE = 101


class BatchItem(ctypes.Structure):
    """`struct mk_batch_item`: one link's result; its three strings are the caller's to
    free (`c_void_p`, never `c_char_p`, so the pointers are kept)."""

    _fields_ = [
        ("index", c_size_t),
        ("link_id", c_void_p),
        ("status", ctypes.c_int32),
        ("json", c_void_p),
        ("error", c_void_p),
    ]


class BatchProgress(ctypes.Structure):
    """`struct mk_batch_progress`: a snapshot of a batch's counters."""

    _fields_ = [
        ("total", ctypes.c_uint64),
        ("done", ctypes.c_uint64),
        ("ok", ctypes.c_uint64),
        ("failed", ctypes.c_uint64),
        ("in_flight", ctypes.c_uint64),
        ("requests", ctypes.c_uint64),
        ("rate_limited", ctypes.c_uint64),
        ("paused_ms", ctypes.c_uint64),
        ("elapsed_ms", ctypes.c_uint64),
        ("rate_per_minute", ctypes.c_double),
        ("allowed_per_minute", ctypes.c_double),
        ("paused", ctypes.c_uint8),
        ("cancelled", ctypes.c_uint8),
    ]


def _declare(lib: ctypes.CDLL) -> None:
    """argtypes/restype for every function of moneykit.h."""
    # const char *mk_version(void);  static
    lib.mk_version.argtypes = []
    lib.mk_version.restype = c_char_p
    # const char *mk_status_name(int32_t status);  static
    lib.mk_status_name.argtypes = [c_int32]
    lib.mk_status_name.restype = c_char_p
    # const char *mk_status_describe(int32_t status);  static
    lib.mk_status_describe.argtypes = [c_int32]
    lib.mk_status_describe.restype = c_char_p
    # int32_t mk_client_new(const char *client_id, const char *client_secret,
    #                       const char *options_json, mk_client **out_client, char **out_error);
    lib.mk_client_new.argtypes = [c_char_p, c_char_p, c_char_p, P_c_void_p, P_c_void_p]
    lib.mk_client_new.restype = c_int32
    # void mk_client_free(mk_client *client);
    lib.mk_client_free.argtypes = [c_void_p]
    lib.mk_client_free.restype = None
    # int32_t mk_get_identity(const mk_client *client, const char *link_id,
    #                         const char *const *account_ids, size_t account_ids_len,
    #                         char **out_json, char **out_error);
    lib.mk_get_identity.argtypes = [c_void_p, c_char_p, P_c_char_p, c_size_t, P_c_void_p, P_c_void_p]
    lib.mk_get_identity.restype = c_int32
    # int32_t mk_validate_identity(const char *body, size_t len, char **out_error);
    lib.mk_validate_identity.argtypes = [c_char_p, c_size_t, P_c_void_p]
    lib.mk_validate_identity.restype = c_int32
    # int32_t mk_get_identity_ex(const mk_client *client, const char *link_id,
    #     const char *const *account_ids, size_t account_ids_len, uint64_t timeout_ms,
    #     const mk_cancel *cancel, char **out_json, char **out_request_id, char **out_error);
    lib.mk_get_identity_ex.argtypes = [
        c_void_p, c_char_p, P_c_char_p, c_size_t, ctypes.c_uint64, c_void_p,
        P_c_void_p, P_c_void_p, P_c_void_p,
    ]
    lib.mk_get_identity_ex.restype = c_int32
    # int32_t mk_cancel_new(mk_cancel **out, char **out_error);
    lib.mk_cancel_new.argtypes = [P_c_void_p, P_c_void_p]
    lib.mk_cancel_new.restype = c_int32
    # void mk_cancel_trigger(const mk_cancel *cancel);  void mk_cancel_free(mk_cancel *cancel);
    lib.mk_cancel_trigger.argtypes = [c_void_p]
    lib.mk_cancel_trigger.restype = None
    lib.mk_cancel_free.argtypes = [c_void_p]
    lib.mk_cancel_free.restype = None
    # int32_t mk_client_set_event_callback(mk_client *client, mk_event_fn callback,
    #                                      void *user_data, char **out_error);
    lib.mk_client_set_event_callback.argtypes = [c_void_p, EVENT_FN, c_void_p, P_c_void_p]
    lib.mk_client_set_event_callback.restype = c_int32
    # void mk_string_free(char *s);
    lib.mk_string_free.argtypes = [c_void_p]
    lib.mk_string_free.restype = None
    # int32_t mk_batch_start(const mk_client *client, const char *const *link_ids,
    #     size_t link_ids_len, const char *options_json, mk_batch **out_batch, char **out_error);
    lib.mk_batch_start.argtypes = [c_void_p, P_c_char_p, c_size_t, c_char_p, P_c_void_p, P_c_void_p]
    lib.mk_batch_start.restype = c_int32
    # int32_t mk_batch_next(const mk_batch *batch, uint64_t timeout_ms,
    #                       mk_batch_item *out_item, char **out_error);
    lib.mk_batch_next.argtypes = [c_void_p, ctypes.c_uint64, ctypes.POINTER(BatchItem), P_c_void_p]
    lib.mk_batch_next.restype = c_int32
    # int32_t mk_batch_get_progress(const mk_batch *batch, mk_batch_progress *out, char **out_error);
    lib.mk_batch_get_progress.argtypes = [c_void_p, ctypes.POINTER(BatchProgress), P_c_void_p]
    lib.mk_batch_get_progress.restype = c_int32
    # void mk_batch_cancel(const mk_batch *batch);  void mk_batch_free(mk_batch *batch);
    lib.mk_batch_cancel.argtypes = [c_void_p]
    lib.mk_batch_cancel.restype = None
    lib.mk_batch_free.argtypes = [c_void_p]
    lib.mk_batch_free.restype = None
    # int32_t mk_match_owners(const char *identity_json, const char *claim_json,
    #                         char **out_json, char **out_error);
    lib.mk_match_owners.argtypes = [c_char_p, c_char_p, P_c_void_p, P_c_void_p]
    lib.mk_match_owners.restype = c_int32
    # int32_t mk_refresh_identity(const mk_client *client, const char *link_id,
    #     uint64_t wait_ms, const char *options_json, const mk_cancel *cancel,
    #     char **out_json, char **out_stale_json, char **out_error);
    lib.mk_refresh_identity.argtypes = [
        c_void_p, c_char_p, ctypes.c_uint64, c_char_p, c_void_p, P_c_void_p, P_c_void_p, P_c_void_p,
    ]
    lib.mk_refresh_identity.restype = c_int32
    # int32_t mk_wait_identity_newer(const mk_client *client, const char *link_id,
    #     const char *after, uint64_t wait_ms, const char *options_json, const mk_cancel *cancel,
    #     char **out_json, char **out_stale_json, char **out_error);
    lib.mk_wait_identity_newer.argtypes = [
        c_void_p, c_char_p, c_char_p, ctypes.c_uint64, c_char_p, c_void_p,
        P_c_void_p, P_c_void_p, P_c_void_p,
    ]
    lib.mk_wait_identity_newer.restype = c_int32
    # int32_t mk_request_identity_refresh(const mk_client *client, const char *link_id,
    #     uint64_t timeout_ms, const mk_cancel *cancel, char **out_error);
    lib.mk_request_identity_refresh.argtypes = [c_void_p, c_char_p, ctypes.c_uint64, c_void_p, P_c_void_p]
    lib.mk_request_identity_refresh.restype = c_int32
    # The typed C view (C and C++ read it; Python decodes the JSON instead, so these are
    # declared for completeness and not wrapped).
    # int32_t mk_identity_parse(const char *json, size_t len, mk_identity **out_identity,
    #                           char **out_error);
    lib.mk_identity_parse.argtypes = [c_char_p, c_size_t, P_c_void_p, P_c_void_p]
    lib.mk_identity_parse.restype = c_int32
    # int32_t mk_get_identity_view(const mk_client *client, const char *link_id,
    #     const char *const *account_ids, size_t account_ids_len, uint64_t timeout_ms,
    #     const mk_cancel *cancel, mk_identity **out_identity, char **out_request_id,
    #     char **out_error);
    lib.mk_get_identity_view.argtypes = [
        c_void_p, c_char_p, P_c_char_p, c_size_t, ctypes.c_uint64, c_void_p,
        P_c_void_p, P_c_void_p, P_c_void_p,
    ]
    lib.mk_get_identity_view.restype = c_int32
    # int32_t mk_identity_root(const mk_identity *identity,
    #                          const mk_identity_response **out_root);
    lib.mk_identity_root.argtypes = [c_void_p, P_c_void_p]
    lib.mk_identity_root.restype = c_int32
    # void mk_identity_free(mk_identity *identity);
    lib.mk_identity_free.argtypes = [c_void_p]
    lib.mk_identity_free.restype = None


#: Every function the binding declares (tests compare this with the header).
FUNCTIONS = (
    "mk_version",
    "mk_status_name",
    "mk_status_describe",
    "mk_client_new",
    "mk_client_free",
    "mk_get_identity",
    "mk_get_identity_ex",
    "mk_cancel_new",
    "mk_cancel_trigger",
    "mk_cancel_free",
    "mk_client_set_event_callback",
    "mk_validate_identity",
    "mk_string_free",
    "mk_batch_start",
    "mk_batch_next",
    "mk_batch_get_progress",
    "mk_batch_cancel",
    "mk_batch_free",
    "mk_match_owners",
    "mk_refresh_identity",
    "mk_wait_identity_newer",
    "mk_request_identity_refresh",
    "mk_identity_parse",
    "mk_get_identity_view",
    "mk_identity_root",
    "mk_identity_free",
)
