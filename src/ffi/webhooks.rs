//! Webhook verification (`mk_webhook_*`; docs/C-API.md "Webhooks"): a verifier made from a
//! client, one call per delivery, one call to settle the duplicate check. All behaviour is
//! `core::webhooks`'; this layer checks pointers, lengths and UTF-8 and hands strings out.

use super::cancel::MkCancel;
use super::{boundary, into_c_string, optional_str, status_call, MkClient};
use crate::core::batch::ClientHolder;
use crate::core::webhooks::{jws, Delivery, Reason, WebhookOptions, WebhookVerifier};
use crate::core::{CallControl, Client, Error};
use std::ffi::{c_char, CString};
use std::ops::Deref;
use std::ptr;

/// `mk_webhook_verify`: the delivery is genuine but was handled before (its
/// `webhook_idempotency_key` was marked done within `seen_ttl_ms`). Answer 2xx and do not
/// handle it again. Not a status (the status table never reaches 100).
pub const MK_WEBHOOK_DUPLICATE: i32 = 102;

/// `mk_webhook_verify`: the delivery is genuine but another delivery of the same event is
/// being handled right now (claimed, `mk_webhook_done` not called yet). Answer 409 so
/// MoneyKit retries later (if the first handler fails, that retry is handled). Not a status.
pub const MK_WEBHOOK_IN_FLIGHT: i32 = 103;

/// An opaque webhook verifier. Create it with `mk_webhook_verifier_new`, use it from any
/// number of threads at once, free it with `mk_webhook_verifier_free` (before its client).
pub struct MkWebhookVerifier {
    inner: WebhookVerifier,
}

/// The caller's client, borrowed for the verifier's life.
struct Borrowed(*const Client);

// SAFETY: `Client` is Sync (one client serves many threads), and by
// `mk_webhook_verifier_new`'s contract the client outlives the verifier; so sharing the
// pointer between threads only ever creates shared references to a live `Client`.
unsafe impl Send for Borrowed {}
// SAFETY: as for Send: only `&Client` is ever made from it.
unsafe impl Sync for Borrowed {}

impl Deref for Borrowed {
    type Target = Client;
    fn deref(&self) -> &Client {
        // SAFETY: built from a live client that, by mk_webhook_verifier_new's contract, is
        // not freed before mk_webhook_verifier_free.
        unsafe { &*self.0 }
    }
}

/// Creates a verifier for the deliveries of `client`'s MoneyKit app: keys are fetched from
/// `GET {base_url}/.well-known/jwks.json` with `X-Client-Id` through the client (its proxy,
/// CA file, timeouts and deadline), cached, and shared by every thread using the verifier.
///
/// `options_json`: NULL or a JSON object (docs/C-API.md "Webhooks": `tolerance_ms`,
/// `max_body_bytes`, `jwks_ttl_ms`, `jwks_refetch_ms`, `seen_ttl_ms`, `seen_max`,
/// `claim_timeout_ms`, `client_id`); unknown keys, wrong types and out-of-range numbers are
/// `MK_ERR_INVALID_ARGUMENT`, as is a client made with only an `access_token` when the
/// options give no `client_id`. Nothing is fetched here.
///
/// # Safety
/// `client` NULL or a live client that is freed only after `mk_webhook_verifier_free`;
/// `options_json` NULL or NUL-terminated; `out` NULL or valid for a pointer write;
/// `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_webhook_verifier_new(
    client: *const MkClient,
    options_json: *const c_char,
    out: *mut *mut MkWebhookVerifier,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out.is_null() {
            return Err(Error::invalid("out is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out = ptr::null_mut() };
        // SAFETY: by this function's contract NULL (refused) or a live client.
        let client = unsafe { client.as_ref() }.ok_or_else(|| Error::invalid("client is NULL"))?;
        // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
        let options =
            WebhookOptions::from_json(unsafe { optional_str(options_json, "options_json") }?)?;
        let holder: ClientHolder = Box::new(Borrowed(&client.inner));
        let inner = WebhookVerifier::new(holder, options)?;
        let v = Box::into_raw(Box::new(MkWebhookVerifier { inner }));
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out = v };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Writes `value` to `out` when `out` is not NULL.
///
/// # Safety
/// `out` NULL or valid for a pointer write.
unsafe fn put(out: *mut *mut c_char, value: *mut c_char) {
    if out.is_null() {
        if !value.is_null() {
            // SAFETY: `value` came from into_c_string just now and is freed once.
            unsafe { super::mk_string_free(value) };
        }
    } else {
        // SAFETY: not NULL, so by the caller's contract valid for a pointer write.
        unsafe { *out = value };
    }
}

/// The signature header's value: NULL is "no header"; read no further than one byte past
/// the longest accepted value, so a huge one is refused without being scanned to its end.
///
/// # Safety
/// `p` NULL or NUL-terminated and valid for the call.
unsafe fn signature_str<'a>(p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Reason::Malformed.error("there is no MoneyKit-Signature header"));
    }
    // SAFETY: not NULL and, by this function's contract, NUL-terminated: strnlen reads up to
    // that NUL or `MAX_HEADER_LEN + 1` bytes, whichever comes first.
    let len = unsafe { libc::strnlen(p, jws::MAX_HEADER_LEN + 1) };
    if len > jws::MAX_HEADER_LEN {
        return Err(Reason::Malformed.error(format_args!(
            "the signature header is longer than {} bytes",
            jws::MAX_HEADER_LEN
        )));
    }
    // SAFETY: strnlen found no NUL among the first `len` bytes, so all of them precede the
    // terminator and are readable; `u8` has the alignment of `c_char`; `len` is small.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    std::str::from_utf8(bytes)
        .map_err(|_| Reason::Malformed.error("the signature header is not UTF-8"))
}

