//! Why a delivery was refused: the `reason` of an `MK_ERR_SIGNATURE` error JSON
//! (schema/moneykit.json `error_json`, docs/C-API.md "Webhooks").

use crate::core::{Error, Status};

/// Which check refused a webhook delivery. Every one is `MK_ERR_SIGNATURE`; the application
/// answers 400 and does not handle the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The header is not a JWS compact token we accept: not three base64url parts, padding,
    /// a header or claims that are not a JSON object (or repeat a key), no `kid`, a `crit`
    /// header, a signature that is not 64 bytes, `iat` missing or not a whole number of
    /// seconds in range, `exp` not one, `request_body_sha256` not 64 hex digits.
    Malformed,
    /// `alg` is not `ES256` (`none`, `HS256`, `RS256`, ...).
    Alg,
    /// No usable key (EC P-256, ES256) with the header's `kid`, after the one refetch the
    /// refetch limit allows.
    KidUnknown,
    /// The ES256 signature does not verify with that key.
    Signature,
    /// The claim `request_body_sha256` is not the SHA-256 of the body received.
    BodyHash,
    /// `iat` is older than the tolerance.
    IatTooOld,
    /// `iat` is further ahead than the tolerance.
    IatInFuture,
    /// `exp` (plus the tolerance) has passed.
    Expired,
    /// The body is larger than `max_body_bytes` (not hashed).
    BodyTooLarge,
}

impl Reason {
    /// Every reason, in documentation order.
    pub const ALL: [Reason; 9] = [
        Reason::Malformed,
        Reason::Alg,
        Reason::KidUnknown,
        Reason::Signature,
        Reason::BodyHash,
        Reason::IatTooOld,
        Reason::IatInFuture,
        Reason::Expired,
        Reason::BodyTooLarge,
    ];

    /// The error JSON's `reason` value.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::Alg => "alg",
            Reason::KidUnknown => "kid_unknown",
            Reason::Signature => "signature",
            Reason::BodyHash => "body_hash",
            Reason::IatTooOld => "iat_too_old",
            Reason::IatInFuture => "iat_in_future",
            Reason::Expired => "expired",
            Reason::BodyTooLarge => "body_too_large",
        }
    }

    /// The `MK_ERR_SIGNATURE` error: `webhook refused (<reason>): <detail>`. `detail` is
    /// fixed text or numbers, never a value from the header or the body.
    pub fn error(self, detail: impl std::fmt::Display) -> Error {
        let mut e = Error::new(
            Status::MkErrSignature,
            format!("webhook refused ({}): {detail}", self.name()),
        );
        e.reason = Some(self.name());
        e
    }
}
