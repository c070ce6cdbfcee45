//! Benchmarks of moneykit-native against what a Rust user would write by hand.
//! Each subcommand prints one JSON object (one line) on stdout; `bench/report.py`
//! turns them into `bench/RESULTS.md`. See `bench/README.md`.
//!
//! ```text
//! moneykit-bench p1 [--rounds R] [--batch B]           C ABI vs raw ureq + serde_json (in-process sandbox)
//! moneykit-bench p5 [--iters N]                        decode + validate throughput of mk_sandbox_large
//! moneykit-bench p6 [--url U] [--rounds R] [--secs S]  one shared client, 1 / 2 / 8 threads
//!                                                      (in-process sandbox: its CPU is measured too)
//! moneykit-bench p7 [--url U] [--calls N]              RSS after 1k vs after N calls
//! moneykit-bench sandbox-rps [--url U] [--secs S] [--threads 1|2]   the sandbox's own requests/s
//!                                                      (minimal raw client; 1 and/or 2 connections)
//! moneykit-bench profile-ours|profile-theirs [--url U] [--calls N]   loops for callgrind / perf
//! moneykit-bench view [--iters N] [--rounds R] [--batch B]  the typed C view (view.rs)
//! moneykit-bench match [--iters N] [--rounds R]         owner match rates (matching.rs)
//! moneykit-bench webhooks [--iters N] [--rounds R]      P13: webhook verifications/s vs raw ring (webhooks.rs)
//! moneykit-bench fleet [--calls N] [--rounds R] [--batch B]  P12: four processes, one budget through Redis (fleet.rs)
//! moneykit-bench warm [--url U]                        waits until the sandbox has built its fixtures
//! ```
//! Without `--url` (or env `MONEYKIT_BASE_URL`) a sandbox is started in this process.

mod batch;
mod fleet;
mod matching;
mod view;
mod webhooks;

use moneykit::ffi;
use serde::Deserialize;
use std::collections::HashMap;
use std::ffi::{c_char, CStr, CString};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "sandbox-access-token";
const LINK: &str = "mk_sandbox_ok";
const LARGE: &str = "mk_sandbox_large";

// ---------------------------------------------------------------- the typed struct
// What a user of raw ureq + serde_json would decode the response into: the schema of
// docs/moneykit-api.md with owned strings (the same fields the core validates).

