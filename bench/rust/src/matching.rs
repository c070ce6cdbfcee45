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

pub fn run(a: Args) -> serde_json::Value {
    let rounds = if a.rounds == 0 { 15 } else { a.rounds };
    let iters = if a.iters == 0 { 2000 } else { a.iters };
    let t = Target::new(a.url);
    let ok = String::from_utf8(Theirs::new(&t.url, LINK).body()).unwrap();
    let large = String::from_utf8(Theirs::new(&t.url, LARGE).body()).unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    serde_json::json!({
        "bench": "match",
        "rounds": rounds,
        "batch": iters,
        "ok": measure(&ok, rounds, iters),
        "large": measure(&large, rounds.min(5), (iters / 500).max(2)),
        "load_avg_1m": load.split(' ').next().and_then(|l| l.parse::<f64>().ok()),
        "target_claims_per_s_per_core": 100_000,
    })
}
