//! The blocking client: builds the request, authenticates, retries, maps
//! every failure to a status, and validates the body it returns.
//!
//! One concern per file under `client/`: the ureq agent (`agent`), the
//! credentials a request carries (`auth`), redirects (`redirect`), transport
//! failures and the retry decision (`failure`), non-2xx responses
//! (`http_error`), reading bodies and headers (`response`) and the token
//! endpoint (`token`). This file holds the client and its call loop.

mod agent;
mod auth;
mod failure;
mod http_error;
mod redirect;
mod response;
mod token;

use self::agent::build_agent;
use self::failure::{transport_failure, Failure, Retry};
use self::http_error::http_failure;
use self::redirect::send_following_redirects;
use self::response::{header_text, read_body};
use super::auth::TokenCache;
use super::config::{Config, Credentials, Options};
use super::encode::push_encoded;
use super::log::{self, Level};
use super::retry::backoff;
use super::secret::Secret;
use super::validate::validate_identity_str;
use super::{Error, Status};
use std::time::Instant;
use ureq::Agent;

/// A MoneyKit client. Cheap to share: all methods take `&self` and are safe
/// from many threads at once; one connection pool and one token serve them all.
pub struct Client {
    config: Config,
    agent: Agent,
    tokens: TokenCache,
    /// `Authorization` value for a caller-supplied access token, built once.
    static_bearer: Option<Secret>,
    /// `{base}/links/`, the fixed start of every identity URL.
    links_prefix: String,
    token_url: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.config.base.url)
            .field("credentials", &self.config.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `client_id`/`client_secret` (each `None`: the `MONEYKIT_CLIENT_ID` /
    /// `MONEYKIT_CLIENT_SECRET` environment variables) with the given options.
    pub fn new(
        client_id: Option<&str>,
        client_secret: Option<&str>,
        options: Options,
    ) -> Result<Client, Error> {
        let config = Config::resolve(client_id, client_secret, options)?;
        let agent = build_agent(&config)?;
        let static_bearer = match &config.credentials {
            Credentials::AccessToken(t) => Some(Secret::new(format!("Bearer {}", t.expose()))),
            _ => None,
        };
        Ok(Client {
            links_prefix: format!("{}/links/", config.base.url),
            token_url: format!("{}/auth/token", config.base.url),
            config,
            agent,
            tokens: TokenCache::default(),
            static_bearer,
        })
    }

    /// `GET /links/{link_id}/identity`: the body, exactly as the server sent it,
    /// after checking it against the response schema.
    pub fn get_identity(&self, link_id: &str, account_ids: &[&str]) -> Result<String, Error> {
        if link_id.is_empty() {
            return Err(Error::invalid("link_id is empty"));
        }
        let url = self.identity_url(link_id, account_ids);
        let path_end = self.links_prefix.len() - "/links/".len();
        let path = &url[path_end..url.find('?').unwrap_or(url.len())];

        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            attempts += 1;
            let failure = match self.attempt(&url, path, attempts) {
                Ok(body) => return Ok(body),
                Err(f) => f,
            };
            let mut error = failure.error;
            error.attempts = attempts;
            match failure.retry {
                Retry::RefreshToken if !refreshed => {
                    refreshed = true;
                    continue;
                }
                Retry::Yes(after) if retries < self.config.max_retries => {
                    let wait = match after {
                        Some(d) if d > self.config.max_retry_after => return Err(error),
                        Some(d) => d,
                        None => backoff(self.config.retry_base, retries),
                    };
                    retries += 1;
                    std::thread::sleep(wait);
                }
                _ => return Err(error),
            }
        }
    }

    fn identity_url(&self, link_id: &str, account_ids: &[&str]) -> String {
        let extra: usize = account_ids.iter().map(|a| a.len() * 3 + 13).sum();
        let mut url =
            String::with_capacity(self.links_prefix.len() + link_id.len() * 3 + 9 + extra);
        url.push_str(&self.links_prefix);
        push_encoded(&mut url, link_id);
        url.push_str("/identity");
        for (i, id) in account_ids.iter().enumerate() {
            url.push_str(if i == 0 {
                "?account_ids="
            } else {
                "&account_ids="
            });
            push_encoded(&mut url, id);
        }
        url
    }

    /// One attempt: authenticate (fetching a token if needed) and send the request.
    fn attempt(&self, url: &str, path: &str, attempt: u32) -> Result<String, Failure> {
        let used_token = self.bearer_token(attempt)?;
        let auth = self.auth_headers(used_token.as_deref());
        let send = |target: &str| {
            let mut request = self
                .agent
                .get(target)
                .header("moneykit-version", &self.config.moneykit_version);
            for (name, value) in auth {
                if !name.is_empty() {
                    request = request.header(name, value);
                }
            }
            request.call().map_err(transport_failure)
        };

        let started = Instant::now();
        let mut response = match send_following_redirects(&self.config.base.origin, url, send) {
            Ok(r) => r,
            Err(f) => {
                self.log(path, None, &f.error, attempt, started, false);
                return Err(f);
            }
        };
        let request_id = header_text(response.headers(), "x-request-id");
        let status = response.status().as_u16();

        let outcome = if (200..300).contains(&status) {
            read_body(&mut response, self.config.max_response_bytes).and_then(|body| {
                // One UTF-8 check of the whole body, then a parse that skips per-string checks.
                let body = String::from_utf8(body).map_err(|_| {
                    Failure::new(Status::MkErrDecode, "response body is not UTF-8", Retry::No)
                })?;
                validate_identity_str(&body).map_err(|e| {
                    Failure::new(
                        Status::MkErrDecode,
                        format!("invalid identity response: {e}"),
                        Retry::No,
                    )
                })?;
                Ok(body)
            })
        } else {
            let mut f = http_failure(status, &mut response, self.config.max_response_bytes);
            if f.retry == Retry::RefreshToken {
                match &used_token {
                    Some(t) => self.tokens.invalidate(t),
                    // A caller-supplied token (or header credentials) cannot be refreshed.
                    None => f.retry = Retry::No,
                }
            }
            Err(f)
        };
        match outcome {
            Ok(body) => {
                if self.config.log_level >= Level::Info {
                    let mut ok = Error::new(Status::MkOk, "");
                    ok.request_id = request_id;
                    self.log(path, Some(status), &ok, attempt, started, false);
                }
                Ok(body)
            }
            Err(mut f) => {
                f.error.http_status.get_or_insert(status);
                f.error.request_id = f.error.request_id.take().or(request_id);
                self.redact(&mut f.error);
                self.log(path, Some(status), &f.error, attempt, started, false);
                Err(f)
            }
        }
    }

    fn log(
        &self,
        path: &str,
        http_status: Option<u16>,
        e: &Error,
        attempt: u32,
        started: Instant,
        token: bool,
    ) {
        if self.config.log_level == Level::Off {
            return;
        }
        log::attempt(
            self.config.log_level,
            &log::Attempt {
                method: if token { "POST" } else { "GET" },
                path,
                http_status,
                outcome: e.status.name(),
                attempt,
                elapsed: started.elapsed(),
                request_id: e.request_id.as_deref(),
            },
            token,
        );
    }
}
