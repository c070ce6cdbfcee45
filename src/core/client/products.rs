//! `POST /links/{id}/products` with `{"products": [...]}`: asks MoneyKit to
//! refresh products of a link (answered 202; the data arrives later, see
//! `refresh.rs`). Same credentials, redirects, deadlines, cancellation, logging
//! and events as the identity call. A 429 here is MoneyKit's daily refresh
//! limit: it is returned at once, never retried (waiting for tomorrow does not
//! fit any deadline). Transport failures, 5xx and a token request's 429 are retried
//! like identity calls, by the same loop (`retries.rs`).

use super::failure::{transport_failure, Failure, Retry};
use super::http_error::http_failure;
use super::redirect::send_following_redirects;
use super::response::{read_body, MAX_ERROR_BODY};
use super::retries::{Answered, Reporter};
use super::{check_link_id, remaining, Client};
use crate::core::cancel::{self, CallControl};
use crate::core::encode::push_encoded;
use crate::core::Error;

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
        let reporter = Reporter {
            method: "POST",
            path: PRODUCTS_PATH,
            observer: &|_| {},
        };
        let claimed = self.claim_refresh(link_id, products, &control)?;
        let result = cancel::with_current(control.cancel.as_ref(), || {
            self.with_retries(&control, &reporter, |attempt, control| {
                self.post_attempt(&url, &body, attempt, control)
            })
        });
        // MoneyKit counted the refresh only if it accepted it or refused it as over its
        // limit; otherwise the fleet's claim of the day goes back.
        if claimed {
            if let Err(e) = &result {
                if e.status != crate::core::Status::MkErrRateLimited {
                    self.unclaim_refresh(link_id);
                }
            }
        }
        result
    }

    fn post_attempt(
        &self,
        url: &str,
        body: &str,
        attempt: u32,
        control: &CallControl,
    ) -> Result<Answered<Option<String>>, Failure> {
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
            return Ok(Answered {
                value: request_id.clone(),
                http_status: status,
                request_id,
            });
        }
        let mut f = http_failure(status, &mut response, self.config.max_response_bytes);
        if status == 429 {
            // MoneyKit's daily refresh limit: never retried (waiting for tomorrow fits no
            // deadline). Only this endpoint's own 429: a token request's is retried as in
            // any call.
            f.retry = Retry::No;
            f.error.message = format!(
                "identity refresh refused: the daily refresh limit for this link is reached \
                 (MoneyKit allows one identity refresh per link per day; {})",
                f.error.message
            );
        }
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
}
