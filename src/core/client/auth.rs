//! The credentials a request carries (a caller-supplied token, a fetched token
//! or the client id/secret headers); `redact.rs` scrubs them from what a server sends back.

use super::failure::{Failure, Retry};
use super::Client;
use crate::core::auth::{Token, WaitEnd};
use crate::core::cancel::CallControl;
use crate::core::config::Credentials;
use crate::core::Status;
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
            Credentials::ClientToken { client_id, secret } => {
                let mut report = None;
                let token = self.tokens.get(
                    control,
                    || self.fetch_token(client_id, secret, attempt, control, &mut report),
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
                );
                // Reported only now: the cache has published the outcome and holds no
                // fetch in flight, so the event's callback may call the client again.
                if let Some(r) = &report {
                    self.report_token(r);
                }
                token.map(Some)
            }
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
}
