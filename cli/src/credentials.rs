//! The credentials file (`--credentials-file FILE`, `-` for standard input): the CLI never
//! takes a secret as a flag, since every user of the machine sees a process's arguments in
//! `ps`. Two forms, told apart by the first character that is not white space:
//!
//! - JSON: `{"client_id": "...", "client_secret": "..."}` (or `"access_token"`), string
//!   values, no other key, no key twice;
//! - lines `KEY=VALUE` as in an environment file: `MONEYKIT_CLIENT_ID`,
//!   `MONEYKIT_CLIENT_SECRET`, `MONEYKIT_ACCESS_TOKEN` (or the lower-case JSON names), an
//!   optional `export ` first, the value trimmed and one pair of surrounding quotes
//!   removed; blank lines and `#` comments skipped; no key twice.
//!
//! Either a client id and secret, or an access token (with an optional client id, which
//! the webhook verifier sends to fetch the keys). Messages name a line and what is wrong,
//! never a key or value from the file.

use std::fmt;

/// The largest credentials file read.
pub const MAX_CREDENTIALS_BYTES: usize = 64 * 1024;

/// Credentials read from a file. `Debug` shows which are set, never their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub access_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| v.as_ref().map(|_| "<set>");
        f.debug_struct("Credentials")
            .field("client_id", &shown(&self.client_id))
            .field("client_secret", &shown(&self.client_secret))
            .field("access_token", &shown(&self.access_token))
            .finish()
    }
}

const EXPECTED: &str = "expected client_id and client_secret, or access_token \
    (JSON keys, or MONEYKIT_CLIENT_ID=, MONEYKIT_CLIENT_SECRET=, MONEYKIT_ACCESS_TOKEN= lines)";

