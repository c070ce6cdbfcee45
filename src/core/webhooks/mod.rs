//! Verifying MoneyKit's webhook deliveries (issue 26; docs/C-API.md "Webhooks";
//! moneykit-api.md "Webhooks"), once for every language. One concern per file:
//!
//! - `jws`: the `MoneyKit-Signature` header, a JWS compact token, parsed strictly;
//! - `jwks`: the key set document (`GET /.well-known/jwks.json`);
//! - `cache`: the fetched keys, their lifetime, single-flight fetching and the refetch limit;
//! - `verify`: the checks of one delivery, in order, and the verifier itself;
//! - `seen`: the in-process duplicate check (claim, done);
//! - `event`: the one checker of a verified body, from the schema's `webhook_events`
//!   (`events_gen`, generated);
//! - `reason`: why a delivery was refused (`MK_ERR_SIGNATURE`'s `reason`).
//!
//! Crypto is `ring`'s (ECDSA P-256 SHA-256 on the raw 64-byte `r || s`, SHA-256), the same
//! `ring` rustls already builds; the body hash is compared with `subtle`'s constant-time
//! equality (ring 0.17's own is deprecated for outside use).

mod cache;
mod event;
mod events_gen;
mod jwks;
pub(crate) mod jws;
mod reason;
mod seen;
mod verify;

pub use self::reason::Reason;
pub(crate) use self::seen::Claim;
pub use self::verify::{Delivery, Verified, WebhookVerifier};
pub use crate::core::call_options_gen::{webhook_option, WebhookOptions, WEBHOOK_OPTION_KEYS};

/// The event checker alone, for fuzzing and tests: `Ok(webhook_event)` when `body` is an
/// event the verifier would hand out.
pub fn check_event(body: &[u8]) -> Result<String, crate::core::Error> {
    event::check(body).map(|i| i.event)
}

/// The `MoneyKit-Signature` parser alone, for fuzzing and tests: `Ok(kid)` when the header
/// is a token the verifier would look a key up for.
pub fn parse_signature_header(header: &str) -> Result<String, crate::core::Error> {
    jws::parse(header).map(|t| t.kid)
}

/// The key set parser alone, for fuzzing and tests: `Ok(number of usable keys)`.
pub fn parse_key_set(body: &[u8]) -> Result<usize, String> {
    jwks::parse(body).map(|s| s.len())
}
