//! The verifier: one delivery's checks in order, each refusal with its reason.
//!
//! 1. The body's size (`body_too_large`, before anything is hashed or parsed).
//! 2. The token (`jws.rs`: `malformed`, `alg`), before any key is looked up: a forged token
//!    costs no request.
//! 3. The key for its `kid` (`cache.rs`; `kid_unknown`, or the key fetch's own error).
//! 4. The ES256 signature over `header.claims` with that key (`signature`), by `ring`.
//! 5. `iat` within `tolerance_ms` of this machine's clock (`iat_in_future`, `iat_too_old`),
//!    then `exp` plus `tolerance_ms` (`expired`).
//! 6. The SHA-256 of the body against `request_body_sha256`, compared in constant time
//!    (`body_hash`).
//! 7. The body as an event (`event.rs`; `MK_ERR_DECODE` for a signed body that is not one).
//! 8. The duplicate check (`seen.rs`).

use super::cache::{Fetched, KeyCache, Lookup};
use super::event::{self, EventInfo};
use super::jwks;
use super::jws;
use super::reason::Reason;
use super::seen::{Claim, SeenSet};
use crate::core::batch::ClientHolder;
use crate::core::call_options_gen::WebhookOptions;
use crate::core::cancel::{self, CallControl};
use crate::core::{Error, Status};
use ring::digest::{digest, SHA256};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// What a verified delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Not seen before: handle it, then call [`WebhookVerifier::done`].
    New,
    /// Handled before (within `seen_ttl_ms`): answer 2xx, do not handle it again.
    Duplicate,
    /// Another delivery of the same event is being handled now: answer 409 (MoneyKit
    /// retries later; if that handler fails, the retry is handled).
    InFlight,
}

/// A delivery that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `webhook_event`, e.g. `link.product_refresh`.
    pub event: String,
    /// `webhook_idempotency_key`: pass it to [`WebhookVerifier::done`].
    pub idempotency_key: String,
    /// The schema's type name of a known event (`LinkProductRefresh`), `None` when unknown.
    pub type_name: Option<&'static str>,
    pub delivery: Delivery,
}

/// Verifies MoneyKit's webhook deliveries with the keys of one client's MoneyKit app.
/// Cheap to share: every method takes `&self` and is safe from many threads at once.
pub struct WebhookVerifier {
    client: ClientHolder,
    client_id: String,
    tolerance_ms: u64,
    max_body_bytes: usize,
    keys: KeyCache,
    seen: SeenSet,
    /// For the fleet-wide check in Redis (with `coordination_url`): the same periods as
    /// `seen`'s, and whether the check is on (`seen_max` > 0).
    seen_ttl: Duration,
    claim_timeout: Duration,
    check_seen: bool,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("tolerance_ms", &self.tolerance_ms)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

fn ms(v: u32) -> Duration {
    Duration::from_millis(u64::from(v))
}

impl WebhookVerifier {
    /// A verifier fetching keys through `client` (its base URL, transport and deadlines).
    /// The client id sent as `X-Client-Id` is `options.client_id`, else the client's own;
    /// a client made with only an `access_token` and no `client_id` option is
    /// `MK_ERR_INVALID_ARGUMENT`.
    pub fn new(client: ClientHolder, options: WebhookOptions) -> Result<WebhookVerifier, Error> {
        let client_id = match options.client_id.clone() {
            Some(id) => id,
            None => client.client_id().map(str::to_string).ok_or_else(|| {
                Error::invalid(
                    "webhook verification needs a client id (sent as X-Client-Id to fetch the \
                     keys): this client has only an access token; set the webhook option \
                     client_id",
                )
            })?,
        };
        Ok(WebhookVerifier {
            client,
            client_id,
            tolerance_ms: u64::from(options.tolerance_ms),
            max_body_bytes: options.max_body_bytes as usize,
            keys: KeyCache::new(ms(options.jwks_ttl_ms), ms(options.jwks_refetch_ms)),
            seen: SeenSet::new(
                ms(options.seen_ttl_ms),
                ms(options.claim_timeout_ms),
                options.seen_max as usize,
            ),
            seen_ttl: ms(options.seen_ttl_ms),
            claim_timeout: ms(options.claim_timeout_ms),
            check_seen: options.seen_max > 0,
        })
    }

    /// Verifies one delivery: the `MoneyKit-Signature` header's value and the raw body, as
    /// received. `control` bounds a key fetch (with cached keys there is no I/O). See the
    /// module documentation for the checks and their order.
    pub fn verify(
        &self,
        signature: &str,
        body: &[u8],
        control: &CallControl,
    ) -> Result<Verified, Error> {
        let info = cancel::with_current(control.cancel.as_ref(), || {
            self.check(signature, body, control, SystemTime::now())
        })?;
        let delivery = match self.claim(&info.idempotency_key) {
            Claim::New => Delivery::New,
            Claim::Duplicate => Delivery::Duplicate,
            Claim::InFlight => Delivery::InFlight,
        };
        Ok(Verified {
            event: info.event,
            idempotency_key: info.idempotency_key,
            type_name: info.type_name,
            delivery,
        })
    }

