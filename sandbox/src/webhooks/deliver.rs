//! Making deliveries: a scheduler thread keeps the jobs in order of due time and starts
//! each attempt on a thread of its own (a slow receiver never holds up another delivery,
//! and request handling never waits for a delivery). A failed attempt (no 2xx answer,
//! connection refused, timeout) is retried after `retry_base · 2^(attempt−1)` until
//! `max_attempts`; a chain of deliveries (one refresh's events) starts each first attempt
//! once the previous first attempt has ended, so first attempts arrive in order.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, VecDeque};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::events::Event;
use super::{since, unix_now, Forgery, LoopbackUrl, DELIVERY_LOG_CAP};
use crate::{lock, Shared};

/// One event sent to one URL under one delivery token (retries keep the token and the
/// body; each attempt is signed anew).
pub struct Delivery {
    pub token: String,
    pub url: LoopbackUrl,
    pub forgery: Forgery,
    pub event: Arc<Event>,
}

struct Job {
    generation: u64,
    delivery: Arc<Delivery>,
    attempt: u32,
    /// Deliveries whose first attempt follows this one's (each no earlier than its instant).
    rest: VecDeque<(Instant, Arc<Delivery>)>,
}

struct Scheduled {
    due: Instant,
    seq: u64,
    job: Job,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the heap's top is the earliest due (then the first queued).
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// Most attempts in flight at once (each on its thread); due jobs past it wait their turn.
pub const MAX_IN_FLIGHT: usize = 32;

#[derive(Default)]
pub struct Queue {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
    /// Attempts running now.
    running: usize,
    pub stop: bool,
}

impl Queue {
    fn push(&mut self, due: Instant, job: Job) {
        self.seq += 1;
        let seq = self.seq;
        self.heap.push(Scheduled { due, seq, job });
    }

    /// Queues the first of `chain`; the others follow it (see `Job::rest`).
    pub fn push_chain(&mut self, generation: u64, mut chain: VecDeque<(Instant, Arc<Delivery>)>) {
        if let Some((due, delivery)) = chain.pop_front() {
            let job = Job {
                generation,
                delivery,
                attempt: 1,
                rest: chain,
            };
            self.push(due, job);
        }
    }

    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

/// One attempt, as `GET /_sandbox/webhooks/deliveries` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    /// When the attempt ended, in milliseconds since the sandbox started.
    pub at_ms: f64,
    pub event: String,
    /// The event's `state`, when it has one.
    pub state: Option<String>,
    pub link_id: String,
    pub url: String,
    /// 1, 2, ... (`MoneyKit-Delivery-Attempt`).
    pub attempt: u32,
    /// The receiver's HTTP status; `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout, ...).
    pub error: Option<String>,
    /// `MoneyKit-Delivery-Token`.
    pub delivery_token: String,
    pub idempotency_key: String,
    /// The kid the signature's header names.
    pub kid: String,
    /// How the delivery was forged (`mk_webhook_*` ids), e.g. `bad_signature`.
    pub forgery: Option<&'static str>,
}

impl WebhookDelivery {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "at_ms": self.at_ms,
            "event": self.event,
            "state": self.state,
            "link_id": self.link_id,
            "url": self.url,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "delivery_token": self.delivery_token,
            "idempotency_key": self.idempotency_key,
            "kid": self.kid,
            "forgery": self.forgery,
        })
    }
}

/// Starts the scheduler thread (it ends after `Webhooks::stop`).
pub fn spawn_scheduler(shared: Arc<Shared>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("sandbox-webhooks-{}", shared.port))
        .spawn(move || run(shared))
}

