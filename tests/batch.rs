//! Batches through the C ABI (`mk_batch_*`) against the in-process sandbox:
//! one result per link, the app and per-link limits, cancel, progress,
//! argument checks; the realistic sandbox's rate limits (issue 15).

mod common;

use common::*;
use moneykit::ffi::*;
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::time::{Duration, Instant};

/// A batch owned by the test (freed on drop).
struct Batch(*mut MkBatch);
// SAFETY: the C API allows next/progress/cancel from any thread (next from one at a time).
unsafe impl Send for Batch {}
// SAFETY: as above.
unsafe impl Sync for Batch {}

impl Drop for Batch {
    fn drop(&mut self) {
        // SAFETY: freed once; no other call on it runs (the test owns it).
        unsafe { mk_batch_free(self.0) }
    }
}

#[derive(Debug)]
struct Item {
    index: usize,
    link_id: String,
    status: i32,
    json: Option<String>,
    error: Option<Value>,
}

fn start(c: &Client, links: &[String], options: Option<&str>) -> Result<Batch, (i32, Value)> {
    let ids: Vec<CString> = links
        .iter()
        .map(|l| CString::new(l.as_str()).unwrap())
        .collect();
    let ptrs: Vec<*const c_char> = ids.iter().map(|s| s.as_ptr()).collect();
    let opts = options.map(|o| CString::new(o).unwrap());
    let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: a live client; valid id array, options and out pointers.
    let rc = unsafe {
        mk_batch_start(
            c.raw(),
            if ptrs.is_empty() {
                ptr::null()
            } else {
                ptrs.as_ptr()
            },
            ptrs.len(),
            opts.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut batch,
            &mut err,
        )
    };
    let err = take(err);
    if rc == 0 {
        assert!(err.is_none() && !batch.is_null());
        Ok(Batch(batch))
    } else {
        assert!(batch.is_null());
        Err((rc, serde_json::from_str(&err.unwrap()).unwrap()))
    }
}

impl Batch {
    /// (return code, item when MK_OK).
    fn next(&self, timeout_ms: u64) -> (i32, Option<Item>) {
        let mut item = MkBatchItem {
            index: 99,
            link_id: 1 as *mut c_char,
            status: 99,
            json: 1 as *mut c_char,
            error: 1 as *mut c_char,
        };
        // SAFETY: a live batch and a valid item to write.
        let rc = unsafe { mk_batch_next(self.0, timeout_ms, &mut item, ptr::null_mut()) };
        let (link, json, error) = (take(item.link_id), take(item.json), take(item.error));
        if rc != 0 {
            assert!(
                link.is_none() && json.is_none() && error.is_none(),
                "rc {rc}"
            );
            return (rc, None);
        }
        assert_eq!(json.is_some(), item.status == 0);
        assert_eq!(error.is_some(), item.status != 0);
        let error: Option<Value> = error.map(|e| serde_json::from_str(&e).unwrap());
        if let Some(e) = &error {
            assert_eq!(e["status"], item.status);
        }
        let item = Item {
            index: item.index,
            link_id: link.expect("a link id"),
            status: item.status,
            json,
            error,
        };
        (0, Some(item))
    }

    fn drain(&self, limit: Duration) -> Vec<Item> {
        let end = Instant::now() + limit;
        let mut items = Vec::new();
        loop {
            assert!(Instant::now() < end, "batch not done within {limit:?}");
            match self.next(200) {
                (0, Some(item)) => items.push(item),
                (MK_BATCH_PENDING, _) => {}
                (MK_BATCH_DONE, _) => return items,
                other => panic!("mk_batch_next: {other:?}"),
            }
        }
    }

    fn progress(&self) -> MkBatchProgress {
        // SAFETY: MkBatchProgress is plain old data; all zeroes is a valid value.
        let mut p: MkBatchProgress = unsafe { std::mem::zeroed() };
        // SAFETY: a live batch and a valid out pointer.
        assert_eq!(
            unsafe { mk_batch_get_progress(self.0, &mut p, ptr::null_mut()) },
            0
        );
        p
    }

    fn cancel(&self) {
        // SAFETY: a live batch.
        unsafe { mk_batch_cancel(self.0) }
    }
}

fn bulk(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("mk_sandbox_bulk_{i}")).collect()
}