/// Parses a credentials file's bytes (see the module documentation).
pub fn parse_credentials(bytes: &[u8]) -> Result<Credentials, String> {
    if bytes.len() > MAX_CREDENTIALS_BYTES {
        return Err(format!(
            "larger than {} KiB; {EXPECTED}",
            MAX_CREDENTIALS_BYTES / 1024
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let c = if text.trim_start().starts_with('{') {
        json(text)?
    } else {
        lines(text)?
    };
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    let empty = [&c.client_id, &c.client_secret, &c.access_token]
        .iter()
        .any(|v| v.as_deref() == Some(""));
    if empty {
        return Err(format!("a value is empty; {EXPECTED}"));
    }
    match (
        present(&c.client_id),
        present(&c.client_secret),
        present(&c.access_token),
    ) {
        (true, true, false) | (_, false, true) => Ok(c),
        (_, true, true) => Err(format!(
            "both a client secret and an access token: give one; {EXPECTED}"
        )),
        (false, true, false) => Err(format!("a client secret without a client id; {EXPECTED}")),
        (true, false, false) => Err(format!("a client id without a client secret; {EXPECTED}")),
        (false, false, false) => Err(format!("no credentials in it; {EXPECTED}")),
    }
}

fn json(text: &str) -> Result<Credentials, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        // serde_json's message may quote the input: only the position.
        format!(
            "not valid JSON (line {}, column {}); {EXPECTED}",
            e.line(),
            e.column()
        )
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(format!("not a JSON object; {EXPECTED}"));
    };
    // A key given twice: serde_json keeps the last; count the keys in the text to refuse
    // it (keys are plain names here, so their quoted forms are found as written).
    let mut c = Credentials::default();
    for (key, v) in map {
        let slot = match key.as_str() {
            "client_id" => &mut c.client_id,
            "client_secret" => &mut c.client_secret,
            "access_token" => &mut c.access_token,
            _ => return Err(format!("an unknown key in the JSON object; {EXPECTED}")),
        };
        if text.matches(&format!("\"{key}\"")).count() > 1 {
            return Err(format!("a key given twice; {EXPECTED}"));
        }
        let serde_json::Value::String(s) = v else {
            return Err(format!("a value that is not a string; {EXPECTED}"));
        };
        *slot = Some(s);
    }
    Ok(c)
}

fn lines(text: &str) -> Result<Credentials, String> {
    let mut c = Credentials::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {n}: not KEY=VALUE; {EXPECTED}"));
        };
        let slot = match key.trim() {
            "MONEYKIT_CLIENT_ID" | "client_id" => &mut c.client_id,
            "MONEYKIT_CLIENT_SECRET" | "client_secret" => &mut c.client_secret,
            "MONEYKIT_ACCESS_TOKEN" | "access_token" => &mut c.access_token,
            _ => return Err(format!("line {n}: an unknown key; {EXPECTED}")),
        };
        if slot.is_some() {
            return Err(format!("line {n}: a key given twice; {EXPECTED}"));
        }
        let value = value.trim();
        let value = ['"', '\'']
            .iter()
            .find_map(|&q| {
                value
                    .strip_prefix(q)
                    .and_then(|v| v.strip_suffix(q))
                    .filter(|_| value.len() >= 2)
            })
            .unwrap_or(value);
        if value.chars().any(char::is_control) {
            return Err(format!("line {n}: a control character in the value"));
        }
        *slot = Some(value.to_string());
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Credentials {
        parse_credentials(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn both_forms() {
        let want = Credentials {
            client_id: Some("id1".into()),
            client_secret: Some("s3cret".into()),
            access_token: None,
        };
        assert_eq!(
            ok(r#" {"client_id": "id1", "client_secret": "s3cret"} "#),
            want
        );
        assert_eq!(
            ok("\u{feff}# MoneyKit\nexport MONEYKIT_CLIENT_ID=id1\n\nMONEYKIT_CLIENT_SECRET = \"s3cret\"\n"),
            want
        );
        assert_eq!(ok("client_id='id1'\r\nclient_secret=s3cret"), want);
        let token = ok(r#"{"access_token": "tok"}"#);
        assert_eq!(token.access_token.as_deref(), Some("tok"));
        let token = ok("MONEYKIT_ACCESS_TOKEN=tok\nMONEYKIT_CLIENT_ID=id1\n");
        assert_eq!(token.client_id.as_deref(), Some("id1"));
        assert!(!format!("{want:?}").contains("s3cret"));
    }

    #[test]
    fn refusals_never_quote_the_file() {
        for bad in [
            "",
            "# nothing\n",
            "MONEYKIT_CLIENT_ID=s3cret\n",
            "MONEYKIT_CLIENT_SECRET=s3cret\n",
            "MONEYKIT_CLIENT_ID=a\nMONEYKIT_CLIENT_ID=s3cret\nMONEYKIT_CLIENT_SECRET=b\n",
            "MONEYKIT_CLIENT_SECERT=s3cret\n",
            "s3cret\n",
            "MONEYKIT_CLIENT_ID=a\nMONEYKIT_CLIENT_SECRET=\n",
            "MONEYKIT_CLIENT_ID=a\nMONEYKIT_CLIENT_SECRET=b\nMONEYKIT_ACCESS_TOKEN=s3cret\n",
            r#"{"client_id": "a", "client_secret": 5}"#,
            r#"{"client_id": "a", "client_secret": "s3cret", "client_secret": "b"}"#,
            r#"{"client_id": "a", "s3cret": "b"}"#,
            r#"{"client_id": "a", "client_secret": "s3cret""#,
            r#"["s3cret"]"#,
        ] {
            let e = parse_credentials(bad.as_bytes()).unwrap_err();
            assert!(!e.contains("s3cret"), "{bad}: {e}");
            assert!(e.contains("client_id"), "{bad}: {e}");
        }
        let e = parse_credentials(b"MONEYKIT_CLIENT_ID=\xff\n").unwrap_err();
        assert_eq!(e, "not UTF-8 text");
        let e = parse_credentials(b"MONEYKIT_CLIENT_ID=a\nnope\n").unwrap_err();
        assert!(e.starts_with("line 2: "), "{e}");
    }
}
