//! moneykit-native: a client for MoneyKit's Get Identity endpoint
//! (`GET /links/{id}/identity`) with a C ABI for C, C++, Python and Go.
//!
//! [`core`] is the Rust client; [`ffi`] is the `extern "C"` layer that the
//! generated header `include/moneykit.h` declares.

// Errors carry the server's fields by value; they are rare next to an HTTP round trip,
// so boxing them to shrink `Result` would buy nothing.
#![allow(clippy::result_large_err)]

pub mod core;
pub mod ffi;
