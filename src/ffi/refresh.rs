//! `mk_refresh_identity` and `mk_wait_identity_newer`: argument checks and
//! conversion only; the flow is `core::refresh`.

use super::cancel::MkCancel;
use super::identity::call_control;
use super::{id_str, into_c_string, optional_str, status_call, MkClient};
use crate::core::refresh::{
    parse_after, refresh_identity, wait_identity_newer, NotFresh, RefreshOptions,
};
use crate::core::{CancelToken, Client, Error, Identity};
use std::ffi::c_char;
use std::ptr;
use std::time::Duration;

/// What both functions share: checks, the call and the output pointers.
///
/// # Safety
/// As `mk_refresh_identity`.
#[allow(clippy::too_many_arguments)]
unsafe fn refresh_call(
    client: *const MkClient,
    link_id: *const c_char,
    wait_ms: u64,
    options_json: *const c_char,
    cancel: *const MkCancel,
    out_json: *mut *mut c_char,
    out_stale_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
    run: impl FnOnce(
        &Client,
        &str,
        Duration,
        &RefreshOptions,
        Option<&CancelToken>,
    ) -> Result<Identity, NotFresh>,
) -> i32 {
    let call = || {
        if !out_stale_json.is_null() {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out_stale_json = ptr::null_mut() };
        }
        if out_json.is_null() {
            return Err(Error::invalid("out_json is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_json = ptr::null_mut() };
        // SAFETY: by this function's contract NULL (refused) or a live client.
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
        // SAFETY: by this function's contract NULL (refused) or NUL-terminated, valid for the call.
        let link_id = unsafe { id_str(link_id, "link_id") }?;
        // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
        let options = RefreshOptions::from_json_for(
            unsafe { optional_str(options_json, "options_json") }?,
            client.inner.time_scale(),
        )?;
        if wait_ms == 0 {
            return Err(Error::invalid("wait_ms is 0"));
        }
        // SAFETY: by this function's contract NULL or a live handle outliving this call.
        let cancel = unsafe { cancel.as_ref() }.map(|c| &c.token);
        let wait = Duration::from_millis(wait_ms);
        match run(&client.inner, link_id, wait, &options, cancel) {
            Ok(identity) => {
                // SAFETY: checked not NULL above; valid for a pointer write.
                unsafe { *out_json = into_c_string(identity.body) };
                Ok(())
            }
            Err(NotFresh { error, stale }) => {
                if let (false, Some(body)) = (out_stale_json.is_null(), stale) {
                    // SAFETY: not NULL, so by this function's contract valid for a pointer write.
                    unsafe { *out_stale_json = into_c_string(body) };
                }
                Err(error)
            }
        }
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Asks MoneyKit to refresh the link's identity (`POST /links/{id}/products`
/// with `{"products": ["identity"]}`), then polls Get Identity until
/// `link.products.identity.refreshed_at` is later than before the request
/// (read with one Get Identity first), and returns that fresh body in
/// `*out_json`. Polls are one per `60 / link_per_minute` s (plus 2 %), the
/// first Get Identity included, so the link never gets more than
/// `link_per_minute` calls a minute from this function; the fresh body comes
/// within one poll interval of the server's update.
///
/// Outcomes: `MK_OK`; `MK_ERR_TIMEOUT` when `wait_ms` passed without fresh
/// data (the message says so; `*out_stale_json` is the last body seen);
/// `MK_ERR_RATE_LIMITED` when the refresh request got a 429, MoneyKit's daily
/// refresh limit (message says so, `retry_after_ms` when sent; the stale body
/// too); `MK_ERR_CANCELLED`; or the status of a failed call (a poll's
/// rate-limit, 5xx and transport failures are polled through).
///
/// `wait_ms` (>= 1) bounds the whole call. `options_json`: NULL or
/// `{"link_per_minute": 3, "time_scale": 1}` (unknown keys refused).
/// `cancel`: NULL or a live handle. `out_stale_json`: NULL or where the last
/// stale body goes on failure (NULL when none, always NULL on `MK_OK`).
///
/// # Safety
/// `client` a live client; strings NULL or NUL-terminated; `cancel` NULL or
/// live for the call; `out_json` valid for a pointer write; `out_stale_json`
/// and `out_error` NULL or valid for a pointer write.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C shape: inputs, controls, outputs
pub unsafe extern "C" fn mk_refresh_identity(
    client: *const MkClient,
    link_id: *const c_char,
    wait_ms: u64,
    options_json: *const c_char,
    cancel: *const MkCancel,
    out_json: *mut *mut c_char,
    out_stale_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    // SAFETY: forwarded from this function's contract, which is refresh_call's.
    unsafe {
        refresh_call(
            client,
            link_id,
            wait_ms,
            options_json,
            cancel,
            out_json,
            out_stale_json,
            out_error,
            refresh_identity,
        )
    }
}

/// For a refresh requested elsewhere: polls Get Identity, within the per-link
/// limit, until `link.products.identity.refreshed_at` is later than `after` (an
/// ISO-8601 date-time in any form the validator accepts, e.g. a previous
/// body's `refreshed_at`; NULL: until there is any `refreshed_at`). The first
/// poll is immediate. Outcomes and arguments as `mk_refresh_identity` (no
/// refresh request, so no daily-limit outcome); a malformed `after` is
/// `MK_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// As `mk_refresh_identity`; `after` NULL or NUL-terminated.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C shape: inputs, controls, outputs
pub unsafe extern "C" fn mk_wait_identity_newer(
    client: *const MkClient,
    link_id: *const c_char,
    after: *const c_char,
    wait_ms: u64,
    options_json: *const c_char,
    cancel: *const MkCancel,
    out_json: *mut *mut c_char,
    out_stale_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    let run = |client: &Client,
               link_id: &str,
               wait: Duration,
               options: &RefreshOptions,
               cancel: Option<&CancelToken>| {
        // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
        let after = match unsafe { optional_str(after, "after") }? {
            Some(text) => Some(parse_after(text)?),
            None => None,
        };
        wait_identity_newer(client, link_id, after.as_ref(), wait, options, cancel)
    };
    // SAFETY: forwarded from this function's contract, which is refresh_call's.
    unsafe {
        refresh_call(
            client,
            link_id,
            wait_ms,
            options_json,
            cancel,
            out_json,
            out_stale_json,
            out_error,
            run,
        )
    }
}

/// Only requests an identity refresh (`POST /links/{id}/products` with
/// `{"products": ["identity"]}`, answered 202) and returns: for callers who
/// wait later, or elsewhere, with `mk_wait_identity_newer`. `MK_OK`, or
/// `MK_ERR_RATE_LIMITED` with a message naming MoneyKit's daily refresh limit
/// (and `retry_after_ms` when sent), or the status of the failed call. Retries
/// and deadlines as `mk_get_identity_ex` (`timeout_ms` 0: only `deadline_ms`);
/// a 429 is never retried.
///
/// # Safety
/// `client` a live client; `link_id` NULL or NUL-terminated; `cancel` NULL or
/// live for the call; `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_request_identity_refresh(
    client: *const MkClient,
    link_id: *const c_char,
    timeout_ms: u64,
    cancel: *const MkCancel,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        // SAFETY: by this function's contract NULL (refused) or a live client.
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
        // SAFETY: by this function's contract NULL (refused) or NUL-terminated, valid for the call.
        let link_id = unsafe { id_str(link_id, "link_id") }?;
        // SAFETY: by this function's contract NULL or a live handle outliving this call.
        let control = unsafe { call_control(timeout_ms, cancel) };
        client
            .inner
            .request_refresh(link_id, &["identity"], &control)
            .map(|_| ())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}
