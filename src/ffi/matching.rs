//! `mk_match_owners`: argument checks and conversion only; the matching is
//! `crate::core::matching`.

use super::{into_c_string, status_call};
use crate::core::{match_owners_json, Error};
use std::ffi::{c_char, CStr};
use std::ptr;

/// Longest claim value (`name`, `email`, `phone`, each address part) that
/// `mk_match_owners` accepts, in bytes. Owner values longer than this score 0.
pub const MK_MAX_CLAIM_VALUE_LEN: usize = 1024;

/// Compares a claim with the owners of a Get Identity response, offline (no
/// request, no client, nothing logged): does this account belong to the
/// person the caller's user claims to be?
///
/// `identity_json`: a Get Identity response body (what `mk_get_identity`
/// returns); a body the validator refuses is `MK_ERR_DECODE` with its
/// `<path>: <problem>` message. `claim_json`: `{"name": ..., "email": ...,
/// "phone": ..., "address": {"street": ..., "city": ..., "region": ...,
/// "postal_code": ..., "country": ...}}`, every key optional (null or blank
/// means not given), at least one of the four given; unknown keys, wrong
/// types, values over `MK_MAX_CLAIM_VALUE_LEN` bytes and unusable values (a name without letters,
/// a phone without 7 digits) are `MK_ERR_INVALID_ARGUMENT`.
///
/// On `MK_OK`, `*out_json` is the result JSON (docs/C-API.md, "Owner match"):
/// `{"best": <entry or null>, "accounts": [{"account_id", "owner_index",
/// "score", "name": {"score", "nickname", "first_or_last_only", "business"},
/// "email": {"score"}, "phone": {"score"}, "address": {"score",
/// "postal_code_match"}}]}` with scores 0-100 (at least 80: the same value
/// written differently; below 50: a different value). On error `*out_json` is
/// NULL and `*out_error` (if not NULL) an error JSON whose message never holds
/// a claimed or owner value. Free both with `mk_string_free`.
///
/// # Safety
/// `identity_json` and `claim_json` must be NULL or NUL-terminated and valid
/// for the call; `out_json` valid for a pointer write; `out_error` NULL or
/// valid for a pointer write.
#[no_mangle]
pub unsafe extern "C" fn mk_match_owners(
    identity_json: *const c_char,
    claim_json: *const c_char,
    out_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> i32 {
    let call = || {
        if out_json.is_null() {
            return Err(Error::invalid("out_json is NULL"));
        }
        // SAFETY: not NULL, so by this function's contract valid for a pointer write.
        unsafe { *out_json = ptr::null_mut() };
        if identity_json.is_null() {
            return Err(Error::invalid("identity_json is NULL"));
        }
        // SAFETY: by this function's contract `claim_json` is NULL (refused by
        // `required_str`) or NUL-terminated and valid for this call.
        let claim = unsafe { super::required_str(claim_json, "claim_json") }?;
        // SAFETY: not NULL (checked above), so by this function's contract
        // NUL-terminated and valid for this call, which the borrow does not outlive.
        let identity = unsafe { CStr::from_ptr(identity_json) }
            .to_str()
            .map_err(|_| Error::decode("body is not UTF-8"))?;
        let json = match_owners_json(identity, claim)?;
        // SAFETY: checked not NULL above; valid for a pointer write by this function's contract.
        unsafe { *out_json = into_c_string(json) };
        Ok(())
    };
    // SAFETY: by this function's contract `out_error` is NULL or valid for a pointer write.
    unsafe { status_call(out_error, call) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_constant_is_the_core_limit() {
        assert_eq!(
            super::MK_MAX_CLAIM_VALUE_LEN,
            crate::core::matching::MAX_VALUE_LEN
        );
    }
}
