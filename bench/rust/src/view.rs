//! `moneykit-bench view [--iters N] [--rounds R] [--batch B]`: the typed C view
//! (docs/C-API.md, "Typed view").
//! - parse-to-view throughput of `mk_sandbox_large`: `mk_identity_parse` (the core's
//!   validator, then the view), next to the validator alone; MB/s = 10^6 bytes/s;
//! - the per-call cost of the typed get (`mk_get_identity_view` + `mk_identity_free`)
//!   against the JSON get (`mk_get_identity` + `mk_string_free`) on `mk_sandbox_ok`
//!   and on `mk_sandbox_large`, interleaved batches, median per call.
//!
//! `moneykit-bench view-loop|validate-loop [--iters N]`: for profiling by hand
//! (`perf record`, callgrind with `--toggle-collect='*profile_loop_body*'`): only
//! `mk_identity_parse`, or only the validator, of `mk_sandbox_large`, N times.

use crate::{median, Args, Ours, Target, LARGE, LINK};
use moneykit::ffi;
use std::ffi::c_char;
use std::ptr;
use std::time::Instant;

/// One `mk_identity_parse` of `body`, freed.
fn parse(body: &[u8]) {
    let mut id = ptr::null_mut();
    // SAFETY: `body` is valid for its length; `id` is a valid out pointer.
    let rc = unsafe {
        ffi::mk_identity_parse(
            body.as_ptr().cast::<c_char>(),
            body.len(),
            &mut id,
            ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "mk_identity_parse");
    // SAFETY: a handle from mk_identity_parse, freed once.
    unsafe { ffi::mk_identity_free(id) };
}

/// One typed get, freed; panics on error.
fn typed_get(o: &Ours) {
    let mut id = ptr::null_mut();
    // SAFETY: live client, valid strings and out pointers.
    let rc = unsafe {
        ffi::mk_get_identity_view(
            o.client,
            o.link.as_ptr(),
            ptr::null(),
            0,
            0,
            ptr::null(),
            &mut id,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "mk_get_identity_view");
    // SAFETY: a handle from mk_get_identity_view, freed once.
    unsafe { ffi::mk_identity_free(id) };
}

/// Median ns per call of the JSON get and the typed get, interleaved batches.
fn per_call(o: &Ours, rounds: usize, batch: usize) -> (f64, f64) {
    let (mut json, mut typed) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        for k in 0..2 {
            let s = Instant::now();
            for _ in 0..batch {
                if (r + k) % 2 == 0 {
                    o.call().expect("mk_get_identity");
                } else {
                    typed_get(o);
                }
            }
            let ns = s.elapsed().as_nanos() as f64 / batch as f64;
            if (r + k) % 2 == 0 {
                &mut json
            } else {
                &mut typed
            }
            .push(ns);
        }
    }
    (median(&mut json), median(&mut typed))
}

pub fn run(a: Args) -> serde_json::Value {
    let iters = if a.iters == 0 { 25 } else { a.iters };
    let rounds = if a.rounds == 0 { 15 } else { a.rounds };
    let batch = if a.batch == 0 { 200 } else { a.batch };
    let t = Target::new(a.url);
    let body = crate::Theirs::new(&t.url, LARGE).body();
    let mb = body.len() as f64 / 1e6;
    parse(&body);
    let (mut view, mut validate) = (Vec::new(), Vec::new());
    for i in 0..iters {
        for k in 0..2 {
            let s = Instant::now();
            if (i + k) % 2 == 0 {
                parse(std::hint::black_box(&body));
            } else {
                moneykit::core::validate_identity(std::hint::black_box(&body)).unwrap();
            }
            let speed = mb / s.elapsed().as_secs_f64();
            if (i + k) % 2 == 0 {
                &mut view
            } else {
                &mut validate
            }
            .push(speed);
        }
    }
    let (pv, vo) = (median(&mut view), median(&mut validate));
    let ok = Ours::new(&t.url, LINK);
    let (ok_json, ok_typed) = per_call(&ok, rounds, batch);
    let large = Ours::new(&t.url, LARGE);
    let (large_json, large_typed) = per_call(&large, 5, 2);
    serde_json::json!({
        "bench": "view",
        "link": LARGE,
        "body_bytes": body.len(),
        "iters": iters,
        "parse_to_view_mb_s": pv,
        "validate_only_mb_s": vo,
        // What building the view adds to the validator (all mk_get_identity_view adds to
        // a call, the body being validated by the get itself): 1 / (1/parse - 1/validate).
        "build_only_mb_s": 1.0 / (1.0 / pv - 1.0 / vo),
        "rounds": rounds,
        "batch": batch,
        "ok_json_get_ns": ok_json,
        "ok_typed_get_ns": ok_typed,
        "large_json_get_ns": large_json,
        "large_typed_get_ns": large_typed,
        "in_process_sandbox": t.in_process(),
    })
}

/// `iters` parses of `body` (the view) or validations (the validator alone).
#[inline(never)]
fn profile_loop_body(body: &[u8], iters: usize, view: bool) {
    for _ in 0..iters {
        if view {
            parse(std::hint::black_box(body));
        } else {
            moneykit::core::validate_identity(std::hint::black_box(body)).unwrap();
        }
    }
}

pub fn profile_loop(a: Args, view: bool) -> serde_json::Value {
    let iters = if a.iters == 0 { 200 } else { a.iters };
    let t = Target::new(a.url);
    let body = crate::Theirs::new(&t.url, LARGE).body();
    let s = Instant::now();
    profile_loop_body(&body, iters, view);
    let secs = s.elapsed().as_secs_f64();
    serde_json::json!({
        "bench": if view { "view-loop" } else { "validate-loop" },
        "iters": iters,
        "mb_s": body.len() as f64 * iters as f64 / 1e6 / secs,
    })
}
