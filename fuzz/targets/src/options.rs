//! `options`: the client options JSON (`mk_client_new`'s `options_json`), parsed by
//! `Options::from_json` and then resolved and checked by `Client::new`, as `mk_client_new`
//! does (client id and secret given, so the environment's credentials play no part).
//!
//! Invariants:
//! - No panic; every refusal is `MK_ERR_INVALID_ARGUMENT` with a short message.
//! - No message (of either step) holds a string value of 8 bytes or more from the input, nor
//!   the `access_token`'s value in any type (a number included), repeated keys' values too.
//! - `Debug` of the parsed options and of the client never shows the access token or the
//!   `coordination_url` (it may hold a password) (unless it
//!   is the field names' own text, or another option holds it too) nor the client secret.
//! - Only a JSON object whose keys are all documented options, or blank text, is accepted.
//!
//! `ca_file` names a file that `Client::new` reads: a value that passes the option's text
//! checks is replaced by a path that does not exist, so the fuzzer never reads (or blocks on)
//! a file of this machine; the refusal paths of the option stay covered.

use crate::common::{assert_no_echo, echoed, json_strings, ECHO_MIN_LEN};
use moneykit::core::{Client, Options, Status, OPTION_KEYS};
use serde_json::Value;

/// The client secret given to `Client::new` (never shown by its `Debug`).
const SECRET: &str = "fuzz-client-secret";

/// What `ca_file` is replaced with (see the module doc).
const MISSING_CA_FILE: &str = "/nonexistent/moneykit-fuzz/ca.pem";

/// The `options` target.
pub fn options(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // mk_client_new refuses non-UTF-8 before parsing: nothing to fuzz
    };
    let strings = json_strings(data, ECHO_MIN_LEN);
    let (found, quotable) = (strings.secrets(ECHO_MIN_LEN), strings.plain_keys());
    let parsed = Options::from_json(text);
    let mut opts = match parsed {
        Err(e) => {
            assert_eq!(e.status, Status::MkErrInvalidArgument, "{}", e.message);
            assert!(
                e.message.starts_with("options JSON: "),
                "options JSON errors start so: {:?}",
                e.message
            );
            assert_no_echo("options", &e.message, &found, &quotable);
            return;
        }
        Ok(opts) => opts,
    };
    // Accepted: blank, or an object of documented keys only.
    if !text.trim().is_empty() {
        let v: Value = serde_json::from_str(text).expect("accepted options are JSON");
        let o = v.as_object().expect("accepted options are an object");
        for key in o.keys() {
            assert!(
                OPTION_KEYS.contains(&key.as_str()),
                "an unknown option {key:?} was accepted"
            );
        }
    }
    // The token as a candidate for the Debug checks: at least 8 bytes, and not also part of
    // another string of the input (Debug shows base_url, user_agent, ...).
    let values = &strings.values;
    // The coordination URL (it may hold Redis's password) is a secret the same way.
    let token: Vec<String> = [&opts.access_token, &opts.coordination_url]
        .into_iter()
        .flatten()
        .map(|t| t.expose().to_string())
        .filter(|t| t.len() >= ECHO_MIN_LEN)
        .filter(|t| values.iter().filter(|v| v.contains(t.as_str())).count() <= 1)
        .collect();
    let shown = format!("{opts:?}");
    if let Some(t) = echoed(&shown, &token, &[]) {
        panic!("Debug of the options shows a secret {t:?}: {shown}");
    }
    if let Some(path) = &opts.ca_file {
        let refused_anyway =
            path.is_empty() || path.len() > 8192 || path.chars().any(char::is_control);
        if !refused_anyway {
            opts.ca_file = Some(MISSING_CA_FILE.to_string());
        }
    }
    match Client::new(Some("fuzz-client-id"), Some(SECRET), opts) {
        Ok(client) => {
            let shown = format!("{client:?}");
            assert!(
                !shown.contains(SECRET),
                "Debug of the client shows the secret: {shown}"
            );
            if let Some(t) = echoed(&shown, &token, &[]) {
                panic!("Debug of the client shows a secret {t:?}: {shown}");
            }
        }
        Err(e) => {
            assert_eq!(e.status, Status::MkErrInvalidArgument, "{}", e.message);
            assert_no_echo("options (Client::new)", &e.message, &found, &quotable);
        }
    }
}
