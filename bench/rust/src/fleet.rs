//! `fleet`: P12 (issue 28), one app budget across four processes through Redis.
//!
//!     moneykit-bench fleet [--calls LINKS] [--rounds R] [--batch B]
//!
//! The bench starts one `redis-server` on a free loopback port (no persistence; stopped at
//! the end) and, in this process, a realistic sandbox (MoneyKit's 600/min per app and
//! 3/min per link, 100 ± 50 ms latency, time scale 60: a minute lasts one second, as P9).
//! It then spawns itself four times (`moneykit-bench fleet-worker`, configured through the
//! environment): each worker builds its client, says `ready`, waits for `go` on stdin and
//! runs one batch (defaults) over its own `LINKS` (default 500) distinct
//! `mk_sandbox_bulk_<n>` links. Measured in one run:
//!
//! - `coordinated`: the workers share `coordination_url`: the wall time from `go` to the
//!   last result over the time the app limit allows (2,000 calls at 600 per scaled
//!   minute: 3.33 s), the sandbox's 429s, and Redis round trips per 1,000 calls (the
//!   workers' `Coordinator::round_trips`, and Redis's own `INFO commandstats`);
//! - `uncoordinated`: the same four processes without `coordination_url` (each believes it
//!   owns the app's budget): the same time ratio and their 429s;
//! - `latency`: the cost coordination adds to one single call: `get_identity` with
//!   coordination on vs off, two clients in this process against a plain (fast) sandbox,
//!   in interleaved batches (`--rounds` × `--batch` calls each, rotating which side goes
//!   first); the coordinated client's budget is set far above what the calls use, so every
//!   call takes its permit in one round trip and never waits.
//!
//! Nothing here asserts a time: `bench/report.py` compares with the targets.

use moneykit::core::batch::{Batch, BatchOptions, Next};
use moneykit::core::{Client, Options};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCALE: f64 = 60.0;
const APP_PER_MINUTE: f64 = 600.0;
const PROCESSES: usize = 4;
const CLIENT_ID: &str = "sandbox-client";
const CLIENT_SECRET: &str = "sandbox-secret";

// ------------------------------------------------------------------ redis-server

// The Rust tests' Redis fixture (a free loopback port, no persistence, killed on drop);
// the bench uses part of it.
#[allow(dead_code)]
#[path = "../../../tests/common/redis.rs"]
mod redis_server;
use self::redis_server::Redis;

/// Empties the keys and the command counters.
fn clear(redis: &Redis) {
    redis.cli(&["FLUSHALL"]);
    redis.cli(&["CONFIG", "RESETSTAT"]);
}

/// `INFO commandstats`: calls per command (the bench's own `INFO`/`CONFIG` left out).
fn command_calls(redis: &Redis) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for line in redis.cli(&["INFO", "commandstats"]).lines() {
        let Some((name, rest)) = line.trim().split_once(':') else {
            continue;
        };
        let Some(cmd) = name.strip_prefix("cmdstat_") else {
            continue;
        };
        if cmd == "info" || cmd.starts_with("config") || cmd == "flushall" {
            continue;
        }
        let calls = rest
            .split(',')
            .find_map(|kv| kv.strip_prefix("calls="))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        out.insert(cmd.to_string(), json!(calls));
    }
    out
}

// ------------------------------------------------------------------ the fleet

fn realistic_sandbox() -> Sandbox {
    let sb = Sandbox::start(Config {
        time_scale: SCALE,
        latency: Some((Duration::from_millis(100), Duration::from_millis(50))),
        ..Config::default().realistic()
    })
    .expect("sandbox starts");
    // Let it build its large fixture now (one request), then forget that request.
    crate::warm(&sb.base_url());
    sb.reset();
    sb
}

