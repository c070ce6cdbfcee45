//! The `proxy` option and the proxy environment variables, through a real HTTP CONNECT
//! proxy on loopback that records what it was asked and tunnels the bytes to the sandbox.

mod common;

use common::*;
use moneykit::core::Status;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the proxy saw: one entry per CONNECT, with its Proxy-Authorization value.
type Seen = Mutex<Vec<(String, Option<String>)>>;

struct ConnectProxy {
    url: String,
    seen: Arc<Seen>,
}

impl ConnectProxy {
    /// `refuse`: answer every CONNECT with 407 instead of tunnelling.
    fn start(refuse: bool) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Seen::default());
        let log = seen.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let log = log.clone();
                thread::spawn(move || serve(conn, &log, refuse));
            }
        });
        ConnectProxy { url, seen }
    }

    fn connects(&self) -> Vec<(String, Option<String>)> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(conn: TcpStream, seen: &Seen, refuse: bool) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.trim_end().to_string();
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            if name.eq_ignore_ascii_case("proxy-authorization") {
                auth = Some(value.trim().to_string());
            }
        }
    }
    seen.lock().unwrap().push((target.clone(), auth));
    let mut client = conn;
    let Some(addr) = target
        .strip_prefix("CONNECT ")
        .and_then(|t| t.strip_suffix(" HTTP/1.1"))
    else {
        let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    if refuse {
        let _ = client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n");
        return;
    }
    let Ok(upstream) = TcpStream::connect(addr) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    // Bytes the client sent after its CONNECT head are still in `reader`'s buffer.
    let pending = reader.buffer().to_vec();
    let mut up_write = upstream.try_clone().unwrap();
    let mut up_read = upstream;
    let mut client_write = client.try_clone().unwrap();
    let to_upstream = thread::spawn(move || {
        let _ = up_write.write_all(&pending);
        let _ = std::io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = to_upstream.join();
}

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
fn the_environment_proxy_never_carries_loopback_traffic() {
    // The only test here that touches the environment; the others pass `proxy` explicitly.
    // A proxy from the environment would receive the client secret in clear text for a
    // plain-http loopback base URL (the sandbox), so it is not used there; an explicit
    // `proxy` still is (the tests above), as the README documents.
    let sb = sandbox();
    let proxy = ConnectProxy::start(false);
    for var in [
        "ALL_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "all_proxy",
        "https_proxy",
        "http_proxy",
    ] {
        std::env::set_var(var, &proxy.url);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    for base in [
        sb.base_url(),
        sb.base_url().replace("127.0.0.1", "localhost"),
    ] {
        let opts = format!(r#"{{"base_url": "{base}"}}"#);
        let c = try_client(Some(ID), Some(SECRET), &opts).unwrap();
        assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0, "{base}");
    }
    for var in [
        "ALL_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "all_proxy",
        "https_proxy",
        "http_proxy",
    ] {
        std::env::remove_var(var);
    }
    assert!(
        proxy.connects().is_empty(),
        "the environment's proxy saw loopback traffic: {:?}",
        proxy.connects()
    );
}
