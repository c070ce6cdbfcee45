//! `claim_match`: the owner-match claim JSON (`Claim::from_json`) and the matcher
//! (`match_owners`, `match_owners_json`, `PreparedIdentity`, `mk_match_owners`).
//!
//! Input: the claim JSON, optionally followed by a NUL byte and an owner JSON (`{"names":
//! [...], "addresses": [...], "phone_numbers": [...], "emails": [...]}`), so the owner side is
//! fuzzed too. The claim is matched against three corpus identities (tests/corpus:
//! sandbox_ok, sandbox_unicode, sandbox_minimal, which has an account without owners) and,
//! when the owner part makes a valid identity, against one holding that owner.
//!
//! Invariants:
//! - No panic. A refused claim is `MK_ERR_INVALID_ARGUMENT` with a short message that holds no
//!   string value of 8 bytes or more from the input; `match_owners_json` and
//!   `mk_match_owners` refuse it with the same message.
//! - Matching is deterministic (twice the same result) and the same whichever way it is
//!   called: `match_owners`, `PreparedIdentity::new(..).match_claim`, `match_owners_json`,
//!   `mk_match_owners`.
//! - The result has one entry per account, in order, with its id; `owner_index` is `None`
//!   exactly for an account without owners, else one of its owners; every score is 0-100;
//!   an entry's score is `combine` of its field scores; `best` is the first entry of the
//!   highest score among accounts with owners (`None` when no account has one).

use crate::common::{assert_no_echo, error_message, json_strings, take_string, ECHO_MIN_LEN};
use moneykit::core::matching::{combine, AccountMatch, PreparedIdentity};
use moneykit::core::model::{parse_identity, IdentityResponse};
use moneykit::core::{match_owners, match_owners_json, Claim, OwnerMatch, Status};
use serde_json::{json, Value};
use std::ffi::CString;
use std::path::Path;
use std::sync::OnceLock;

/// The corpus identities every claim is matched against: (body, decoded). Read at run
/// time, so a renamed corpus file fails this target, not the workspace's build.
pub(crate) fn identities() -> &'static [(String, IdentityResponse)] {
    static IDS: OnceLock<Vec<(String, IdentityResponse)>> = OnceLock::new();
    IDS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
        [
            "sandbox_ok.json",
            "sandbox_unicode.json",
            "sandbox_minimal.json",
        ]
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let body = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let decoded = parse_identity(&body)
                .unwrap_or_else(|e| panic!("{name}: the validator refuses it: {e}"));
            (body, decoded)
        })
        .collect()
    })
}

/// An identity whose first account has `owner` as its only owner (the second has none).
fn with_owner(owner: Value) -> String {
    json!({
        "accounts": [
            {"account_id": "acc_fuzz", "account_type": "depository.checking", "name": "Fuzz",
             "balances": {}, "owners": [owner]},
            {"account_id": "acc_none", "account_type": "depository.savings", "name": "None",
             "balances": {}, "owners": []}
        ],
        "link": {"link_id": "mk_fuzz", "institution_id": "fuzz", "institution_name": "Fuzz",
                 "institution_avatar": "", "state": "connected", "provider": "moneykit",
                 "products": {}, "available_products": []}
    })
    .to_string()
}

/// The `claim_match` target.
pub fn claim_match(data: &[u8]) {
    let (claim_part, owner_part) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(claim_text) = std::str::from_utf8(claim_part) else {
        return; // mk_match_owners refuses non-UTF-8 before parsing: nothing to fuzz
    };
    let strings = json_strings(claim_part, ECHO_MIN_LEN);
    let (found, quotable) = (strings.secrets(ECHO_MIN_LEN), strings.plain_keys());
    let claim = match Claim::from_json(claim_text) {
        Ok(claim) => claim,
        Err(e) => {
            assert_eq!(e.status, Status::MkErrInvalidArgument, "{}", e.message);
            assert_no_echo("claim", &e.message, &found, &quotable);
            let (body, _) = &identities()[0];
            let again = match_owners_json(body, claim_text).expect_err("refused claim");
            assert_eq!(again, e, "match_owners_json refuses the claim the same way");
            let (rc, out, err) = c_match(body, claim_text);
            if let Some(err) = err {
                assert_eq!(rc, 1, "mk_match_owners: {err}");
                assert!(out.is_none());
                assert_eq!(error_message(&err, 1, "MK_ERR_INVALID_ARGUMENT"), e.message);
            } // else: the claim holds a NUL, which C cannot pass
            return;
        }
    };
    for (i, (body, decoded)) in identities().iter().enumerate() {
        check(body, decoded, &claim, claim_text, i == 0);
    }
    let owner = owner_part.and_then(|o| serde_json::from_slice::<Value>(o).ok());
    if let Some(owner) = owner {
        let body = with_owner(owner);
        if let Ok(decoded) = parse_identity(&body) {
            check(&body, &decoded, &claim, claim_text, true);
        }
    }
}

