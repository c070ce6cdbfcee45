//! moneykit-native: a client for MoneyKit's Get Identity endpoint
//! (`GET /links/{id}/identity`) with a C ABI for C, C++, Python and Go.
//!
//! [`core`] is the Rust client; [`ffi`] is the `extern "C"` layer that the
//! generated header `include/moneykit.h` declares.

// Errors carry the server's fields by value; they are rare next to an HTTP round trip,
// so boxing them to shrink `Result` would buy nothing.
#![allow(clippy::result_large_err)]
// Every unsafe operation sits in its own `unsafe` block with a `// SAFETY:` comment
// saying why it is sound, even inside an `unsafe fn`.
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod core;
pub mod ffi;
