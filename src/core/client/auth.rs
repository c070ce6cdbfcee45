//! The credentials a request carries (a caller-supplied token, a fetched token
//! or the client id/secret headers), and scrubbing them from error text.

use super::failure::Failure;
use super::Client;
use crate::core::auth::Token;
use crate::core::config::Credentials;
use crate::core::Error;
use std::sync::Arc;

impl Client {
    /// The fetched token this attempt sends: the cached one, or a new one from
    /// `/auth/token` when there is none or it is about to expire. `None` when
    /// the client does not use fetched tokens.
    pub(super) fn bearer_token(&self, attempt: u32) -> Result<Option<Arc<Token>>, Failure> {
        match &self.config.credentials {
            Credentials::ClientToken { client_id, secret } => self
                .tokens
                .get(|| self.fetch_token(client_id, secret, attempt))
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
                if !s.is_empty() && text.contains(s) {
                    *text = text.replace(s, "<redacted>");
                }
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
