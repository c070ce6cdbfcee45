//! Issue 28: `--coordination URL` against a redis-server of the test's own (on a free port,
//! no persistence, stopped on drop) and the sandbox: the batch's permits come from Redis,
//! two processes share one budget, an unreachable Redis fails no call, and a URL with a
//! password is refused (the flag is seen by every user in `ps`) without echoing it.

mod common;

// The Rust tests' Redis fixture; this file uses part of it.
#[allow(dead_code)]
#[path = "../../tests/common/redis.rs"]
mod redis;

use common::*;
use moneykit_sandbox::Sandbox;
use redis::Redis;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `n` links from `mk_sandbox_bulk_<from>` on, in `dir/name`.
fn links_from(dir: &Path, name: &str, from: usize, n: usize) -> PathBuf {
    let p = dir.join(name);
    let text: String = (from..from + n)
        .map(|i| format!("mk_sandbox_bulk_{i}\n"))
        .collect();
    fs::write(&p, text).unwrap();
    p
}

/// A loopback port where nothing listens (bound, then let go).
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ok(o: &Output) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    err
}

/// The keys of the app's namespace: `mk:{<16 hex digits>}:...`, one prefix for all.
fn app_keys(redis: &Redis) -> Vec<String> {
    let keys: Vec<String> = redis
        .cli(&["KEYS", "mk:*"])
        .lines()
        .map(str::to_string)
        .collect();
    let prefix = |k: &str| k.split_once("}:").map(|(p, _)| p.to_string());
    for k in &keys {
        let p = prefix(k).unwrap_or_else(|| panic!("{k}"));
        let hex = p.strip_prefix("mk:{").unwrap_or_else(|| panic!("{k}"));
        assert!(
            hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            "{k}"
        );
        assert_eq!(prefix(&keys[0]), Some(p), "one app, one hash tag");
    }
    keys
}

#[test]
fn a_batch_takes_its_permits_from_redis() {
    let redis = Redis::start();
    let sb = plain();
    let d = dir("coord-batch");
    let (links, out) = (links_file(&d, 12), d.join("out.jsonl"));
    // At MoneyKit's pace (no --time-scale): the windows last a minute, so the keys are
    // still there when the run is over.
    let o = bare(&[
        "identities",
        "--links",
        links.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--coordination",
        &redis.url(),
    ])
    .env("MONEYKIT_CLIENT_ID", "sandbox-client")
    .env("MONEYKIT_CLIENT_SECRET", "sandbox-secret")
    .env("MONEYKIT_BASE_URL", sb.base_url())
    .output()
    .unwrap();
    ok(&o);
    assert_each_once(&count_lines(&out), 12);
    assert_eq!(sb.stats().identity_requests, 12);

    let keys = app_keys(&redis);
    let app: Vec<&String> = keys.iter().filter(|k| k.ends_with("}:app")).collect();
    assert_eq!(app.len(), 1, "{keys:?}");
    let links = keys.iter().filter(|k| k.contains("}:link:")).count();
    assert_eq!(links, 12, "one window per link: {keys:?}");
    // Every call started holds a permit in the app's window (leased and unused ones were
    // given back), and the window expires.
    let granted: usize = redis.cli(&["ZCARD", app[0]]).parse().unwrap();
    assert_eq!(granted, 12, "{keys:?}");
    let ttl: i64 = redis.cli(&["PTTL", app[0]]).parse().unwrap();
    assert!(ttl > 0 && ttl <= 2 * 60_000, "{ttl}");
}

/// Two `identities` runs at once, each told the app may do 600 a minute, against the
/// realistic sandbox (which allows the app 600 a minute, time-scaled): sharing one
/// Redis they get no 429; without it, they do.
#[test]
fn two_processes_share_one_budget() {
    let redis = Redis::start();
    let d = dir("coord-two");
    let (a, b) = (
        links_from(&d, "a.txt", 0, 600),
        links_from(&d, "b.txt", 1000, 600),
    );
    let run_both = |sb: &Sandbox, flags: &[&str], tag: &str| {
        let start = |links: &Path, out: &str| {
            let out = d.join(format!("{tag}-{out}"));
            let mut args = vec![
                "identities",
                "--links",
                links.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ];
            args.extend_from_slice(flags);
            let child = moneykit(sb, &args).stderr(Stdio::piped()).spawn().unwrap();
            (child, out)
        };
        let ((pa, oa), (pb, ob)) = (start(&a, "a.jsonl"), start(&b, "b.jsonl"));
        for p in [pa, pb] {
            ok(&p.wait_with_output().unwrap());
        }
        assert_eq!(count_lines(&oa).len(), 600);
        assert_eq!(count_lines(&ob).len(), 600);
    };

    let url = redis.url();
    let sb = realistic();
    run_both(&sb, &["--coordination", &url], "with");
    let stats = sb.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(stats.identity_requests, 1200, "{stats:?}");

    let sb = realistic();
    run_both(&sb, &[], "without");
    let stats = sb.stats();
    assert!(stats.rate_limited > 0, "{stats:?}");
}

