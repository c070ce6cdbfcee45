//! Fuzz targets of moneykit-native (issue 23, fuzz/README.md).
//!
//! One pure function per target: it runs the code under test on `data` and asserts the
//! target's invariants with panics, so a broken invariant is a crash whatever drives it.
//! Two drivers: `fuzz/afl` (AFL++ through `cargo afl`, outside the workspace: coverage-guided
//! search) and `tests/replay.rs` (`cargo test --workspace`: every committed corpus and
//! regression input, on stable, with nothing to install).
//!
//! Each function is deterministic and keeps no state between calls (caches of fixed inputs
//! aside), so an input replays the same under `cargo test` as it ran under AFL++.

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod claim_match;
mod cli_files;
mod cli_http;
mod common;
mod identity;
mod identity_shapes;
mod options;
mod sandbox_http;
mod view;
mod webhook_event;
mod webhook_jwks;
mod webhook_jws;

pub use claim_match::claim_match;
pub use cli_files::cli_files;
pub use cli_http::cli_http;
pub use identity::identity;
pub use identity_shapes::{identity_shapes, shape_body};
pub use options::options;
pub use sandbox_http::sandbox_http;
pub use webhook_event::webhook_event;
pub use webhook_jwks::webhook_jwks;
pub use webhook_jws::webhook_jws;

/// Fills the targets' caches of fixed inputs (the echo checks' vocabulary, the corpus
/// bodies), so the AFL++ driver pays for them once, before its fork server starts.
pub fn warm_up() {
    common::vocabulary();
    claim_match::identities();
    identity_shapes::bodies();
}

/// A target: its directory name under `fuzz/corpus/` and `fuzz/regressions/`, and its function.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, by the name the corpora, the afl binaries and `make fuzz FUZZ_TARGETS=...` use.
pub const TARGETS: &[Target] = &[
    Target {
        name: "identity",
        run: identity,
    },
    Target {
        name: "identity_shapes",
        run: identity_shapes,
    },
    Target {
        name: "options",
        run: options,
    },
    Target {
        name: "claim_match",
        run: claim_match,
    },
    Target {
        name: "sandbox_http",
        run: sandbox_http,
    },
    Target {
        name: "cli_files",
        run: cli_files,
    },
    Target {
        name: "cli_http",
        run: cli_http,
    },
    Target {
        name: "webhook_jws",
        run: webhook_jws,
    },
    Target {
        name: "webhook_jwks",
        run: webhook_jwks,
    },
    Target {
        name: "webhook_event",
        run: webhook_event,
    },
];
