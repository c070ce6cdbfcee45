//! `POST /links/{id}/products` with `{"products": [...]}`: asks MoneyKit to
//! refresh products of a link (answered 202; the data arrives later, see
//! `refresh.rs`). Same credentials, redirects, deadlines, cancellation, logging
//! and events as the identity call. A 429 here is MoneyKit's daily refresh
//! limit: it is returned at once, never retried (waiting for tomorrow does not
//! fit any deadline). Transport failures and 5xx are retried like identity calls.

use super::failure::{transport_failure, Failure, Retry};
use super::http_error::http_failure;
use super::redirect::send_following_redirects;
use super::response::{read_body, MAX_ERROR_BODY};
use super::{
    cancelled, check_link_id, deadline_elapsed, remaining, wait_out_an_early_timeout, Client,
};
use crate::core::cancel::{self, CallControl};
use crate::core::encode::push_encoded;
use crate::core::events::Event;
use crate::core::log;
use crate::core::retry::backoff;
use crate::core::{Error, Status};
use std::time::{Duration, Instant};

/// The refresh request's path template, as events report it.
pub const PRODUCTS_PATH: &str = "/links/{id}/products";

impl Client {
    /// `POST /links/{link_id}/products` with `{"products": products}`. `Ok` carries
    /// the response's `x-request-id`. A 429 is `MK_ERR_RATE_LIMITED` with a message
    /// naming the daily refresh limit and the server's `retry_after_ms`.
    pub fn request_refresh(
        &self,
        link_id: &str,
        products: &[&str],
        control: &CallControl,
    ) -> Result<Option<String>, Error> {
        check_link_id(link_id)?;
        if products.is_empty() {
            return Err(Error::invalid("products is empty"));
        }
        let control = self.bounded(control);
        let mut url = self.links_prefix.clone();
        push_encoded(&mut url, link_id);
        url.push_str("/products");
        let body = serde_json::json!({ "products": products }).to_string();
        cancel::with_current(control.cancel.as_ref(), || {
            self.post_loop(&url, &body, &control)
        })
    }

    fn post_loop(
        &self,
        url: &str,
        body: &str,
        control: &CallControl,
    ) -> Result<Option<String>, Error> {
        let deadline = control.deadline.expect("bounded");
        let (mut attempts, mut retries, mut refreshed) = (0u32, 0u32, false);
        loop {
            if control.is_cancelled() {
                return Err(cancelled(attempts));
            }
            if Instant::now() >= deadline {
                return Err(deadline_elapsed(attempts));
            }
            attempts += 1;
            let attempt_deadline = (Instant::now() + self.config.timeout).min(deadline);
            let attempt_control = CallControl {
                deadline: Some(attempt_deadline),
                cancel: control.cancel.clone(),
            };
            let started = Instant::now();
            let failure = match self.post_attempt(url, body, attempts, &attempt_control) {
                Ok((request_id, http)) => {
                    let mut ok = Error::new(Status::MkOk, "");
                    ok.http_status = Some(http);
                    ok.request_id = request_id.clone();
                    self.report_post(&ok, attempts, started, None);
                    return Ok(request_id);
                }
                Err(f) => f,
            };
            let mut error = failure.error;
            error.attempts = attempts;
            wait_out_an_early_timeout(&error, attempt_deadline, control);
            if control.is_cancelled() {
                self.report_post(&error, attempts, started, None);
                return Err(cancelled(attempts));
            }
            let wait = match failure.retry {
                Retry::RefreshToken if !refreshed => {
                    refreshed = true;
                    Some(Duration::ZERO)
                }
                // 429 is the daily refresh limit: never retried.
                Retry::Yes(after)
                    if retries < self.config.max_retries
                        && error.status != Status::MkErrRateLimited =>
                {
                    let wait = after.unwrap_or_else(|| backoff(self.config.retry_base, retries));
                    let fits =
                        wait <= self.config.max_retry_after && Instant::now() + wait < deadline;
                    fits.then(|| {
                        retries += 1;
                        wait
                    })
                }
                _ => None,
            };
            if error.status == Status::MkErrRateLimited {
                error.message = format!(
                    "identity refresh refused: the daily refresh limit for this link is reached \
                     (MoneyKit allows one identity refresh per link per day; {})",
                    error.message
                );
            }
            self.report_post(&error, attempts, started, wait);
            match wait {
                None => return Err(error),
                Some(w) if !control.sleep(w) => return Err(cancelled(attempts)),
                Some(_) => {}
            }
        }
    }

    fn post_attempt(
        &self,
        url: &str,
        body: &str,
        attempt: u32,
        control: &CallControl,
    ) -> Result<(Option<String>, u16), Failure> {
        let deadline = control.deadline.expect("attempts always have a deadline");
        let used_token = self.bearer_token(attempt, control)?;
        let auth = self.auth_headers(used_token.as_deref());
        let send = |target: &str| {
            let left = remaining(deadline)?;
            let mut request = self
                .agent
                .post(target)
                .header("moneykit-version", &self.config.moneykit_version)
                .header("content-type", "application/json")
                .config()
                .timeout_global(Some(left))
                .build();
            for (name, value) in auth {
                if !name.is_empty() {
                    request = request.header(name, value);
                }
            }
            request.send(body.as_bytes()).map_err(transport_failure)
        };
        let mut response = send_following_redirects(&self.config.base.origin, url, send)?;
        let request_id = self.request_id(response.headers());
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            // Drained so the connection can be reused; the body says nothing we need.
            read_body(&mut response, MAX_ERROR_BODY)?;
            return Ok((request_id, status));
        }
        let mut f = http_failure(status, &mut response, self.config.max_response_bytes);
        if f.retry == Retry::RefreshToken {
            match &used_token {
                Some(t) => self.tokens.invalidate(t),
                None => f.retry = Retry::No,
            }
        }
        f.error.http_status.get_or_insert(status);
        f.error.request_id = f.error.request_id.take().or(request_id);
        self.redact(&mut f.error);
        Err(f)
    }

    fn report_post(&self, e: &Error, attempt: u32, started: Instant, wait: Option<Duration>) {
        if self.config.log_level != log::Level::Off {
            log::attempt(
                self.config.log_level,
                &log::Attempt {
                    method: "POST",
                    path: PRODUCTS_PATH,
                    http_status: e.http_status,
                    outcome: e.status.name(),
                    attempt,
                    elapsed: started.elapsed(),
                    request_id: e.request_id.as_deref(),
                },
                false,
            );
        }
        self.emit(&Event {
            method: "POST",
            path: PRODUCTS_PATH,
            http_status: e.http_status,
            status: e.status,
            attempt,
            elapsed: started.elapsed(),
            request_id: e.request_id.as_deref(),
            retry_wait: wait,
        });
    }
}