#[allow(dead_code)]
#[derive(Deserialize)]
struct IdentityResponse {
    accounts: Vec<AccountIdentity>,
    link: LinkCommon,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct AccountIdentity {
    account_id: String,
    account_type: String,
    name: String,
    nickname: Option<String>,
    account_mask: Option<String>,
    balances: Balances,
    original_id: Option<String>,
    closed: Option<bool>,
    owners: Vec<Owner>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Balances {
    currency: Option<String>,
    available: Option<f64>,
    current: Option<f64>,
    limit: Option<f64>,
    balance_date: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Owner {
    names: Vec<String>,
    addresses: Vec<Address>,
    phone_numbers: Vec<PhoneNumber>,
    emails: Vec<Email>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Address {
    city: Option<String>,
    country: Option<String>,
    postal_code: Option<String>,
    region: Option<String>,
    street: Option<String>,
    primary: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct PhoneNumber {
    number: String,
    primary: Option<bool>,
    #[serde(rename = "type")]
    kind: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Email {
    address: String,
    primary: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct LinkCommon {
    link_id: String,
    institution_id: String,
    institution_name: String,
    institution_avatar: String,
    state: String,
    error_code: Option<String>,
    last_synced_at: Option<String>,
    provider: String,
    link_tags: Option<Vec<String>>,
    webhook: Option<String>,
    products: HashMap<String, LinkProduct>,
    available_products: Vec<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct LinkProduct {
    refreshed_at: Option<String>,
    last_attempted_at: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    unavailable: Option<String>,
    settings: Option<serde_json::Value>,
    has_history: Option<bool>,
}

/// The core's validator fed through `from_str` after one whole-body UTF-8 check:
/// serde_json's `StrRead` then skips the per-string UTF-8 validation that
/// `from_slice` (`SliceRead`) does.
fn validate_str(body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    moneykit::core::validate_identity_str(text)
}

// ---------------------------------------------------------------- helpers

/// CPU time of the client in a process that may also host the sandbox: the whole
/// process's CPU minus that of the sandbox's own threads (named `sandbox-*`), read from
/// `/proc/self/task/*/schedstat` (ns). Threads the client starts and ends (e.g. ureq's
/// resolver threads) stay counted, unlike with a per-thread clock.
fn client_cpu() -> Duration {
    let mut sandbox_ns = 0u64;
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for e in dir.flatten() {
            let p = e.path();
            let comm = std::fs::read_to_string(p.join("comm")).unwrap_or_default();
            if comm.starts_with("sandbox") {
                let st = std::fs::read_to_string(p.join("schedstat")).unwrap_or_default();
                sandbox_ns += st
                    .split_whitespace()
                    .next()
                    .and_then(|x| x.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    process_cpu().saturating_sub(Duration::from_nanos(sandbox_ns))
}

/// CPU time of the in-process sandbox's threads (0 when it runs elsewhere).
fn sandbox_cpu() -> Duration {
    process_cpu().saturating_sub(client_cpu())
}

/// CPU time (user+sys) of the whole process.
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    percentile(v, 0.5)
}

fn summary(mut per_call_ns: Vec<f64>, mut batch_cpu_ns: Vec<f64>) -> serde_json::Value {
    per_call_ns.sort_by(|a, b| a.total_cmp(b));
    serde_json::json!({
        "calls": per_call_ns.len(),
        "median_ns": percentile(&per_call_ns, 0.5),
        "p10_ns": percentile(&per_call_ns, 0.1),
        "p90_ns": percentile(&per_call_ns, 0.9),
        "p99_ns": percentile(&per_call_ns, 0.99),
        "mean_ns": per_call_ns.iter().sum::<f64>() / per_call_ns.len().max(1) as f64,
        "cpu_ns_per_call": median(&mut batch_cpu_ns),
    })
}

struct Args {
    url: Option<String>,
    rounds: usize,
    batch: usize,
    secs: f64,
    calls: usize,
    iters: usize,
    threads: usize,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Args {
    let mut a = Args {
        url: std::env::var("MONEYKIT_BASE_URL")
            .ok()
            .filter(|s| !s.is_empty()),
        rounds: 0,
        batch: 0,
        secs: 0.0,
        calls: 0,
        iters: 0,
        threads: 0,
    };
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--url" => a.url = Some(v()),
            "--rounds" => a.rounds = v().parse().expect("--rounds N"),
            "--batch" => a.batch = v().parse().expect("--batch N"),
            "--secs" => a.secs = v().parse().expect("--secs S"),
            "--calls" => a.calls = v().parse().expect("--calls N"),
            "--iters" => a.iters = v().parse().expect("--iters N"),
            "--threads" => a.threads = v().parse().expect("--threads N"),
            other => panic!("unknown argument {other:?}"),
        }
    }
    a
}

/// A sandbox for this run: the one at `url`, or one started in this process.
struct Target {
    url: String,
    _sandbox: Option<moneykit_sandbox::Sandbox>,
}

impl Target {
    fn new(url: Option<String>) -> Target {
        let t = Target::start(url);
        warm(&t.url);
        t
    }

    fn start(url: Option<String>) -> Target {
        match url {
            Some(url) => Target {
                url,
                _sandbox: None,
            },
            None => {
                let sb = moneykit_sandbox::Sandbox::start(moneykit_sandbox::Config::default())
                    .expect("start sandbox");
                Target {
                    url: sb.base_url(),
                    _sandbox: Some(sb),
                }
            }
        }
    }
    fn in_process(&self) -> bool {
        self._sandbox.is_some()
    }
}

/// Waits until the sandbox is fully up: it builds its multi-MB `mk_sandbox_large` body on a
/// background thread at start, which would otherwise compete with the first measurements.
fn warm(url: &str) {
    Theirs::new(url, LARGE).body();
}

// ---------------------------------------------------------------- our side: the C ABI

/// A `mk_client*` shared by threads (the C API says one client is thread-safe).
struct Ours {
    client: *mut ffi::MkClient,
    link: CString,
}
unsafe impl Send for Ours {}
unsafe impl Sync for Ours {}

impl Ours {
    /// A client with the static token (`access_token` option): no token requests.
    fn new(url: &str, link: &str) -> Ours {
        Ours::create(url, link, false)
    }

    /// A client with client id + secret: one `POST /auth/token`, then the cached token
    /// (the default auth mode; its token cache is on every call's path).
    fn with_credentials(url: &str, link: &str) -> Ours {
        Ours::create(url, link, true)
    }

    fn create(url: &str, link: &str, credentials: bool) -> Ours {
        let mut opts = serde_json::json!({"base_url": url, "max_retries": 0});
        if !credentials {
            opts["access_token"] = TOKEN.into();
        }
        let opts = CString::new(opts.to_string()).unwrap();
        let id = CString::new("sandbox-client").unwrap();
        let secret = CString::new("sandbox-secret").unwrap();
        let (id, secret) = if credentials {
            (id.as_ptr(), secret.as_ptr())
        } else {
            (ptr::null(), ptr::null())
        };
        let mut client = ptr::null_mut();
        let mut err: *mut c_char = ptr::null_mut();
        // SAFETY: valid strings and out pointers.
        let rc = unsafe { ffi::mk_client_new(id, secret, opts.as_ptr(), &mut client, &mut err) };
        if rc != 0 {
            // SAFETY: err is a library string or NULL.
            let msg = unsafe { CStr::from_ptr(err) }
                .to_string_lossy()
                .into_owned();
            panic!("mk_client_new: {rc} {msg}");
        }
        Ours {
            client,
            link: CString::new(link).unwrap(),
        }
    }

    /// One `mk_get_identity`; returns the body length (0 on error) after freeing it.
    #[inline(never)]
    fn call(&self) -> Result<usize, i32> {
        let mut json: *mut c_char = ptr::null_mut();
        let mut err: *mut c_char = ptr::null_mut();
        // SAFETY: live client, valid strings and out pointers.
        let rc = unsafe {
            ffi::mk_get_identity(
                self.client,
                self.link.as_ptr(),
                ptr::null(),
                0,
                &mut json,
                &mut err,
            )
        };
        // SAFETY: library strings (or NULL), freed once.
        unsafe {
            let n = if json.is_null() {
                0
            } else {
                CStr::from_ptr(json).to_bytes().len()
            };
            ffi::mk_string_free(json);
            ffi::mk_string_free(err);
            if rc == 0 {
                Ok(n)
            } else {
                Err(rc)
            }
        }
    }
}

impl Drop for Ours {
    fn drop(&mut self) {
        // SAFETY: from mk_client_new, freed once.
        unsafe { ffi::mk_client_free(self.client) };
    }
}

// ---------------------------------------------------------------- their side: raw ureq

struct Theirs {
    agent: ureq::Agent,
    url: String,
    bearer: String,
}

/// How the raw ureq Agent is configured.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// `Agent::new_with_defaults()`: no timeouts, what a hand-written client starts with.
    Plain,
    /// The timeouts the core sets (global 30 s, connect 10 s). With any timeout set, ureq's
    /// `DefaultResolver` resolves the host on a new thread on *every* request (pooled
    /// connection or not): this variant shows that cost in isolation.
    Timeouts,
    /// `Timeouts` plus [`CachingResolver`]: the fix proposed for the core.
    TimeoutsCachingResolver,
}

/// A resolver that answers IP literals without any lookup and caches host names for
/// 30 s, falling back to ureq's `DefaultResolver` (a thread with a timeout) on a miss.
/// A prototype of the change proposed for `src/core/client.rs::build_agent`.
#[derive(Debug, Default)]
struct CachingResolver {
    inner: ureq::unversioned::resolver::DefaultResolver,
    #[allow(clippy::type_complexity)]
    cache: std::sync::Mutex<
        HashMap<String, (Instant, ureq::unversioned::resolver::ResolvedSocketAddrs)>,
    >,
}

impl ureq::unversioned::resolver::Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        const TTL: Duration = Duration::from_secs(30);
        if let Some(authority) = uri.authority() {
            let port = authority.port_u16().or(match uri.scheme_str() {
                Some("https") => Some(443),
                Some("http") => Some(80),
                _ => None,
            });
            let host = authority
                .host()
                .trim_start_matches('[')
                .trim_end_matches(']');
            if let (Some(port), Ok(ip)) = (port, host.parse::<std::net::IpAddr>()) {
                let mut out = self.empty();
                out.push(std::net::SocketAddr::new(ip, port));
                return Ok(out);
            }
            let key = authority.as_str().to_ascii_lowercase();
            if let Some((at, addrs)) = self.cache.lock().unwrap().get(&key) {
                if at.elapsed() < TTL {
                    return Ok(addrs.clone());
                }
            }
            let addrs = self.inner.resolve(uri, config, timeout)?;
            self.cache
                .lock()
                .unwrap()
                .insert(key, (Instant::now(), addrs.clone()));
            return Ok(addrs);
        }
        self.inner.resolve(uri, config, timeout)
    }
}

impl Theirs {
    fn new(base: &str, link: &str) -> Theirs {
        Theirs::with_mode(base, link, Mode::Plain)
    }

    fn with_mode(base: &str, link: &str, mode: Mode) -> Theirs {
        let agent = match mode {
            Mode::Plain => ureq::Agent::new_with_defaults(),
            Mode::Timeouts | Mode::TimeoutsCachingResolver => {
                let config = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .timeout_connect(Some(Duration::from_secs(10)))
                    .build();
                if mode == Mode::Timeouts {
                    config.into()
                } else {
                    ureq::Agent::with_parts(
                        config,
                        ureq::unversioned::transport::DefaultConnector::new(),
                        CachingResolver::default(),
                    )
                }
            }
        };
        Theirs {
            agent,
            url: format!("{base}/links/{link}/identity"),
            bearer: format!("Bearer {TOKEN}"),
        }
    }

    fn body(&self) -> Vec<u8> {
        let mut resp = self
            .agent
            .get(&self.url)
            .header("Authorization", &self.bearer)
            .header("moneykit-version", "2023-02-18")
            .header("Accept", "application/json")
            .call()
            .expect("raw ureq call");
        resp.body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .expect("read body")
    }

    /// One request, decoded into the typed struct; returns the number of accounts.
    #[inline(never)]
    fn call(&self) -> usize {
        let body = self.body();
        let r: IdentityResponse = serde_json::from_slice(&body).expect("decode");
        std::hint::black_box(&r);
        r.accounts.len()
    }
}

// ---------------------------------------------------------------- P1

fn p1(a: Args) -> serde_json::Value {
    let rounds = if a.rounds == 0 { 30 } else { a.rounds };
    let batch = if a.batch == 0 { 200 } else { a.batch };
    let t = Target::new(a.url);
    let ours = Ours::new(&t.url, LINK);
    let theirs = Theirs::new(&t.url, LINK);
    let ours_token = Ours::with_credentials(&t.url, LINK);
    let theirs_timeouts = Theirs::with_mode(&t.url, LINK, Mode::Timeouts);
    let theirs_fixed = Theirs::with_mode(&t.url, LINK, Mode::TimeoutsCachingResolver);
    let core = moneykit::core::Client::new(
        None,
        None,
        moneykit::core::Options::from_json(
            &serde_json::json!({"base_url": t.url, "access_token": TOKEN, "max_retries": 0})
                .to_string(),
        )
        .expect("options"),
    )
    .expect("core client");
    // Warm up: connections, caches, lazy statics.
    for _ in 0..200 {
        ours.call().expect("ours");
        theirs.call();
        core.get_identity(LINK, &[]).expect("core");
        theirs_timeouts.call();
        theirs_fixed.call();
        ours_token.call().expect("ours (token)");
    }
    let body_bytes = ours.call().expect("ours");
    const SIDES: usize = 6;
    let mut wall: [Vec<f64>; SIDES] = Default::default();
    let mut cpu: [Vec<f64>; SIDES] = Default::default();
    let t0 = Instant::now();
    for r in 0..rounds {
        // Rotate the order so no side always runs first (or right after the other).
        for k in 0..SIDES {
            let side = (r + k) % SIDES;
            let c0 = client_cpu();
            for _ in 0..batch {
                let s = Instant::now();
                match side {
                    0 => {
                        ours.call().expect("ours");
                    }
                    1 => {
                        theirs.call();
                    }
                    3 => {
                        theirs_timeouts.call();
                    }
                    4 => {
                        theirs_fixed.call();
                    }
                    5 => {
                        ours_token.call().expect("ours (token)");
                    }
                    _ => {
                        std::hint::black_box(core.get_identity(LINK, &[]).expect("core"));
                    }
                }
                wall[side].push(s.elapsed().as_nanos() as f64);
            }
            cpu[side].push((client_cpu().saturating_sub(c0)).as_nanos() as f64 / batch as f64);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let [w0, w1, w2, w3, w4, w5] = wall;
    let [c0, c1, c2, c3, c4, c5] = cpu;
    serde_json::json!({
        "bench": "p1",
        "sandbox": if t.in_process() { "in-process" } else { "external" },
        "link": LINK,
        "body_bytes": body_bytes,
        "rounds": rounds,
        "batch": batch,
        "seconds": secs,
        "ours": summary(w0, c0),
        "theirs": summary(w1, c1),
        "core": summary(w2, c2),
        "theirs_timeouts": summary(w3, c3),
        "theirs_timeouts_caching_resolver": summary(w4, c4),
        "ours_token": summary(w5, c5),
    })
}

// ---------------------------------------------------------------- P5

fn p5(a: Args) -> serde_json::Value {
    let iters = if a.iters == 0 { 25 } else { a.iters };
    let t = Target::new(a.url);
    let theirs = Theirs::new(&t.url, LARGE);
    let body = theirs.body();
    let mb = body.len() as f64 / 1e6;
    moneykit::core::validate_identity(&body).expect("large body is valid");
    let ours = Ours::new(&t.url, LARGE);
    ours.call().expect("ours large");

    // Decode-only, interleaved: validate (ours) / typed serde struct / serde_json::Value
    // / IgnoredAny (a JSON syntax scan, the floor for any serde_json-based decoder).
    validate_str(&body).expect("large body is valid (from_str)");
    let mut speed: [Vec<f64>; 6] = Default::default();
    for i in 0..iters {
        for k in 0..6 {
            let which = (i + k) % 6;
            let s = Instant::now();
            match which {
                0 => moneykit::core::validate_identity(std::hint::black_box(&body)).unwrap(),
                1 => {
                    let r: IdentityResponse = serde_json::from_slice(&body).unwrap();
                    std::hint::black_box(r);
                }
                2 => {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    std::hint::black_box(v);
                }
                4 => validate_str(std::hint::black_box(&body)).unwrap(),
                5 => {
                    // What the core does after validating: a whole-body UTF-8 check.
                    std::hint::black_box(std::str::from_utf8(std::hint::black_box(&body)).is_ok());
                }
                _ => {
                    let v: serde::de::IgnoredAny = serde_json::from_slice(&body).unwrap();
                    std::hint::black_box(v);
                }
            }
            speed[which].push(mb / s.elapsed().as_secs_f64());
        }
    }
    // Full calls (request + read + validate + C string), wall and client-thread CPU.
    let calls = (iters / 2).max(5);
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..calls {
        let c0 = client_cpu();
        let s = Instant::now();
        let n = ours.call().expect("ours large");
        wall.push(n as f64 / 1e6 / s.elapsed().as_secs_f64());
        cpu.push(n as f64 / 1e6 / client_cpu().saturating_sub(c0).as_secs_f64());
    }
    let [mut v, mut ty, mut val, mut ign, mut vs, mut u8s] = speed;
    serde_json::json!({
        "bench": "p5",
        "link": LARGE,
        "body_bytes": body.len(),
        "iters": iters,
        "validate_mb_s": median(&mut v),
        "typed_serde_mb_s": median(&mut ty),
        "value_mb_s": median(&mut val),
        "ignored_any_mb_s": median(&mut ign),
        "validate_from_str_mb_s": median(&mut vs),
        "utf8_check_mb_s": median(&mut u8s),
        "full_call_wall_mb_s": median(&mut wall),
        "full_call_cpu_mb_s": median(&mut cpu),
        "full_calls": calls,
    })
}

// ---------------------------------------------------------------- P6

/// Runs `threads` workers on one shared client for `secs`; returns (calls, errors, first error).
fn run_threads(ours: &Arc<Ours>, threads: usize, secs: f64) -> (u64, u64, Option<i32>) {
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_err = Arc::new(std::sync::Mutex::new(None));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (ours, stop, ok, errors, first_err) = (
                Arc::clone(ours),
                Arc::clone(&stop),
                Arc::clone(&ok),
                Arc::clone(&errors),
                Arc::clone(&first_err),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match ours.call() {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(rc) => {
                            first_err.lock().unwrap().get_or_insert(rc);
                            errors.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(secs));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("worker");
    }
    let e = *first_err.lock().unwrap();
    (
        ok.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        e,
    )
}

fn p6(a: Args) -> serde_json::Value {
    let rounds = if a.rounds == 0 { 5 } else { a.rounds };
    let secs = if a.secs == 0.0 { 1.0 } else { a.secs };
    let t = Target::new(a.url);
    let ours = Arc::new(Ours::new(&t.url, LINK));
    const CONFIGS: [usize; 3] = [1, 2, 8];
    // Warm: open 8 pooled connections.
    run_threads(&ours, 8, 0.3);
    let mut rps: [Vec<f64>; 3] = Default::default();
    let mut cpu_per_call: [Vec<f64>; 3] = Default::default();
    let mut sandbox_cpu_per_call: [Vec<f64>; 3] = Default::default();
    let mut errors = [0u64; 3];
    let mut calls = [0u64; 3];
    let mut first_error = None;
    for r in 0..rounds {
        for k in 0..3 {
            let i = (r + k) % 3;
            if a.threads != 0 && CONFIGS[i] != a.threads {
                continue; // `--threads N`: only that configuration (for profiling)
            }
            let c0 = client_cpu();
            let s0 = sandbox_cpu();
            let s = Instant::now();
            let (n, e, fe) = run_threads(&ours, CONFIGS[i], secs);
            let el = s.elapsed().as_secs_f64();
            let c = client_cpu().saturating_sub(c0).as_nanos() as f64;
            let sc = sandbox_cpu().saturating_sub(s0).as_nanos() as f64;
            rps[i].push(n as f64 / el);
            if n > 0 {
                cpu_per_call[i].push(c / n as f64);
                sandbox_cpu_per_call[i].push(sc / n as f64);
            }
            errors[i] += e;
            calls[i] += n;
            first_error = first_error.or(fe);
        }
    }
    let obj = |i: usize, rps: &mut Vec<f64>, cpu: &mut Vec<f64>, scpu: &mut Vec<f64>| {
        serde_json::json!({
            "threads": CONFIGS[i],
            "median_rps": median(rps),
            "client_cpu_ns_per_call": median(cpu),
            "sandbox_cpu_ns_per_call": median(scpu),
            "calls": calls[i],
            "errors": errors[i],
        })
    };
    let [mut r1, mut r2, mut r8] = rps;
    let [mut c1, mut c2, mut c8] = cpu_per_call;
    let [mut s1, mut s2, mut s8] = sandbox_cpu_per_call;
    serde_json::json!({
        "bench": "p6",
        "sandbox": if t.in_process() { "in-process" } else { "external" },
        "rounds": rounds,
        "secs_per_run": secs,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "t1": obj(0, &mut r1, &mut c1, &mut s1),
        "t2": obj(1, &mut r2, &mut c2, &mut s2),
        "t8": obj(2, &mut r8, &mut c8, &mut s8),
        "first_error_status": first_error,
    })
}

// ---------------------------------------------------------------- P7

fn p7(a: Args) -> serde_json::Value {
    let total = if a.calls == 0 { 100_000 } else { a.calls };
    let t = Target::new(a.url);
    assert!(
        !t.in_process(),
        "p7 needs an external sandbox (--url): its request log would count as client RSS"
    );
    let ours = Ours::new(&t.url, LINK);
    let rss0 = rss_kib();
    let mut marks = Vec::new();
    let mut errors = 0u64;
    let s = Instant::now();
    for i in 1..=total {
        if ours.call().is_err() {
            errors += 1;
        }
        if i == 1_000 || i == 10_000 || i % 25_000 == 0 || i == total {
            marks.push(serde_json::json!({"calls": i, "rss_kib": rss_kib()}));
        }
    }
    let rss_1k = marks[0]["rss_kib"].as_u64().unwrap();
    let rss_end = rss_kib();
    serde_json::json!({
        "bench": "p7",
        "calls": total,
        "errors": errors,
        "seconds": s.elapsed().as_secs_f64(),
        "rss_before_kib": rss0,
        "rss_1k_kib": rss_1k,
        "rss_end_kib": rss_end,
        "growth_kib": rss_end as i64 - rss_1k as i64,
        "marks": marks,
    })
}

// ---------------------------------------------------------------- sandbox throughput

/// A minimal keep-alive HTTP/1.1 client: one prebuilt request, reads the head and
/// `Content-Length` bytes. Returns the number of requests done.
fn raw_worker(addr: &str, request: &[u8], stop: &AtomicBool) -> u64 {
    let mut s = TcpStream::connect(addr).expect("connect sandbox");
    s.set_nodelay(true).ok();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        s.write_all(request).expect("write");
        let mut have = 0;
        let (head_end, len) = loop {
            let r = s.read(&mut buf[have..]).expect("read");
            assert!(r > 0, "sandbox closed the connection");
            have += r;
            if let Some(p) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buf[..p]).expect("head");
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .expect("content-length");
                break (p + 4, len);
            }
        };
        let mut left = (head_end + len).saturating_sub(have);
        while left > 0 {
            let r = s.read(&mut buf[..left.min(1 << 16)]).expect("read");
            assert!(r > 0, "sandbox closed the connection");
            left -= r;
        }
        n += 1;
    }
    n
}

fn sandbox_rps(a: Args) -> serde_json::Value {
    let secs = if a.secs == 0.0 { 2.0 } else { a.secs };
    let t = Target::new(a.url);
    let hostport = t
        .url
        .strip_prefix("http://")
        .expect("plain http sandbox")
        .trim_end_matches('/')
        .to_string();
    let request = Arc::new(
        format!(
            "GET /links/{LINK}/identity HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {TOKEN}\r\n\
             moneykit-version: 2023-02-18\r\nAccept: application/json\r\nUser-Agent: bench-raw\r\n\r\n"
        )
        .into_bytes(),
    );
    let mut out = serde_json::Map::new();
    let configs: &[usize] = match a.threads {
        0 => &[1, 2],
        1 => &[1],
        _ => &[2],
    };
    for &threads in configs {
        let stop = Arc::new(AtomicBool::new(false));
        let c0 = process_cpu();
        let s = Instant::now();
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let (req, stop, hp) = (Arc::clone(&request), Arc::clone(&stop), hostport.clone());
                std::thread::spawn(move || raw_worker(&hp, &req, &stop))
            })
            .collect();
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
        let n: u64 = hs.into_iter().map(|h| h.join().expect("worker")).sum();
        let el = s.elapsed().as_secs_f64();
        let cpu = (process_cpu() - c0).as_nanos() as f64;
        out.insert(
            format!("t{threads}"),
            serde_json::json!({
                "threads": threads,
                "rps": n as f64 / el,
                "requests": n,
                "process_cpu_ns_per_request": cpu / n.max(1) as f64,
            }),
        );
    }
    out.insert("bench".into(), "sandbox_rps".into());
    out.insert(
        "sandbox".into(),
        if t.in_process() {
            "in-process"
        } else {
            "external"
        }
        .into(),
    );
    serde_json::Value::Object(out)
}

// ---------------------------------------------------------------- profiling loops

/// The measured loops; callgrind collects only inside them
/// (`--toggle-collect=*profile_loop_ours*`), so set-up is excluded.
#[inline(never)]
fn profile_loop_ours(ours: &Ours, n: usize) {
    for _ in 0..n {
        ours.call().expect("ours");
    }
}

#[inline(never)]
fn profile_loop_theirs(theirs: &Theirs, n: usize) {
    for _ in 0..n {
        theirs.call();
    }
}

fn profile(a: Args, ours_side: bool) -> serde_json::Value {
    let n = if a.calls == 0 { 2_000 } else { a.calls };
    let t = Target::new(a.url);
    let c0 = client_cpu();
    let s = Instant::now();
    if ours_side {
        let ours = Ours::new(&t.url, LINK);
        ours.call().expect("warm");
        profile_loop_ours(&ours, n);
    } else {
        let theirs = Theirs::new(&t.url, LINK);
        theirs.call();
        profile_loop_theirs(&theirs, n);
    }
    serde_json::json!({
        "bench": if ours_side { "profile_ours" } else { "profile_theirs" },
        "calls": n,
        "wall_ns_per_call": s.elapsed().as_nanos() as f64 / n as f64,
        "cpu_ns_per_call": client_cpu().saturating_sub(c0).as_nanos() as f64 / n as f64,
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    let a = parse_args(args);
    let out = match cmd.as_str() {
        "p1" => p1(a),
        "p5" => p5(a),
        "p6" => p6(a),
        "p7" => p7(a),
        "batch" => batch::run(a.calls),
        "view" => view::run(a),
        "view-loop" => view::profile_loop(a, true),
        "validate-loop" => view::profile_loop(a, false),
        "match" => matching::run(a),
        "webhooks" => webhooks::run(a),
        "fleet" => fleet::run(a),
        "fleet-worker" => fleet::worker(),
        "sandbox-rps" => sandbox_rps(a),
        "profile-ours" => profile(a, true),
        "profile-theirs" => profile(a, false),
        "warm" => {
            warm(
                a.url
                    .as_deref()
                    .expect("warm needs --url or MONEYKIT_BASE_URL"),
            );
            return;
        }
        _ => {
            eprintln!(
                "usage: moneykit-bench p1|p5|p6|p7|batch|fleet|view|view-loop|validate-loop|sandbox-rps|profile-ours|profile-theirs [--url U] \
                 [--rounds R] [--batch B] [--secs S] [--calls N] [--iters N] [--threads N]"
            );
            std::process::exit(2);
        }
    };
    println!("{out}");
}
