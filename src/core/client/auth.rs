//! The credentials a request carries (a caller-supplied token, a fetched token
//! or the client id/secret headers), and scrubbing them from error text.

use super::failure::{Failure, Retry};
use super::Client;
use crate::core::auth::{Token, WaitEnd};
use crate::core::cancel::CallControl;
use crate::core::config::Credentials;
use crate::core::{Error, Status};
use std::sync::Arc;

impl Client {
    /// The fetched token this attempt sends: the cached one, or a new one from
    /// `/auth/token` when there is none or it is about to expire. `None` when
    /// the client does not use fetched tokens.
    /// Waiting for another thread's token request ends at `control`'s deadline
    /// or cancellation, like every other wait of the call.
    pub(super) fn bearer_token(
        &self,
        attempt: u32,
        control: &CallControl,
    ) -> Result<Option<Arc<Token>>, Failure> {
        match &self.config.credentials {
            Credentials::ClientToken { client_id, secret } => self
                .tokens
                .get(
                    control,
                    || self.fetch_token(client_id, secret, attempt, control),
                    |why| match why {
                        WaitEnd::Cancelled => Failure::new(
                            Status::MkErrCancelled,
                            "the call was cancelled",
                            Retry::No,
                        ),
                        WaitEnd::DeadlineExceeded => Failure::new(
                            Status::MkErrTimeout,
                            "the deadline elapsed while waiting for the access token",
                            Retry::No,
                        ),
                    },
                )
                .map(Some),
            Credentials::AccessToken(_) | Credentials::ClientHeaders { .. } => Ok(None),
        }
    }

    /// The authentication headers of a request, as (name, value) pairs; a pair with an
    /// empty name is not sent. `token` is what [`Client::bearer_token`] returned.
    pub(super) fn auth_headers<'a>(&'a self, token: Option<&'a Token>) -> [(&'a str, &'a str); 2] {
        match &self.config.credentials {
            Credentials::AccessToken(_) => {
                let bearer = self.static_bearer.as_ref().expect("set for access tokens");
                [("Authorization", bearer.expose()), ("", "")]
            }
            Credentials::ClientHeaders { client_id, secret } => [
                ("X-Client-Id", client_id.as_str()),
                ("X-Client-Secret", secret.expose()),
            ],
            Credentials::ClientToken { .. } => {
                let token = token.expect("bearer_token fetched one for token credentials");
                [("Authorization", token.header_value.expose()), ("", "")]
            }
        }
    }

    /// Removes any secret a server may have echoed into error text.
    pub(super) fn redact(&self, error: &mut Error) {
        let secret = match &self.config.credentials {
            Credentials::AccessToken(s) => s.expose(),
            Credentials::ClientToken { secret, .. } | Credentials::ClientHeaders { secret, .. } => {
                secret.expose()
            }
        };
        let token = self.tokens_current_value();
        for text in [Some(&mut error.message), error.error_message.as_mut()]
            .into_iter()
            .flatten()
        {
            for s in [Some(secret), token.as_deref()].into_iter().flatten() {
                redact_in(text, s);
            }
        }
    }

    fn tokens_current_value(&self) -> Option<String> {
        let t = self.tokens.current()?;
        t.header_value
            .expose()
            .strip_prefix("Bearer ")
            .map(str::to_string)
    }
}

/// Characters that glue a match to a longer word (RFC 6750 b64token characters
/// less `.`, which also ends sentences).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_~+/=".contains(c)
}

/// Replaces each whole occurrence of `secret` in `text`: one not glued to
/// other token characters. A secret is a token in the text, not a substring of
/// words: with a one-letter secret `x`, "expired" stays intact but "token x"
/// becomes "token <redacted>".
fn redact_in(text: &mut String, secret: &str) {
    if secret.is_empty() || !text.contains(secret) {
        return;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(secret) {
        let prev = rest[..i].chars().next_back().or(before);
        let next = rest[i + secret.len()..].chars().next();
        let whole = !prev.is_some_and(is_token_char) && !next.is_some_and(is_token_char);
        out.push_str(&rest[..i]);
        out.push_str(if whole { "<redacted>" } else { secret });
        before = secret.chars().next_back();
        rest = &rest[i + secret.len()..];
    }
    out.push_str(rest);
    *text = out;
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
}
