//! The limits on ids (docs/C-API.md, "Functions"): every entry point refuses the
//! same ids with the same `MK_ERR_INVALID_ARGUMENT` message before any request,
//! whether it is reached from Rust or through the C ABI (which only reads a C
//! string no further than the limit and hands over to these checks).

use crate::core::Error;

/// Longest link id or account id, in bytes (the C header's `MK_MAX_ID_LEN`).
///
/// cbindgen:ignore
pub const MAX_ID_LEN: usize = 1024;

/// Most account ids in one identity call (the C header's `MK_MAX_ACCOUNT_IDS`).
///
/// cbindgen:ignore
pub const MAX_ACCOUNT_IDS: usize = 1000;

/// The refusal of an id longer than [`MAX_ID_LEN`]; `name` says which argument
/// (`link_id`, `account id`, `link_ids[3]`).
pub(crate) fn id_too_long(name: &str) -> Error {
    Error::invalid(format!("{name} is longer than {MAX_ID_LEN} bytes"))
}

/// A link or account id: not empty, at most [`MAX_ID_LEN`] bytes.
pub(crate) fn check_id(id: &str, name: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::invalid(format!("{name} is empty")));
    }
    if id.len() > MAX_ID_LEN {
        return Err(id_too_long(name));
    }
    Ok(())
}

/// At most [`MAX_ACCOUNT_IDS`] account ids.
pub(crate) fn check_account_id_count(count: usize) -> Result<(), Error> {
    if count > MAX_ACCOUNT_IDS {
        return Err(Error::invalid(format!(
            "more than {MAX_ACCOUNT_IDS} account ids"
        )));
    }
    Ok(())
}

/// An identity call's ids: the link id, then how many account ids, then each of
/// them, then the link id's dot rule (the order the C layer has always checked in).
pub(super) fn check_identity_ids(link_id: &str, account_ids: &[&str]) -> Result<(), Error> {
    check_id(link_id, "link_id")?;
    check_account_id_count(account_ids.len())?;
    for id in account_ids {
        check_id(id, "account id")?;
    }
    check_not_dots(link_id)
}

/// A link id on its own (the refresh request, refresh and wait).
pub(crate) fn check_link_id(link_id: &str) -> Result<(), Error> {
    check_id(link_id, "link_id")?;
    check_not_dots(link_id)
}

/// `.` and `..` are refused: a normalising proxy would turn
/// `/links/%2E%2E/identity` into another endpoint.
fn check_not_dots(link_id: &str) -> Result<(), Error> {
    match link_id {
        "." | ".." => Err(Error::invalid("link_id must not be \".\" or \"..\"")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Status;

    fn message(r: Result<(), Error>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.status, Status::MkErrInvalidArgument);
        e.message
    }

    #[test]
    fn the_limits_and_their_messages() {
        let longest = "a".repeat(MAX_ID_LEN);
        let over = "a".repeat(MAX_ID_LEN + 1);
        assert!(check_link_id(&longest).is_ok());
        assert_eq!(
            message(check_link_id(&over)),
            "link_id is longer than 1024 bytes"
        );
        assert_eq!(message(check_link_id("")), "link_id is empty");
        assert_eq!(
            message(check_link_id("..")),
            "link_id must not be \".\" or \"..\""
        );
        let many = vec!["a"; MAX_ACCOUNT_IDS + 1];
        assert!(check_identity_ids("l", &many[..MAX_ACCOUNT_IDS]).is_ok());
        assert_eq!(
            message(check_identity_ids("l", &many)),
            "more than 1000 account ids"
        );
        assert_eq!(
            message(check_identity_ids("l", &["a", over.as_str()])),
            "account id is longer than 1024 bytes"
        );
        assert_eq!(
            message(check_identity_ids("l", &["a", ""])),
            "account id is empty"
        );
        // The C layer's order: account ids before the dot rule.
        assert_eq!(
            message(check_identity_ids("..", &[""])),
            "account id is empty"
        );
        // A multi-byte character is counted in bytes.
        assert!(check_id(&"é".repeat(MAX_ID_LEN / 2), "x").is_ok());
        assert!(check_id(&"é".repeat(MAX_ID_LEN / 2 + 1), "x").is_err());
    }
}
