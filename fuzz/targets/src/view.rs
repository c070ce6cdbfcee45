//! Reading the typed C view (`mk_identity_parse`, `mk_identity_root`, `mk_identity_free`)
//! from Rust, as a C caller would, with the view's documented rules checked on the way
//! (docs/C-API.md, "Typed view"): a present string is `len` bytes then a NUL, an absent one
//! a NULL pointer; a list is NULL only when absent.

use moneykit::ffi::{
    mk_identity_free, mk_identity_parse, mk_identity_root, MkIdentity, MkIdentityResponse, MkStr,
};
use std::ptr;

/// A view handle, freed on drop.
pub struct View(*mut MkIdentity);

impl View {
    /// `mk_identity_parse(data)`: the status, the handle on `MK_OK`, the error JSON otherwise.
    pub fn parse(data: &[u8]) -> (i32, Option<View>, Option<String>) {
        let mut id = 1 as *mut MkIdentity; // garbage: the call must overwrite it
        let mut err = 1 as *mut std::ffi::c_char;
        // SAFETY: `data` is valid for `data.len()` reads; both out pointers are valid writes.
        let rc = unsafe { mk_identity_parse(data.as_ptr().cast(), data.len(), &mut id, &mut err) };
        // SAFETY: the call wrote `err`: NULL or an error JSON of the library, taken once.
        let err = unsafe { crate::common::take_string(err) };
        if rc == 0 {
            assert!(!id.is_null(), "MK_OK without a handle");
            assert!(err.is_none(), "MK_OK with an error JSON: {err:?}");
            (rc, Some(View(id)), None)
        } else {
            assert!(id.is_null(), "status {rc} left *out_identity non-NULL");
            assert!(err.is_some(), "status {rc} without an error JSON");
            (rc, None, err)
        }
    }

    /// The root struct, alive as long as `self`.
    pub fn root(&self) -> &MkIdentityResponse {
        let mut root = ptr::null();
        // SAFETY: `self.0` is a live handle; `root` a valid out pointer.
        assert_eq!(unsafe { mk_identity_root(self.0, &mut root) }, 0);
        assert!(!root.is_null());
        // SAFETY: not NULL; points into the live handle, which `self`'s borrow keeps alive.
        unsafe { &*root }
    }
}

impl Drop for View {
    fn drop(&mut self) {
        // SAFETY: a live handle from `mk_identity_parse`, freed once, nothing borrows it now.
        unsafe { mk_identity_free(self.0) };
    }
}

/// A view string's bytes (`None` for NULL), after checking its NUL terminator.
pub fn bytes(s: &MkStr) -> Option<&[u8]> {
    if s.ptr.is_null() {
        assert_eq!(s.len, 0, "an absent string with len {}", s.len);
        return None;
    }
    // SAFETY: a present view string: `len` bytes at `ptr`, then a NUL, alive with the view
    // that `s` borrows from.
    let b = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len + 1) };
    assert_eq!(b[s.len], 0, "a view string without its NUL");
    Some(&b[..s.len])
}

/// A view list (`None` for a NULL pointer, which must then have length 0), borrowed as long
/// as `_holder`, the view struct that holds the pointer.
pub fn list<H, T>(_holder: &H, p: *const T, len: usize) -> Option<&[T]> {
    if p.is_null() {
        assert_eq!(len, 0, "a NULL list of length {len}");
        return None;
    }
    // SAFETY: a present view list: `len` items at `p`, alive as long as the view, which
    // outlives `_holder` (a struct inside it).
    Some(unsafe { std::slice::from_raw_parts(p, len) })
}
