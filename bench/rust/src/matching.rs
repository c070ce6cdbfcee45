//! `moneykit-bench match [--iters N] [--rounds R]`: owner match (issue 14) throughput.
//! - `mk_match_owners` per call (it parses and validates the identity JSON and the claim
//!   on every call) on `mk_sandbox_ok` and on `mk_sandbox_large`;
//! - claim checks with the identity parsed and prepared once (`core::model::parse_identity`
//!   and `core::matching::PreparedIdentity::new`, then per claim `Claim::from_json` +
//!   `PreparedIdentity::match_claim` + the result JSON): the per-claim rate a caller
//!   checking many claims against one identity gets.
//!   The four claims below repeat, so after the first round their phone numbers come from
//!   the phone parse memo (`core::matching::phone`); a never-seen number adds its parse
//!   (~10-25 µs) to that claim.
//!
//! - (issue 25) `mk_match_owners` per call on `mk_sandbox_ok` (two accounts) with the full
//!   claim and a different phone number in every call (no memo hit: each claim's number is
//!   parsed), target >= 50,000/s per core;
//! - (issue 25) the first `mk_match_owners` call in a fresh process (this binary run again
//!   with `MK_BENCH_MATCH_FIRST=1`, the identity on stdin): its CPU and wall time, median of
//!   several processes, target <= 5 ms.
//! - `MK_BENCH_MATCH_LOOP=N moneykit-bench match`: only N unique-phone calls, for
//!   `perf record` (nothing printed on stdout).
//!
//! Claims rotate over four shapes (a full claim written differently from the first owner,
//! a name only, another person's email and phone, an address only). Rates are per second
//! of this thread's CPU time (the machine may be shared: wall time would count waiting),
//! median over rounds; wall-clock rates are reported beside them.

use crate::{median, Args, Target, Theirs, LARGE, LINK};
use moneykit::core::matching::{Claim, PreparedIdentity};
use moneykit::core::model::parse_identity;
use moneykit::ffi;
use std::ffi::{c_char, CString};
use std::hint::black_box;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::ptr;
use std::time::{Duration, Instant};

const CLAIMS: [&str; 4] = [
    r#"{"name": "ALVAREZ, Jose", "email": "Jose.Alvarez@Example.COM", "phone": "(415) 555-0123",
        "address": {"street": "1234 Valencia Street, Apartment 5", "postal_code": "94110-1234",
        "country": "USA"}}"#,
    r#"{"name": "Peggy OBrien"}"#,
    r#"{"email": "someone.else@example.org", "phone": "+44 20 7946 0958"}"#,
    r#"{"address": {"street": "77 Beacon Street", "city": "Boston", "region": "Massachusetts",
        "postal_code": "02116"}}"#,
];

/// This thread's CPU time.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// One `mk_match_owners` call, result freed.
fn c_abi(identity: &CString, claim: &CString) {
    let (mut out, mut err): (*mut c_char, *mut c_char) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: NUL-terminated inputs and valid out pointers.
    let rc = unsafe { ffi::mk_match_owners(identity.as_ptr(), claim.as_ptr(), &mut out, &mut err) };
    assert_eq!(rc, 0, "mk_match_owners");
    // SAFETY: a string from this library, freed once.
    unsafe { ffi::mk_string_free(out) };
}

/// Median (CPU, wall) checks per second of `f` over `rounds` rounds of `batch` calls.
fn rate(rounds: usize, batch: usize, mut f: impl FnMut(usize)) -> (f64, f64) {
    let (mut cpu, mut wall) = (Vec::new(), Vec::new());
    let mut k = 0;
    for _ in 0..rounds {
        let (c0, w0) = (thread_cpu(), Instant::now());
        for _ in 0..batch {
            f(k);
            k += 1;
        }
        cpu.push(batch as f64 / (thread_cpu() - c0).as_secs_f64().max(1e-9));
        wall.push(batch as f64 / w0.elapsed().as_secs_f64());
    }
    (median(&mut cpu), median(&mut wall))
}

/// (C ABI per call, prepared identity per claim) rates, each (CPU, wall), for one body.
fn measure(body: &str, rounds: usize, batch: usize) -> serde_json::Value {
    let identity_c = CString::new(body).unwrap();
    let claims_c: Vec<CString> = CLAIMS.iter().map(|c| CString::new(*c).unwrap()).collect();
    let identity = parse_identity(body).expect("identity");
    let owners: usize = identity.accounts.iter().map(|a| a.owners.len()).sum();
    let (abi_cpu, abi_wall) = rate(rounds, batch, |k| {
        c_abi(black_box(&identity_c), &claims_c[k % CLAIMS.len()])
    });
    let prepared = PreparedIdentity::new(&identity);
    let (prep_cpu, prep_wall) = rate(rounds, batch, |k| {
        let claim = Claim::from_json(black_box(CLAIMS[k % CLAIMS.len()])).unwrap();
        black_box(prepared.match_claim(&claim).to_json());
    });
    serde_json::json!({
        "body_bytes": body.len(),
        "accounts": identity.accounts.len(),
        "owners": owners,
        "c_abi_per_s": abi_cpu,
        "c_abi_wall_per_s": abi_wall,
        "prepared_identity_claims_per_s": prep_cpu,
        "prepared_identity_claims_wall_per_s": prep_wall,
    })
}

