//! Structured per-attempt events for the caller's own logging
//! (`mk_client_set_event_callback`): the C view of `core::Event`.

use super::{status_call, MkClient};
use crate::core::{Error, Event};
use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

/// One HTTP attempt, or a change of coordination, as passed to an `mk_event_fn`. Every
/// pointer is valid only during the callback; copy what you keep. Never holds owner data
/// or secrets.
#[repr(C)]
pub struct MkEvent {
    /// `"GET"` (identity), `"POST"` (token, refresh), or `"REDIS"` for coordination
    /// (`coordination_url`): Redis was lost (a failure status, `retry_wait_ms` until the
    /// next try) or is back (`MK_OK`, `elapsed_ms` how long it was lost).
    pub method: *const c_char,
    /// `"/links/{id}/identity"`, `"/auth/token"`, `"/links/{id}/products"`: a template,
    /// never the link id; `"coordination"` for a `"REDIS"` event.
    pub path: *const c_char,
    /// The HTTP status, or 0 when no response arrived.
    pub http_status: i32,
    /// The attempt's outcome as an `mk_status` (`MK_OK` on success).
    pub status: i32,
    /// 1 for a call's first attempt.
    pub attempt: u32,
    /// How long the attempt took, in milliseconds.
    pub elapsed_ms: u64,
    /// The response's `x-request-id`, or NULL.
    pub request_id: *const c_char,
    /// How long the call waits before trying again, or -1 when no retry follows.
    pub retry_wait_ms: i64,
}

/// Receives one event per attempt, on the thread that made the call, before
/// that call returns, with no lock held: it may call the client again, but must
/// not free the client it was set on.
pub type MkEventFn = Option<unsafe extern "C" fn(user_data: *mut c_void, event: *const MkEvent)>;

/// The callback and its user data; the pointer is only handed back to the callback.
struct Callback {
    f: unsafe extern "C" fn(*mut c_void, *const MkEvent),
    user_data: *mut c_void,
}

// SAFETY: the library never dereferences `user_data`; it only passes it back to the
// caller's callback, which the caller declared safe to call from any thread that
// uses the client (see `mk_client_set_event_callback`).
unsafe impl Send for Callback {}
// SAFETY: as for Send: nothing is read through the pointer on our side.
unsafe impl Sync for Callback {}

/// Sets the client's event callback (NULL removes it). `user_data` is passed
/// back to every call of `callback`. The callback may run on any thread that
/// calls the client, concurrently; it must not unwind into the library.
///
/// # Safety
/// `client` a live client; `callback` NULL or a function safe to call as
/// documented until it is replaced or the client is freed.
#[no_mangle]
pub unsafe extern "C" fn mk_client_set_event_callback(
    client: *mut MkClient,
    callback: MkEventFn,
    user_data: *mut c_void,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        // SAFETY: by this function's contract NULL (refused) or a live client.
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
        let sink = callback.map(|f| {
            let cb = Callback { f, user_data };
            Arc::new(move |e: &Event<'_>| deliver(&cb, e)) as crate::core::EventSink
        });
        client.inner.set_event_sink(sink);
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

fn deliver(cb: &Callback, e: &Event<'_>) {
    let method = CString::new(e.method).unwrap_or_default();
    let path = CString::new(e.path).unwrap_or_default();
    let request_id = e.request_id.and_then(|r| CString::new(r).ok());
    let event = MkEvent {
        method: method.as_ptr(),
        path: path.as_ptr(),
        http_status: e.http_status.map_or(0, i32::from),
        status: e.status.code(),
        attempt: e.attempt,
        elapsed_ms: e.elapsed.as_millis().try_into().unwrap_or(u64::MAX),
        request_id: request_id.as_ref().map_or(std::ptr::null(), |r| r.as_ptr()),
        retry_wait_ms: e
            .retry_wait
            .map_or(-1, |w| w.as_millis().try_into().unwrap_or(i64::MAX)),
    };
    // SAFETY: the caller set `f` as a callback safe to call with its own user data
    // and a pointer to an event that is valid for the duration of the call.
    unsafe { (cb.f)(cb.user_data, &event) };
}