#[test]
fn every_link_gets_exactly_one_result() {
    let sb = sandbox();
    let c = client(&sb, "");
    let mut links = bulk(300);
    links.push("mk_sandbox_no_such_link".into());
    links.push(".".into());
    links.push("mk_sandbox_bulk_7".into()); // a duplicate: fetched again
    let b = start(&c, &links, Some(r#"{"time_scale": 100, "concurrency": 8}"#)).unwrap();
    let items = b.drain(Duration::from_secs(30));
    assert_eq!(items.len(), links.len());
    let mut seen = vec![0; links.len()];
    for it in &items {
        seen[it.index] += 1;
        assert_eq!(it.link_id, links[it.index]);
        if it.index < 300 || it.index == 302 {
            assert_eq!(it.status, 0, "{it:?}");
            let body: Value = serde_json::from_str(it.json.as_deref().unwrap()).unwrap();
            assert_eq!(body["link"]["link_id"], it.link_id.as_str());
        }
    }
    assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
    let not_found = items.iter().find(|i| i.index == 300).unwrap();
    assert_eq!(not_found.status, 7);
    assert_eq!(
        not_found.error.as_ref().unwrap()["name"],
        "MK_ERR_NOT_FOUND"
    );
    assert_eq!(items.iter().find(|i| i.index == 301).unwrap().status, 1);
    let p = b.progress();
    assert_eq!((p.total, p.done, p.ok, p.failed), (303, 303, 301, 2));
    assert_eq!(
        (p.in_flight, p.paused, p.cancelled, p.rate_limited),
        (0, 0, 0, 0)
    );
    assert_eq!(p.allowed_per_minute, 60_000.0);
    // Done stays done.
    assert_eq!(b.next(0).0, MK_BATCH_DONE);
}

#[test]
fn the_app_limit_spaces_requests() {
    let sb = sandbox();
    let c = client(&sb, "");
    // 600/min at time scale 100: 1000 requests per second, 1 ms apart.
    let started = Instant::now();
    let b = start(&c, &bulk(400), Some(r#"{"time_scale": 100}"#)).unwrap();
    let items = b.drain(Duration::from_secs(30));
    let took = started.elapsed();
    assert_eq!(items.len(), 400);
    assert!(took >= Duration::from_millis(399), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let p = b.progress();
    assert_eq!(p.requests, 400);
    assert!(
        p.rate_per_minute > 0.0 && p.rate_per_minute <= 61_000.0,
        "{}",
        p.rate_per_minute
    );
}

#[test]
fn one_link_stays_within_its_limit() {
    let sb = sandbox();
    let c = client(&sb, "");
    // The same link 5 times, 3 per "minute" of 200 ms: the 4th waits a window.
    let links = vec!["mk_sandbox_bulk_1".to_string(); 5];
    let started = Instant::now();
    let b = start(&c, &links, Some(r#"{"time_scale": 300}"#)).unwrap();
    let items = b.drain(Duration::from_secs(10));
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|i| i.status == 0));
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_client_time_scale_paces_a_batch_that_sets_none() {
    let sb = sandbox();
    // The client's time_scale (300: a "minute" of 200 ms) applies to a batch without options
    // and to one whose options leave time_scale out; a batch's own time_scale wins.
    let c = client(&sb, r#""time_scale": 300"#);
    for options in [None, Some("{}"), Some(r#"{"time_scale": null}"#)] {
        let links = vec!["mk_sandbox_bulk_2".to_string(); 5];
        let started = Instant::now();
        let b = start(&c, &links, options).unwrap();
        assert_eq!(
            b.progress().allowed_per_minute,
            600.0 * 300.0,
            "{options:?}"
        );
        // At time scale 1 the 4th call of the link would wait 20 s.
        let items = b.drain(Duration::from_secs(5));
        assert_eq!(items.len(), 5);
        assert!(items.iter().all(|i| i.status == 0));
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
    }
    let b = start(&c, &bulk(1), Some(r#"{"time_scale": 2}"#)).unwrap();
    assert_eq!(b.progress().allowed_per_minute, 600.0 * 2.0);
    b.drain(Duration::from_secs(5));
    // Out of range on the client is refused like any option.
    for bad in ["0.5", "10001", "\"60\""] {
        let sep = format!(r#""base_url": "{}", "time_scale": {bad}"#, sb.base_url());
        match try_client(Some(ID), Some(SECRET), &format!("{{{sep}}}")) {
            Err((status, e)) => assert_eq!(status, 1, "{bad}: {e}"),
            Ok(_) => panic!("time_scale {bad} accepted"),
        }
    }
}

#[test]
fn cancel_stops_the_batch_promptly() {
    let sb = sandbox();
    let c = client(&sb, "");
    // At the real 600/min (10 per second) this would take 100 s.
    let b = start(&c, &bulk(1000), None).unwrap();
    std::thread::sleep(Duration::from_millis(350));
    let before = b.progress();
    assert!(before.done >= 2 && before.done <= 6, "{}", before.done);
    let t = Instant::now();
    b.cancel();
    let items = b.drain(Duration::from_secs(5));
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    assert!(items.len() < 10, "{}", items.len());
    let p = b.progress();
    assert_eq!(p.cancelled, 1);
    assert_eq!(p.in_flight, 0);
    assert!(p.done < p.total);
    assert_eq!(b.next(0).0, MK_BATCH_DONE);
}

#[test]
fn free_while_running_returns_promptly() {
    let sb = sandbox();
    let c = client(&sb, "");
    let b = start(&c, &bulk(1000), None).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    let t = Instant::now();
    drop(b); // results never taken
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn progress_is_readable_from_another_thread_while_running() {
    let sb = sandbox();
    let c = client(&sb, "");
    let b = std::sync::Arc::new(start(&c, &bulk(60), Some(r#"{"time_scale": 2}"#)).unwrap());
    let watcher = {
        let b = b.clone();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..5 {
                seen.push(b.progress().done);
                std::thread::sleep(Duration::from_millis(120));
            }
            seen
        })
    };
    // Pull results slowly at first: the channel holds at most 2 × concurrency.
    std::thread::sleep(Duration::from_millis(700));
    let seen = watcher.join().unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen[4] > seen[0], "{seen:?}");
    b.cancel();
    b.drain(Duration::from_secs(5));
}

#[test]
fn next_without_waiting_and_empty_batches() {
    let sb = sandbox();
    let c = client(&sb, "");
    let b = start(&c, &[], None).unwrap();
    assert_eq!(b.next(0).0, MK_BATCH_DONE);
    assert_eq!(b.progress().total, 0);
    let b = start(&c, &bulk(3), Some(r#"{"time_scale": 1}"#)).unwrap();
    let (rc, _) = b.next(0);
    assert!(rc == 0 || rc == MK_BATCH_PENDING, "{rc}");
}

#[test]
fn bad_arguments_are_refused() {
    let sb = sandbox();
    let c = client(&sb, "");
    for bad in [
        r#"{"concurency": 4}"#,
        r#"{"concurrency": 0}"#,
        r#"{"app_per_minute": "600"}"#,
        r#"{"link_per_minute": 1001}"#,
        "[]",
    ] {
        let (rc, e) = start(&c, &bulk(2), Some(bad)).err().expect(bad);
        assert_eq!(rc, 1, "{bad}: {e}");
    }
    let (rc, e) = start(&c, &["a".into(), String::new()], None).err().unwrap();
    assert_eq!(rc, 1);
    assert!(
        e["message"].as_str().unwrap().contains("link_ids[1]"),
        "{e}"
    );

    let (mut out, mut err) = (1 as *mut MkBatch, ptr::null_mut());
    // SAFETY: NULL client and ids with a length: refused before any use.
    let rc =
        unsafe { mk_batch_start(ptr::null(), ptr::null(), 0, ptr::null(), &mut out, &mut err) };
    assert_eq!(rc, 1);
    assert!(out.is_null());
    take(err);
    // SAFETY: a live client, NULL ids with a non-zero length: refused.
    let rc = unsafe { mk_batch_start(c.raw(), ptr::null(), 2, ptr::null(), &mut out, &mut err) };
    assert_eq!(rc, 1);
    let e = take(err).unwrap();
    assert!(e.contains("link_ids is NULL"), "{e}");
    // SAFETY: NULL batch / out pointers are refused (or no-ops) without being used.
    unsafe {
        assert_eq!(
            mk_batch_next(ptr::null(), 0, ptr::null_mut(), ptr::null_mut()),
            1
        );
        let mut item: MkBatchItem = std::mem::zeroed();
        assert_eq!(mk_batch_next(ptr::null(), 0, &mut item, ptr::null_mut()), 1);
        assert!(item.link_id.is_null());
        assert_eq!(
            mk_batch_get_progress(ptr::null(), ptr::null_mut(), ptr::null_mut()),
            1
        );
        mk_batch_cancel(ptr::null());
        mk_batch_free(ptr::null_mut());
    }
    // The status names of the two next() states are not statuses.
    // SAFETY: mk_status_name returns a static string.
    let name = unsafe { CStr::from_ptr(mk_status_name(MK_BATCH_DONE)) };
    assert_eq!(name.to_str().unwrap(), "unknown status");
}

// ---------------------------------------------------------------- the realistic sandbox

/// MoneyKit's limits (600/min per app, 3/min per link), 100 ± 50 ms latency,
/// a minute lasting `60 / scale` seconds.
fn realistic(scale: f64) -> moneykit_sandbox::Sandbox {
    let config = moneykit_sandbox::Config {
        time_scale: scale,
        latency: Some((Duration::from_millis(100), Duration::from_millis(50))),
        ..moneykit_sandbox::Config::default().realistic()
    };
    moneykit_sandbox::Sandbox::start(config).expect("sandbox starts")
}

#[test]
fn realistic_2000_links_at_the_app_limit_without_a_429() {
    const SCALE: f64 = 30.0;
    let sb = realistic(SCALE);
    let c = client(&sb, "");
    let links = bulk(2000);
    let started = Instant::now();
    let b = start(&c, &links, Some(r#"{"time_scale": 30}"#)).unwrap();
    let items = b.drain(Duration::from_secs(60));
    let took = started.elapsed();
    // 2000 requests at 600 a (scaled) minute.
    let allowed = Duration::from_secs_f64(2000.0 / 600.0 * 60.0 / SCALE);
    let ratio = took.as_secs_f64() / allowed.as_secs_f64();
    eprintln!("2000 links: {took:?}, allowed {allowed:?}, ratio {ratio:.3}");
    // The 1.05x target is measured by `make bench` (bench/RESULTS.md, "batch"); on a loaded
    // CI machine the test only checks that the batch runs at the limit, not far below it,
    // and never above it (0 rate-limited answers, below).
    assert!(
        ratio <= 1.5,
        "took {took:?} for {allowed:?} allowed ({ratio:.3}x)"
    );
    let mut seen = vec![0u8; links.len()];
    for it in &items {
        assert_eq!(it.status, 0, "{it:?}");
        seen[it.index] += 1;
    }
    assert!(seen.iter().all(|&n| n == 1));
    let stats = sb.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(stats.identity_requests, 2000);
    assert_eq!(b.progress().rate_limited, 0);
}

#[test]
fn realistic_429s_pause_the_whole_batch() {
    // The batch is told twice what the app may do: the sandbox answers 429s,
    // and the batch pauses for each Retry-After instead of hammering.
    let sb = realistic(60.0);
    let c = client(&sb, "");
    let links = bulk(1500);
    let b = start(
        &c,
        &links,
        Some(r#"{"time_scale": 60, "app_per_minute": 1200, "concurrency": 8}"#),
    )
    .unwrap();
    let mut paused_seen = false;
    let end = Instant::now() + Duration::from_secs(60);
    let mut items = Vec::new();
    loop {
        assert!(Instant::now() < end);
        paused_seen |= b.progress().paused == 1;
        match b.next(50) {
            (0, Some(item)) => items.push(item),
            (MK_BATCH_PENDING, _) => {}
            (MK_BATCH_DONE, _) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(items.len(), 1500);
    assert!(
        items.iter().all(|i| i.status == 0),
        "every link ends fetched"
    );
    let stats = sb.stats();
    let p = b.progress();
    eprintln!(
        "429s: sandbox {}, batch {}; requests {}",
        stats.rate_limited, p.rate_limited, p.requests
    );
    assert!(paused_seen);
    assert!(stats.rate_limited > 0);
    assert_eq!(p.rate_limited, stats.rate_limited);
    // Each 429 episode costs at most one 429 per worker, not a storm.
    assert!(stats.rate_limited <= 8 * 4, "{stats:?}");
}

/// 100,000 links: the process's resident memory must not grow with the
/// number of results (they are streamed, not held). Ignored by default (about
/// 75 s in a debug build); `cargo test --test batch -- --ignored`.
#[test]
#[ignore]
fn memory_stays_flat_for_100k_links() {
    fn rss_kib() -> u64 {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        s.lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap()
            .parse()
            .unwrap()
    }
    let sb = sandbox();
    let c = client(&sb, "");
    // 100 distinct links, 1000 times each: the in-process sandbox keeps state
    // per link id, which would otherwise be measured with the batch.
    let links: Vec<String> = (0..100_000)
        .map(|i| format!("mk_sandbox_bulk_{}", i % 100))
        .collect();
    let b = start(
        &c,
        &links,
        Some(r#"{"time_scale": 10000, "app_per_minute": 1000000, "link_per_minute": 1000}"#),
    )
    .unwrap();
    let (mut n, mut at_10k) = (0u64, 0u64);
    loop {
        match b.next(1000) {
            (0, Some(_)) => {
                n += 1;
                if n == 10_000 {
                    at_10k = rss_kib();
                }
            }
            (MK_BATCH_PENDING, _) => {}
            (MK_BATCH_DONE, _) => break,
            other => panic!("{other:?}"),
        }
    }
    let at_end = rss_kib();
    eprintln!("RSS after 10k results: {at_10k} KiB, after 100k: {at_end} KiB");
    assert_eq!(n, 100_000);
    assert!(at_end < at_10k + 8 * 1024, "{at_10k} -> {at_end} KiB");
}
