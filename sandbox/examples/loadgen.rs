//! Load generator: N threads, each with one keep-alive connection, doing
//! `GET /links/<link>/identity` with the static token for S seconds.
//!
//! ```sh
//! cargo run --release -p moneykit-sandbox --example loadgen -- --threads 2 --seconds 5
//! ```
//! Options: `--threads N` (2), `--seconds S` (5), `--link ID` (mk_sandbox_ok),
//! `--addr HOST:PORT` (default: start a sandbox in-process).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let mut threads = 2usize;
    let mut seconds = 5u64;
    let mut link = "mk_sandbox_ok".to_string();
    let mut addr: Option<SocketAddr> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().expect("missing value");
        match a.as_str() {
            "--threads" => threads = val().parse().expect("--threads N"),
            "--seconds" => seconds = val().parse().expect("--seconds S"),
            "--link" => link = val(),
            "--addr" => addr = Some(val().parse().expect("--addr HOST:PORT")),
            "-h" | "--help" => {
                println!("loadgen [--threads N] [--seconds S] [--link ID] [--addr HOST:PORT]");
                return;
            }
            other => panic!("unknown argument {other:?}"),
        }
    }
    let sandbox = match addr {
        Some(_) => None,
        None => Some(
            moneykit_sandbox::Sandbox::start(moneykit_sandbox::Config::default())
                .expect("start sandbox"),
        ),
    };
    let addr = addr.unwrap_or_else(|| sandbox.as_ref().unwrap().addr());
    let request = format!(
        "GET /links/{link}/identity HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer sandbox-access-token\r\n\
         moneykit-version: 2023-02-18\r\nAccept: application/json\r\nUser-Agent: loadgen\r\n\r\n"
    );
    let request = Arc::new(request.into_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let request = Arc::clone(&request);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || worker(addr, &request, &stop))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut total = 0u64;
    let mut bytes = 0u64;
    let mut lat: Vec<u32> = Vec::new();
    for h in handles {
        let (n, b, l) = h.join().expect("worker");
        total += n;
        bytes += b;
        lat.extend(l);
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{threads} threads, {secs:.1} s, {total} requests, {:.1} MB/s body, latency p50 {} µs p99 {} µs",
        bytes as f64 / secs / 1e6,
        pct(0.5),
        pct(0.99)
    );
    println!("{:.0} requests/s", total as f64 / secs);
}

/// Returns (requests, body bytes, latencies in µs of a sample).
fn worker(addr: SocketAddr, request: &[u8], stop: &AtomicBool) -> (u64, u64, Vec<u32>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    let mut bytes = 0u64;
    let mut lat = Vec::with_capacity(1 << 16);
    while !stop.load(Ordering::Relaxed) {
        let t0 = Instant::now();
        s.write_all(request).expect("write");
        // Read the head.
        let mut have = 0usize;
        let head_end = loop {
            let r = s.read(&mut buf[have..]).expect("read");
            assert!(r > 0, "server closed the connection");
            have += r;
            if let Some(i) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if have == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
        };
        let head = std::str::from_utf8(&buf[..head_end]).expect("utf-8 head");
        assert!(
            head.starts_with("HTTP/1.1 200 "),
            "unexpected response: {head}"
        );
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .expect("content-length");
        let mut body_have = have - head_end;
        let mut left = len.saturating_sub(body_have);
        while left > 0 {
            let want = left.min(buf.len());
            let r = s.read(&mut buf[..want]).expect("read body");
            assert!(r > 0, "server closed mid-body");
            left -= r;
            body_have += r;
        }
        debug_assert_eq!(body_have, len);
        n += 1;
        bytes += len as u64;
        if lat.len() < lat.capacity() {
            lat.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
        }
    }
    (n, bytes, lat)
}
