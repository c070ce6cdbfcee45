//! `cli_http`: the webhook listener's request parser (`moneykit_cli::http::parse`), with the
//! invariants its module documents (cli/src/http.rs), checked against the sandbox's more
//! lenient parser (`moneykit_sandbox::http::parse_request`) as the oracle.
//!
//! Input: one byte of limits (bits 0-1: `max_head` 64, 512 or 16 KiB, the listener's; bits
//! 2-3: `max_body` 0, 16, 1024 or 1 MiB, the listener's), then the bytes received.
//!
//! Invariants:
//! - `parse` never panics and is deterministic;
//! - `Done(request)`: the sandbox's parser reads the same request from the same bytes (method,
//!   target, version, headers as (name, value) in order, body) and consumes all of them; the
//!   body is at most `max_body`, the head at most `max_head`; the method a token of at most
//!   16 bytes, the target origin-form;
//! - a refusal has a status the listener answers with (400, 413, 414, 431, 501, 505);
//! - prefixes: for every split point, the prefix's result is `More`, or a refusal when the
//!   whole is a refusal, or `Done` when the whole is that same `Done` (the whole input) or a
//!   refusal (bytes after the body).

use moneykit_cli::http::{parse, Limits, Parse};
use moneykit_sandbox::http::{parse_request, Limits as SandboxLimits};

/// Split points checked per input (all of them for short inputs).
const MAX_SPLITS: usize = 256;

/// The `cli_http` target.
pub fn cli_http(data: &[u8]) {
    let [limits_byte, ref bytes @ ..] = *data else {
        return;
    };
    let limits = Limits {
        max_head: [64, 512, 16 * 1024, 16 * 1024][usize::from(limits_byte & 3)],
        max_body: [0, 16, 1024, 1 << 20][usize::from((limits_byte >> 2) & 3)],
    };
    let whole = parse(bytes, limits);
    assert_eq!(whole, parse(bytes, limits), "parse is not deterministic");
    match &whole {
        Ok(Parse::Done(r)) => {
            assert!(r.body.len() <= limits.max_body, "body over max_body");
            assert!(
                bytes.len() - r.body.len() <= limits.max_head,
                "head over max_head"
            );
            assert!(
                !r.method.is_empty() && r.method.len() <= 16,
                "method {:?}",
                r.method
            );
            assert!(r.target.starts_with('/'), "target {:?}", r.target);
            let oracle = parse_request(
                bytes,
                SandboxLimits {
                    max_head: 64 * 1024,
                    max_body: 1 << 20,
                },
            )
            .unwrap_or_else(|e| panic!("accepted, but the sandbox's parser says {e:?}"));
            let o = &oracle.request;
            assert_eq!(oracle.consumed, bytes.len(), "the sandbox consumed less");
            assert_eq!(
                (&o.method, &o.target, o.minor, &o.headers, &o.body),
                (&r.method, &r.target, r.minor, &r.headers, &r.body),
                "read otherwise by the sandbox's parser"
            );
        }
        Ok(Parse::More { .. }) => {}
        Err(e) => assert!(
            [400, 413, 414, 431, 501, 505].contains(&e.status),
            "status {}",
            e.status
        ),
    }
    let step = bytes.len().div_ceil(MAX_SPLITS).max(1);
    for k in (0..bytes.len()).step_by(step) {
        match parse(&bytes[..k], limits) {
            Ok(Parse::More { .. }) => {}
            Err(e) => assert!(
                whole.is_err(),
                "prefix {k} refused ({e:?}) but the whole is {whole:?}"
            ),
            Ok(Parse::Done(_)) => assert!(
                whole.is_err(),
                "prefix {k} is a whole request but the whole is {whole:?}"
            ),
        }
    }
}