/// Matches an accepted claim against one identity every way, and checks the result.
fn check(body: &str, identity: &IdentityResponse, claim: &Claim, claim_text: &str, c_too: bool) {
    let m = match_owners(identity, claim);
    assert_eq!(
        m,
        match_owners(identity, claim),
        "match_owners is not deterministic"
    );
    let prepared = PreparedIdentity::new(identity);
    assert_eq!(
        prepared.match_claim(claim),
        m,
        "PreparedIdentity::new(..).match_claim differs from match_owners"
    );
    let text = m.to_json();
    let via_json = match_owners_json(body, claim_text).expect("an accepted claim and identity");
    assert_eq!(
        via_json, text,
        "match_owners_json differs from match_owners"
    );
    if c_too {
        let (rc, out, err) = c_match(body, claim_text);
        if err.is_some() || out.is_some() {
            assert_eq!(rc, 0, "mk_match_owners: {err:?}");
            assert_eq!(
                out.as_deref(),
                Some(text.as_str()),
                "mk_match_owners' result"
            );
        }
    }
    result(&m, identity);
}

/// The result's documented shape.
fn result(m: &OwnerMatch, identity: &IdentityResponse) {
    assert_eq!(
        m.accounts.len(),
        identity.accounts.len(),
        "one entry per account"
    );
    for (e, a) in m.accounts.iter().zip(&identity.accounts) {
        assert_eq!(e.account_id, a.account_id, "entries in account order");
        match e.owner_index {
            None => assert!(
                a.owners.is_empty(),
                "{}: no owner_index but owners",
                a.account_id
            ),
            Some(i) => assert!(
                i < a.owners.len(),
                "{}: owner_index {i} out of range",
                a.account_id
            ),
        }
        entry(e);
    }
    let with_owners = || {
        m.accounts
            .iter()
            .zip(&identity.accounts)
            .filter(|(_, a)| !a.owners.is_empty())
            .map(|(e, _)| e)
    };
    let top = with_owners().map(|e| e.score).max();
    let first_top = top.and_then(|t| with_owners().find(|e| e.score == t));
    assert_eq!(
        m.best.as_ref(),
        first_top,
        "best: the first entry of the highest score"
    );
}

fn entry(e: &AccountMatch) {
    let id = &e.account_id;
    let fields = [
        e.name.map(|n| n.score),
        e.email.map(|f| f.score),
        e.phone.map(|f| f.score),
        e.address.map(|a| a.score),
    ];
    for s in fields.iter().flatten().chain([&e.score]) {
        assert!(*s <= 100, "{id}: score {s} above 100: {e:?}");
    }
    if e.owner_index.is_none() {
        assert_eq!(e.score, 0, "{id}: a score without an owner");
        assert!(
            fields.iter().all(Option::is_none),
            "{id}: field scores without an owner"
        );
    }
    let [n, em, p, a] = fields;
    assert_eq!(
        e.score,
        combine(n, em, p, a),
        "{id}: score is not the combination: {e:?}"
    );
}

/// `mk_match_owners(body, claim)`: status, result JSON, error JSON; all `None` (and 0) when the
/// claim holds a NUL byte (no C string can carry it).
fn c_match(body: &str, claim: &str) -> (i32, Option<String>, Option<String>) {
    let (Ok(body), Ok(claim)) = (CString::new(body), CString::new(claim)) else {
        return (0, None, None);
    };
    let mut out = 1 as *mut std::ffi::c_char;
    let mut err = 1 as *mut std::ffi::c_char;
    // SAFETY: two NUL-terminated strings alive for the call; two valid out pointers.
    let rc = unsafe {
        moneykit::ffi::mk_match_owners(body.as_ptr(), claim.as_ptr(), &mut out, &mut err)
    };
    // SAFETY: the call wrote both: NULL or strings of the library, each taken once.
    let (out, err) = unsafe { (take_string(out), take_string(err)) };
    assert!(
        out.is_some() != err.is_some(),
        "mk_match_owners: exactly one of out_json and out_error"
    );
    (rc, out, err)
}