fn run(shared: Arc<Shared>) {
    let wh = &shared.webhooks;
    let mut q = lock(&wh.queue);
    loop {
        if q.stop {
            return;
        }
        let now = Instant::now();
        let due = q.heap.peek().map(|s| s.due);
        match due {
            // At the cap: an ending attempt wakes this thread.
            Some(due) if due <= now && q.running >= MAX_IN_FLIGHT => {
                q = wh.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
            Some(due) if due <= now => {
                let Some(s) = q.heap.pop() else { continue };
                q.running += 1;
                drop(q);
                let sh = Arc::clone(&shared);
                let job = s.job;
                let spawned = std::thread::Builder::new()
                    .name("sandbox-webhook".to_string())
                    .spawn(move || {
                        let _slot = Running(Arc::clone(&sh));
                        attempt(&sh, job)
                    });
                if spawned.is_err() {
                    // The thread never ran: give its count back. The job is lost, as a
                    // delivery whose attempts all failed.
                    lock(&wh.queue).running -= 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
                q = lock(&wh.queue);
            }
            Some(due) => {
                q = wh
                    .wake
                    .wait_timeout(q, due - now)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            None => q = wh.wake.wait(q).unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// One attempt in flight, counted in `Queue::running` until dropped.
struct Running(Arc<Shared>);

impl Drop for Running {
    fn drop(&mut self) {
        let wh = &self.0.webhooks;
        lock(&wh.queue).running -= 1;
        wh.wake.notify_all();
    }
}

/// Makes one attempt of a job, logs it, and queues the retry and the chain's next delivery.
fn attempt(shared: &Shared, job: Job) {
    let wh = &shared.webhooks;
    let current = || wh.generation.load(Ordering::SeqCst) == job.generation;
    if !current() {
        return;
    }
    let d = &job.delivery;
    let body = d.event.body(shared);
    let signed = lock(&wh.keys).sign(body, unix_now(), wh.settings.exp, d.forgery);
    let attempt_no = job.attempt.to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("MoneyKit-Signature", signed.signature.as_str()),
        ("MoneyKit-Delivery-Token", d.token.as_str()),
        ("MoneyKit-Delivery-Attempt", attempt_no.as_str()),
        (
            "User-Agent",
            concat!("moneykit-sandbox/", env!("CARGO_PKG_VERSION")),
        ),
    ];
    let result = post(&d.url, &headers, &signed.body, wh.settings.attempt_timeout);
    let record = WebhookDelivery {
        at_ms: since(shared.epoch),
        event: d.event.name.clone(),
        state: d.event.state(),
        link_id: d.event.link_id.clone(),
        url: d.url.text.clone(),
        attempt: job.attempt,
        status: result.as_ref().ok().copied(),
        error: result.as_ref().err().cloned(),
        delivery_token: d.token.clone(),
        idempotency_key: d.event.key.clone(),
        kid: signed.kid,
        forgery: d.forgery.name(),
    };
    let ok = record.ok();
    {
        let mut log = lock(&wh.log);
        // `reset` bumps the generation under this lock: nothing older is logged after it.
        if !current() {
            return;
        }
        if log.len() >= DELIVERY_LOG_CAP {
            log.pop_front();
        }
        log.push_back(record);
    }
    let now = Instant::now();
    let mut q = lock(&wh.queue);
    if !current() {
        return;
    }
    if !ok && job.attempt < wh.settings.max_attempts {
        let wait = wh
            .settings
            .retry_base
            .saturating_mul(1u32 << (job.attempt - 1).min(20));
        let retry = Job {
            generation: job.generation,
            delivery: Arc::clone(&job.delivery),
            attempt: job.attempt + 1,
            rest: VecDeque::new(),
        };
        q.push(now + wait, retry);
    }
    let mut rest = job.rest;
    if let Some((at, next)) = rest.pop_front() {
        let follow = Job {
            generation: job.generation,
            delivery: next,
            attempt: 1,
            rest,
        };
        q.push(at.max(now), follow);
    }
    drop(q);
    wh.wake.notify_all();
}

/// POSTs `body` to a loopback URL; the answer's status, or why there was none.
fn post(
    url: &LoopbackUrl,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<u16, String> {
    let mut last = String::from("no address");
    for addr in &url.addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(tcp) => return exchange(tcp, url, headers, body, timeout),
            Err(e) => last = format!("connect {addr}: {e}"),
        }
    }
    Err(last)
}

fn exchange(
    mut tcp: TcpStream,
    url: &LoopbackUrl,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<u16, String> {
    let _ = tcp.set_nodelay(true);
    tcp.set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    let mut req = format!("POST {} HTTP/1.1\r\nHost: {}\r\n", url.target, url.host);
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = req.into_bytes();
    out.extend_from_slice(body);
    tcp.write_all(&out).map_err(|e| format!("write: {e}"))?;
    // The head (at most 64 KiB), then the body when its length is given (at most 64 KiB).
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 65_536 {
            return Err("answer head too large".to_string());
        }
        match tcp.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Err("closed without an answer".to_string()),
            Ok(0) => break buf.len(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("read: {e}")),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head
        .lines()
        .next()
        .filter(|l| l.starts_with("HTTP/1."))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| "not an HTTP answer".to_string())?;
    let length = head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    let mut have = buf.len() - head_end;
    let want = length.unwrap_or(0).min(65_536);
    while have < want {
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => have += n,
        }
    }
    Ok(status)
}
