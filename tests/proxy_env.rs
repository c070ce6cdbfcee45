//! The proxy environment variables, as docs/C-API.md documents them: without the `proxy`
//! option, a client uses `ALL_PROXY` / `HTTPS_PROXY` / `HTTP_PROXY` (the first one set, in
//! that order) except for hosts in `NO_PROXY`; the option wins over them; and they are
//! ignored for a loopback base URL (the credentials would cross the proxy in clear text).
//!
//! Environment variables are process-global, so every test here holds [`Env`] (a lock, and
//! the variables restored afterwards) and nothing else in this binary reads them. The base
//! URL is a non-loopback name under `.invalid` (RFC 6761): a CONNECT proxy is asked for it by
//! name, so no lookup is made when the proxy is used, and a direct connection fails its
//! lookup, which tells the two apart.

mod common;
mod proxies;

use common::*;
use moneykit::core::Status;
use proxies::{ConnectProxy, Socks5Proxy};
use std::ffi::OsString;
use std::sync::{Mutex, MutexGuard};

const HOST: &str = "api.moneykit-proxy-env.invalid";

/// Every variable the proxy lookup may read (ureq also reads the lowercase forms), so a
/// proxy set in the environment the tests run in does not leak into them.
const VARS: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

static ENV_LOCK: Mutex<()> = Mutex::new(());

