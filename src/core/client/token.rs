//! The token endpoint: `POST /auth/token` with the client credentials grant
//! (docs/moneykit-api.md, "Getting a token"). The cache in front of it is
//! `core::auth::TokenCache`.

use super::failure::{transport_failure, Failure, Retry};
use super::http_error::http_failure;
use super::response::{header_text, read_body, MAX_ERROR_BODY};
use super::Client;
use crate::core::auth::Token;
use crate::core::encode::push_encoded;
use crate::core::log::Level;
use crate::core::secret::Secret;
use crate::core::{Error, Status};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

impl Client {
    /// `POST /auth/token` with the client credentials grant.
    pub(super) fn fetch_token(
        &self,
        client_id: &str,
        secret: &Secret,
        attempt: u32,
    ) -> Result<Token, Failure> {
        let mut form = Zeroizing::new(String::from("grant_type=client_credentials&client_id="));
        push_encoded(&mut form, client_id);
        form.push_str("&client_secret=");
        push_encoded(&mut form, secret.expose());

        let started = Instant::now();
        let path = "/auth/token";
        let fail = |f: Failure, status: Option<u16>| {
            self.log(path, status, &f.error, attempt, started, true);
            f
        };
        let mut response = self
            .agent
            .post(&self.token_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .map_err(|e| fail(transport_failure(e), None))?;
        let status = response.status().as_u16();
        let request_id = header_text(response.headers(), "x-request-id");
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
            expires_in: f64,
        }
        let parsed: TokenBody = serde_json::from_slice(&body).map_err(|_| {
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
        let expires_in = if parsed.expires_in.is_finite() && parsed.expires_in > 0.0 {
            Duration::from_secs_f64(parsed.expires_in.min(1e9))
        } else {
            Duration::ZERO
        };
        if self.config.log_level >= Level::Debug {
            let mut ok = Error::new(Status::MkOk, "");
            ok.request_id = request_id;
            self.log(path, Some(status), &ok, attempt, started, true);
        }
        Ok(Token::new(&access_token, expires_in))
    }
}