/// Verifies one webhook delivery: `signature` is the `MoneyKit-Signature` header's value
/// (NULL: the header is missing), `body` the raw request body as received (`body_len`
/// bytes, no NUL needed, as `mk_validate_identity` takes a body; NULL allowed when 0). Checks, in order: the body's size, the token's form and
/// `alg`, the key for its `kid` (fetched or refetched when needed; with cached keys there is
/// no I/O), the ES256 signature, `iat` / `exp`, the body's SHA-256; then the body as an
/// event, then the duplicate check.
///
/// Returns:
/// - `MK_OK`: a new delivery, claimed for this caller: handle it, then call
///   `mk_webhook_done` with its idempotency key;
/// - `MK_WEBHOOK_DUPLICATE`: handled before: answer 2xx, do not handle it;
/// - `MK_WEBHOOK_IN_FLIGHT`: being handled by another delivery now: answer 409;
/// - `MK_ERR_SIGNATURE`: not genuine (the error JSON's `reason` says why): answer 400;
/// - `MK_ERR_DECODE`: signed, but the body is not an event this library reads, or the key
///   set could not be read; a transport, timeout, HTTP or cancelled status when the keys
///   could not be fetched (the message says so): answer 5xx so MoneyKit retries;
/// - `MK_ERR_INVALID_ARGUMENT`: a NULL verifier or `out_event_json`, a NULL body with a
///   length.
///
/// With the first three, `*out_event_json` is the body exactly as sent (NUL-terminated),
/// `*out_event_type` its `webhook_event` and `*out_idempotency_key` its
/// `webhook_idempotency_key` (each output pointer that is not NULL is written; free each
/// string with `mk_string_free`); on error they are NULL and `*out_error` has the error JSON.
///
/// # Safety
/// `verifier` NULL or a live verifier; `signature` NULL or NUL-terminated; `body` NULL or
/// valid for `body_len` reads; `cancel` NULL or a live handle; every `out_*` NULL or valid
/// for a pointer write.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mk_webhook_verify(
    verifier: *const MkWebhookVerifier,
    signature: *const c_char,
    body: *const c_char,
    body_len: usize,
    cancel: *const MkCancel,
    out_event_json: *mut *mut c_char,
    out_event_type: *mut *mut c_char,
    out_idempotency_key: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    for out in [out_event_json, out_event_type, out_idempotency_key] {
        if !out.is_null() {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out = ptr::null_mut() };
        }
    }
    let mut delivery = Delivery::New;
    let call = || {
        // SAFETY: by this function's contract NULL (refused) or a live verifier.
        let v = unsafe { verifier.as_ref() }.ok_or_else(|| Error::invalid("verifier is NULL"))?;
        if out_event_json.is_null() {
            return Err(Error::invalid("out_event_json is NULL"));
        }
        let body: &[u8] = match (body.is_null(), body_len) {
            (_, 0) => &[],
            (true, _) => return Err(Error::invalid("body is NULL but body_len is not 0")),
            // SAFETY: not NULL, and by this function's contract valid for `body_len` reads of
            // initialised bytes (so `body_len` fits one allocation, below isize::MAX); `u8`
            // has the alignment of `c_char`; the slice does not outlive this call.
            (false, n) => unsafe { std::slice::from_raw_parts(body.cast::<u8>(), n) },
        };
        let control = CallControl {
            deadline: None,
            // SAFETY: by this function's contract NULL or a live handle.
            cancel: unsafe { cancel.as_ref() }.map(|c| c.token.clone()),
        };
        // A body over the limit is refused before the header is even read.
        let signature = if body.len() > v.inner.max_body_bytes() {
            ""
        } else {
            // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
            unsafe { signature_str(signature) }?
        };
        let verified = v.inner.verify(signature, body, &control)?;
        delivery = verified.delivery;
        // The body is UTF-8 JSON without a raw NUL (the event check parsed it): one copy,
        // with room for the NUL.
        let mut copy = Vec::with_capacity(body.len() + 1);
        copy.extend_from_slice(body);
        let json = CString::new(copy).map_or(ptr::null_mut(), CString::into_raw);
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out_event_json = json };
        // SAFETY: each NULL or valid for a pointer write, by this function's contract.
        unsafe {
            put(out_event_type, into_c_string(verified.event));
            put(out_idempotency_key, into_c_string(verified.idempotency_key));
        }
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    let rc = unsafe { status_call(out_error, call) };
    match (rc, delivery) {
        (0, Delivery::Duplicate) => MK_WEBHOOK_DUPLICATE,
        (0, Delivery::InFlight) => MK_WEBHOOK_IN_FLIGHT,
        _ => rc,
    }
}

