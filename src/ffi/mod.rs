//! The C ABI declared by `include/moneykit.h`. This layer only converts and
//! checks: pointers, UTF-8, lengths, string ownership and the panic boundary.
//! All behaviour lives in [`crate::core`].
//!
//! Conventions (docs/C-API.md, "Functions"): every fallible function returns an `int32_t`
//! `mk_status`; output pointers are always written (NULL on the path not
//! taken); strings handed out are freed with `mk_string_free` only; nothing
//! the caller passes in is kept after the call returns.

mod batch;
mod cancel;
mod events;
mod identity;
mod matching;
mod refresh;
mod view;
mod view_gen;
mod view_read;
mod webhooks;

pub use batch::*;
pub use cancel::*;
pub use events::*;
pub use identity::*;
pub use matching::*;
pub use refresh::*;
pub use view::*;
pub use view_gen::*;
pub use view_read::{MkDecimal, MkOptBool, MkStr, MkTimestamp, MkTimestampKind};
pub use webhooks::*;

use crate::core::{self, Client, Error, Options, Status};
use once_cell::sync::Lazy;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

/// Longest accepted link id or account id, in bytes. Longer ids are
/// refused with `MK_ERR_INVALID_ARGUMENT` before any request is made.
pub const MK_MAX_ID_LEN: usize = 1024;

/// Most account ids accepted in one `mk_get_identity` call.
pub const MK_MAX_ACCOUNT_IDS: usize = 1000;

/// The version of the layout of every struct this header defines (the typed view's
/// `mk_account`, `mk_owner`, ..., and `mk_event`, `mk_batch_item`, `mk_batch_progress`)
/// and of its enums' values. Any change to them (a field added, removed, moved or
/// retyped; an enum member renumbered or removed) raises it, and only in a release
/// that also changes the soname (before 1.0 a new minor version: libmoneykit.so.0.N).
/// A new struct or enum member alone does not. Compare it with `mk_layout_version()`
/// when the library is loaded by path (`dlopen`, ctypes) rather than by the dynamic
/// linker. docs/C-API.md, "ABI rule for structs".
pub const MK_LAYOUT_VERSION: u32 = 1;

// The core enforces the limits (for Rust callers too); the header states the same numbers.
const _: () = assert!(MK_MAX_ID_LEN == crate::core::MAX_ID_LEN);
const _: () = assert!(MK_MAX_ACCOUNT_IDS == crate::core::MAX_ACCOUNT_IDS);

/// An opaque MoneyKit client. Create it with `mk_client_new`, free it with
/// `mk_client_free`. One client may be used from many threads at once; it keeps
/// one connection pool and one cached access token for all of them.
pub struct MkClient {
    inner: Client,
}

/// Runs `body`, turning a panic into `on_panic` so no unwinding crosses the C boundary.
pub fn boundary<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// Runs a fallible `body` behind the panic boundary and reports its error
/// through `out_error` (when not NULL). Returns the status code.
///
/// # Safety
/// `out_error` must be NULL or valid for one pointer write.
unsafe fn status_call(
    out_error: *mut *mut c_char,
    body: impl FnOnce() -> Result<(), Error>,
) -> i32 {
    if !out_error.is_null() {
        // SAFETY: not NULL, so by this function's contract valid for one pointer write.
        unsafe { *out_error = ptr::null_mut() };
    }
    let result = boundary(
        Err(Error::new(
            Status::MkErrInternal,
            "internal error: the library panicked (please report this bug)",
        )),
        body,
    );
    match result {
        Ok(()) => Status::MkOk.code(),
        Err(e) => {
            if !out_error.is_null() {
                // SAFETY: not NULL, so by this function's contract valid for one pointer write.
                unsafe { *out_error = into_c_string(e.to_json()) };
            }
            e.status.code()
        }
    }
}

/// Hands a Rust string to C. Our strings (JSON) never contain NUL; if one ever
/// did, it is cut there rather than failing.
fn into_c_string(s: String) -> *mut c_char {
    let c = CString::new(s).unwrap_or_else(|e| {
        let n = e.nul_position();
        let mut v = e.into_vec();
        v.truncate(n);
        CString::new(v).expect("no NUL before the first NUL")
    });
    c.into_raw()
}

/// Borrows a required C string argument as UTF-8.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string valid for the call.
unsafe fn required_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid(format!("{name} is NULL")));
    }
    // SAFETY: not NULL, so by this function's contract NUL-terminated and valid
    // for the call, which `'a` (chosen by the caller, who holds `p`) does not outlive.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::invalid(format!("{name} is not valid UTF-8")))
}

