//! The typed, read-only view of an identity (docs/C-API.md, "Typed view"):
//! `mk_identity_parse`, `mk_get_identity_view`, `mk_identity_root` and
//! `mk_identity_free`. The structs it hands out are generated from the schema
//! (view_gen.rs); every one of them, and every string and array they point to,
//! lives in the `mk_identity` handle until `mk_identity_free`.

use super::cancel::MkCancel;
use super::identity::fetch_identity;
use super::view_gen::MkIdentityResponse;
use super::view_read::{Builder, Storage};
use super::{into_c_string, status_call, MkClient};
use crate::core::Error;
use std::ffi::c_char;
use std::ptr;

/// Marks a live handle; overwritten when it is freed (a best-effort check).
const LIVE: u64 = 0x6d6b_5f76_6965_7721; // "mk_view!"

/// An opaque, immutable identity: the typed view of one Get Identity body.
/// Create it with `mk_identity_parse` or `mk_get_identity_view`, read it through
/// `mk_identity_root`, free it with `mk_identity_free`. It may be read from many
/// threads at once.
pub struct MkIdentity {
    live: u64,
    root: MkIdentityResponse,
    _storage: Storage,
}

/// Checks `body` with the core's one validator and builds its view in the same
/// pass; a refused body's error is the validator's `<path>: <problem>`.
fn build(body: &str) -> Result<Box<MkIdentity>, String> {
    let mut b = Builder::new(body.len());
    let root = crate::core::validate::read_identity::<Builder, MkIdentityResponse>(&mut b, body)?;
    Ok(Box::new(MkIdentity {
        live: LIVE,
        root,
        _storage: b.finish(),
    }))
}

/// Writes NULL to an out-handle pointer, or refuses a NULL one.
///
/// # Safety
/// `out` must be NULL or valid for a pointer write.
unsafe fn clear_out(out: *mut *mut MkIdentity) -> Result<(), Error> {
    if out.is_null() {
        return Err(Error::invalid("out_identity is NULL"));
    }
    // SAFETY: not NULL, so by this function's contract valid for a pointer write.
    unsafe { *out = ptr::null_mut() };
    Ok(())
}

/// Parses an identity JSON (`json`, `len` bytes of UTF-8, no NUL needed) into a
/// typed view. The body is checked exactly as `mk_validate_identity` checks it
/// (the same one validator); a refused body is `MK_ERR_DECODE` with the same
/// `<path>: <problem>` message. On `MK_OK`, `*out_identity` is the handle (free
/// it with `mk_identity_free`) and `*out_error` is NULL; otherwise
/// `*out_identity` is NULL. `MK_ERR_INVALID_ARGUMENT` when `json` or
/// `out_identity` is NULL. The JSON is not kept: the view holds its own copy.
///
/// # Safety
/// `json` must be NULL or valid for `len` reads; `out_identity` NULL or valid for
/// a pointer write; `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_identity_parse(
    json: *const c_char,
    len: usize,
    out_identity: *mut *mut MkIdentity,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        // SAFETY: forwarded from this function's contract.
        unsafe { clear_out(out_identity) }?;
        if json.is_null() {
            return Err(Error::invalid("json is NULL"));
        }
        // SAFETY: not NULL, and by this function's contract valid for `len` reads of
        // initialised bytes (so `len` fits one allocation, below `isize::MAX`); `u8`
        // has the alignment of `c_char`; the slice does not outlive this call.
        let bytes = unsafe { std::slice::from_raw_parts(json.cast::<u8>(), len) };
        // The same checks as `validate_identity`, in the pass that builds the view.
        let text = std::str::from_utf8(bytes).map_err(|_| Error::decode("body is not UTF-8"))?;
        let view = Box::into_raw(build(text).map_err(Error::decode)?);
        // SAFETY: checked not NULL by `clear_out`; valid for a pointer write.
        unsafe { *out_identity = view };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// As `mk_get_identity_ex`, but hands back the typed view instead of the JSON:
/// on `MK_OK`, `*out_identity` is the handle (free it with `mk_identity_free`);
/// on error it is NULL and `*out_error` (if `out_error` is not NULL) is the
/// error JSON. `timeout_ms`, `cancel` and `out_request_id` work as there.
///
/// # Safety
/// As `mk_get_identity_ex`, with `out_identity` in place of `out_json`.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the C shape: inputs, controls, outputs
pub unsafe extern "C" fn mk_get_identity_view(
    client: *const MkClient,
    link_id: *const c_char,
    account_ids: *const *const c_char,
    account_ids_len: usize,
    timeout_ms: u64,
    cancel: *const MkCancel,
    out_identity: *mut *mut MkIdentity,
    out_request_id: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        // SAFETY: forwarded from this function's contract.
        unsafe { clear_out(out_identity) }?;
        if !out_request_id.is_null() {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out_request_id = ptr::null_mut() };
        }
        // SAFETY: forwarded from this function's contract (mk_get_identity_ex's).
        // `build` is the validator's pass building the view: the body is read once, and a
        // refused body fails the call with the validator's message.
        let (identity, view) = unsafe {
            fetch_identity(
                client,
                link_id,
                account_ids,
                account_ids_len,
                timeout_ms,
                cancel,
                &build,
            )
        }?;
        let view = Box::into_raw(view);
        // SAFETY: checked not NULL by `clear_out`; valid for a pointer write.
        unsafe { *out_identity = view };
        if let (false, Some(id)) = (out_request_id.is_null(), identity.request_id) {
            // SAFETY: not NULL, so by this function's contract valid for a pointer write.
            unsafe { *out_request_id = into_c_string(id) };
        }
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// The identity's root struct: `*out_root` points into the handle and is valid
/// until `mk_identity_free` (so is everything reachable from it). Read-only.
/// `MK_ERR_INVALID_ARGUMENT` (and `*out_root` NULL) when `identity` or
/// `out_root` is NULL, or when `identity` is recognisably not a live handle
/// (a best-effort check: using a freed handle is the caller's bug).
///
/// # Safety
/// `identity` must be NULL or a handle from this library not yet freed;
/// `out_root` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_identity_root(
    identity: *const MkIdentity,
    out_root: *mut *const MkIdentityResponse,
) -> i32 {
    let call = || {
        if out_root.is_null() {
            return Err(Error::invalid("out_root is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_root = ptr::null() };
        // SAFETY: by this function's contract `identity` is NULL (refused) or a live handle.
        let id = unsafe { identity.as_ref() }.ok_or_else(|| Error::invalid("identity is NULL"))?;
        if id.live != LIVE {
            return Err(Error::invalid("identity is not a live mk_identity"));
        }
        // SAFETY: checked not NULL above; valid for a pointer write.
        unsafe { *out_root = &id.root };
        Ok(())
    };
    // SAFETY: NULL: no error JSON is wanted here (the status says it all).
    unsafe { status_call(ptr::null_mut(), call) }
}

/// Frees a view and everything it handed out. NULL is a no-op. Using the
/// handle, or any pointer obtained from it, afterwards is the caller's bug.
///
/// # Safety
/// `identity` must be NULL or a handle from this library not yet freed, which
/// no other thread is reading.
#[no_mangle]
pub unsafe extern "C" fn mk_identity_free(identity: *mut MkIdentity) {
    if !identity.is_null() {
        super::boundary((), || {
            // SAFETY: by this function's contract `identity` came from `Box::into_raw`
            // in `mk_identity_parse` or `mk_get_identity_view`, is not freed yet, and
            // no other call is using it.
            let mut b = unsafe { Box::from_raw(identity) };
            // SAFETY: `b.live` is a field of a live Box: valid and aligned. Volatile so
            // the store that marks it dead is not dropped as unused before the free.
            unsafe { ptr::write_volatile(&mut b.live, 0) };
            drop(b);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(s: super::super::MkStr) -> Option<String> {
        if s.ptr.is_null() {
            return None;
        }
        // SAFETY: a present view string: `len` bytes at `ptr`, then a NUL.
        let bytes = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
        // SAFETY: as above; the NUL is at `len`.
        assert_eq!(unsafe { *s.ptr.add(s.len) }, 0);
        Some(String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Escapes (also in keys), surrogate pairs, whitespace, repeated and null map entries:
    /// the view agrees with the core's model.
    #[test]
    fn reader_edges_agree_with_the_core() {
        let body = r#" {
          "link" : { "link_id":"l\u0031\/x", "institution_id":"i", "institution_name":"\ud83d\ude00 \"q\" \\ \t",
            "institution_avatar":"", "state":"connected", "provider":"new", "available_products":[ ],
            "products": {"b": {"has_history": true}, "a": {"unavailable": "x"}, "b": null, "c": {"refreshed_at": "2023-02-16"},
                         "c": {"error_code": "unknown", "settings": {"x": [1, {"y": "}"}]}}},
            "extra": [1, 2, {"z": "]"}] },
          "accounts" : [ {"account_id":"a", "account_type":"t", "na\u006de":"N\u00e9", "balances":{"current": -1.50e2},
                          "owners":[ {"names":["x"],"addresses":[],"phone_numbers":[{"number":"1","type":"mobile","primary":false}],"emails":[]} ]} ]
        } "#;
        let core = crate::core::model::parse_identity(body).unwrap();
        let mut id = ptr::null_mut();
        // SAFETY: `body` is valid for its length; `id` is a valid out pointer.
        let rc = unsafe {
            mk_identity_parse(body.as_ptr().cast(), body.len(), &mut id, ptr::null_mut())
        };
        assert_eq!(rc, 0);
        let mut root = ptr::null();
        // SAFETY: a live handle and a valid out pointer.
        assert_eq!(unsafe { mk_identity_root(id, &mut root) }, 0);
        // SAFETY: `root` points into the live handle.
        let r = unsafe { &*root };
        assert_eq!(text(r.link.link_id).unwrap(), core.link.link_id);
        assert_eq!(
            text(r.link.institution_name).unwrap(),
            core.link.institution_name
        );
        assert_eq!(text(r.link.institution_avatar).as_deref(), Some(""));
        assert_eq!(r.link.provider_enum as i32, 0); // UNKNOWN
        assert_eq!(r.link.available_products_len, 0);
        assert!(!r.link.available_products.is_null());
        assert!(r.link.tags.is_null());
        // SAFETY: `products_len` entries at `products`, in the live handle.
        let products = unsafe { std::slice::from_raw_parts(r.link.products, r.link.products_len) };
        let keys: Vec<String> = products.iter().map(|e| text(e.key).unwrap()).collect();
        assert_eq!(keys, core.link.products.keys().cloned().collect::<Vec<_>>());
        assert_eq!(keys, ["a", "c"]); // b's last value is null: dropped
        assert!(text(products[1].value.refreshed_at.text).is_none()); // c's last value wins
        assert_eq!(
            products[1].value.error_code_enum,
            super::super::MkProductErrorCode::MkProductErrorCodeValueUnknown
        );
        assert_eq!(
            text(products[1].value.settings).unwrap(),
            r#"{"x": [1, {"y": "}"}]}"#
        );
        // SAFETY: one account in the live handle.
        let a = unsafe { &*r.accounts };
        assert_eq!(text(a.name).unwrap(), "Né");
        assert_eq!(text(a.balances.current.text).unwrap(), "-1.50e2");
        assert_eq!(a.balances.current.value, -150.0);
        assert!(a.balances.available.value.is_nan());
        // SAFETY: one owner with one phone number, in the live handle.
        let phone = unsafe { &*(*a.owners).phone_numbers };
        assert_eq!(phone.primary, super::super::MkOptBool::MkBoolFalse);
        assert_eq!(
            phone.r#type_enum,
            super::super::MkPhoneNumberType::MkPhoneNumberTypeMobile
        );
        // SAFETY: the handle is live and freed once.
        unsafe { mk_identity_free(id) };
    }

    #[test]
    fn refusals_and_misuse() {
        let mut id = 1 as *mut MkIdentity;
        let mut err = ptr::null_mut();
        // SAFETY: valid pointers; the body is 2 bytes.
        let rc = unsafe { mk_identity_parse(c"[]".as_ptr(), 2, &mut id, &mut err) };
        assert_eq!(rc, 4);
        assert!(id.is_null());
        // SAFETY: an error JSON from this library.
        let msg = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
        // SAFETY: freed once.
        unsafe { crate::ffi::mk_string_free(err) };
        assert!(msg.contains("body: expected object"), "{msg}");
        let mut root = 1 as *const MkIdentityResponse;
        // SAFETY: NULL handle, valid out pointer.
        assert_eq!(unsafe { mk_identity_root(ptr::null(), &mut root) }, 1);
        assert!(root.is_null());
    }
}

#[cfg(test)]
#[path = "view_agree_tests.rs"]
mod agree_tests;
