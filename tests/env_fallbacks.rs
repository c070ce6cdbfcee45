//! The environment fallbacks of `mk_client_new` (docs/C-API.md, "Options JSON" and
//! "Credentials"): `MONEYKIT_BASE_URL` when `base_url` is not given, `MONEYKIT_CLIENT_ID` /
//! `MONEYKIT_CLIENT_SECRET` when the arguments are NULL. One test in its own binary: the
//! environment is process-global, and nothing else here reads it while it is changed.

mod common;

use common::*;
use moneykit::core::Status;

const VARS: [&str; 3] = [
    "MONEYKIT_BASE_URL",
    "MONEYKIT_CLIENT_ID",
    "MONEYKIT_CLIENT_SECRET",
];

#[test]
fn base_url_and_credentials_come_from_the_environment_when_not_given() {
    let saved: Vec<_> = VARS.iter().map(|v| (*v, std::env::var_os(v))).collect();
    let sb = sandbox();

    // All three from the environment: NULL id and secret, no base_url.
    std::env::set_var("MONEYKIT_BASE_URL", sb.base_url());
    std::env::set_var("MONEYKIT_CLIENT_ID", ID);
    std::env::set_var("MONEYKIT_CLIENT_SECRET", SECRET);
    let c =
        try_client(None, None, r#"{"max_retries": 0}"#).unwrap_or_else(|e| panic!("client: {e:?}"));
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, 0, "{:?}", out.error_text);
    assert_eq!(sb.stats().token_requests, 1);

    // Arguments and options win over the environment.
    std::env::set_var("MONEYKIT_BASE_URL", "http://127.0.0.1:1");
    std::env::set_var("MONEYKIT_CLIENT_SECRET", "not-the-secret");
    let opts = format!(r#"{{"base_url": "{}", "max_retries": 0}}"#, sb.base_url());
    let c = try_client(Some(ID), Some(SECRET), &opts).unwrap();
    assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    // ... and the environment's is used when they are absent: the wrong secret is refused.
    let c = try_client(None, None, &opts).unwrap();
    assert_eq!(
        c.identity("mk_sandbox_ok", &[]).status,
        Status::MkErrUnauthorized.code()
    );

    // Neither: no client id is MK_ERR_INVALID_ARGUMENT at creation, nothing sent.
    for v in VARS {
        std::env::remove_var(v);
    }
    let (rc, err) = try_client(None, None, &opts)
        .err()
        .expect("a client without credentials");
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
    assert!(
        err["message"].as_str().unwrap().starts_with("no client id"),
        "{err}"
    );
    std::env::set_var("MONEYKIT_CLIENT_ID", ID);
    let (rc, err) = try_client(None, None, &opts)
        .err()
        .expect("a client without a secret");
    assert_eq!(rc, Status::MkErrInvalidArgument.code());
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("no client secret"),
        "{err}"
    );

    for (k, v) in saved {
        match v {
            Some(v) => std::env::set_var(k, v),
            None => std::env::remove_var(k),
        }
    }
}
