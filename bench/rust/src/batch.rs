//! `batch`: the batch API against the realistic sandbox (MoneyKit's 600/min per
//! app and 3/min per link, 100 ± 50 ms latency, time scale 60: a minute lasts
//! one second) beside what a user would write: a thread pool of 16 over the
//! single call. Reports the achieved rate over the allowed one and the 429s
//! the sandbox sent for each (issue 15).
//!
//!     moneykit-bench batch [--calls LINKS]     # default 2000 links

use moneykit::core::batch::{Batch, BatchOptions, Next};
use moneykit::core::{Client, Options};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCALE: f64 = 60.0;
const APP_PER_MINUTE: f64 = 600.0;
const POOL: usize = 16;

fn sandbox() -> Sandbox {
    Sandbox::start(Config {
        time_scale: SCALE,
        latency: Some((Duration::from_millis(100), Duration::from_millis(50))),
        ..Config::default().realistic()
    })
    .expect("sandbox starts")
}

fn client(sb: &Sandbox) -> Client {
    let options =
        Options::from_json(&format!(r#"{{"base_url": "{}"}}"#, sb.base_url())).expect("options");
    Client::new(Some("sandbox-client"), Some("sandbox-secret"), options).expect("client")
}

fn links(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("mk_sandbox_bulk_{i}")).collect()
}

/// One side's numbers.
fn side(n: usize, ok: u64, secs: f64, sb: &Sandbox) -> Value {
    let allowed_per_s = APP_PER_MINUTE * SCALE / 60.0;
    let stats = sb.stats();
    json!({
        "links": n,
        "ok": ok,
        "failed": n as u64 - ok,
        "secs": secs,
        "allowed_secs": n as f64 / allowed_per_s,
        "achieved_over_allowed": ok as f64 / secs / allowed_per_s,
        "time_over_allowed": secs / (n as f64 / allowed_per_s),
        "requests": stats.identity_requests,
        "rate_limited": stats.rate_limited,
    })
}

fn ours(n: usize) -> Value {
    let sb = sandbox();
    let client = Arc::new(client(&sb));
    let options = BatchOptions::from_json(Some(r#"{"time_scale": 60}"#)).expect("options");
    let started = Instant::now();
    let batch = Batch::start(Box::new(client), links(n), options);
    let mut ok = 0u64;
    loop {
        match batch.next(Duration::from_secs(1)) {
            Next::Item(item) => ok += u64::from(item.result.is_ok()),
            Next::Pending => {}
            Next::Done => break,
        }
    }
    side(n, ok, started.elapsed().as_secs_f64(), &sb)
}

fn baseline(n: usize) -> Value {
    let sb = sandbox();
    let client = Arc::new(client(&sb));
    let links = Arc::new(links(n));
    let (next, ok) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let threads: Vec<_> = (0..POOL)
        .map(|_| {
            let (client, links, next, ok) =
                (client.clone(), links.clone(), next.clone(), ok.clone());
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(link) = links.get(i) else { return };
                if client.get_identity(link, &[]).is_ok() {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("pool thread");
    }
    side(
        n,
        ok.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        &sb,
    )
}

pub fn run(calls: usize) -> Value {
    let n = if calls == 0 { 2000 } else { calls };
    json!({
        "time_scale": SCALE,
        "app_per_minute": APP_PER_MINUTE,
        "link_per_minute": 3,
        "latency_ms": "100 ± 50 (scaled)",
        "ours": ours(n),
        "baseline_pool16": baseline(n),
    })
}
