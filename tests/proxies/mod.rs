//! Two small proxies on loopback for the proxy tests (tests/proxy.rs, tests/proxy_env.rs):
//! an HTTP CONNECT proxy and a SOCKS5 proxy (RFC 1928, no authentication). Each records
//! what it was asked for and tunnels the bytes to the target, so a test can tell that a
//! request went through it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the CONNECT proxy saw: one entry per CONNECT, with its Proxy-Authorization value.
type Seen = Mutex<Vec<(String, Option<String>)>>;

pub struct ConnectProxy {
    pub url: String,
    seen: Arc<Seen>,
}

impl ConnectProxy {
    /// `refuse`: answer every CONNECT with 407 instead of tunnelling.
    pub fn start(refuse: bool) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Seen::default());
        let log = seen.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let log = log.clone();
                thread::spawn(move || serve_connect(conn, &log, refuse));
            }
        });
        ConnectProxy { url, seen }
    }

    /// Every CONNECT line (`CONNECT host:port HTTP/1.1`) with its Proxy-Authorization.
    pub fn connects(&self) -> Vec<(String, Option<String>)> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_connect(conn: TcpStream, seen: &Seen, refuse: bool) {
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
    relay(reader, client, pending, upstream);
}

/// Copies bytes both ways until either side closes: `from_client` (with `pending`, bytes
/// already read from the client) to `upstream`, and `upstream` back to `client`.
fn relay(
    mut from_client: impl Read + Send + 'static,
    client: TcpStream,
    pending: Vec<u8>,
    upstream: TcpStream,
) {
    let mut up_write = upstream.try_clone().unwrap();
    let mut up_read = upstream;
    let mut client_write = client;
    let to_upstream = thread::spawn(move || {
        let _ = up_write.write_all(&pending);
        let _ = std::io::copy(&mut from_client, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = to_upstream.join();
}

/// What the SOCKS5 proxy saw: one `host:port` per CONNECT request (`[v6]:port` for IPv6,
/// the name as sent for a domain name).
pub struct Socks5Proxy {
    pub url: String,
    targets: Arc<Mutex<Vec<String>>>,
}

impl Socks5Proxy {
    /// `refuse`: answer every CONNECT with reply 2 ("connection not allowed by ruleset").
    pub fn start(refuse: bool) -> Socks5Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("socks5://{}", listener.local_addr().unwrap());
        let targets = Arc::new(Mutex::new(Vec::new()));
        let log = targets.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let log = log.clone();
                thread::spawn(move || {
                    let _ = serve_socks5(conn, &log, refuse);
                });
            }
        });
        Socks5Proxy { url, targets }
    }

    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

fn read_array<const N: usize>(r: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut b = [0; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn serve_socks5(
    mut conn: TcpStream,
    seen: &Mutex<Vec<String>>,
    refuse: bool,
) -> std::io::Result<()> {
    // Greeting: version 5, the methods offered; we take "no authentication" (0).
    let [version, n] = read_array::<2>(&mut conn)?;
    let mut methods = vec![0; n as usize];
    conn.read_exact(&mut methods)?;
    if version != 5 || !methods.contains(&0) {
        return conn.write_all(&[5, 0xff]);
    }
    conn.write_all(&[5, 0])?;
    // Request: version, command (1 = CONNECT), reserved, address type, address, port.
    let [version, command, _, kind] = read_array::<4>(&mut conn)?;
    let host = match kind {
        1 => Ipv4Addr::from(read_array::<4>(&mut conn)?).to_string(),
        4 => format!("[{}]", Ipv6Addr::from(read_array::<16>(&mut conn)?)),
        3 => {
            let [len] = read_array::<1>(&mut conn)?;
            let mut name = vec![0; len as usize];
            conn.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return conn.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]),
    };
    let port = u16::from_be_bytes(read_array::<2>(&mut conn)?);
    let target = format!("{host}:{port}");
    seen.lock().unwrap().push(target.clone());
    if version != 5 || command != 1 {
        return conn.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
    }
    if refuse {
        return conn.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
    }
    let Ok(upstream) = TcpStream::connect(&target) else {
        return conn.write_all(&[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]);
    };
    // Success, bound to 0.0.0.0:0 (not used by CONNECT clients).
    conn.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    let from_client = conn.try_clone()?;
    relay(from_client, conn, Vec::new(), upstream);
    Ok(())
}
