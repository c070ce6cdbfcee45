//! The one-link commands: `identity`, `refresh` and `match`. The result goes to
//! stdout (a body or a JSON document); a failure prints the error JSON on stderr.

use crate::args::{IdentityArgs, MatchArgs, RefreshArgs};
use crate::common::{self, Conn, EXIT_NO_MATCH, EXIT_OK};
use moneykit::core::refresh::{refresh_identity, RefreshOptions};
use moneykit::core::{match_owners_json, CallControl, Client};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

pub fn control() -> CallControl {
    CallControl {
        deadline: None,
        cancel: Some(common::cancel_token()),
    }
}

fn with_client(conn: Conn<'_>, f: impl FnOnce(&Client) -> u8) -> u8 {
    match common::client(conn) {
        Ok(c) => f(&c),
        Err(code) => code,
    }
}

/// `text` and a newline (unless it ends with one) on stdout, flushed; the exit code.
pub fn print(text: &str) -> u8 {
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
pub fn identity(conn: Conn<'_>, args: &IdentityArgs) -> u8 {
    with_client(conn, |client| {
        let accounts: Vec<&str> = args.accounts.iter().map(String::as_str).collect();
        match client.get_identity_with(&args.link, &accounts, &control()) {
            Ok(identity) => print(&identity.body),
            Err(e) => common::report_json(&e),
        }
    })
}

/// `moneykit refresh LINK [--wait [SECS]] [--stale]`.
pub fn refresh(conn: Conn<'_>, args: &RefreshArgs) -> u8 {
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
            time_scale: args.pace.time_scale,
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
pub fn match_owners(conn: Conn<'_>, args: &MatchArgs) -> u8 {
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
            Ok(result) => match with_verdict(&result, args.min_score) {
                Some((line, true)) => print(&line),
                Some((line, false)) => match print(&line) {
                    EXIT_OK => EXIT_NO_MATCH,
                    code => code,
                },
                None => {
                    eprintln!("moneykit: the match result is not a JSON object with a best entry");
                    common::EXIT_FAILED
                }
            },
            // A refused claim is a usage error (2); its message names the key, never a value.
            Err(e) => common::report_json(&e),
        }
    })
}

/// The match JSON with `"verdict"` (`"match"` when the best entry scores at least
/// `min_score`, else `"no_match"`, also when there is no best entry) and `"min_score"`
/// first, on one line; and whether it is a match. `None` when `result` is not an object.
fn with_verdict(result: &str, min_score: u8) -> Option<(String, bool)> {
    let value: Value = serde_json::from_str(result).ok()?;
    let object = value.as_object()?;
    let best = object.get("best")?;
    let score = best.get("score").and_then(Value::as_i64);
    let matched = score.is_some_and(|s| s >= i64::from(min_score));
    let verdict = if matched { "match" } else { "no_match" };
    // The core's JSON, as it is (its key order kept), after the two new keys.
    let rest = result.trim().strip_prefix('{')?.trim_start();
    let sep = if rest.starts_with('}') { "" } else { "," };
    let line = format!("{{\"verdict\":\"{verdict}\",\"min_score\":{min_score}{sep}{rest}");
    Some((line.replace(['\n', '\r'], " "), matched))
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

#[cfg(test)]
mod tests {
    use super::with_verdict;

    #[test]
    fn verdicts() {
        let r = r#"{"best":{"score":80,"name":{"score":80}},"accounts":[]}"#;
        let (line, yes) = with_verdict(r, 80).unwrap();
        assert!(yes);
        assert_eq!(
            line,
            r#"{"verdict":"match","min_score":80,"best":{"score":80,"name":{"score":80}},"accounts":[]}"#
        );
        let (line, yes) = with_verdict(r, 81).unwrap();
        assert!(!yes && line.starts_with(r#"{"verdict":"no_match","min_score":81,"best""#));
        let (line, yes) = with_verdict(r#"{"best":null,"accounts":[]}"#, 0).unwrap();
        assert!(!yes, "{line}");
        assert!(with_verdict("[1]", 0).is_none());
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["verdict"], "no_match");
    }
}