/// Holds the environment for one test: only `vars` set among [`VARS`], restored on drop.
struct Env {
    saved: Vec<(&'static str, Option<OsString>)>,
    _lock: MutexGuard<'static, ()>,
}

impl Env {
    fn set(vars: &[(&str, &str)]) -> Env {
        let lock = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let saved = VARS.iter().map(|v| (*v, std::env::var_os(v))).collect();
        for v in VARS {
            std::env::remove_var(v);
        }
        for (k, v) in vars {
            std::env::set_var(k, v);
        }
        Env { saved, _lock: lock }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for (k, v) in &self.saved {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

/// One identity call to `https://HOST` (caller token, no retries) with `vars` set.
fn remote_call(vars: &[(&str, &str)], extra: &str) -> Outcome {
    let _env = Env::set(vars);
    let opts = format!(
        r#"{{"base_url": "https://{HOST}", "access_token": "tok", "max_retries": 0{extra}}}"#
    );
    let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("client: {e:?}"));
    c.identity("mk_sandbox_ok", &[])
}

fn connect_line() -> String {
    format!("CONNECT {HOST}:443 HTTP/1.1")
}

/// The call went to the proxy, which refused it (407): a transport error naming the proxy.
fn assert_refused_by_proxy(out: &Outcome) {
    out.assert_status(Status::MkErrTransport);
    // Issue 27: the message names the target and the proxy (host:port) and the attempts.
    let message = out.err("message").as_str().unwrap_or("");
    assert!(
        message.starts_with("proxy connection failed (")
            && message.contains(" via proxy 127.0.0.1:"),
        "{:?}",
        out.error
    );
}

/// The call went direct: its lookup of the `.invalid` name failed.
fn assert_went_direct(out: &Outcome) {
    out.assert_status(Status::MkErrTransport);
    let message = out.err("message").as_str().unwrap();
    assert!(
        message == "host not found" || message.contains("failed to lookup address"),
        "{message}"
    );
}

#[test]
fn all_proxy_is_used() {
    let proxy = ConnectProxy::start(true);
    let out = remote_call(&[("ALL_PROXY", &proxy.url)], "");
    assert_refused_by_proxy(&out);
    assert_eq!(proxy.connects(), vec![(connect_line(), None)]);
}

#[test]
fn https_proxy_is_used() {
    let proxy = ConnectProxy::start(true);
    let out = remote_call(&[("HTTPS_PROXY", &proxy.url)], "");
    assert_refused_by_proxy(&out);
    assert_eq!(proxy.connects(), vec![(connect_line(), None)]);
}

#[test]
fn http_proxy_is_used() {
    let proxy = ConnectProxy::start(true);
    let out = remote_call(&[("HTTP_PROXY", &proxy.url)], "");
    assert_refused_by_proxy(&out);
    assert_eq!(proxy.connects(), vec![(connect_line(), None)]);
}

#[test]
fn without_proxy_variables_the_call_goes_direct() {
    let out = remote_call(&[], "");
    assert_went_direct(&out);
}

#[test]
fn all_proxy_comes_before_https_proxy_which_comes_before_http_proxy() {
    let all = ConnectProxy::start(true);
    let https = ConnectProxy::start(true);
    let http = ConnectProxy::start(true);
    let out = remote_call(
        &[
            ("ALL_PROXY", &all.url),
            ("HTTPS_PROXY", &https.url),
            ("HTTP_PROXY", &http.url),
        ],
        "",
    );
    assert_refused_by_proxy(&out);
    assert_eq!(all.connects().len(), 1);
    assert!(https.connects().is_empty() && http.connects().is_empty());

    let out = remote_call(
        &[("HTTPS_PROXY", &https.url), ("HTTP_PROXY", &http.url)],
        "",
    );
    assert_refused_by_proxy(&out);
    assert_eq!(https.connects().len(), 1);
    assert!(http.connects().is_empty());
}

#[test]
fn no_proxy_sends_its_hosts_direct() {
    let proxy = ConnectProxy::start(true);
    for no_proxy in [HOST.to_string(), format!("example.com,{HOST}")] {
        let out = remote_call(&[("ALL_PROXY", &proxy.url), ("NO_PROXY", &no_proxy)], "");
        assert_went_direct(&out);
    }
    assert!(proxy.connects().is_empty(), "{:?}", proxy.connects());
    // Another host in NO_PROXY does not exempt this one.
    let out = remote_call(
        &[("ALL_PROXY", &proxy.url), ("NO_PROXY", "api.example.com")],
        "",
    );
    assert_refused_by_proxy(&out);
    assert_eq!(proxy.connects().len(), 1);
}

#[test]
fn the_proxy_option_wins_over_the_environment() {
    let from_env = ConnectProxy::start(true);
    let from_option = ConnectProxy::start(true);
    let out = remote_call(
        &[("ALL_PROXY", &from_env.url), ("HTTPS_PROXY", &from_env.url)],
        &format!(r#", "proxy": "{}""#, from_option.url),
    );
    assert_refused_by_proxy(&out);
    assert_eq!(from_option.connects(), vec![(connect_line(), None)]);
    assert!(from_env.connects().is_empty());
}

#[test]
fn a_socks5_url_in_the_environment_is_used() {
    // socks5:// resolves the target locally, so the base URL is an address: TEST-NET-3
    // (RFC 5737, never routed). The proxy refuses, so nothing is ever sent there.
    let proxy = Socks5Proxy::start(true);
    let _env = Env::set(&[("ALL_PROXY", &proxy.url)]);
    let c = try_client(
        None,
        None,
        r#"{"base_url": "https://203.0.113.7", "access_token": "tok", "max_retries": 0}"#,
    )
    .unwrap_or_else(|e| panic!("client: {e:?}"));
    let out = c.identity("mk_sandbox_ok", &[]);
    out.assert_status(Status::MkErrTransport);
    assert_eq!(proxy.targets(), vec!["203.0.113.7:443".to_string()]);
}

#[test]
fn the_environment_proxy_never_carries_loopback_traffic() {
    // A proxy from the environment would receive the client secret in clear text for a
    // plain-http loopback base URL (the sandbox), so it is not used there; an explicit
    // `proxy` still is (tests/proxy.rs), as docs/C-API.md documents.
    let sb = sandbox();
    let proxy = ConnectProxy::start(false);
    let socks = Socks5Proxy::start(false);
    for url in [&proxy.url, &socks.url] {
        let _env = Env::set(&[
            ("ALL_PROXY", url),
            ("HTTPS_PROXY", url),
            ("HTTP_PROXY", url),
            ("all_proxy", url),
            ("https_proxy", url),
            ("http_proxy", url),
        ]);
        for base in [
            sb.base_url(),
            sb.base_url().replace("127.0.0.1", "localhost"),
        ] {
            let opts = format!(r#"{{"base_url": "{base}"}}"#);
            let c = try_client(Some(ID), Some(SECRET), &opts).unwrap();
            let out = c.identity("mk_sandbox_ok", &[]);
            assert_eq!(out.status, 0, "{base}: {:?}", out.error_text);
        }
    }
    assert!(
        proxy.connects().is_empty(),
        "the environment's proxy saw loopback traffic: {:?}",
        proxy.connects()
    );
    assert!(socks.targets().is_empty(), "{:?}", socks.targets());
}