/// The full claim with phone number `k` (a number no earlier call used).
fn unique_phone_claim(k: usize) -> CString {
    CString::new(format!(
        r#"{{"name": "ALVAREZ, Jose", "email": "Jose.Alvarez@Example.COM", "phone": "(415) 555-{:04}",
            "address": {{"street": "1234 Valencia Street, Apartment 5", "postal_code": "94110-1234",
            "country": "USA"}}}}"#,
        k % 10_000
    ))
    .unwrap()
}

/// `mk_match_owners` per call with a never-repeated phone number: (CPU, wall) per second.
fn unique_phones(body: &str, rounds: usize, batch: usize) -> (f64, f64) {
    let identity_c = CString::new(body).unwrap();
    // Claims built before timing; at most 10,000 distinct numbers (the memo holds 4,096).
    let claims: Vec<CString> = (0..rounds * batch).map(unique_phone_claim).collect();
    rate(rounds, batch, |k| c_abi(black_box(&identity_c), &claims[k]))
}

/// In the child process: the first `mk_match_owners` call's (CPU, wall) nanoseconds.
fn first_match_child() -> ! {
    let mut body = String::new();
    std::io::stdin().read_to_string(&mut body).unwrap();
    let identity = CString::new(body).unwrap();
    let claim = unique_phone_claim(1);
    let (c0, w0) = (thread_cpu(), Instant::now());
    c_abi(&identity, &claim);
    let (cpu, wall) = (thread_cpu() - c0, w0.elapsed());
    println!("{} {}", cpu.as_nanos(), wall.as_nanos());
    std::process::exit(0);
}

/// The first match in `n` fresh processes: median (CPU, wall) milliseconds.
fn first_match(body: &str, n: usize) -> (f64, f64) {
    let exe = std::env::current_exe().unwrap();
    let (mut cpu, mut wall) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let mut child = Command::new(&exe)
            .arg("match")
            .env("MK_BENCH_MATCH_FIRST", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut it = text
            .split_whitespace()
            .map(|v| v.parse::<f64>().unwrap() / 1e6);
        cpu.push(it.next().unwrap());
        wall.push(it.next().unwrap());
    }
    (median(&mut cpu), median(&mut wall))
}

/// `MK_BENCH_MATCH_LOOP=N`: only N unique-phone `mk_match_owners` calls on `mk_sandbox_ok`
/// (the loop to run under `perf record` or valgrind), then exit.
fn profile_loop(url: Option<String>, n: usize) -> ! {
    let t = Target::new(url);
    let ok = String::from_utf8(Theirs::new(&t.url, LINK).body()).unwrap();
    let identity_c = CString::new(ok).unwrap();
    let claims: Vec<CString> = (0..n.min(10_000)).map(unique_phone_claim).collect();
    let (c0, w0) = (thread_cpu(), Instant::now());
    for k in 0..n {
        c_abi(black_box(&identity_c), &claims[k % claims.len()]);
    }
    let cpu = (thread_cpu() - c0).as_secs_f64();
    eprintln!(
        "{n} calls: {:.0}/s CPU, {:.0}/s wall",
        n as f64 / cpu,
        n as f64 / w0.elapsed().as_secs_f64()
    );
    std::process::exit(0);
}

pub fn run(a: Args) -> serde_json::Value {
    if std::env::var_os("MK_BENCH_MATCH_FIRST").is_some() {
        first_match_child();
    }
    if let Some(n) = std::env::var("MK_BENCH_MATCH_LOOP")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        profile_loop(a.url, n);
    }
    let rounds = if a.rounds == 0 { 15 } else { a.rounds };
    let iters = if a.iters == 0 { 2000 } else { a.iters };
    let t = Target::new(a.url);
    let ok = String::from_utf8(Theirs::new(&t.url, LINK).body()).unwrap();
    let large = String::from_utf8(Theirs::new(&t.url, LARGE).body()).unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (first_cpu_ms, first_wall_ms) = first_match(&ok, if a.rounds == 0 { 9 } else { 3 });
    let (unique_cpu, unique_wall) = unique_phones(&ok, rounds.min(9), iters.min(1000));
    serde_json::json!({
        "bench": "match",
        "rounds": rounds,
        "batch": iters,
        "first_match_cpu_ms": first_cpu_ms,
        "first_match_wall_ms": first_wall_ms,
        "unique_phone_c_abi_per_s": unique_cpu,
        "unique_phone_c_abi_wall_per_s": unique_wall,
        "ok": measure(&ok, rounds, iters),
        "large": measure(&large, rounds.min(5), (iters / 500).max(2)),
        "load_avg_1m": load.split(' ').next().and_then(|l| l.parse::<f64>().ok()),
        "target_claims_per_s_per_core": 100_000,
    })
}