/// Settles the claim `mk_webhook_verify` made when it returned `MK_OK`: `handled_ok`
/// non-zero marks `idempotency_key` handled (its repeats are `MK_WEBHOOK_DUPLICATE` for
/// `seen_ttl_ms`); 0 releases it, so MoneyKit's retry is handled again. Call it once per
/// `MK_OK`, after the handler finished. A key that is not claimed (unknown, settled,
/// lapsed after `claim_timeout_ms`) is ignored: `MK_OK` still.
/// `MK_ERR_INVALID_ARGUMENT` for a NULL verifier or key, or a key that is not UTF-8.
///
/// # Safety
/// `verifier` NULL or a live verifier; `idempotency_key` NULL or NUL-terminated;
/// `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_webhook_done(
    verifier: *const MkWebhookVerifier,
    idempotency_key: *const c_char,
    handled_ok: i32,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        // SAFETY: by this function's contract NULL (refused) or a live verifier.
        let v = unsafe { verifier.as_ref() }.ok_or_else(|| Error::invalid("verifier is NULL"))?;
        // SAFETY: by this function's contract NULL or NUL-terminated, valid for the call.
        let key = unsafe { optional_str(idempotency_key, "idempotency_key") }?
            .ok_or_else(|| Error::invalid("idempotency_key is NULL"))?;
        v.inner.done(key, handled_ok != 0);
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Frees a verifier (its cached keys and duplicate check); NULL is a no-op. No call on it
/// may be running; free it before its client.
///
/// # Safety
/// `verifier` NULL or a verifier from `mk_webhook_verifier_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mk_webhook_verifier_free(verifier: *mut MkWebhookVerifier) {
    if !verifier.is_null() {
        // SAFETY: by this function's contract a live verifier from Box::into_raw, freed once,
        // with no call running on it.
        boundary((), || drop(unsafe { Box::from_raw(verifier) }));
    }
}
