//! `POST /webhooks/test/link/{id}` with `{"webhook_event": ..., "webhook_idempotency_key"?:
//! ...}`: asks MoneyKit to send a test webhook for a sandbox link (docs/moneykit-api.md,
//! "Webhooks"; the CLI's `moneykit webhooks trigger`). Same credentials, redirects,
//! deadlines, cancellation, retries, logging and events as the refresh request; events and
//! log lines report the path [`WEBHOOK_TEST_PATH`].

use super::failure::transport_failure;
use super::http_error::http_failure;
use super::redirect::send_following_redirects;
use super::response::read_body;
use super::retries::{Answered, Reporter};
use super::{check_link_id, remaining, Client};
use crate::core::cancel::{self, CallControl};
use crate::core::encode::push_encoded;
use crate::core::{Error, Status};

/// The test delivery request's path template, as events report it.
const WEBHOOK_TEST_PATH: &str = "/webhooks/test/link/{id}";

/// Largest answer read (MoneyKit's is `{"delivery_token": "..."}`).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

impl Client {
    /// `POST /webhooks/test/link/{link_id}`: MoneyKit sends the event `webhook_event` to
    /// the link's webhook URL now. `Ok` carries the answer's body as sent (UTF-8 JSON,
    /// `{"delivery_token": "..."}`). An empty event name or idempotency key is refused
    /// before any request (`MK_ERR_INVALID_ARGUMENT`).
    pub fn send_test_webhook(
        &self,
        link_id: &str,
        webhook_event: &str,
        idempotency_key: Option<&str>,
        control: &CallControl,
    ) -> Result<String, Error> {
        check_link_id(link_id)?;
        if webhook_event.is_empty() {
            return Err(Error::invalid("webhook_event is empty"));
        }
        if idempotency_key == Some("") {
            return Err(Error::invalid("webhook_idempotency_key is empty"));
        }
        let control = self.bounded(control);
        let mut url = format!("{}/webhooks/test/link/", self.config.base.url);
        push_encoded(&mut url, link_id);
        let mut body = serde_json::Map::new();
        body.insert("webhook_event".into(), webhook_event.into());
        if let Some(key) = idempotency_key {
            body.insert("webhook_idempotency_key".into(), key.into());
        }
        let body = serde_json::Value::Object(body).to_string();
        let reporter = Reporter {
            method: "POST",
            path: WEBHOOK_TEST_PATH,
            observer: &|_| {},
        };
        cancel::with_current(control.cancel.as_ref(), || {
            self.with_retries(&control, &reporter, |attempt, control| {
                self.test_attempt(&url, &body, attempt, control)
            })
        })
    }

    fn test_attempt(
        &self,
        url: &str,
        body: &str,
        attempt: u32,
        control: &CallControl,
    ) -> Result<Answered<String>, super::failure::Failure> {
        use super::failure::{Failure, Retry};
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
                .header("accept", "application/json")
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
        let outcome = if (200..300).contains(&status) {
            read_body(
                &mut response,
                MAX_ANSWER_BYTES.min(self.config.max_response_bytes),
            )
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| {
                    Failure::new(Status::MkErrDecode, "the answer is not UTF-8", Retry::No)
                })
            })
        } else {
            let mut f = http_failure(status, &mut response, self.config.max_response_bytes);
            if f.retry == Retry::RefreshToken {
                match &used_token {
                    Some(t) => self.tokens.invalidate(t),
                    None => f.retry = Retry::No,
                }
            }
            Err(f)
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
