//! Batches (`mk_batch`): many identities through one client within MoneyKit's
//! limits, results pulled one at a time with `mk_batch_next`
//! (docs/C-API.md, "Batches", says why pull rather than callbacks).

use super::{boundary, id_str, into_c_string, optional_str, status_call, MkClient};
use crate::core::batch::{Batch, BatchOptions, ClientHolder, Next};
use crate::core::{Client, Error};
use std::ffi::c_char;
use std::ops::Deref;
use std::ptr;
use std::time::Duration;

/// `mk_batch_next`: no result arrived within `timeout_ms`; the batch is still
/// running, call again. Not a status (the status table never reaches 100).
pub const MK_BATCH_PENDING: i32 = 100;

/// `mk_batch_next`: every result was delivered (or the batch was cancelled and
/// what it had made was delivered). Not a status.
pub const MK_BATCH_DONE: i32 = 101;

/// An opaque running batch. Create it with `mk_batch_start`, drain it with
/// `mk_batch_next`, free it with `mk_batch_free` (before its client).
pub struct MkBatch {
    inner: Batch,
}

/// One link's result, filled by `mk_batch_next`. Free `link_id`, `json` and
/// `error` with `mk_string_free` (NULL ones too: free blindly).
#[repr(C)]
pub struct MkBatchItem {
    /// The link's position in the array given to `mk_batch_start`.
    pub index: usize,
    /// The link id, as given.
    pub link_id: *mut c_char,
    /// `MK_OK`: `json` is the identity body (exactly as sent) and `error` NULL;
    /// else `error` is the error JSON and `json` NULL.
    pub status: i32,
    pub json: *mut c_char,
    pub error: *mut c_char,
}

/// A snapshot of a batch's progress (`mk_batch_get_progress`).
#[repr(C)]
pub struct MkBatchProgress {
    /// Links in the batch.
    pub total: u64,
    /// Results made (`ok` + `failed`), delivered or waiting for `mk_batch_next`.
    pub done: u64,
    pub ok: u64,
    pub failed: u64,
    /// Calls running now.
    pub in_flight: u64,
    /// HTTP attempts sent, retries included.
    pub requests: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// How much longer every worker stays paused by a 429's `Retry-After`, in ms (0: not paused).
    pub paused_ms: u64,
    /// Milliseconds since `mk_batch_start`.
    pub elapsed_ms: u64,
    /// Results per wall-clock minute over the last 10 s.
    pub rate_per_minute: f64,
    /// What the app limit allows per wall-clock minute (`app_per_minute` × `time_scale`).
    pub allowed_per_minute: f64,
    /// 1 while paused by a 429, else 0.
    pub paused: u8,
    /// 1 once `mk_batch_cancel` (or `mk_batch_free`) was called, else 0.
    pub cancelled: u8,
}

/// The caller's client, borrowed for the batch's life.
struct Borrowed(*const Client);

// SAFETY: `Client` is Sync (one client serves many threads), and by
// `mk_batch_start`'s contract the client outlives the batch, whose workers are
// joined by `mk_batch_free`; so sharing the pointer between threads only ever
// creates shared references to a live `Client`.
unsafe impl Send for Borrowed {}
// SAFETY: as for Send: only `&Client` is ever made from it.
unsafe impl Sync for Borrowed {}

impl Deref for Borrowed {
    type Target = Client;
    fn deref(&self) -> &Client {
        // SAFETY: built from a live client that, by mk_batch_start's contract,
        // is not freed before mk_batch_free has joined every worker.
        unsafe { &*self.0 }
    }
}

