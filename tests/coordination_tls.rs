//! `rediss://`: coordination over TLS trusts what the client's HTTPS trusts, Mozilla's roots
//! and `ca_file`'s (issue 28 item 1). A redis-server with TLS only, its certificate signed by
//! a throw-away CA: with that CA in `ca_file` the calls take permits in Redis; without it the
//! handshake fails, which is Redis lost (one event), and the call still succeeds.

mod common;

use common::redis::Redis;
use common::*;
use moneykit::core::Status;
use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};
use std::ffi::{c_void, CStr};
use std::path::Path;
use std::sync::Mutex;

/// A CA, and a server certificate for 127.0.0.1 signed by it, as PEM files in `dir`. Each
/// has its own name: with rcgen's default name for both, the leaf would look self-signed.
fn write_certificates(dir: &Path) {
    let name = |cn: &str| {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name = name("moneykit coordination test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    leaf.distinguished_name = name("127.0.0.1");
    let leaf = leaf.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
}

/// The statuses of the REDIS events a client reported.
static REDIS_EVENTS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

unsafe extern "C" fn record(_: *mut c_void, e: *const MkEvent) {
    // SAFETY: the library passes a valid event for the duration of the callback.
    let e = unsafe { &*e };
    // SAFETY: method is a valid NUL-terminated string during the callback.
    if unsafe { CStr::from_ptr(e.method) }.to_bytes() == b"REDIS" {
        REDIS_EVENTS.lock().unwrap().push(e.status);
    }
}

#[test]
fn rediss_trusts_ca_file_and_refuses_an_unknown_ca_without_failing_calls() {
    let redis = Redis::start_tls(write_certificates);
    let sandbox = Sandbox::start(Config::default()).expect("sandbox starts");
    let url = redis.url();

    let trusted = client_with(&format!(
        r#"{{"base_url": "{}", "coordination_url": "{url}", "ca_file": "{}"}}"#,
        sandbox.base_url(),
        redis.ca_file().display()
    ));
    for link in ["mk_sandbox_ok", "mk_sandbox_unicode"] {
        trusted.identity(link, &[]).assert_status(Status::MkOk);
    }
    let keys = redis.cli(&["KEYS", "mk:*:app"]);
    assert_eq!(keys.lines().count(), 1, "{keys}");
    assert_eq!(redis.cli(&["ZCARD", keys.trim()]), "2");

    // Without the CA the handshake fails: Redis is lost (one event), the call goes on.
    let untrusted = client_with(&format!(
        r#"{{"base_url": "{}", "coordination_url": "{url}"}}"#,
        sandbox.base_url()
    ));
    // SAFETY: a live client and a callback valid for the whole test.
    let rc = unsafe {
        mk_client_set_event_callback(
            untrusted.raw(),
            Some(record),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0);
    untrusted
        .identity("mk_sandbox_ok", &[])
        .assert_status(Status::MkOk);
    assert_eq!(
        *REDIS_EVENTS.lock().unwrap(),
        vec![Status::MkErrTransport as i32]
    );
    assert_eq!(
        redis.cli(&["ZCARD", keys.trim()]),
        "2",
        "no permit without trust"
    );
}

fn client_with(options: &str) -> Client {
    try_client(Some(ID), Some(SECRET), options).unwrap_or_else(|e| panic!("{e:?}"))
}
