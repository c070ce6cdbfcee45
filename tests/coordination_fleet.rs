//! Four real processes (this test binary, spawned again as workers) share one app budget
//! through one Redis (issue 28): each runs a batch of 500 distinct links through the C ABI
//! against one realistic sandbox at time scale 60 (a minute lasts 1 s). Coordinated, the
//! sandbox answers no 429 and the fleet takes about what the app limit allows; the same
//! four processes without coordination each assume they own the budget and collect 429s.

mod common;
mod coordination_common;

use common::redis::Redis;
use coordination_common::*;
use moneykit_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SCALE: f64 = 60.0;
const PROCESSES: usize = 4;
const LINKS_EACH: usize = 500;
/// What the worker's summary line starts with.
const SUMMARY: &str = "MKFLEET ";

/// One fleet at a time: the time bound should not measure the other test's processes.
static ONE_FLEET: Mutex<()> = Mutex::new(());

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Runs only in a child process spawned by [`run_fleet`] (which sets `MK_FLEET_SANDBOX`).
#[test]
#[ignore = "a worker process of the fleet tests, spawned by them"]
fn fleet_worker() {
    let Ok(base) = std::env::var("MK_FLEET_SANDBOX") else {
        return;
    };
    let redis = std::env::var("MK_FLEET_REDIS")
        .ok()
        .filter(|u| !u.is_empty());
    let var = |k: &str| -> usize { std::env::var(k).unwrap().parse().unwrap() };
    let links = bulk(var("MK_FLEET_FROM"), var("MK_FLEET_COUNT"));
    let c = coordinated(&base, redis.as_deref(), r#""time_scale": 60"#);
    let started = unix_ms();
    let b = Batch::start(&c, &links, r#"{"concurrency": 8}"#);
    let items = b.drain(Duration::from_secs(60));
    let ended = unix_ms();
    let p = b.progress();
    let failed: Vec<String> = items
        .iter()
        .filter(|i| i.status != 0)
        .map(|i| format!("{} {:?}", i.link_id, i.error))
        .collect();
    let summary = json!({
        "results": items.len(), "ok": p.ok, "failed": p.failed, "requests": p.requests,
        "rate_limited": p.rate_limited, "started_ms": started, "ended_ms": ended,
        "failures": failed.iter().take(3).collect::<Vec<_>>(),
    });
    // On a line of its own (the harness prints "test fleet_worker ... " first).
    println!("\n{SUMMARY}{summary}");
}

struct FleetRun {
    sandbox: Sandbox,
    summaries: Vec<Value>,
    /// From before the first spawn until the last process exited.
    total: Duration,
    /// From the earliest batch start to the latest batch end (the workers' clocks).
    batches: Duration,
}

/// Four worker processes, `LINKS_EACH` distinct links each, one realistic sandbox; through
/// `redis` when given.
fn run_fleet(redis: Option<&Redis>) -> FleetRun {
    let sandbox = Sandbox::start(Config {
        time_scale: SCALE,
        ..Config::default().realistic()
    })
    .expect("sandbox starts");
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&exe)
                .args(["--exact", "fleet_worker", "--ignored", "--nocapture"])
                .args(["--test-threads=1"])
                .env("MK_FLEET_SANDBOX", sandbox.base_url())
                .env("MK_FLEET_REDIS", redis.map(Redis::url).unwrap_or_default())
                .env("MK_FLEET_FROM", (p * LINKS_EACH).to_string())
                .env("MK_FLEET_COUNT", LINKS_EACH.to_string())
                .env_remove("MONEYKIT_LOG")
                .env_remove("MONEYKIT_COORDINATION_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the test binary runs again")
        })
        .collect();
    let summaries: Vec<Value> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "worker failed: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line = stdout
                .lines()
                .find_map(|l| l.split_once(SUMMARY).map(|(_, json)| json))
                .unwrap_or_else(|| panic!("no summary from the worker: {stdout}"));
            serde_json::from_str(line).unwrap()
        })
        .collect();
    let total = started.elapsed();
    let first = summaries.iter().map(|s| s["started_ms"].as_u64().unwrap());
    let last = summaries.iter().map(|s| s["ended_ms"].as_u64().unwrap());
    let batches = Duration::from_millis(last.max().unwrap() - first.min().unwrap());
    FleetRun {
        sandbox,
        summaries,
        total,
        batches,
    }
}

/// Calls of Redis's scripts so far (`INFO commandstats`: EVALSHA and EVAL).
fn script_calls(redis: &Redis) -> u64 {
    redis
        .cli(&["INFO", "commandstats"])
        .lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| {
            let calls = l.split("calls=").nth(1)?.split(',').next()?;
            calls.parse::<u64>().ok()
        })
        .sum()
}

#[test]
fn four_coordinated_processes_stay_within_the_app_limit_with_no_429() {
    let _one = ONE_FLEET.lock().unwrap_or_else(|p| p.into_inner());
    let redis = Redis::start();
    let run = run_fleet(Some(&redis));
    let links = PROCESSES * LINKS_EACH;
    for s in &run.summaries {
        assert_eq!(s["results"], LINKS_EACH, "{s}");
        assert_eq!(s["ok"], LINKS_EACH, "{s}");
        assert_eq!(s["failed"], 0, "{s}");
    }
    let stats = run.sandbox.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(stats.identity_requests, links as u64, "{stats:?}");
    for l in bulk(0, links) {
        let s = run.sandbox.link_stats(&l);
        assert_eq!(s.identity_requests, 1, "{l}: {s:?}");
    }
    // The app limit allows 2,000 calls in 2000 / 600 minutes; 5 % over that, and 1.5 s
    // for starting four debug processes.
    let allowed = Duration::from_secs_f64(links as f64 / 600.0 * 60.0 / SCALE);
    let bound = allowed.mul_f64(1.05) + Duration::from_millis(1500);
    let calls = script_calls(&redis);
    eprintln!(
        "coordinated: {links} identities, total {:?} (batches {:?}; the app limit allows {allowed:?}, \
         bound {bound:?}; total/allowed {:.3}, batches/allowed {:.3}), 429s {}, Redis script calls {calls} \
         ({:.0} per 1,000 calls)",
        run.total,
        run.batches,
        run.total.as_secs_f64() / allowed.as_secs_f64(),
        run.batches.as_secs_f64() / allowed.as_secs_f64(),
        stats.rate_limited,
        calls as f64 * 1000.0 / links as f64,
    );
    assert!(run.total <= bound, "{:?} > {bound:?}", run.total);
    // Leasing: far fewer round trips than permits.
    assert!(calls > 0 && calls < links as u64 / 2, "{calls}");
}

#[test]
fn four_uncoordinated_processes_collect_429s() {
    let _one = ONE_FLEET.lock().unwrap_or_else(|p| p.into_inner());
    let run = run_fleet(None);
    let stats = run.sandbox.stats();
    let ok: u64 = run
        .summaries
        .iter()
        .map(|s| s["ok"].as_u64().unwrap())
        .sum();
    eprintln!(
        "uncoordinated: {ok} of {} identities OK, total {:?} (batches {:?}), 429s {} \
         (app {}, link {}), identity requests {}",
        PROCESSES * LINKS_EACH,
        run.total,
        run.batches,
        stats.rate_limited,
        stats.rate_limited_app,
        stats.rate_limited_link,
        stats.identity_requests,
    );
    // Each process spends the whole budget on its own: MoneyKit refuses the excess.
    assert!(stats.rate_limited > 0, "{stats:?}");
    assert!(stats.rate_limited_app > 0, "{stats:?}");
}
