//! Property tests: arbitrary link ids and arbitrary response bytes never cause a
//! panic and always end in one of the documented statuses.

mod common;

use common::*;
use moneykit::core::{encode, validate_identity, Status};
use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any link id reaches the identity endpoint as exactly one path segment.
    #[test]
    fn arbitrary_link_ids_are_one_segment(id in "[^\u{0}]{1,40}") {
        let sb = sandbox();
        let c = client(&sb, r#""access_token": "sandbox-access-token", "max_retries": 0"#);
        let out = c.identity(&id, &[]);
        prop_assert_eq!(out.status, Status::MkErrNotFound.code(), "{:?}", out.error_text);
        prop_assert_eq!(out.err("error_code"), "link_error.not_found");
        let reqs = sb.requests();
        prop_assert_eq!(reqs.len(), 1);
        prop_assert_eq!(&reqs[0].target, &format!("/links/{}/identity", encode(&id)));
    }

    /// The schema check is total: any bytes give Ok or Err, never a panic.
    #[test]
    fn validation_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = validate_identity(&bytes);
    }

    /// Whatever a server answers, the call ends in a documented status (never INTERNAL).
    #[test]
    fn arbitrary_responses_give_documented_statuses(
        status in prop_oneof![Just(200u16), Just(401), Just(404), Just(422), Just(429), Just(500), 100u16..600],
        body in proptest::collection::vec(any::<u8>(), 0..256),
        raw in any::<bool>(),
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut response = if raw {
            body.clone()
        } else {
            format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                .into_bytes()
        };
        if !raw {
            response.extend_from_slice(&body);
        }
        let server = std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(&response);
            }
        });
        let c = try_client(
            None,
            None,
            &format!(r#"{{"base_url": "http://127.0.0.1:{port}", "access_token": "t", "max_retries": 0, "timeout_ms": 2000}}"#),
        )
        .unwrap();
        let out = c.identity("mk_x", &[]);
        server.join().unwrap();
        prop_assert!(out.status >= 0 && out.status < Status::MkErrInternal.code(), "{:?}", out.error_text);
    }
}
