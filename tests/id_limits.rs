//! Issue 24, item 7: the id limits (`MK_MAX_ID_LEN` bytes per link or account id,
//! `MK_MAX_ACCOUNT_IDS` account ids) live in the core, so the Rust API refuses what the
//! C API refuses, with the same `MK_ERR_INVALID_ARGUMENT` message and before any request.
//! (Before, only `src/ffi` checked them: the core sent a 1025-byte link id to the server.)

mod common;

use common::*;
use moneykit::core::batch::{Batch, BatchOptions, Next};
use moneykit::core::refresh::{refresh_identity, wait_identity_newer, RefreshOptions};
use moneykit::core::{CallControl, Client, Error, Options, Status, MAX_ACCOUNT_IDS, MAX_ID_LEN};
use moneykit::ffi::{MK_MAX_ACCOUNT_IDS, MK_MAX_ID_LEN};
use std::sync::Arc;
use std::time::Duration;

fn core_client(sb: &moneykit_sandbox::Sandbox) -> Client {
    let options = Options::from_json(&format!(r#"{{"base_url": "{}"}}"#, sb.base_url())).unwrap();
    Client::new(Some(ID), Some(SECRET), options).unwrap()
}

#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, message: &str) {
    let e = result.unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str(), e.attempts),
        (Status::MkErrInvalidArgument, message, 0)
    );
}

#[test]
fn the_limits_are_the_headers() {
    assert_eq!((MAX_ID_LEN, MAX_ACCOUNT_IDS), (1024, 1000));
    assert_eq!(
        (MK_MAX_ID_LEN, MK_MAX_ACCOUNT_IDS),
        (MAX_ID_LEN, MAX_ACCOUNT_IDS)
    );
}

#[test]
fn the_rust_api_refuses_what_the_c_api_refuses_before_any_request() {
    let sb = sandbox();
    let client = core_client(&sb);
    let long = "a".repeat(MAX_ID_LEN + 1);
    let too_long = "link_id is longer than 1024 bytes";
    let none = CallControl::default();

    // Get Identity, in each of its forms.
    assert_refused(client.get_identity(&long, &[]), too_long);
    assert_refused(client.get_identity_with(&long, &[], &none), too_long);
    assert_refused(
        client.get_identity_observed(&long, &[], &none, &|_| {}),
        too_long,
    );
    let many = vec!["acc"; MAX_ACCOUNT_IDS + 1];
    assert_refused(
        client.get_identity("mk_sandbox_ok", &many),
        "more than 1000 account ids",
    );
    assert_refused(
        client.get_identity("mk_sandbox_ok", &["acc", long.as_str()]),
        "account id is longer than 1024 bytes",
    );
    assert_refused(
        client.get_identity("mk_sandbox_ok", &["acc", ""]),
        "account id is empty",
    );

    // The refresh request, refresh and wait.
    assert_refused(
        client.request_refresh(&long, &["identity"], &none),
        too_long,
    );
    let options = RefreshOptions::default();
    let wait = Duration::from_secs(5);
    for out in [
        refresh_identity(&client, &long, wait, &options, None),
        wait_identity_newer(&client, &long, None, wait, &options, None),
    ] {
        let not_fresh = out.unwrap_err();
        assert_eq!(not_fresh.stale, None);
        assert_refused(Err::<(), _>(not_fresh.error), too_long);
    }

    // A batch: try_start refuses it whole, naming the link as mk_batch_start does.
    let holder = || Box::new(Arc::new(core_client(&sb)));
    let batch = Batch::try_start(
        holder(),
        vec!["mk_sandbox_ok".into(), long.clone()],
        BatchOptions::default(),
    );
    assert_refused(batch.map(|_| ()), "link_ids[1] is longer than 1024 bytes");
    // start (the CLI's) gives the link an item with Get Identity's refusal.
    let batch = Batch::start(holder(), vec![long.clone()], BatchOptions::default());
    let Next::Item(item) = batch.next(Duration::from_secs(10)) else {
        panic!("no item");
    };
    assert_refused(item.result, too_long);
    assert!(matches!(batch.next(Duration::from_secs(10)), Next::Done));

    let stats = sb.stats();
    assert_eq!((stats.requests, stats.token_requests), (0, 0), "{stats:?}");
}

#[test]
fn the_c_api_gives_the_same_messages() {
    let sb = sandbox();
    let core = core_client(&sb);
    let c = client(&sb, "");
    let long = "é".repeat(MAX_ID_LEN / 2) + "x";
    let long_account = "b".repeat(MAX_ID_LEN + 1);
    let many = vec!["acc"; MAX_ACCOUNT_IDS + 1];
    for (link, accounts) in [
        (long.as_str(), vec![]),
        ("mk_sandbox_ok", many),
        ("mk_sandbox_ok", vec!["acc", long_account.as_str()]),
        ("mk_sandbox_ok", vec![""]),
        ("", vec![]),
        ("..", vec![]),
        ("..", vec![""]),
    ] {
        let out = c.identity(link, &accounts);
        out.assert_status(Status::MkErrInvalidArgument);
        let rust = core.get_identity(link, &accounts).unwrap_err();
        assert_eq!(
            out.err("message").as_str(),
            Some(rust.message.as_str()),
            "{link:.8}… with {} account ids",
            accounts.len()
        );
    }
    let stats = sb.stats();
    assert_eq!(stats.requests, 0, "{stats:?}");
}

#[test]
fn ids_at_the_limits_are_sent() {
    let sb = sandbox();
    let client = core_client(&sb);
    let longest = "a".repeat(MAX_ID_LEN);
    // Unknown to the sandbox: a 404, so the request was made.
    let e = client.get_identity(&longest, &[&longest]).unwrap_err();
    assert_eq!(e.status, Status::MkErrNotFound, "{e:?}");
    // Exactly MAX_ACCOUNT_IDS account ids pass the check too.
    let accounts = vec!["acc_x"; MAX_ACCOUNT_IDS];
    let e = client.get_identity(&longest, &accounts).unwrap_err();
    assert_eq!(e.status, Status::MkErrNotFound, "{e:?}");
    assert_eq!(sb.stats().identity_requests, 2);
}
