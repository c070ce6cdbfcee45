//! The blocking client: builds the request, authenticates, retries, maps
//! every failure to a status, and validates the body it returns.
//!
//! One concern per file under `client/`: the ureq agent (`agent`), the
//! cancellable socket layer (`cancellable`), the credentials a request carries
//! (`auth`), redirects (`redirect`), transport failures and the retry decision
//! (`failure`), non-2xx responses (`http_error`), reading bodies and headers
//! (`response`), the token endpoint (`token`), the refresh request (`products`)
//! and the one retry loop every request kind goes through, which keeps every call
//! within its deadlines (`retries`; docs/C-API.md, "Deadlines, cancellation and
//! events"). This file holds the client and the identity request.

mod agent;
mod auth;
mod cancellable;
mod failure;
mod http_error;
mod ids;
mod jwks;
mod permits;
pub(crate) use self::ids::{check_account_id_count, check_id, check_link_id, id_too_long};
pub use self::ids::{MAX_ACCOUNT_IDS, MAX_ID_LEN};
pub use self::jwks::{JwksBody, JWKS_PATH};
pub(crate) use self::permits::PermitClass;
mod products;
pub use self::products::PRODUCTS_PATH;
mod redact;
mod redirect;
mod response;
mod retries;
mod token;
mod webhook_test;

use self::agent::build_agent;
use self::failure::{transport_failure, Failure, Retry};
use self::http_error::http_failure;
use self::ids::check_identity_ids;
use self::redirect::send_following_redirects;
use self::response::read_body;
use self::retries::{Answered, Reporter};
use super::auth::TokenCache;
use super::cancel::{self, CallControl};
use super::config::{Config, Credentials, Options};
use super::coordination::Coordinator;
use super::encode::push_encoded;
use super::events::{Event, EventSink, IDENTITY_PATH};
use super::log::{self, Level};
use super::secret::Secret;
use super::validate::validate_identity_str;
use super::{Error, Status};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use ureq::Agent;

/// Without a `Retry-After`, a 429 is not retried sooner than this: MoneyKit
/// allows 3 identity calls per minute per link (docs/moneykit-api.md).
pub const RATE_LIMIT_WAIT: Duration = Duration::from_secs(20);

/// A successful identity call: the body exactly as sent, and the request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub body: String,
    pub request_id: Option<String>,
}