    /// Settles the claim [`WebhookVerifier::verify`] made for a [`Delivery::New`]:
    /// `handled_ok` marks the key handled (its repeats are duplicates for `seen_ttl_ms`);
    /// false releases it, so MoneyKit's retry is handled again. Returns whether the key was
    /// claimed (false: unknown, already settled, lapsed after `claim_timeout_ms`, evicted,
    /// or the check is off).
    pub fn done(&self, idempotency_key: &str, handled_ok: bool) -> bool {
        if let Some(coord) = self.fleet() {
            let report = |e: &crate::core::Event<'_>| self.client.report_coordination(e);
            coord.settle_seen(idempotency_key, handled_ok, self.seen_ttl, &report);
        }
        self.seen.done(idempotency_key, handled_ok)
    }

    /// The fleet's coordinator, when the client has one and the duplicate check is on.
    fn fleet(&self) -> Option<&crate::core::coordination::Coordinator> {
        self.client
            .coordinator()
            .filter(|_| self.check_seen)
            .map(|c| &**c)
    }

    /// Claims the key in this process and, with coordination, for the fleet: Redis decides
    /// while it answers (this process's record follows it); when it does not, this
    /// process decides alone, so a repeat handled by another process can get through.
    fn claim(&self, key: &str) -> Claim {
        let local = self.seen.claim(key);
        let Some(coord) = self.fleet() else {
            return local;
        };
        let report = |e: &crate::core::Event<'_>| self.client.report_coordination(e);
        match coord.claim_seen(key, self.claim_timeout, &report) {
            None => local,
            Some(fleet) => {
                if local == Claim::New && fleet != Claim::New {
                    // Claimed here, but handled (or in flight) elsewhere.
                    self.seen.done(key, fleet == Claim::Duplicate);
                }
                fleet
            }
        }
    }

    /// The largest body accepted (`max_body_bytes`).
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// How many times this verifier fetched the key set.
    pub fn key_fetches(&self) -> u64 {
        self.keys.fetches()
    }

    /// Checks 1-7 at the time `now` (no duplicate check).
    fn check(
        &self,
        signature: &str,
        body: &[u8],
        control: &CallControl,
        now: SystemTime,
    ) -> Result<EventInfo, Error> {
        if body.len() > self.max_body_bytes {
            return Err(Reason::BodyTooLarge.error(format_args!(
                "the body is larger than max_body_bytes ({} bytes)",
                self.max_body_bytes
            )));
        }
        let token = jws::parse(signature)?;
        let point = match self
            .keys
            .lookup(&token.kid, control, || self.fetch(control))?
        {
            Lookup::Found(p) => p,
            Lookup::Unknown { ignored: true, .. } => {
                return Err(Reason::KidUnknown
                    .error("the key set's key with this kid is not an EC P-256 ES256 signing key"))
            }
            Lookup::Unknown { fetched, .. } => {
                return Err(Reason::KidUnknown.error(if fetched {
                    "no key with this kid in the key set, fetched again just now"
                } else {
                    "no key with this kid in the key set (fetched again at most once per \
                     jwks_refetch_ms)"
                }))
            }
        };
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(token.signing_input, &token.signature)
            .map_err(|_| Reason::Signature.error("the ES256 signature does not verify"))?;
        // `iat` and `exp` are whole seconds: compared with this clock's whole seconds.
        let now_s = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let tol = self.tolerance_ms;
        let past_ms = |t: u64| now_s.saturating_sub(t).saturating_mul(1000);
        let ahead_ms = |t: u64| t.saturating_sub(now_s).saturating_mul(1000);
        let iat = token.claims.iat;
        if ahead_ms(iat) > tol {
            return Err(Reason::IatInFuture.error(format_args!(
                "iat is {} s ahead of this machine's clock (tolerance_ms {tol})",
                iat - now_s
            )));
        }
        if past_ms(iat) > tol {
            return Err(Reason::IatTooOld.error(format_args!(
                "iat is {} s old (tolerance_ms {tol})",
                now_s - iat
            )));
        }
        if let Some(exp) = token.claims.exp {
            if past_ms(exp) > tol {
                return Err(Reason::Expired.error(format_args!(
                    "exp passed {} s ago (tolerance_ms {tol})",
                    now_s - exp
                )));
            }
        }
        let hash = digest(&SHA256, body);
        if !bool::from(hash.as_ref().ct_eq(&token.claims.body_sha256)) {
            return Err(Reason::BodyHash
                .error("request_body_sha256 is not the SHA-256 of the body received"));
        }
        event::check(body)
    }

    /// One fetch of the key set, for the cache.
    fn fetch(&self, control: &CallControl) -> Result<Fetched, Error> {
        let prefix = "webhook signing keys could not be fetched (GET /.well-known/jwks.json)";
        let got = self
            .client
            .fetch_jwks(&self.client_id, control)
            .map_err(|mut e| {
                e.message = format!("{prefix}: {}", e.message);
                e
            })?;
        let set = jwks::parse(&got.body).map_err(|m| {
            let mut e = Error::new(Status::MkErrDecode, format!("{prefix}: {m}"));
            e.attempts = 1;
            e
        })?;
        Ok(Fetched {
            set,
            max_age: got.max_age,
        })
    }
}
