//! The token endpoint: `POST /auth/token` with the client credentials grant
//! (docs/moneykit-api.md, "Getting a token"). The cache in front of it is
//! `core::auth::TokenCache`.

use super::failure::{transport_failure, Failure, Retry};
use super::http_error::http_failure;
use super::response::{read_body, MAX_ERROR_BODY};
use super::{remaining, Client};
use crate::core::auth::Token;
use crate::core::cancel::CallControl;
use crate::core::encode::push_encoded;
use crate::core::events::{Event, TOKEN_PATH};
use crate::core::input_json::ObjectOnly;
use crate::core::secret::Secret;
use crate::core::{Error, Status};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The lifetime assumed when a token response gives no usable `expires_in`.
pub(super) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// An access token must be a visible-ASCII header value (RFC 6750's b64token
/// and more), at most 8 KiB: CR, LF, spaces or controls are refused.
fn is_token_text(t: &str) -> bool {
    !t.is_empty() && t.len() <= 8192 && t.bytes().all(|b| b.is_ascii_graphic())
}

/// What one token request did, held until the token cache has published its
/// outcome: the event and log line are reported after that, with no lock or
/// in-flight fetch held, so a callback may call the client again (issue 23).
pub(super) struct TokenReport {
    outcome: Error,
    http_status: Option<u16>,
    attempt: u32,
    elapsed: Duration,
}

impl Client {
    /// Logs a token request (at debug level) and hands it to the event sink.
    pub(super) fn report_token(&self, r: &TokenReport) {
        let e = &r.outcome;
        self.log(
            "POST",
            TOKEN_PATH,
            r.http_status,
            e,
            r.attempt,
            r.elapsed,
            true,
        );
        self.emit(&Event {
            method: "POST",
            path: TOKEN_PATH,
            http_status: r.http_status,
            status: e.status,
            attempt: r.attempt,
            elapsed: r.elapsed,
            request_id: e.request_id.as_deref(),
            retry_wait: None,
        });
    }

    /// `POST /auth/token` with the client credentials grant. What it did is left in
    /// `report` for the caller to report once the token is published.
    pub(super) fn fetch_token(
        &self,
        client_id: &str,
        secret: &Secret,
        attempt: u32,
        control: &CallControl,
        report: &mut Option<TokenReport>,
    ) -> Result<Token, Failure> {
        let started = Instant::now();
        let (result, http_status) = self.request_token(client_id, secret, control);
        let outcome = match &result {
            Ok((_, request_id)) => {
                let mut ok = Error::new(Status::MkOk, "");
                ok.request_id = request_id.clone();
                ok
            }
            Err(f) => f.error.clone(),
        };
        *report = Some(TokenReport {
            outcome,
            http_status,
            attempt,
            elapsed: started.elapsed(),
        });
        result.map(|(token, _)| token)
    }

    /// The request itself: the token with the response's request id, and the HTTP
    /// status when a response arrived.
    #[allow(clippy::type_complexity)]
    fn request_token(
        &self,
        client_id: &str,
        secret: &Secret,
        control: &CallControl,
    ) -> (Result<(Token, Option<String>), Failure>, Option<u16>) {
        let mut form = Zeroizing::new(String::from("grant_type=client_credentials&client_id="));
        push_encoded(&mut form, client_id);
        form.push_str("&client_secret=");
        push_encoded(&mut form, secret.expose());

        match self.send_token_request(&form, control) {
            Ok((token, request_id, status)) => (Ok((token, request_id)), Some(status)),
            Err((f, status)) => (Err(f), status),
        }
    }

    /// `request_token`'s steps; an error carries the HTTP status when there was one.
    #[allow(clippy::type_complexity)]
    fn send_token_request(
        &self,
        form: &str,
        control: &CallControl,
    ) -> Result<(Token, Option<String>, u16), (Failure, Option<u16>)> {
        let fail = |f: Failure, status: Option<u16>| (f, status);
        let left = remaining(control.deadline.expect("attempts always have a deadline"))
            .map_err(|f| fail(f, None))?;
        let mut response = self
            .agent
            .post(&self.token_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .config()
            .timeout_global(Some(left))
            .build()
            .send(form.as_bytes())
            .map_err(|e| fail(transport_failure(e), None))?;
        let status = response.status().as_u16();
        let request_id = self.request_id(response.headers());
        if !(200..300).contains(&status) {
            let mut f = http_failure(status, &mut response, self.config.max_response_bytes);
            f.error.status = match status {
                400 | 401 | 403 => Status::MkErrUnauthorized,
                429 => Status::MkErrRateLimited,
                500..=599 => Status::MkErrServer,
                _ => Status::MkErrHttp,
            };
            f.error.message = format!("token request refused: {}", f.error.message);
            f.error.request_id = request_id;
            if f.retry == Retry::RefreshToken {
                f.retry = Retry::No;
            }
            self.redact(&mut f.error);
            return Err(fail(f, Some(status)));
        }
        let body = Zeroizing::new(
            read_body(&mut response, MAX_ERROR_BODY).map_err(|f| fail(f, Some(status)))?,
        );
        #[derive(serde::Deserialize)]
        struct TokenBody {
            access_token: String,
            #[allow(dead_code)]
            token_type: String,
            expires_in: Option<f64>,
        }
        // An object only, not serde's array of fields; no intermediate copy of the token.
        let parsed = serde_json::from_slice::<ObjectOnly<TokenBody>>(&body).map(|o| o.0);
        let parsed: TokenBody = parsed.map_err(|_| {
            let mut f = Failure::new(
                Status::MkErrDecode,
                "token response is not a valid token JSON object",
                Retry::No,
            );
            f.error.http_status = Some(status);
            f.error.request_id = request_id.clone();
            fail(f, Some(status))
        })?;
        let access_token = Zeroizing::new(parsed.access_token);
        if !is_token_text(&access_token) {
            // Caching it would fail every call until it expired; a retry cannot help.
            let mut f = Failure::new(
                Status::MkErrDecode,
                "token response: access_token is not a valid header value",
                Retry::No,
            );
            f.error.http_status = Some(status);
            f.error.request_id = request_id;
            return Err(fail(f, Some(status)));
        }
        let expires_in = match parsed.expires_in {
            Some(s) if s.is_finite() && s > 0.0 => Duration::from_secs_f64(s.min(1e9)),
            // Nonsense (absent, zero, negative, NaN) would turn caching off: assume
            // a sane lifetime; an expired token is refreshed on the server's 401.
            _ => DEFAULT_TOKEN_LIFETIME,
        };
        Ok((Token::new(&access_token, expires_in), request_id, status))
    }
}