/// Borrows an optional C string argument (NULL → None).
///
/// # Safety
/// As [`required_str`].
unsafe fn optional_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: this function has the same contract as `required_str`.
        unsafe { required_str(p, name) }.map(Some)
    }
}

/// Borrows an id argument as UTF-8 and applies the core's id rule (non-empty, at
/// most `MK_MAX_ID_LEN` bytes: `core::check_id`, with its messages). The string is
/// read no further than one byte past the limit: a longer one gets the core's
/// refusal without being scanned to its end.
///
/// # Safety
/// As [`required_str`].
unsafe fn id_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::invalid(format!("{name} is NULL")));
    }
    // SAFETY: `p` is not NULL and, by this function's contract, NUL-terminated:
    // strnlen reads up to that NUL or `MK_MAX_ID_LEN + 1` bytes, whichever comes first.
    let len = unsafe { libc::strnlen(p, MK_MAX_ID_LEN + 1) };
    if len > MK_MAX_ID_LEN {
        return Err(core::id_too_long(name));
    }
    // SAFETY: strnlen found no NUL among the first `len` bytes, so all of them
    // precede the terminator and are readable; `u8` has the alignment of `c_char`;
    // `len <= MK_MAX_ID_LEN` is far below `isize::MAX`.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    let id = std::str::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{name} is not valid UTF-8")))?;
    core::check_id(id, name)?;
    Ok(id)
}

static STATUS_NAMES: Lazy<Vec<CString>> = Lazy::new(|| {
    Status::ALL
        .iter()
        .map(|s| CString::new(s.name()).expect("static names have no NUL"))
        .collect()
});

static STATUS_DESCRIPTIONS: Lazy<Vec<CString>> = Lazy::new(|| {
    Status::ALL
        .iter()
        .map(|s| CString::new(s.describe()).expect("static descriptions have no NUL"))
        .collect()
});

static UNKNOWN_STATUS: &CStr = c"unknown status";

fn status_text(table: &'static Lazy<Vec<CString>>, status: i32) -> *const c_char {
    boundary(UNKNOWN_STATUS.as_ptr(), || {
        match Status::from_code(status) {
            Some(s) => table[s.code() as usize].as_ptr(),
            None => UNKNOWN_STATUS.as_ptr(),
        }
    })
}

/// The library version, e.g. "0.1.0". Static: never NULL, never freed.
#[no_mangle]
pub extern "C" fn mk_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => panic!("version has no interior NUL"),
        };
    VERSION.as_ptr()
}

/// The `MK_LAYOUT_VERSION` of the loaded library: a program reading its structs
/// (the typed view, events, batch items and progress) must have been compiled with
/// the same value.
#[no_mangle]
pub extern "C" fn mk_layout_version() -> u32 {
    MK_LAYOUT_VERSION
}

/// The name of a status, e.g. "MK_ERR_NOT_FOUND"; "unknown status" for a
/// number outside the table. Static: never NULL, never freed.
#[no_mangle]
pub extern "C" fn mk_status_name(status: i32) -> *const c_char {
    status_text(&STATUS_NAMES, status)
}

/// A one-line English description of a status; "unknown status" for a number
/// outside the table. Static: never NULL, never freed.
#[no_mangle]
pub extern "C" fn mk_status_describe(status: i32) -> *const c_char {
    status_text(&STATUS_DESCRIPTIONS, status)
}

