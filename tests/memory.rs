//! Memory bounds, in their own test binary so no other test shares the process's peak RSS.

mod common;

use common::*;
use moneykit::core::Status;

/// Peak resident set size of this process so far (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[test]
fn oversized_bodies_are_refused_while_streaming() {
    let sb = sandbox();
    let c = client(&sb, r#""max_retries": 0, "max_response_bytes": 1048576"#);
    // Warm up allocator and connection so the baseline includes them.
    assert_eq!(c.identity("mk_sandbox_ok", &[]).status, 0);
    let before = peak_rss_kib();
    for link in [
        "mk_fault_oversized_500000000",
        "mk_fault_oversized_chunked_500000000",
    ] {
        let out = c.identity(link, &[]);
        assert_eq!(out.status, Status::MkErrDecode.code(), "{link}");
    }
    let growth = peak_rss_kib().saturating_sub(before);
    println!("peak RSS growth while refusing two 500 MB bodies: {growth} KiB");
    // The 1 MiB cap plus slack; buffering the bodies would need 500,000+ KiB.
    assert!(growth < 16 * 1024, "peak RSS grew by {growth} KiB");
}
