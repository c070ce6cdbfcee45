//! Network failures the status table documents and the sandbox cannot produce: a host name
//! that does not resolve (`MK_ERR_TRANSPORT`) and a TCP connect that never completes, ended
//! by `connect_timeout_ms` (`MK_ERR_TIMEOUT`), not by an attempt's `timeout_ms` or the call's
//! deadline. Both through `mk_client_new` / `mk_get_identity`, as C callers get them.

mod common;

use common::*;
use moneykit::core::Status;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::FromRawFd;
use std::time::{Duration, Instant};

/// `.invalid` is reserved (RFC 6761): every resolver must answer "no such name".
const UNRESOLVABLE: &str = "moneykit-native-test.invalid";

#[test]
fn an_unresolvable_host_is_a_transport_error() {
    let opts = format!(
        r#"{{"base_url": "https://{UNRESOLVABLE}", "access_token": "tok", "max_retries": 1, "retry_base_ms": 0, "timeout_ms": 120000, "deadline_ms": 120000}}"#
    );
    let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("client: {e:?}"));
    let started = Instant::now();
    let out = c.identity("mk_sandbox_ok", &[]);
    let elapsed = started.elapsed();
    out.assert_status(Status::MkErrTransport);
    assert_eq!(out.err("name"), "MK_ERR_TRANSPORT");
    // ureq reports a failed lookup as "host not found" or as getaddrinfo's I/O error.
    let message = out.err("message").as_str().unwrap();
    assert!(
        message == "host not found" || message.contains("failed to lookup address"),
        "{message}"
    );
    assert!(out.err("http_status").is_null());
    // A transport error is retried (max_retries 1): two attempts in all.
    assert_eq!(out.err("attempts"), 2, "{:?}", out.error);
    // Not a timeout in disguise: inside the 120 s each attempt was allowed. A wide bound
    // only, for a resolver whose server does not answer (glibc gives up after about 10 s a
    // lookup); a working one answers in milliseconds.
    assert!(elapsed < Duration::from_secs(100), "{elapsed:?}");
}

/// A loopback port whose accept queue is full: Linux drops the SYNs of further connects
/// (neither accepted nor refused), so a connect to it hangs until the caller's own timeout.
struct Blackhole {
    addr: SocketAddr,
    _listener: TcpListener,
    _queued: Vec<TcpStream>,
}

impl Blackhole {
    fn new() -> Blackhole {
        // SAFETY: socket(2) with constant arguments; the result is checked below.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        // SAFETY: `fd` is a new socket that nothing else owns; the listener closes it.
        let listener = unsafe { TcpListener::from_raw_fd(fd) };
        let sin = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr {
                s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
            },
            sin_zero: [0; 8],
        };
        // SAFETY: `sin` is a valid sockaddr_in and the length given is its size.
        let rc = unsafe {
            libc::bind(
                fd,
                (&sin as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
        // Backlog 0: the smallest accept queue (std's TcpListener::bind asks for 128+).
        // SAFETY: `fd` is a bound socket owned by `listener`.
        let rc = unsafe { libc::listen(fd, 0) };
        assert_eq!(rc, 0, "listen: {}", std::io::Error::last_os_error());
        let addr = listener.local_addr().unwrap();
        // Fill the queue: connects complete (the kernel answers them) until it is full;
        // the first one that does not complete shows the SYNs are being dropped.
        let mut queued = Vec::new();
        loop {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                Ok(s) => queued.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) => panic!("filling the accept queue: {e}"),
            }
            assert!(queued.len() < 64, "the accept queue never filled");
        }
        // Linux queues at least one connection even with backlog 0: had none completed, the
        // timeout above would not have meant a full queue.
        assert!(!queued.is_empty(), "no connect to the listener completed");
        Blackhole {
            addr,
            _listener: listener,
            _queued: queued,
        }
    }
}

#[test]
fn a_connect_that_never_completes_ends_at_connect_timeout_ms() {
    let hole = Blackhole::new();
    // Every other bound is a minute: only connect_timeout_ms can end the attempts early.
    let opts = format!(
        r#"{{"base_url": "http://{}", "access_token": "tok", "connect_timeout_ms": 300, "timeout_ms": 60000, "deadline_ms": 60000, "max_retries": 1, "retry_base_ms": 0}}"#,
        hole.addr
    );
    let c = try_client(None, None, &opts).unwrap_or_else(|e| panic!("client: {e:?}"));
    let started = Instant::now();
    let out = c.identity("mk_sandbox_ok", &[]);
    let elapsed = started.elapsed();
    out.assert_status(Status::MkErrTimeout);
    assert_eq!(out.err("name"), "MK_ERR_TIMEOUT");
    // The connect phase's timeout, not an attempt's ("request timed out") nor the call's
    // deadline ("the call's deadline elapsed ...").
    assert_eq!(out.err("message"), "connect timed out", "{:?}", out.error);
    assert!(out.err("http_status").is_null());
    // A timeout is retried: both attempts ran into the connect timeout.
    assert_eq!(out.err("attempts"), 2, "{:?}", out.error);
    // Two connects of 300 ms; timeout_ms would have taken 60 s per attempt. Wide bound.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    // And both connects were waited for (a little under 2 × 300 ms: timer granularity).
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");
}
