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
fn socks5_resolves_the_host_here_and_socks5h_lets_the_proxy_resolve_it() {
    let sb = sandbox();
    let port = sb.base_url().rsplit(':').next().unwrap().to_string();
    let by_name = format!("http://localhost:{port}");
    let call_through = |scheme: &str| {
        let proxy = Socks5Proxy::start(false);
        let url = proxy.url.replacen("socks5", scheme, 1);
        let opts = format!(
            r#"{{"base_url": "{by_name}", "proxy": "{url}", "access_token": "sandbox-access-token"}}"#
        );
        let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("client: {e:?}"));
        let out = c.identity("mk_sandbox_ok", &[]);
        (out, proxy.targets())
    };
    // socks5h: the proxy gets the name and resolves it (here: the sandbox).
    let (out, targets) = call_through("socks5h");
    assert_eq!(out.status, 0, "{:?}", out.error_text);
    assert_eq!(targets, vec![format!("localhost:{port}")]);
    // socks5: the client resolves localhost and sends an address. (Which one depends on
    // the machine's hosts file; the sandbox listens on 127.0.0.1 only.)
    let (out, targets) = call_through("socks5");
    assert_eq!(targets.len(), 1, "{targets:?}");
    let addr: std::net::SocketAddr = targets[0]
        .parse()
        .unwrap_or_else(|_| panic!("socks5 sent a name, not an address: {targets:?}"));
    assert!(addr.ip().is_loopback(), "{addr}");
    if addr.ip() == std::net::Ipv4Addr::LOCALHOST {
        assert_eq!(out.status, 0, "{:?}", out.error_text);
    }
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
    out.assert_status(Status::MkErrTransport);
    assert_eq!(proxy.targets(), vec![sandbox_authority(&sb)]);
    // Nothing reached the sandbox: the call did not go around the proxy.
    assert_eq!(sb.stats().requests, 0);
}