/// Creates a client.
///
/// `client_id` / `client_secret`: NULL means the `MONEYKIT_CLIENT_ID` /
/// `MONEYKIT_CLIENT_SECRET` environment variables (not needed when the options
/// set `access_token`). `options_json`: NULL or "{}" for all defaults, else a
/// JSON object with the keys documented in the README (unknown keys are
/// refused). All strings are copied; none is kept after the call.
///
/// On `MK_OK`, `*out_client` is the new client (free it with `mk_client_free`).
/// On error, `*out_client` is NULL and `*out_error` (if `out_error` is not NULL)
/// is an error JSON to free with `mk_string_free`.
///
/// # Safety
/// Every non-NULL string must be NUL-terminated; `out_client` must be valid for
/// a pointer write; `out_error` must be NULL or valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_client_new(
    client_id: *const c_char,
    client_secret: *const c_char,
    options_json: *const c_char,
    out_client: *mut *mut MkClient,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out_client.is_null() {
            return Err(Error::invalid("out_client is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_client = ptr::null_mut() };
        // SAFETY: by this function's contract each string is NULL or NUL-terminated,
        // and valid for this call, which the borrows do not outlive.
        let (id, secret, options_json) = unsafe {
            (
                optional_str(client_id, "client_id")?,
                optional_str(client_secret, "client_secret")?,
                optional_str(options_json, "options_json")?,
            )
        };
        let options = match options_json {
            Some(text) => Options::from_json(text)?,
            None => Options::default(),
        };
        let inner = Client::new(id, secret, options)?;
        let client = Box::into_raw(Box::new(MkClient { inner }));
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out_client = client };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

/// Frees a client and closes its connections. NULL is a no-op. Freeing a client
/// while another thread is still inside a call on it is a bug in the caller.
///
/// # Safety
/// `client` must be NULL or a pointer from `mk_client_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mk_client_free(client: *mut MkClient) {
    if !client.is_null() {
        // SAFETY: by this function's contract `client` came from `Box::into_raw` in
        // `mk_client_new`, is not freed yet, and no other call is using it.
        boundary((), || drop(unsafe { Box::from_raw(client) }));
    }
}

/// Checks that `body` (`len` bytes, UTF-8, no NUL terminator needed) is a Get
/// Identity response the library accepts: the same check `mk_get_identity`
/// runs on every 200 body, and the only one (bindings decode what it accepts
/// and reject nothing it accepts). Returns `MK_OK`, or `MK_ERR_DECODE` with an
/// error JSON whose message names the JSON path and the expected type, never a
/// value from the body (e.g. `accounts[0].owners[0].emails[0]: expected object`).
/// `MK_ERR_INVALID_ARGUMENT` when `body` is NULL.
///
/// # Safety
/// `body` must be NULL or valid for `len` reads; `out_error` NULL or valid for
/// a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_validate_identity(
    body: *const c_char,
    len: usize,
    out_error: *mut *mut c_char,
) -> i32 {
    let check = || {
        if body.is_null() {
            return Err(Error::invalid("body is NULL"));
        }
        // SAFETY: not NULL, and by this function's contract valid for `len` reads of
        // initialised bytes (so `len` fits one allocation, below `isize::MAX`); `u8`
        // has the alignment of `c_char`; the slice does not outlive this call.
        let bytes = unsafe { std::slice::from_raw_parts(body.cast::<u8>(), len) };
        crate::core::validate_identity(bytes).map_err(Error::decode)
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, check) }
}

/// Frees a string returned by this library (identity JSON or error JSON).
/// NULL is a no-op. Never pass these strings to `free()`.
///
/// # Safety
/// `s` must be NULL or a string from this library not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mk_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: by this function's contract `s` came from `into_c_string`
        // (`CString::into_raw`) and is not freed yet.
        boundary((), || drop(unsafe { CString::from_raw(s) }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_turns_panics_into_the_fallback() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let v = boundary(7, || -> i32 { panic!("boom") });
        std::panic::set_hook(prev);
        assert_eq!(v, 7);
        assert_eq!(boundary(7, || 3), 3);
    }

    #[test]
    fn status_call_reports_panics_as_internal() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let mut err: *mut c_char = ptr::null_mut();
        // SAFETY: `err` is a local, valid for a pointer write.
        let rc = unsafe { status_call(&mut err, || panic!("boom")) };
        std::panic::set_hook(prev);
        assert_eq!(rc, Status::MkErrInternal.code());
        // SAFETY: status_call wrote an error JSON from `into_c_string`: NUL-terminated.
        let json = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
        // SAFETY: `err` came from this library and is freed once.
        unsafe { mk_string_free(err) };
        assert!(json.contains("\"MK_ERR_INTERNAL\""), "{json}");
    }

    #[test]
    fn status_names() {
        let name = |s| {
            // SAFETY: mk_status_name returns a static NUL-terminated string.
            unsafe { CStr::from_ptr(mk_status_name(s)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0), "MK_OK");
        assert_eq!(name(7), "MK_ERR_NOT_FOUND");
        assert_eq!(name(13), "MK_ERR_INTERNAL");
        assert_eq!(name(14), "MK_ERR_CANCELLED");
        assert_eq!(name(15), "MK_ERR_SIGNATURE");
        assert_eq!(name(16), "unknown status");
        assert_eq!(name(-1), "unknown status");
        assert_eq!(name(i32::MIN), "unknown status");
        let describe = |s| {
            // SAFETY: mk_status_describe returns a static NUL-terminated string.
            unsafe { CStr::from_ptr(mk_status_describe(s)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(describe(99), "unknown status");
        assert_eq!(describe(7), "link not found");
    }

    #[test]
    fn into_c_string_cuts_at_nul() {
        let p = into_c_string("ab\0cd".into());
        // SAFETY: `p` came from `into_c_string`: NUL-terminated, not freed yet.
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), "ab");
        // SAFETY: `p` came from `into_c_string` and is freed once.
        unsafe { mk_string_free(p) };
    }
}
