//! `rediss://`: coordination over TLS trusts what the client's HTTPS trusts, Mozilla's roots
//! and `ca_file`'s (issue 28 item 1). A redis-server with TLS only, its certificate signed by
//! a throw-away CA: with that CA in `ca_file` the calls take permits in Redis; without it the
//! handshake fails, which is Redis lost (one event), and the call still succeeds.

mod common;

use common::*;
use moneykit::core::Status;
use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};
use std::ffi::{c_void, CStr};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A redis-server listening with TLS only, on a free port; killed on drop.
struct TlsRedis {
    port: u16,
    dir: PathBuf,
    child: Child,
}

impl TlsRedis {
    fn start() -> TlsRedis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("mk-redis-tls-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_certificates(&dir);
        let p = |f: &str| dir.join(f).display().to_string();
        let child = Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .args([
                "--tls-cert-file",
                &p("server.pem"),
                "--tls-key-file",
                &p("server.key"),
            ])
            .args([
                "--tls-ca-cert-file",
                &p("ca.pem"),
                "--tls-auth-clients",
                "no",
            ])
            .args(["--save", "", "--appendonly", "no", "--dir", &p("")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (make deps installs it)");
        let r = TlsRedis { port, dir, child };
        let started = Instant::now();
        while r.cli(&["PING"]) != "PONG" {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "TLS redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        r
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["--tls", "--cacert", self.ca_file().to_str().unwrap()])
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

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
    let redis = TlsRedis::start();
    let sandbox = Sandbox::start(Config::default()).expect("sandbox starts");
    let url = format!("rediss://127.0.0.1:{}/0", redis.port);

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
