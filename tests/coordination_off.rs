//! A library built without its `coordination` feature (`cargo test --no-default-features
//! --test coordination_off`, run by `make cargo-test`): a `coordination_url` is refused
//! with a message naming the feature, never silently ignored (a fleet would otherwise
//! send N times the app's budget), and never echoing the URL's password.

mod common;

use common::*;
use moneykit::core::Status;

#[test]
#[cfg_attr(
    feature = "coordination",
    ignore = "only meaningful without the coordination feature"
)]
fn coordination_url_is_refused_without_the_feature() {
    let (status, error) = try_client(
        Some(ID),
        Some(SECRET),
        r#"{"coordination_url": "redis://:hunter2@127.0.0.1:6379/0"}"#,
    )
    .err()
    .expect("refused");
    assert_eq!(status, Status::MkErrInvalidArgument as i32);
    let text = error.to_string();
    assert!(text.contains("coordination feature"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // The rest of the library works as ever.
    assert!(try_client(Some(ID), Some(SECRET), "{}").is_ok());
}
