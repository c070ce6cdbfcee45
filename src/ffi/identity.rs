//! `mk_get_identity` and `mk_get_identity_ex` (a per-call timeout, a cancel
//! handle and the request id): argument checks and conversion only.

use super::cancel::MkCancel;
use super::{id_str, into_c_string, status_call, MkClient};
use crate::core::{self, CallControl, Error, Identity};
use std::ffi::c_char;
use std::ptr;
use std::time::{Duration, Instant};

/// Fetches the identity of a link: `GET /links/{link_id}/identity`.
///
/// `link_id`: required, non-empty UTF-8, at most `MK_MAX_ID_LEN` bytes, not
/// `.` or `..`; it is sent as one percent-encoded path segment. `account_ids`:
/// `account_ids_len` account ids to filter by (at most `MK_MAX_ACCOUNT_IDS`;
/// NULL allowed when the length is 0).
///
/// On `MK_OK`, `*out_json` is the response body exactly as MoneyKit sent it
/// (checked against the response schema), NUL-terminated UTF-8, and
/// `*out_error` is NULL. On error, `*out_json` is NULL and `*out_error` (if
/// `out_error` is not NULL) is an error JSON. Free both with `mk_string_free`.
/// Blocks until the request, with its retries, is done, and at most the
/// client's `deadline_ms`.
///
/// # Safety
/// `client` must be a live client; strings NUL-terminated; `account_ids` valid
/// for `account_ids_len` reads; `out_json` valid for a pointer write;
/// `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_get_identity(
    client: *const MkClient,
    link_id: *const c_char,
    account_ids: *const *const c_char,
    account_ids_len: usize,
    out_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    // SAFETY: this function's contract is mk_get_identity_ex's, with no cancel
    // handle and no request id out-pointer.
    unsafe {
        mk_get_identity_ex(
            client,
            link_id,
            account_ids,
            account_ids_len,
            0,
            ptr::null(),
            out_json,
            ptr::null_mut(),
            out_error,
        )
    }
}

/// As `mk_get_identity`, with per-call controls:
/// - `timeout_ms`: the call ends by then with `MK_ERR_TIMEOUT` (0: only the
///   client's `deadline_ms` applies; the earlier of the two wins);
/// - `cancel`: NULL, or a handle from `mk_cancel_new`; when another thread
///   triggers it, the call returns `MK_ERR_CANCELLED` within about 100 ms. The
///   handle must stay alive until this call returns;
/// - `out_request_id`: NULL, or where to put the successful response's
///   `x-request-id` (NULL when the server sent none; free with
///   `mk_string_free`). On error it is set to NULL (the error JSON has it).
///
/// # Safety
/// As `mk_get_identity`; `cancel` NULL or a live handle; `out_request_id` NULL
/// or valid for a pointer write.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C shape: inputs, controls, outputs
pub unsafe extern "C" fn mk_get_identity_ex(
    client: *const MkClient,
    link_id: *const c_char,
    account_ids: *const *const c_char,
    account_ids_len: usize,
    timeout_ms: u64,
    cancel: *const MkCancel,
    out_json: *mut *mut c_char,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out_json.is_null() {
            return Err(Error::invalid("out_json is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_json = ptr::null_mut() };
        if !out_request_id.is_null() {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out_request_id = ptr::null_mut() };
        }
        // SAFETY: forwarded from this function's contract, which is fetch_identity's.
        let (identity, ()) = unsafe {
            fetch_identity(
                client,
                link_id,
                account_ids,
                account_ids_len,
                timeout_ms,
                cancel,
                &core::validate_identity_str,
            )
        }?;
        let json = into_c_string(identity.body);
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out_json = json };
        if let (false, Some(id)) = (out_request_id.is_null(), identity.request_id) {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out_request_id = into_c_string(id) };
        }
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// The per-call controls of the C API: `timeout_ms` (0: none) and a cancel handle.
///
/// # Safety
/// `cancel` NULL or a live handle that outlives the call.
pub(super) unsafe fn call_control(timeout_ms: u64, cancel: *const MkCancel) -> CallControl {
    CallControl {
        deadline: (timeout_ms > 0)
            .then(|| Instant::now() + Duration::from_millis(timeout_ms.min(u64::MAX / 4))),
        // SAFETY: by this function's contract NULL or a live handle outliving the call.
        cancel: unsafe { cancel.as_ref() }.map(|c| c.token.clone()),
    }
}

/// Checks the arguments of an identity call (`mk_get_identity_ex`'s shape) and
/// makes it: the body and request id with what `read` (the validator, or the view's
/// builder that checks the same rules in its one pass) made of the body, or the error.
///
/// # Safety
/// `client` NULL or a live client that nothing frees during the call; `link_id`
/// NULL or NUL-terminated; `account_ids` as `account_id_list`; `cancel` as
/// `call_control`.
pub(super) unsafe fn fetch_identity<T>(
    client: *const MkClient,
    link_id: *const c_char,
    account_ids: *const *const c_char,
    account_ids_len: usize,
    timeout_ms: u64,
    cancel: *const MkCancel,
    read: &dyn Fn(&str) -> Result<T, String>,
) -> Result<(Identity, T), Error> {
    // SAFETY: by this function's contract NULL (checked here) or a live client.
    let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
    // SAFETY: by this function's contract NULL (refused) or NUL-terminated, valid for the call.
    let link_id = unsafe { id_str(link_id, "link_id") }?;
    // Test-only (Cargo feature `test-panic-injection`, off by default): a panic inside the
    // boundary, so tests/panic_injection.rs reaches MK_ERR_INTERNAL through a real call.
    #[cfg(feature = "test-panic-injection")]
    if link_id == "mk_test_injected_panic" {
        panic!("test-panic-injection: injected panic");
    }
    // SAFETY: forwarded from this function's contract.
    let ids = unsafe { account_id_list(account_ids, account_ids_len) }?;
    // SAFETY: forwarded from this function's contract.
    let control = unsafe { call_control(timeout_ms, cancel) };
    client
        .inner
        .get_identity_reading(link_id, &ids, &control, &|_| {}, read)
}

/// The account ids of a call, checked.
///
/// # Safety
/// `account_ids` NULL or valid for `len` reads of pointers, each NULL or
/// NUL-terminated and valid for the call.
pub(super) unsafe fn account_id_list<'a>(
    account_ids: *const *const c_char,
    len: usize,
) -> Result<Vec<&'a str>, Error> {
    // Before the array is read: `len` bounds the slice made of it.
    core::check_account_id_count(len)?;
    if len == 0 {
        return Ok(Vec::new());
    }
    if account_ids.is_null() {
        return Err(Error::invalid(
            "account_ids is NULL but account_ids_len is not 0",
        ));
    }
    // SAFETY: not NULL, and by this function's contract valid (and aligned) for `len`
    // reads; `len <= MK_MAX_ACCOUNT_IDS`, so the size is far below `isize::MAX`.
    let pointers = unsafe { std::slice::from_raw_parts(account_ids, len) };
    pointers
        .iter()
        // SAFETY: by this function's contract every account id is NULL (refused) or
        // NUL-terminated and valid for the call.
        .map(|&p| unsafe { id_str(p, "account id") })
        .collect()
}