/// A MoneyKit client. Cheap to share: all methods take `&self` and are safe
/// from many threads at once; one connection pool and one token serve them all.
pub struct Client {
    config: Config,
    agent: Agent,
    tokens: TokenCache<Failure>,
    events: RwLock<Option<EventSink>>,
    /// `Authorization` value for a caller-supplied access token, built once.
    static_bearer: Option<Secret>,
    /// `{base}/links/`, the fixed start of every identity URL.
    links_prefix: String,
    token_url: String,
    /// The fleet's shared budget (`coordination_url`), when set.
    coordinator: Option<Arc<Coordinator>>,
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
        let coordinator = match &config.coordination {
            Some(c) => {
                let ca = config
                    .ca_file
                    .as_deref()
                    .map(agent::read_ca_file)
                    .transpose()?;
                Some(Arc::new(Coordinator::new(
                    c,
                    config.app_per_minute,
                    config.link_per_minute,
                    ca.as_deref(),
                )?))
            }
            None => None,
        };
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
            events: RwLock::new(None),
            static_bearer,
            coordinator,
        })
    }

    /// `GET /links/{link_id}/identity`: the body, exactly as the server sent it,
    /// after checking it against the response schema. The ids are checked first
    /// (`MK_ERR_INVALID_ARGUMENT`, no request): the link id and every account id
    /// non-empty and at most [`MAX_ID_LEN`] bytes, at most [`MAX_ACCOUNT_IDS`]
    /// account ids, and the link id not `.` or `..`.
    pub fn get_identity(&self, link_id: &str, account_ids: &[&str]) -> Result<String, Error> {
        self.get_identity_with(link_id, account_ids, &CallControl::default())
            .map(|identity| identity.body)
    }

    /// As [`Client::get_identity`], within `control`'s deadline (besides the
    /// client's `deadline_ms`) and stopped by its cancel handle.
    pub fn get_identity_with(
        &self,
        link_id: &str,
        account_ids: &[&str],
        control: &CallControl,
    ) -> Result<Identity, Error> {
        self.get_identity_observed(link_id, account_ids, control, &|_| {})
    }

    /// As [`Client::get_identity_with`], also handing each attempt's [`Event`] to
    /// `observer` (besides the client's event sink): the batch uses it to pause
    /// every worker on a 429 while this call waits out the `Retry-After`.
    pub fn get_identity_observed(
        &self,
        link_id: &str,
        account_ids: &[&str],
        control: &CallControl,
        observer: &dyn Fn(&Event<'_>),
    ) -> Result<Identity, Error> {
        let no_view = |body: &str| validate_identity_str(body);
        self.get_identity_reading(link_id, account_ids, control, observer, &no_view)
            .map(|(identity, ())| identity)
    }

    /// As [`Client::get_identity_observed`], reading the 200 body with `read` instead of
    /// the validator alone: `read` must accept exactly what the validator accepts, with
    /// its `<path>: <problem>` message (the typed view's builder, which checks and builds
    /// in one pass, so a body is read once). What `read` made comes back beside the body.
    pub fn get_identity_reading<T>(
        &self,
        link_id: &str,
        account_ids: &[&str],
        control: &CallControl,
        observer: &dyn Fn(&Event<'_>),
        read: &dyn Fn(&str) -> Result<T, String>,
    ) -> Result<(Identity, T), Error> {
        self.get_identity_as(
            link_id,
            account_ids,
            control,
            observer,
            read,
            PermitClass::Interactive,
        )
    }

    /// A batch's call (`Batch`): as [`Client::get_identity_observed`], the first attempt's
    /// permit already leased by the batch, a retry's taken under `app_limit`.
    pub(crate) fn get_identity_batched(
        &self,
        link_id: &str,
        control: &CallControl,
        observer: &dyn Fn(&Event<'_>),
        app_limit: u32,
    ) -> Result<Identity, Error> {
        let no_view = |body: &str| validate_identity_str(body);
        self.get_identity_as(
            link_id,
            &[],
            control,
            observer,
            &no_view,
            PermitClass::BatchHeld { app_limit },
        )
        .map(|(identity, ())| identity)
    }

    fn get_identity_as<T>(
        &self,
        link_id: &str,
        account_ids: &[&str],
        control: &CallControl,
        observer: &dyn Fn(&Event<'_>),
        read: &dyn Fn(&str) -> Result<T, String>,
        class: PermitClass,
    ) -> Result<(Identity, T), Error> {
        check_identity_ids(link_id, account_ids)?;
        let control = self.bounded(control);
        cancel::with_current(control.cancel.as_ref(), || {
            self.call(link_id, account_ids, &control, observer, read, class)
        })
    }

    /// `control` with its deadline capped by the client's `deadline_ms`.
    fn bounded(&self, control: &CallControl) -> CallControl {
        let mut control = control.clone();
        let own = Instant::now() + self.config.deadline;
        control.deadline = Some(control.deadline.map_or(own, |d| d.min(own)));
        control
    }

    /// The `time_scale` option: the default time scale of this client's batches and
    /// refresh waits (their own `time_scale` wins).
    pub fn time_scale(&self) -> f64 {
        self.config.time_scale
    }

    /// Sets (or, with `None`, removes) the receiver of one [`Event`] per attempt.
    pub fn set_event_sink(&self, sink: Option<EventSink>) {
        *self.events.write().unwrap_or_else(|p| p.into_inner()) = sink;
    }

    fn call<T>(
        &self,
        link_id: &str,
        account_ids: &[&str],
        control: &CallControl,
        observer: &dyn Fn(&Event<'_>),
        read: &dyn Fn(&str) -> Result<T, String>,
        class: PermitClass,
    ) -> Result<(Identity, T), Error> {
        let url = self.identity_url(link_id, account_ids);
        let reporter = Reporter {
            method: "GET",
            path: IDENTITY_PATH,
            observer,
        };
        self.with_retries(control, &reporter, |attempt, control| {
            self.take_permit(link_id, attempt, class, control)?;
            self.attempt(&url, attempt, control, read)
        })
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

    /// One attempt: authenticate (fetching a token if needed) and send the
    /// request, every part of it within `control`'s deadline.
    fn attempt<T>(
        &self,
        url: &str,
        attempt: u32,
        control: &CallControl,
        read: &dyn Fn(&str) -> Result<T, String>,
    ) -> Result<Answered<(Identity, T)>, Failure> {
        let deadline = control.deadline.expect("attempts always have a deadline");
        let used_token = self.bearer_token(attempt, control)?;
        let auth = self.auth_headers(used_token.as_deref());
        let send = |target: &str| {
            let left = remaining(deadline)?;
            let mut request = self
                .agent
                .get(target)
                .header("moneykit-version", &self.config.moneykit_version)
                .config()
                .timeout_global(Some(left))
                .build();
            for (name, value) in auth {
                if !name.is_empty() {
                    request = request.header(name, value);
                }
            }
            request.call().map_err(transport_failure)
        };

        let mut response = send_following_redirects(&self.config.base.origin, url, send)?;
        let request_id = self.request_id(response.headers());
        let status = response.status().as_u16();

        let outcome = if (200..300).contains(&status) {
            read_body(&mut response, self.config.max_response_bytes).and_then(|body| {
                // One UTF-8 check of the whole body, then a parse that skips per-string checks.
                let body = String::from_utf8(body).map_err(|_| {
                    Failure::new(Status::MkErrDecode, "response body is not UTF-8", Retry::No)
                })?;
                let made = read(&body).map_err(|e| {
                    Failure::new(
                        Status::MkErrDecode,
                        format!("invalid identity response: {e}"),
                        Retry::No,
                    )
                })?;
                Ok((body, made))
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
            Ok((body, made)) => Ok(Answered {
                value: (
                    Identity {
                        body,
                        request_id: request_id.clone(),
                    },
                    made,
                ),
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

    fn emit(&self, event: &Event<'_>) {
        let sink = self
            .events
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(sink) = sink {
            sink(event);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn log(
        &self,
        method: &str,
        path: &str,
        http_status: Option<u16>,
        e: &Error,
        attempt: u32,
        elapsed: Duration,
        token: bool,
    ) {
        if self.config.log_level == Level::Off {
            return;
        }
        log::attempt(
            self.config.log_level,
            &log::Attempt {
                method,
                path,
                http_status,
                outcome: e.status.name(),
                attempt,
                elapsed,
                request_id: e.request_id.as_deref(),
            },
            token,
        );
    }
}

/// What is left until `deadline`, or the timeout failure when nothing is.
fn remaining(deadline: Instant) -> Result<Duration, Failure> {
    let now = Instant::now();
    if now >= deadline {
        return Err(Failure::new(
            Status::MkErrTimeout,
            "the call's deadline elapsed",
            Retry::No,
        ));
    }
    Ok(deadline - now)
}
