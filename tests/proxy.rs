//! The `proxy` option, through real proxies on loopback (tests/proxies: an HTTP CONNECT
//! proxy and a SOCKS5 proxy) that record what they were asked and tunnel the bytes to the
//! sandbox. The proxy environment variables are in tests/proxy_env.rs (process-global state,
//! serialized there).

mod common;
mod proxies;

use common::*;
use moneykit::core::Status;
use proxies::{ConnectProxy, Socks5Proxy};
fn sandbox_authority(sb: &moneykit_sandbox::Sandbox) -> String {
    sb.base_url().trim_start_matches("http://").to_string()
}

#[test]
fn the_proxy_option_tunnels_every_request() {
    let sb = sandbox();
    let proxy = ConnectProxy::start(false);
    // Client credentials, so both the token request and the identity request go through it.
    let c = client(&sb, &format!(r#""proxy": "{}""#, proxy.url));
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, 0, "{:?}", out.error_text);
    assert_eq!(out.body()["link"]["link_id"], "mk_sandbox_ok");
    let connects = proxy.connects();
    assert!(!connects.is_empty(), "the proxy saw no CONNECT");
    let expected = format!("CONNECT {} HTTP/1.1", sandbox_authority(&sb));
    for (line, auth) in &connects {
        assert_eq!(line, &expected);
        assert_eq!(auth, &None);
    }
    // The sandbox really served it: a token and an identity request arrived through the tunnel.
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 1);
    assert!(stats.identity_requests >= 1);
}

#[test]
fn proxy_credentials_go_to_the_proxy_and_never_into_errors() {
    let sb = sandbox();
    let proxy = ConnectProxy::start(true);
    let url = proxy.url.replace("http://", "http://puser:proxy-pass-42@");
    let c = client(
        &sb,
        &format!(r#""proxy": "{url}", "access_token": "sandbox-access-token""#),
    );
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(out.status, Status::MkErrTransport.code());
    let err = out.error_text.clone().unwrap();
    assert!(err.contains("proxy"), "{err}");
    assert!(!err.contains("proxy-pass-42"), "{err}");
    let connects = proxy.connects();
    assert!(!connects.is_empty());
    // "puser:proxy-pass-42" in Basic form.
    assert_eq!(
        connects[0].1.as_deref(),
        Some("Basic cHVzZXI6cHJveHktcGFzcy00Mg==")
    );
    assert_eq!(sb.stats().identity_requests, 0);
}

#[test]
fn bad_proxy_urls_are_refused_at_creation() {
    for bad in ["not a url", "ftp://127.0.0.1:1", "http://"] {
        let opts = format!(r#"{{"base_url": "http://127.0.0.1:9", "proxy": "{bad}"}}"#);
        let (rc, err) = try_client(Some(ID), Some(SECRET), &opts)
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert_eq!(rc, Status::MkErrInvalidArgument.code(), "{bad}: {err}");
    }
}

#[test]
fn a_socks5_proxy_option_carries_every_request() {
    let sb = sandbox();
    let proxy = Socks5Proxy::start(false);
    // Client credentials: the token request and the identity request both go through it.
    let c = client(&sb, &format!(r#""proxy": "{}""#, proxy.url));
    for _ in 0..2 {
        let out = c.identity("mk_sandbox_ok", &[]);
        assert_eq!(out.status, 0, "{:?}", out.error_text);
        assert_eq!(out.body()["link"]["link_id"], "mk_sandbox_ok");
    }
    let targets = proxy.targets();
    assert!(!targets.is_empty(), "the SOCKS5 proxy saw no CONNECT");
    // socks5:// resolves the target locally and asks the proxy for the address.
    for target in &targets {
        assert_eq!(target, &sandbox_authority(&sb));
    }
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.identity_requests, 2);
}

#[test]
fn a_socks5_proxy_that_refuses_is_a_transport_error() {
    let sb = sandbox();
    let proxy = Socks5Proxy::start(true);
    let c = client(
        &sb,
        &format!(
            r#""proxy": "{}", "access_token": "sandbox-access-token", "max_retries": 0"#,
            proxy.url
        ),
    );
    let out = c.identity("mk_sandbox_ok", &[]);
    assert_eq!(
        out.status,
        Status::MkErrTransport.code(),
        "{:?}",
        out.error_text
    );
    assert_eq!(proxy.targets(), vec![sandbox_authority(&sb)]);
    // Nothing reached the sandbox: the call did not go around the proxy.
    assert_eq!(sb.stats().requests, 0);
}
