//! `GET /.well-known/jwks.json` with `X-Client-Id`: the webhook signing keys
//! (core::webhooks). No token is needed or sent. Same agent, proxy, CA file, redirects,
//! timeouts, deadline, cancellation, retries, logging and events as every other request;
//! events and log lines report the path [`JWKS_PATH`].

use super::failure::{transport_failure, Failure, Retry};
use super::http_error::http_failure;
use super::redirect::send_following_redirects;
use super::response::{header_text, read_body};
use super::retries::{Answered, Reporter};
use super::{remaining, Client};
use crate::core::cancel::{self, CallControl};
use crate::core::config::Credentials;
use crate::core::{Error, Status};
use std::time::Duration;

/// The key set's path, as events and log lines report it.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// Largest key set read (MoneyKit's is under 1 KiB).
const MAX_JWKS_BYTES: u64 = 256 * 1024;

/// A fetched key set: the body as sent and its `Cache-Control: max-age`.
#[derive(Debug, Clone)]
pub struct JwksBody {
    pub body: Vec<u8>,
    pub max_age: Option<Duration>,
}

impl Client {
    /// The client id of the client's credentials; `None` for a client made with an
    /// `access_token`.
    pub fn client_id(&self) -> Option<&str> {
        match &self.config.credentials {
            Credentials::ClientToken { client_id, .. }
            | Credentials::ClientHeaders { client_id, .. } => Some(client_id),
            Credentials::AccessToken(_) => None,
        }
    }

    /// `GET {base_url}/.well-known/jwks.json` with `X-Client-Id: client_id`, within
    /// `control` and the client's `deadline_ms`. A body over 256 KiB is `MK_ERR_DECODE`.
    pub fn fetch_jwks(&self, client_id: &str, control: &CallControl) -> Result<JwksBody, Error> {
        let control = self.bounded(control);
        let url = format!("{}{JWKS_PATH}", self.config.base.url);
        let reporter = Reporter {
            method: "GET",
            path: JWKS_PATH,
            observer: &|_| {},
        };
        cancel::with_current(control.cancel.as_ref(), || {
            self.with_retries(&control, &reporter, |_, control| {
                self.jwks_attempt(&url, client_id, control)
            })
        })
    }

    fn jwks_attempt(
        &self,
        url: &str,
        client_id: &str,
        control: &CallControl,
    ) -> Result<Answered<JwksBody>, Failure> {
        let deadline = control.deadline.expect("attempts always have a deadline");
        let send = |target: &str| {
            let left = remaining(deadline)?;
            self.agent
                .get(target)
                .header("moneykit-version", &self.config.moneykit_version)
                .header("X-Client-Id", client_id)
                .config()
                .timeout_global(Some(left))
                .build()
                .call()
                .map_err(transport_failure)
        };
        let mut response = send_following_redirects(&self.config.base.origin, url, send)?;
        let request_id = self.request_id(response.headers());
        let status = response.status().as_u16();
        let outcome = if (200..300).contains(&status) {
            let max_age = header_text(response.headers(), "cache-control")
                .as_deref()
                .and_then(max_age);
            let limit = MAX_JWKS_BYTES.min(self.config.max_response_bytes);
            read_body(&mut response, limit)
                .map_err(|f| {
                    // The only decode failure of a read: the body passed the limit.
                    if f.error.status == Status::MkErrDecode {
                        Failure::new(
                            Status::MkErrDecode,
                            format!("the key set is larger than {limit} bytes"),
                            Retry::No,
                        )
                    } else {
                        f
                    }
                })
                .map(|body| JwksBody { body, max_age })
        } else {
            Err(http_failure(
                status,
                &mut response,
                self.config.max_response_bytes,
            ))
        };
        match outcome {
            Ok(value) => Ok(Answered {
                value,
                http_status: status,
                request_id,
            }),
            Err(mut f) => {
                f.error.http_status.get_or_insert(status);
                f.error.request_id = f.error.request_id.take().or(request_id);
                self.redact(&mut f.error);
                Err(f)
            }
        }
    }
}

/// The `max-age` directive of a `Cache-Control` value (`s-maxage` is not it).
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| {
        let (name, v) = d.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Larger than any TTL we accept: saturate.
        Some(Duration::from_secs(
            v.parse::<u64>().unwrap_or(u64::MAX).min(1 << 40),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::max_age;
    use std::time::Duration;

    #[test]
    fn cache_control_max_age() {
        assert_eq!(max_age("max-age=300"), Some(Duration::from_secs(300)));
        assert_eq!(
            max_age("public, Max-Age = 60 , must-revalidate"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(max_age("s-maxage=5"), None);
        assert_eq!(max_age("max-age=-1"), None);
        assert_eq!(max_age("max-age="), None);
        assert_eq!(max_age("no-store"), None);
        assert_eq!(max_age("max-age=0"), Some(Duration::ZERO));
        assert!(max_age("max-age=99999999999999999999999").is_some());
    }
}