/// One run of the four processes; `redis`: with coordination through it.
fn fleet(links: usize, redis: Option<&Redis>) -> Value {
    let sb = realistic_sandbox();
    if let Some(r) = redis {
        clear(r);
    }
    let exe = std::env::current_exe().expect("own path");
    let mut workers: Vec<Child> = (0..PROCESSES)
        .map(|p| {
            let mut cmd = Command::new(&exe);
            cmd.arg("fleet-worker")
                .env("MK_FLEET_BASE_URL", sb.base_url())
                .env("MK_FLEET_FIRST", (p * links).to_string())
                .env("MK_FLEET_LINKS", links.to_string())
                .env_remove("MONEYKIT_COORDINATION_URL")
                .env_remove("MONEYKIT_BASE_URL")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped());
            if let Some(r) = redis {
                cmd.env("MK_FLEET_REDIS", r.url());
            }
            cmd.spawn().expect("worker starts")
        })
        .collect();
    let mut outs: Vec<_> = workers
        .iter_mut()
        .map(|w| BufReader::new(w.stdout.take().expect("piped")))
        .collect();
    for out in &mut outs {
        let mut line = String::new();
        out.read_line(&mut line).expect("worker says ready");
        assert_eq!(line.trim(), "ready", "worker did not start");
    }
    let started = Instant::now();
    for w in &mut workers {
        let stdin = w.stdin.as_mut().expect("piped");
        stdin.write_all(b"go\n").expect("go");
        stdin.flush().expect("go");
    }
    let results: Vec<Value> = outs
        .iter_mut()
        .map(|out| {
            let mut line = String::new();
            out.read_line(&mut line).expect("worker result");
            serde_json::from_str(&line).expect("worker result is JSON")
        })
        .collect();
    let secs = started.elapsed().as_secs_f64();
    for mut w in workers {
        let _ = w.wait();
    }
    let stats = sb.stats();
    let n = (links * PROCESSES) as f64;
    let allowed_secs = n / (APP_PER_MINUTE * SCALE / 60.0);
    let sum = |k: &str| {
        results
            .iter()
            .map(|r| r[k].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let ok = sum("ok");
    let mut v = json!({
        "processes": PROCESSES,
        "links": n as u64,
        "ok": ok,
        "failed": sum("failed"),
        "secs": secs,
        "allowed_secs": allowed_secs,
        "time_over_allowed": secs / allowed_secs,
        "requests": stats.identity_requests,
        "token_requests": stats.token_requests,
        "rate_limited": stats.rate_limited,
        "rate_limited_app": stats.rate_limited_app,
        "rate_limited_link": stats.rate_limited_link,
        "workers": results,
    });
    if let Some(r) = redis {
        let trips = sum("round_trips");
        let commands = command_calls(r);
        let scripts: u64 = ["evalsha", "eval"]
            .iter()
            .filter_map(|c| commands.get(*c).and_then(Value::as_u64))
            .sum();
        v["redis_round_trips"] = json!(trips);
        v["round_trips_per_1000_calls"] = json!(trips as f64 * 1000.0 / ok.max(1) as f64);
        v["redis_scripts"] = json!(scripts);
        v["redis_commands"] = Value::Object(commands);
        v["fallback_at_end"] = json!(results.iter().any(|r| r["in_fallback"] == json!(true)));
    }
    v
}

/// `moneykit-bench fleet-worker`: one process of the fleet (configured by `fleet`).
pub fn worker() -> Value {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let first: usize = var("MK_FLEET_FIRST").parse().expect("MK_FLEET_FIRST");
    let n: usize = var("MK_FLEET_LINKS").parse().expect("MK_FLEET_LINKS");
    let mut opts = json!({"base_url": var("MK_FLEET_BASE_URL"), "time_scale": SCALE});
    let redis = var("MK_FLEET_REDIS");
    if !redis.is_empty() {
        opts["coordination_url"] = json!(redis);
    }
    let options = Options::from_json(&opts.to_string()).expect("options");
    let client =
        Arc::new(Client::new(Some(CLIENT_ID), Some(CLIENT_SECRET), options).expect("client"));
    let links: Vec<String> = (first..first + n)
        .map(|i| format!("mk_sandbox_bulk_{i}"))
        .collect();
    let batch_options = BatchOptions::from_json_for_client(None, &client).expect("batch options");
    println!("ready");
    std::io::stdout().flush().expect("stdout");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).expect("go");
    let started = Instant::now();
    let batch = Batch::start(Box::new(client.clone()), links, batch_options);
    let (mut ok, mut failed) = (0u64, 0u64);
    let mut statuses = serde_json::Map::new();
    loop {
        match batch.next(Duration::from_secs(1)) {
            Next::Item(item) => match &item.result {
                Ok(_) => ok += 1,
                Err(e) => {
                    failed += 1;
                    let k = format!("{:?}", e.status);
                    let c = statuses.get(&k).and_then(Value::as_u64).unwrap_or(0);
                    statuses.insert(k, json!(c + 1));
                }
            },
            Next::Pending => {}
            Next::Done => break,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let coordinator = client.coordinator();
    json!({
        "ok": ok,
        "failed": failed,
        "failed_by_status": statuses,
        "secs": secs,
        "round_trips": coordinator.map_or(0, |c| c.round_trips()),
        "in_fallback": coordinator.is_some_and(|c| c.in_fallback()),
    })
}

// ------------------------------------------------------------------ single-call latency

/// `get_identity` with coordination on vs off, interleaved, against a plain sandbox.
fn latency(redis: &Redis, rounds: usize, batch: usize) -> Value {
    clear(redis);
    let sb = Sandbox::start(Config::default()).expect("sandbox starts");
    crate::warm(&sb.base_url());
    let make = |coordinated: bool| {
        let mut opts = json!({"base_url": sb.base_url(), "max_retries": 0});
        if coordinated {
            // Far more budget than the calls use: every permit is granted at once, so
            // what is measured is the round trip, not a wait for room.
            opts["coordination_url"] = json!(redis.url());
            opts["app_per_minute"] = json!(1_000_000);
            opts["link_per_minute"] = json!(1_000);
        }
        let options = Options::from_json(&opts.to_string()).expect("options");
        Client::new(Some(CLIENT_ID), Some(CLIENT_SECRET), options).expect("client")
    };
    let sides = [make(false), make(true)];
    let n = rounds * batch;
    let links: Vec<String> = (0..n).map(|i| format!("mk_sandbox_bulk_{i}")).collect();
    // Warm-up: token, connection, the script loaded into Redis.
    for c in &sides {
        for l in links.iter().take(20) {
            c.get_identity(l, &[]).expect("warm-up call");
        }
    }
    let trips_before = sides[1].coordinator().map_or(0, |c| c.round_trips());
    let mut per_call: [Vec<f64>; 2] = [Vec::with_capacity(n), Vec::with_capacity(n)];
    let mut cpu: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for r in 0..rounds {
        for k in 0..2 {
            let side = (r + k) % 2;
            let c0 = crate::client_cpu();
            for l in &links[r * batch..(r + 1) * batch] {
                let t = Instant::now();
                sides[side].get_identity(l, &[]).expect("identity");
                per_call[side].push(t.elapsed().as_nanos() as f64);
            }
            cpu[side].push(crate::client_cpu().saturating_sub(c0).as_nanos() as f64 / batch as f64);
        }
    }
    let trips = sides[1].coordinator().map_or(0, |c| c.round_trips()) - trips_before;
    let [off_calls, on_calls] = per_call;
    let [off_cpu, on_cpu] = cpu;
    let off = crate::summary(off_calls, off_cpu);
    let on = crate::summary(on_calls, on_cpu);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    json!({
        "calls_per_side": n,
        "round_trips_per_call": trips as f64 / n as f64,
        "off": off,
        "on": on,
        "median_ratio": f(&on, "median_ns") / f(&off, "median_ns"),
        "median_added_us": (f(&on, "median_ns") - f(&off, "median_ns")) / 1000.0,
        "p99_ratio": f(&on, "p99_ns") / f(&off, "p99_ns"),
        "p99_added_us": (f(&on, "p99_ns") - f(&off, "p99_ns")) / 1000.0,
        "cpu_added_us": (f(&on, "cpu_ns_per_call") - f(&off, "cpu_ns_per_call")) / 1000.0,
    })
}

pub fn run(a: crate::Args) -> Value {
    let links = if a.calls == 0 { 500 } else { a.calls };
    let rounds = if a.rounds == 0 { 20 } else { a.rounds };
    let batch = if a.batch == 0 { 100 } else { a.batch };
    let redis = Redis::start();
    let version = redis
        .cli(&["INFO", "server"])
        .lines()
        .find_map(|l| l.trim().strip_prefix("redis_version:").map(str::to_string))
        .unwrap_or_default();
    let latency = latency(&redis, rounds, batch);
    let coordinated = fleet(links, Some(&redis));
    let uncoordinated = fleet(links, None);
    json!({
        "time_scale": SCALE,
        "app_per_minute": APP_PER_MINUTE,
        "link_per_minute": 3,
        "latency_ms": "100 ± 50 (scaled)",
        "redis_version": version,
        "coordinated": coordinated,
        "uncoordinated": uncoordinated,
        "latency": latency,
    })
}
