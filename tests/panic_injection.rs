//! `MK_ERR_INTERNAL` (13) through real exported functions: with the test-only Cargo feature
//! `test-panic-injection` (see Cargo.toml), the identity calls panic inside the C boundary
//! for the link id [`INJECTED`]. `make cargo-test` runs this file with the feature:
//! `cargo test --features test-panic-injection --test panic_injection`. Without the feature
//! (plain `cargo test`), the one test here checks that the id is an ordinary link id.

mod common;

use common::*;
use moneykit::core::Status;

/// The link id the feature turns into a panic (src/ffi/identity.rs, `fetch_identity`).
const INJECTED: &str = "mk_test_injected_panic";

#[cfg(not(feature = "test-panic-injection"))]
#[test]
fn without_the_feature_the_injection_id_is_an_ordinary_link_id() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0"#);
    let out = c.identity(INJECTED, &[]);
    out.assert_status(Status::MkErrNotFound);
    assert_eq!(sb.stats().identity_requests, 1);
}

#[cfg(feature = "test-panic-injection")]
mod injected {
    use super::*;
    use moneykit::ffi::*;
    use std::ffi::{c_char, CString};
    use std::ptr;
    use std::sync::{Mutex, Once};

    /// Every panic message seen in this process, so the tests know a panic really happened
    /// (rather than some other path returning 13).
    static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn record_panics() {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let text = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                if text.starts_with("test-panic-injection") {
                    PANICS.lock().unwrap().push(text);
                } else {
                    previous(info);
                }
            }));
        });
    }

    fn injected_panics() -> usize {
        PANICS.lock().unwrap().len()
    }

    const INTERNAL_MESSAGE: &str = "internal error: the library panicked (please report this bug)";

    /// The documented error JSON of a caught panic: every key, status 13, nothing sent.
    fn assert_internal(status: i32, error: &serde_json::Value) {
        assert_eq!(status, Status::MkErrInternal.code(), "{error}");
        assert_eq!(status, 13);
        for key in moneykit::core::ERROR_JSON_KEYS {
            assert!(error.get(key).is_some(), "error JSON lacks {key}: {error}");
        }
        assert_eq!(error["status"], 13);
        assert_eq!(error["name"], "MK_ERR_INTERNAL");
        assert_eq!(error["message"], INTERNAL_MESSAGE);
        assert_eq!(error["attempts"], 0);
        for key in [
            "http_status",
            "error_code",
            "error_message",
            "documentation_url",
            "link_error_code",
            "request_id",
            "retry_after_ms",
        ] {
            assert!(error[key].is_null(), "{key}: {error}");
        }
    }

    #[test]
    fn a_panic_inside_mk_get_identity_is_status_13_and_the_client_still_works() {
        record_panics();
        let sb = sandbox();
        let c = client(&sb, "");
        // Before and after a successful call (a token cached or not).
        for _ in 0..2 {
            let before = injected_panics();
            let out = c.identity(INJECTED, &[]);
            assert!(injected_panics() > before, "no panic was injected");
            assert!(out.json.is_none());
            assert_internal(out.status, out.error.as_ref().unwrap());
            // The process did not abort and the same client still serves calls.
            let ok = c.identity("mk_sandbox_ok", &[]);
            assert_eq!(ok.status, 0, "{:?}", ok.error_text);
            assert_eq!(ok.body()["link"]["link_id"], "mk_sandbox_ok");
        }
        // The injected calls never reached the server.
        assert_eq!(sb.stats().identity_requests, 2);
    }

    #[test]
    fn mk_get_identity_ex_writes_every_output_pointer_on_a_panic() {
        record_panics();
        let sb = sandbox();
        let c = client(&sb, "");
        let link = CString::new(INJECTED).unwrap();
        // Poisoned values: the call must overwrite them (NULL on the path not taken).
        let mut json = ptr::dangling_mut::<c_char>();
        let mut request_id = ptr::dangling_mut::<c_char>();
        let mut err: *mut c_char = ptr::null_mut();
        let before = injected_panics();
        // SAFETY: a live client, a NUL-terminated link id, no account ids, no cancel
        // handle and three local out-pointers valid for writes.
        let rc = unsafe {
            mk_get_identity_ex(
                c.raw(),
                link.as_ptr(),
                ptr::null(),
                0,
                5_000,
                ptr::null(),
                &mut json,
                &mut request_id,
                &mut err,
            )
        };
        assert!(injected_panics() > before, "no panic was injected");
        assert!(json.is_null());
        assert!(request_id.is_null());
        let text = take(err).expect("an error JSON");
        assert_internal(rc, &serde_json::from_str(&text).unwrap());
        let ok = c.identity("mk_sandbox_ok", &[]);
        assert_eq!(ok.status, 0, "{:?}", ok.error_text);
    }

    #[test]
    fn panics_on_several_threads_leave_the_shared_client_usable() {
        record_panics();
        let sb = sandbox();
        let c = client(&sb, "");
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..3 {
                        let out = c.identity(INJECTED, &[]);
                        assert_internal(out.status, out.error.as_ref().unwrap());
                        let ok = c.identity("mk_sandbox_ok", &[]);
                        assert_eq!(ok.status, 0, "{:?}", ok.error_text);
                    }
                });
            }
        });
        assert_eq!(sb.stats().identity_requests, 12);
        // One token for every thread: no lock was left poisoned by the panics.
        assert_eq!(sb.stats().token_requests, 1);
    }
}
