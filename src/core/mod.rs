//! The Rust core: configuration, authentication, the request with its retries,
//! the error model and the response schema. It knows nothing of C; `crate::ffi`
//! adapts it to the C ABI.

mod auth;
pub mod batch;
mod call_options_gen;
mod cancel;
mod canonical;
mod client;
mod config;
#[cfg(feature = "coordination")]
pub mod coordination;
#[cfg(not(feature = "coordination"))]
#[path = "coordination_off.rs"]
pub mod coordination;
mod decimal;
mod encode;
mod error;
mod error_json_gen;
mod events;
mod input_json;
mod log;
pub mod matching;
pub mod model;
mod model_gen;
mod options_gen;
pub mod refresh;
mod resolver;
mod retry;
mod secret;
mod status;
mod status_gen;
#[cfg(test)]
pub(crate) mod test_inputs;
mod timestamp;
pub(crate) mod validate;
pub mod webhooks;

pub use batch::Acquired;
pub use call_options_gen::{batch_option, refresh_option, FloatBounds, IntBounds, StrBounds};
pub use cancel::{CallControl, CancelToken};
pub(crate) use client::{check_account_id_count, check_id, check_link_id, id_too_long};
pub use client::{
    Client, Identity, JwksBody, JWKS_PATH, MAX_ACCOUNT_IDS, MAX_ID_LEN, PRODUCTS_PATH,
    RATE_LIMIT_WAIT,
};
pub use config::{AuthMode, Options, DEFAULT_BASE_URL, DEFAULT_MONEYKIT_VERSION};
pub use encode::encode;
pub use error::{Error, LocationPart, RawResponse, ValidationError};
pub use error_json_gen::ERROR_JSON_KEYS;
pub use events::{Event, EventSink, IDENTITY_PATH, TOKEN_PATH};
pub use log::Level;
pub use matching::{match_owners, match_owners_json, Claim, OwnerMatch};
pub use options_gen::{DEFAULT_AUTH, ENUM_OPTIONS, OPTION_KEYS};
pub use secret::Secret;
pub use status::Status;
pub use validate::{validate_identity, validate_identity_str};
pub use webhooks::{Delivery, Reason, Verified, WebhookOptions, WebhookVerifier};

/// The library version, e.g. "0.1.0".
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
