//! Cancel handles (`mk_cancel`): one thread passes a handle to
//! `mk_get_identity_ex`, another triggers it to stop that call.

use super::{boundary, status_call};
use crate::core::{CancelToken, Error};
use std::ffi::c_char;

/// An opaque cancel handle. Create it with `mk_cancel_new`, pass it to any
/// number of calls (`mk_get_identity_ex`), trigger it from any thread with
/// `mk_cancel_trigger`, free it with `mk_cancel_free` once no call using it is
/// still running. A triggered handle stays triggered: use a new one per call.
pub struct MkCancel {
    pub(super) token: CancelToken,
}

/// Creates a cancel handle in `*out`.
///
/// # Safety
/// `out` valid for a pointer write; `out_error` NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_cancel_new(
    out: *mut *mut MkCancel,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out.is_null() {
            return Err(Error::invalid("out is NULL"));
        }
        let handle = Box::into_raw(Box::new(MkCancel {
            token: CancelToken::new(),
        }));
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out = handle };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Cancels every call using `cancel`: each returns `MK_ERR_CANCELLED` within
/// about 100 ms. Safe from any thread, any number of times; NULL is a no-op.
///
/// # Safety
/// `cancel` NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mk_cancel_trigger(cancel: *const MkCancel) {
    // SAFETY: by this function's contract NULL or a live handle.
    if let Some(c) = unsafe { cancel.as_ref() } {
        c.token.cancel();
    }
}

/// Frees a cancel handle; NULL is a no-op. Freeing a handle that a running
/// call still uses is a caller bug.
///
/// # Safety
/// `cancel` NULL or a handle from `mk_cancel_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mk_cancel_free(cancel: *mut MkCancel) {
    if !cancel.is_null() {
        // SAFETY: by this function's contract a live handle from Box::into_raw, freed once.
        boundary((), || drop(unsafe { Box::from_raw(cancel) }));
    }
}