/// Starts fetching the identity of `link_ids_len` links through `client`, with
/// at most `concurrency` calls in flight, never more than `app_per_minute`
/// requests per minute in all nor `link_per_minute` per link, pausing every
/// worker on a 429 for its `Retry-After`. Results come out of `mk_batch_next`
/// as calls complete; at most `2 × concurrency` wait there, so memory stays flat.
///
/// `options_json`: NULL or a JSON object with `concurrency` (1 .. 256, default
/// 16), `app_per_minute` (1 .. 1000000, default 600), `link_per_minute`
/// (1 .. 1000, default 3) and `time_scale` (1 .. 10000, default 1: a minute
/// lasts 60 / time_scale seconds, for the sandbox's `--time-scale`); unknown
/// keys are `MK_ERR_INVALID_ARGUMENT`. Every link id must be non-empty UTF-8 of
/// at most `MK_MAX_ID_LEN` bytes (else nothing starts); ids are copied.
///
/// # Safety
/// `client` a live client that is freed only after `mk_batch_free`;
/// `link_ids` valid for `link_ids_len` reads of NUL-terminated strings (NULL
/// allowed when the length is 0); `options_json` NULL or NUL-terminated;
/// `out_batch` valid for a pointer write; `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_batch_start(
    client: *const MkClient,
    link_ids: *const *const c_char,
    link_ids_len: usize,
    options_json: *const c_char,
    out_batch: *mut *mut MkBatch,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out_batch.is_null() {
            return Err(Error::invalid("out_batch is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_batch = ptr::null_mut() };
        // SAFETY: by this function's contract NULL (refused) or a live client.
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
        // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
        let options = BatchOptions::from_json_for_client(
            unsafe { optional_str(options_json, "options_json") }?,
            &client.inner,
        )?;
        if link_ids_len > 0 && link_ids.is_null() {
            return Err(Error::invalid("link_ids is NULL but link_ids_len is not 0"));
        }
        let pointers: &[*const c_char] = if link_ids_len == 0 {
            &[]
        } else {
            // SAFETY: not NULL, and by this function's contract valid and aligned for
            // `link_ids_len` pointer reads, which fit one allocation (below isize::MAX).
            unsafe { std::slice::from_raw_parts(link_ids, link_ids_len) }
        };
        let mut links = Vec::with_capacity(pointers.len());
        for (i, &p) in pointers.iter().enumerate() {
            // SAFETY: by this function's contract each is NUL-terminated and valid for the call.
            links.push(unsafe { id_str(p, &format!("link_ids[{i}]")) }?.to_string());
        }
        let holder: ClientHolder = Box::new(Borrowed(&client.inner));
        let batch = Box::into_raw(Box::new(MkBatch {
            inner: Batch::try_start(holder, links, options)?,
        }));
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out_batch = batch };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Takes the next result, waiting at most `timeout_ms` (0: do not wait) for one.
/// Returns `MK_OK` with `*out_item` filled (its strings are the caller's),
/// `MK_BATCH_PENDING` when none came in time, `MK_BATCH_DONE` when there are no
/// more, or `MK_ERR_INVALID_ARGUMENT` (NULL `batch` or `out_item`). `*out_item`
/// is always written (NULL strings and status `MK_OK` when no result). Call it
/// from one thread at a time.
///
/// # Safety
/// `batch` NULL or a live batch; `out_item` NULL or valid for a write;
/// `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_batch_next(
    batch: *const MkBatch,
    timeout_ms: u64,
    out_item: *mut MkBatchItem,
    out_error: *mut *mut c_char,
) -> i32 {
    let mut state = 0;
    let call = || {
        if out_item.is_null() {
            return Err(Error::invalid("out_item is NULL"));
        }
        let empty = MkBatchItem {
            index: 0,
            link_id: ptr::null_mut(),
            status: 0,
            json: ptr::null_mut(),
            error: ptr::null_mut(),
        };
        // SAFETY: not NULL, so by this function's contract valid for a write.
        unsafe { out_item.write(empty) };
        // SAFETY: by this function's contract NULL (refused) or a live batch.
        let batch = unsafe { batch.as_ref() }.ok_or_else(|| Error::invalid("batch is NULL"))?;
        let timeout = Duration::from_millis(timeout_ms.min(86_400_000 * 365));
        match batch.inner.next(timeout) {
            Next::Pending => state = MK_BATCH_PENDING,
            Next::Done => state = MK_BATCH_DONE,
            Next::Item(item) => {
                let (status, json, error) = match item.result {
                    Ok(body) => (0, into_c_string(body), ptr::null_mut()),
                    Err(e) => (e.status.code(), ptr::null_mut(), into_c_string(e.to_json())),
                };
                let filled = MkBatchItem {
                    index: item.index,
                    link_id: into_c_string(item.link_id),
                    status,
                    json,
                    error,
                };
                // SAFETY: not NULL (checked above), valid for a write by this function's
                // contract; the empty item written before owns nothing.
                unsafe { out_item.write(filled) };
            }
        }
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    let rc = unsafe { status_call(out_error, call) };
    if rc == 0 {
        state
    } else {
        rc
    }
}

/// Fills `*out` with the batch's progress. Any thread, any time.
///
/// # Safety
/// `batch` NULL or a live batch; `out` NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn mk_batch_get_progress(
    batch: *const MkBatch,
    out: *mut MkBatchProgress,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out.is_null() {
            return Err(Error::invalid("out is NULL"));
        }
        // SAFETY: by this function's contract NULL (refused) or a live batch.
        let batch = unsafe { batch.as_ref() }.ok_or_else(|| Error::invalid("batch is NULL"))?;
        let p = batch.inner.progress();
        let snapshot = MkBatchProgress {
            total: p.total,
            done: p.done,
            ok: p.ok,
            failed: p.failed,
            in_flight: p.in_flight,
            requests: p.requests,
            rate_limited: p.rate_limited,
            paused_ms: p.paused_ms,
            elapsed_ms: p.elapsed.as_millis() as u64,
            rate_per_minute: p.rate_per_minute,
            allowed_per_minute: p.allowed_per_minute,
            paused: u8::from(p.paused),
            cancelled: u8::from(p.cancelled),
        };
        // SAFETY: not NULL, so by this function's contract valid for a write.
        unsafe { out.write(snapshot) };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Cancels the batch: no new call starts; calls in flight end with
/// `MK_ERR_CANCELLED` within about 100 ms and are delivered as results, after
/// which `mk_batch_next` returns `MK_BATCH_DONE`. Any thread; NULL is a no-op.
///
/// # Safety
/// `batch` NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn mk_batch_cancel(batch: *const MkBatch) {
    // SAFETY: by this function's contract NULL or a live batch.
    if let Some(b) = unsafe { batch.as_ref() } {
        boundary((), || b.inner.cancel());
    }
}

/// Cancels the batch if still running, waits for its workers (about 100 ms)
/// and frees it, with any results not taken. NULL is a no-op. Free every batch
/// before its client; no other call on the batch may be running.
///
/// # Safety
/// `batch` NULL or a batch from `mk_batch_start` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mk_batch_free(batch: *mut MkBatch) {
    if !batch.is_null() {
        // SAFETY: by this function's contract a live batch from Box::into_raw, freed once,
        // with no other call on it running.
        boundary((), || drop(unsafe { Box::from_raw(batch) }));
    }
}