#[test]
fn an_unreachable_redis_fails_no_call() {
    let sb = plain();
    let url = format!("redis://127.0.0.1:{}/0", dead_port());
    let o = moneykit(&sb, &["identity", "mk_sandbox_ok", "--coordination", &url])
        .env("MONEYKIT_LOG", "warn")
        .output()
        .unwrap();
    let err = ok(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["link"].is_object(), "{v}");
    let redis_lines: Vec<&str> = err.lines().filter(|l| l.contains("REDIS")).collect();
    assert_eq!(redis_lines.len(), 1, "one line for the loss: {err}");

    // A password goes in the environment instead; it is never shown.
    let url = format!("redis://:s3cret-pw@127.0.0.1:{}/0", dead_port());
    for args in [
        &["identity", "mk_sandbox_ok"][..],
        &["match", "mk_sandbox_ok", "--name", "Peggy OBrien"][..],
    ] {
        let o = moneykit(&sb, args)
            .env("MONEYKIT_COORDINATION_URL", &url)
            .env("MONEYKIT_LOG", "debug")
            .output()
            .unwrap();
        assert!(matches!(o.status.code(), Some(0 | 3)), "{o:?}");
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(all.contains("REDIS"), "{all}");
        assert!(!all.contains("s3cret"), "{all}");
    }
}

/// The command with `--coordination URL` in either spelling.
fn with_url(sb: &Sandbox, argv: &[&str], url: &str, joined: bool) -> Command {
    let mut args = argv.to_vec();
    let flag = format!("--coordination={url}");
    if joined {
        args.push(&flag);
    } else {
        args.extend_from_slice(&["--coordination", url]);
    }
    moneykit(sb, &args)
}

#[test]
fn a_password_in_the_flag_is_refused_without_echoing_it() {
    let sb = plain();
    let d = dir("coord-refused");
    let (links, out) = (links_file(&d, 3), d.join("out.jsonl"));
    let commands: [&[&str]; 5] = [
        &[
            "identities",
            "--links",
            links.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &["identity", "mk_sandbox_ok"],
        &["refresh", "mk_sandbox_ok"],
        &["match", "mk_sandbox_ok", "--name", "Peggy OBrien"],
        &["webhooks", "listen", "--port", "0", "--count", "1"],
    ];
    for url in [
        "redis://:s3cret-pw@127.0.0.1:6379/0",
        "rediss://app:s3cret-pw@redis.example.com/0",
        "unix:///run/redis.sock?pass=s3cret-pw",
    ] {
        for argv in commands {
            for joined in [false, true] {
                let o = with_url(&sb, argv, url, joined).output().unwrap();
                let err = text(&o.stderr);
                assert_eq!(o.status.code(), Some(2), "{argv:?} {url}: {err}");
                assert!(!err.contains("s3cret"), "{err}");
                assert!(err.contains("MONEYKIT_COORDINATION_URL"), "{err}");
                assert!(o.stdout.is_empty());
            }
        }
    }
    assert_eq!(sb.stats().requests, 0, "nothing was called");
    assert!(!out.exists(), "nothing was written");

    // Only the commands that make identity calls or check webhooks take the flag; clap's
    // refusal elsewhere does not quote the value either.
    let url = "redis://:s3cret-pw@127.0.0.1/0";
    for joined in [false, true] {
        let o = with_url(
            &sb,
            &["webhooks", "trigger", "mk_sandbox_ok", "link.state_changed"],
            url,
            joined,
        )
        .output()
        .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("--coordination"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}
