//! A raw-socket HTTP client for the sandbox's end-to-end tests (each test crate uses a part).
#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }
}

/// Reads a response head; returns (status, headers).
pub fn read_head<R: BufRead>(r: &mut R) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').expect("header colon");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok((status, headers))
}

pub fn read_response<R: BufRead>(r: &mut R) -> io::Result<Resp> {
    let (status, headers) = read_head(r)?;
    let mut resp = Resp {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(n) = resp.header("content-length") {
        let n: usize = n.parse().unwrap();
        resp.body.resize(n, 0);
        r.read_exact(&mut resp.body)?;
    } else if resp.header("transfer-encoding") == Some("chunked") {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0u8; n + 2];
            r.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            resp.body.extend_from_slice(&chunk[..n]);
        }
    } else {
        r.read_to_end(&mut resp.body)?;
    }
    Ok(resp)
}

pub fn build(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut b = req.into_bytes();
    b.extend_from_slice(body);
    b
}

pub struct Client {
    pub r: BufReader<TcpStream>,
}

impl Client {
    pub fn new(sb: &Sandbox) -> Client {
        Client::connect(sb.addr())
    }
    pub fn connect<A: std::net::ToSocketAddrs>(addr: A) -> Client {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client {
            r: BufReader::new(s),
        }
    }
    pub fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        self.r
            .get_mut()
            .write_all(&build(method, target, headers, body))
            .unwrap();
        read_response(&mut self.r).unwrap()
    }
}

pub fn get(sb: &Sandbox, target: &str, headers: &[(&str, &str)]) -> Resp {
    Client::new(sb).send("GET", target, headers, b"")
}

pub const BEARER: (&str, &str) = ("Authorization", "Bearer sandbox-access-token");

pub fn identity(sb: &Sandbox, id: &str) -> Resp {
    get(sb, &format!("/links/{id}/identity"), &[BEARER])
}

pub fn start() -> Sandbox {
    Sandbox::start(Config::default()).unwrap()
}
