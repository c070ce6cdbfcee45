//! The one-link commands: `identity`, `refresh` and `match`. The result goes to
//! stdout (a body or a JSON document); a failure prints the error JSON on stderr.

use crate::common::{self, EXIT_OK};
use crate::{Connection, IdentityArgs, MatchArgs, RefreshArgs};
use moneykit::core::refresh::{refresh_identity, RefreshOptions};
use moneykit::core::{match_owners_json, CallControl, Client};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

fn control() -> CallControl {
    CallControl {
        deadline: None,
        cancel: Some(common::cancel_token()),
    }
}

fn with_client(conn: &Connection, f: impl FnOnce(&Client) -> u8) -> u8 {
    match common::client(conn) {
        Ok(c) => f(&c),
        Err(e) => common::report("cannot create the client", &e),
    }
}

fn print(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    let ended = text.ends_with('\n');
    match out
        .write_all(text.as_bytes())
        .and_then(|()| if ended { Ok(()) } else { out.write_all(b"\n") })
        .and_then(|()| out.flush())
    {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("moneykit: cannot write to stdout: {e}");
            common::EXIT_FAILED
        }
    }
}

/// `moneykit identity LINK [--account ID]...`: the body, exactly as sent.
pub fn identity(conn: &Connection, args: &IdentityArgs) -> u8 {
    with_client(conn, |client| {
        let accounts: Vec<&str> = args.accounts.iter().map(String::as_str).collect();
        match client.get_identity_with(&args.link, &accounts, &control()) {
            Ok(identity) => print(&identity.body),
            Err(e) => common::report_json(&e),
        }
    })
}

/// `moneykit refresh LINK [--wait [SECS]] [--stale]`.
pub fn refresh(conn: &Connection, args: &RefreshArgs) -> u8 {
    with_client(conn, |client| {
        let Some(wait) = args.wait else {
            return match client.request_refresh(&args.link, &["identity"], &control()) {
                Ok(request_id) => {
                    let id = request_id.map_or(String::new(), |r| format!(" (request id {r})"));
                    eprintln!(
                        "moneykit: identity refresh of {} requested{id}; \
                         `moneykit refresh LINK --wait` also waits for it",
                        args.link
                    );
                    EXIT_OK
                }
                Err(e) => common::report_json(&e),
            };
        };
        let options = RefreshOptions {
            time_scale: conn.time_scale,
            ..RefreshOptions::default()
        };
        let token = common::cancel_token();
        match refresh_identity(
            client,
            &args.link,
            Duration::from_secs_f64(wait),
            &options,
            Some(&token),
        ) {
            Ok(identity) => print(&identity.body),
            Err(not_fresh) => {
                let code = common::report_json(&not_fresh.error);
                if let (true, Some(stale)) = (args.stale, &not_fresh.stale) {
                    print(stale);
                }
                code
            }
        }
    })
}

/// The largest claim file read: a claim is a few hundred bytes.
const MAX_CLAIM_BYTES: u64 = 1 << 20;

/// The claim JSON in `path` (`-`: standard input); an exit code when it cannot be read
/// (1) or is not a claim's text (2). Never its content in a message: owner data.
fn read_claim(path: &Path) -> Result<String, u8> {
    let from = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_CLAIM_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        File::open(path).and_then(|f| f.take(MAX_CLAIM_BYTES + 1).read_to_end(&mut bytes))
    };
    if let Err(e) = read {
        eprintln!("moneykit: cannot read the claim from {from}: {e}");
        return Err(common::EXIT_FAILED);
    }
    if bytes.len() as u64 > MAX_CLAIM_BYTES {
        eprintln!("moneykit: the claim in {from} is larger than 1 MiB; a claim is one JSON object");
        return Err(common::EXIT_USAGE);
    }
    String::from_utf8(bytes).map_err(|_| {
        eprintln!("moneykit: the claim in {from} is not UTF-8 text; a claim is one JSON object");
        common::EXIT_USAGE
    })
}

/// `moneykit match LINK --claim-file FILE | --claim JSON | --name ... --email ...`: the
/// match JSON (docs/C-API.md, "Owner match") of the link's identity against the claim.
pub fn match_owners(conn: &Connection, args: &MatchArgs) -> u8 {
    let claim = match (&args.claim, &args.claim_file) {
        (Some(json), _) => json.clone(),
        (None, Some(path)) => match read_claim(path) {
            Ok(json) => json,
            Err(code) => return code,
        },
        (None, None) => claim_json(args),
    };
    with_client(conn, |client| {
        let body = match client.get_identity_with(&args.link, &[], &control()) {
            Ok(identity) => identity.body,
            Err(e) => return common::report_json(&e),
        };
        match match_owners_json(&body, &claim) {
            Ok(result) => print(&result),
            // A refused claim is a usage error (2); its message names the key, never a value.
            Err(e) => common::report_json(&e),
        }
    })
}

/// The claim JSON from the separate flags.
fn claim_json(args: &MatchArgs) -> String {
    let mut claim = Map::new();
    let put = |map: &mut Map<String, Value>, key: &str, v: &Option<String>| {
        if let Some(v) = v {
            map.insert(key.to_string(), Value::String(v.clone()));
        }
    };
    put(&mut claim, "name", &args.name);
    put(&mut claim, "email", &args.email);
    put(&mut claim, "phone", &args.phone);
    let mut address = Map::new();
    put(&mut address, "street", &args.street);
    put(&mut address, "city", &args.city);
    put(&mut address, "region", &args.region);
    put(&mut address, "postal_code", &args.postal_code);
    put(&mut address, "country", &args.country);
    if !address.is_empty() {
        claim.insert("address".to_string(), Value::Object(address));
    }
    Value::Object(claim).to_string()
}
