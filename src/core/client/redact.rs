//! Scrubbing the client's secrets (the client secret, the caller's access token,
//! the fetched token) from whatever a server sends back: every text field of an
//! error and the `x-request-id` that reaches log lines and events. The rule
//! (docs/C-API.md, "Secrets"): a secret of 8 bytes or more is replaced wherever it
//! occurs, also inside a longer word; a shorter one only where it stands as a whole
//! token, so that a one-letter secret does not mangle the text around it. Each
//! secret is also looked for as the form body carried it (percent-encoded).

use super::Client;
use crate::core::config::Credentials;
use crate::core::encode::push_encoded;
use crate::core::Error;
use ureq::http::HeaderMap;
use zeroize::Zeroizing;

/// Secrets at least this long are replaced as substrings; shorter ones as whole tokens.
const SUBSTRING_MIN_LEN: usize = 8;

const REDACTED: &str = "<redacted>";

impl Client {
    /// Removes any secret a server may have echoed, from every text field of `error`.
    pub(super) fn redact(&self, error: &mut Error) {
        let secrets = self.secrets();
        let mut texts: Vec<&mut String> = Vec::new();
        for v in error.validation_errors.iter_mut().flatten() {
            texts.push(&mut v.message);
            texts.push(&mut v.kind);
            for step in &mut v.location {
                if let crate::core::LocationPart::Key(k) = step {
                    texts.push(k);
                }
            }
        }
        if let Some(r) = error.response.as_mut() {
            for (name, value) in &mut r.headers {
                texts.push(name);
                texts.push(value);
            }
            // A JSON body may carry a secret JSON-escaped (`\/`, `\"`, `\uXXXX`).
            for s in &secrets {
                let escaped = serde_json::to_string(s.as_str()).unwrap_or_default();
                let escaped = Zeroizing::new(escaped);
                let inner = &escaped[1..escaped.len().saturating_sub(1).max(1)];
                for form in [inner.to_string(), inner.replace('/', "\\/")] {
                    let form = Zeroizing::new(form);
                    if form.as_str() != s.as_str() {
                        redact_in(&mut r.body, &form);
                    }
                }
            }
            texts.push(&mut r.body);
        }
        for text in [
            Some(&mut error.message),
            error.error_code.as_mut(),
            error.error_message.as_mut(),
            error.documentation_url.as_mut(),
            error.link_error_code.as_mut(),
            error.request_id.as_mut(),
        ]
        .into_iter()
        .flatten()
        .chain(texts)
        {
            for s in &secrets {
                redact_in(text, s);
            }
        }
    }

    /// The response's `x-request-id` (capped), scrubbed: it reaches log lines, events
    /// and errors.
    pub(super) fn request_id(&self, headers: &HeaderMap) -> Option<String> {
        let mut id = super::response::header_text(headers, "x-request-id")?;
        for s in &self.secrets() {
            redact_in(&mut id, s);
        }
        Some(id)
    }

    /// Every secret this client holds, raw and as a form body encodes it.
    fn secrets(&self) -> Vec<Zeroizing<String>> {
        let mut raw: Vec<Zeroizing<String>> = Vec::with_capacity(2);
        match &self.config.credentials {
            Credentials::AccessToken(s) => raw.push(Zeroizing::new(s.expose().to_string())),
            Credentials::ClientToken { secret, .. } | Credentials::ClientHeaders { secret, .. } => {
                raw.push(Zeroizing::new(secret.expose().to_string()))
            }
        }
        if let Some(t) = self.tokens.current() {
            if let Some(v) = t.header_value.expose().strip_prefix("Bearer ") {
                raw.push(Zeroizing::new(v.to_string()));
            }
        }
        let mut all = Vec::with_capacity(raw.len() * 2);
        for s in raw {
            let mut encoded = Zeroizing::new(String::new());
            push_encoded(&mut encoded, &s);
            if *encoded != *s {
                all.push(encoded);
            }
            all.push(s);
        }
        // Longest first: a secret that contains another is replaced whole.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        all
    }
}

/// Characters that glue a short match to a longer token (RFC 6750 b64token
/// characters less `.`, which also ends sentences). `=` glues only after a match
/// (padding): before it, it is the separator of `token=<secret>`.
fn glues_before(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_~+/".contains(c)
}

fn glues_after(c: char) -> bool {
    glues_before(c) || c == '='
}

/// Replaces `secret` in `text`: every occurrence when it is long, whole tokens only
/// when it is short (see the module doc).
pub(super) fn redact_in(text: &mut String, secret: &str) {
    if secret.is_empty() || !text.contains(secret) {
        return;
    }
    let anywhere = secret.len() >= SUBSTRING_MIN_LEN;
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(secret) {
        let prev = rest[..i].chars().next_back().or(before);
        let next = rest[i + secret.len()..].chars().next();
        let whole = anywhere || (!prev.is_some_and(glues_before) && !next.is_some_and(glues_after));
        out.push_str(&rest[..i]);
        out.push_str(if whole { REDACTED } else { secret });
        before = Some(if whole {
            '>'
        } else {
            secret.chars().next_back().unwrap_or(' ')
        });
        rest = &rest[i + secret.len()..];
    }
    out.push_str(rest);
    // The old text may hold the secret: wipe it before it is freed.
    let mut old = Zeroizing::new(std::mem::replace(text, out));
    old.clear();
}

#[cfg(test)]
mod tests {
    use super::redact_in;

    fn redacted(text: &str, secret: &str) -> String {
        let mut t = text.to_string();
        redact_in(&mut t, secret);
        t
    }

    #[test]
    fn whole_tokens_only() {
        assert_eq!(
            redacted("token x is bad; expired", "x"),
            "token <redacted> is bad; expired"
        );
        assert_eq!(
            redacted("bad token: sk_live_123.", "sk_live_123"),
            "bad token: <redacted>."
        );
        assert_eq!(redacted("\"s3cr3t\"", "s3cr3t"), "\"<redacted>\"");
        assert_eq!(redacted("abcs3cr3t", "s3cr3t"), "abcs3cr3t");
        assert_eq!(redacted("s3cr3t s3cr3t", "s3cr3t"), "<redacted> <redacted>");
        assert_eq!(redacted("nothing here", "zz"), "nothing here");
    }

    #[test]
    fn a_short_secret_after_an_equals_sign_is_a_whole_token() {
        assert_eq!(
            redacted("client_secret=s3cr3t&x=1", "s3cr3t"),
            "client_secret=<redacted>&x=1"
        );
        assert_eq!(redacted("token=x", "x"), "token=<redacted>");
        // Padding after it still glues: "s3cr3t=" is another token.
        assert_eq!(redacted("s3cr3t=", "s3cr3t"), "s3cr3t=");
    }

    #[test]
    fn a_long_secret_is_replaced_inside_words() {
        assert_eq!(
            redacted("xsk_live_12345y and sk_live_12345", "sk_live_12345"),
            "x<redacted>y and <redacted>"
        );
    }
}
