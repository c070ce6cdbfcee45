//! The `moneykit` binary against the in-process sandbox in realistic mode
//! (MoneyKit's limits, latency, a time scale so a minute lasts one second):
//! every link written exactly once, resume after SIGINT and after SIGKILL,
//! plain progress lines off a terminal, the one-link commands, bad arguments.

mod common;

use common::*;
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts a slow batch (60 calls per scaled minute: about 60 a second) and waits
/// until `at` lines are written.
fn start_slow(sb: &Sandbox, links: &Path, out: &Path, at: usize) -> Child {
    let child = moneykit(
        sb,
        &[
            "identities",
            "--links",
            links.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--app-per-minute",
            "60",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let t = Instant::now();
    while lines_in(out) < at {
        assert!(t.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

#[test]
fn three_hundred_links_each_written_once_with_plain_progress() {
    let sb = realistic();
    let d = dir("300");
    let (links, out) = (links_file(&d, 300), d.join("out.jsonl"));
    let o = identities(
        &sb,
        &links,
        &out,
        &["--app-per-minute", "300", "--progress-every", "0.2"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_each_once(&count_lines(&out), 300);
    // Not a terminal: plain lines, no bar drawing.
    let progress: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("moneykit: ") && l.contains("/300 links, "))
        .collect();
    assert!(!progress.is_empty(), "{err}");
    assert!(progress[0].contains("/min"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("done: 300 links written to "), "{err}");
    let stats = sb.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(stats.identity_requests, 300);

    // Run again: nothing left to fetch, nothing written twice.
    let o = identities(&sb, &links, &out, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("nothing to fetch"),
        "{}",
        text(&o.stderr)
    );
    assert_each_once(&count_lines(&out), 300);
    assert_eq!(sb.stats().identity_requests, 300);
}

#[test]
fn a_429_pause_shows_in_the_progress_lines() {
    // The tool is told the app may do far more than the sandbox allows (60 a minute).
    let sb = Sandbox::start(Config {
        time_scale: SCALE,
        rate_limit_app: Some(60),
        ..Config::default().realistic()
    })
    .unwrap();
    let d = dir("paused");
    let (links, out) = (links_file(&d, 100), d.join("out.jsonl"));
    let o = identities(
        &sb,
        &links,
        &out,
        &["--app-per-minute", "100000", "--progress-every", "0.1"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains(", paused by rate limit ("), "{err}");
    assert_each_once(&count_lines(&out), 100);
    assert!(sb.stats().rate_limited > 0);
}

#[test]
fn sigint_halfway_writes_what_completed_and_a_resumed_run_finishes() {
    let sb = realistic();
    let d = dir("sigint");
    let (links, out) = (links_file(&d, 300), d.join("out.jsonl"));
    let child = start_slow(&sb, &links, &out, 60);
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: "), "{err}");
    // Calls cut short by the cancel are neither written nor counted as errors.
    assert!(err.contains("(0 errors)"), "{err}");
    let first = count_lines(&out);
    assert!(first.values().all(|&n| n == 1));
    let written = first.len();
    assert!((60..300).contains(&written), "{written} lines");

    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("resuming: {written} of 300 links already in")),
        "{err}"
    );
    // Issue 27: the summary of a resume said "done: 142 of 142" for a list of 201.
    assert!(
        err.contains(&format!(
            "done: {} links written to {} (0 errors) in ",
            300 - written,
            out.display()
        )) && err.contains(&format!(
            "; with the {written} written before, all 300 links have a line"
        )),
        "{err}"
    );
    assert_each_once(&count_lines(&out), 300);
    // Only calls cancelled in flight (at most the concurrency, 16) were made twice.
    let requests = sb.stats().identity_requests;
    assert!((300..=316).contains(&requests), "{requests}");
    assert_eq!(sb.stats().rate_limited, 0);
}

#[test]
fn sigkill_loses_no_written_line_and_a_truncated_tail_is_rewritten() {
    let sb = realistic();
    let d = dir("sigkill");
    let (links, out) = (links_file(&d, 300), d.join("out.jsonl"));
    let mut child = start_slow(&sb, &links, &out, 100);
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    let written = count_lines(&out).len();
    assert!((100..300).contains(&written), "{written} lines");
    // A write cut short by a crash: the record of a link not written yet.
    let missing = (0..300)
        .map(|i| format!("mk_sandbox_bulk_{i}"))
        .find(|id| !count_lines(&out).contains_key(id))
        .unwrap();
    let mut bytes = fs::read(&out).unwrap();
    bytes.extend_from_slice(format!("{{\"link_id\":\"{missing}\",\"identity\":{{\"li").as_bytes());
    fs::write(&out, bytes).unwrap();

    let o = identities(&sb, &links, &out, &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("removed an incomplete last line"), "{err}");
    assert!(
        err.contains(&format!("resuming: {written} of 300")),
        "{err}"
    );
    assert_each_once(&count_lines(&out), 300);
}

#[test]
fn error_lines_and_retry_errors() {
    let sb = realistic();
    let d = dir("errors");
    let links = d.join("links.txt");
    fs::write(
        &links,
        "mk_sandbox_bulk_1\nmk_sandbox_not_found\n# a comment\n\nmk_sandbox_bulk_1\n",
    )
    .unwrap();
    let out = d.join("out.jsonl");
    let o = identities(&sb, &links, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let content = fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = content
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{content}");
    let error = lines
        .iter()
        .find(|v| v["link_id"] == "mk_sandbox_not_found")
        .unwrap();
    assert_eq!(error["error"]["name"], "MK_ERR_NOT_FOUND", "{error}");
    assert!(error.get("identity").is_none());
    // Issue 27: "(1 errors)" before.
    let err = text(&o.stderr);
    assert!(
        err.contains("done: 2 links written to ") && err.contains(" (1 error) in "),
        "{err}"
    );

    let o = identities(&sb, &links, &out, &["--retry-errors"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("removed 1 error line to fetch"), "{err}");
    assert!(err.contains("resuming: 1 of 2"), "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap().lines().count(), 2);
}

#[test]
fn identity_refresh_and_match() {
    let sb = realistic();
    let o = run(&sb, &["identity", "mk_sandbox_bulk_7"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["link"].is_object() && v["accounts"].is_array(), "{v}");

    let o = run(&sb, &["identity", "mk_sandbox_not_found"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(e["name"], "MK_ERR_NOT_FOUND", "{e}");

    // Refresh and wait: the fresh body, refreshed later than before.
    let before: Value =
        serde_json::from_slice(&run(&sb, &["identity", "mk_sandbox_bulk_8"]).stdout).unwrap();
    let at = |v: &Value| v["link"]["products"]["identity"]["refreshed_at"].clone();
    let o = run(&sb, &["refresh", "mk_sandbox_bulk_8", "--wait", "30"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let fresh: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(at(&fresh), at(&before), "{fresh}");
    // Its daily refresh is spent: a clear 429, and --stale prints the last body.
    let o = run(
        &sb,
        &["refresh", "mk_sandbox_bulk_8", "--wait", "5", "--stale"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e: Value = serde_json::from_str(text(&o.stderr).lines().next().unwrap()).unwrap();
    assert_eq!(e["name"], "MK_ERR_RATE_LIMITED", "{e}");
    let stale: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(stale["link"].is_object());
    // Request only.
    let o = run(&sb, &["refresh", "mk_sandbox_bulk_9"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("requested"));

    // Owner match, from flags and from a claim JSON.
    let o = run(
        &sb,
        &[
            "match",
            "mk_sandbox_ok",
            "--name",
            "Peggy OBrien",
            "--email",
            "M.OBrien@example.com",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let m: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(m["best"]["score"].as_i64().unwrap() >= 80, "{m}");
    assert_eq!(
        (&m["verdict"], &m["min_score"]),
        (&"match".into(), &80.into()),
        "{m}"
    );
    let o = run(
        &sb,
        &[
            "match",
            "mk_sandbox_ok",
            "--claim",
            r#"{"name": "Someone Else Entirely"}"#,
        ],
    );
    // Issue 27: a different person exited 0 like a match; now 3 and the verdict says so.
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let m: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(m["best"]["score"].as_i64().unwrap_or(0) < 50, "{m}");
    assert_eq!(m["verdict"], "no_match", "{m}");
    assert_eq!(text(&o.stdout).lines().count(), 1);
    let o = run(
        &sb,
        &["match", "mk_sandbox_ok", "--claim", r#"{"nmae": "x"}"#],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

#[test]
fn bad_arguments_exit_2() {
    let sb = realistic();
    let d = dir("badargs");
    let links = links_file(&d, 1);
    let out = d.join("out.jsonl");
    let (l, o) = (links.to_str().unwrap(), out.to_str().unwrap());
    for args in [
        &[][..],
        &["nope"][..],
        &["identity"][..],
        &["identities", "--links", l][..],
        &["identities", "--links", l, "--out", o, "--concurrency", "0"][..],
        &[
            "identities",
            "--links",
            l,
            "--out",
            o,
            "--app-per-minute",
            "x",
        ][..],
        &["identities", "--links", l, "--out", o, "--bogus"][..],
        &["refresh", "mk_sandbox_ok", "--wait", "-1"][..],
        &["refresh", "mk_sandbox_ok", "--stale"][..],
        &["match", "mk_sandbox_ok"][..],
        &["match", "mk_sandbox_ok", "--claim", "{}", "--name", "x"][..],
        &[
            "--options",
            "{\"timeot_ms\": 1}",
            "identity",
            "mk_sandbox_ok",
        ][..],
        &["--base-url", "ftp://x", "identity", "mk_sandbox_ok"][..],
        &[
            "identities",
            "--links",
            l,
            "--out",
            o,
            "--time-scale",
            "0.5",
        ][..],
        &["identity", "mk_sandbox_ok", "--time-scale", "60"][..],
        &[
            "match",
            "mk_sandbox_ok",
            "--name",
            "x",
            "--min-score",
            "101",
        ][..],
    ] {
        let o = run(&sb, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
    // No credentials in the environment: a usage error too, and nothing written.
    let o = Command::new(env!("CARGO_BIN_EXE_moneykit"))
        .args(["identities", "--links", l, "--out", o])
        .env_remove("MONEYKIT_CLIENT_ID")
        .env_remove("MONEYKIT_CLIENT_SECRET")
        .env("MONEYKIT_BASE_URL", sb.base_url())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // Issue 27: it said "pass client_id", which the CLI cannot take.
    let err = text(&o.stderr);
    assert!(
        err.contains("MONEYKIT_CLIENT_ID") && err.contains("--credentials-file"),
        "{err}"
    );
    assert!(!err.contains("pass client_id"), "{err}");
    assert_eq!(lines_in(&out), 0);
    assert_eq!(sb.stats().requests, 0);
}

#[test]
fn match_reads_the_claim_from_a_file_or_standard_input() {
    let sb = plain();
    let d = dir("claim-file");
    let claim = d.join("claim.json");
    let json = r#"{"name": "Peggy OBrien", "email": "M.OBrien@example.com"}"#;
    fs::write(&claim, json).unwrap();
    let best = |o: &std::process::Output| {
        let m: Value = serde_json::from_slice(&o.stdout).unwrap();
        let score = m["best"]["score"].as_i64().unwrap_or(0);
        let code = if score >= 80 { 0 } else { 3 };
        assert_eq!(o.status.code(), Some(code), "{}", text(&o.stderr));
        score
    };
    let claim_arg = claim.to_str().unwrap();
    let o = run(&sb, &["match", "mk_sandbox_ok", "--claim-file", claim_arg]);
    assert!(best(&o) >= 80);

    let mut child = moneykit(&sb, &["match", "mk_sandbox_ok", "--claim-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), json.as_bytes()).unwrap();
    assert!(best(&child.wait_with_output().unwrap()) >= 80);

    // A claim that names another person scores low; a refused claim is a usage error
    // whose message quotes no value; a missing file is a file that failed; the claim
    // comes from one place only.
    fs::write(&claim, r#"{"name": "Someone Else Entirely"}"#).unwrap();
    let o = run(&sb, &["match", "mk_sandbox_ok", "--claim-file", claim_arg]);
    assert!(best(&o) < 50);
    fs::write(&claim, r#"{"nmae": "Peggy OBrien"}"#).unwrap();
    let o = run(&sb, &["match", "mk_sandbox_ok", "--claim-file", claim_arg]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("Peggy"), "{}", text(&o.stderr));
    fs::write(&claim, b"{\"name\": \"\xff\"}").unwrap();
    let o = run(&sb, &["match", "mk_sandbox_ok", "--claim-file", claim_arg]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("not UTF-8"), "{}", text(&o.stderr));
    let missing = d.join("missing.json");
    let o = run(
        &sb,
        &[
            "match",
            "mk_sandbox_ok",
            "--claim-file",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("missing.json"),
        "{}",
        text(&o.stderr)
    );
    for other in [&["--name", "x"][..], &["--claim", "{}"][..]] {
        let args = [
            &["match", "mk_sandbox_ok", "--claim-file", claim_arg][..],
            other,
        ]
        .concat();
        let o = run(&sb, &args);
        assert_eq!(o.status.code(), Some(2), "{other:?}: {}", text(&o.stderr));
    }
}

/// Issue 27: `match` has a verdict and an exit code for "no match" (3, distinct from 1, a
/// failed call, and 2, bad usage), set by `--min-score`.
#[test]
fn match_verdict_and_exit_code_follow_min_score() {
    let sb = plain();
    let claim = ["match", "mk_sandbox_ok", "--name", "Peggy OBrien"];
    let o = run(&sb, &claim);
    let m: Value = serde_json::from_slice(&o.stdout).unwrap();
    let score = m["best"]["score"].as_i64().unwrap();
    assert!((1..100).contains(&score), "{m}");
    let at = |min: i64| {
        let min = min.to_string();
        let o = run(&sb, &[&claim[..], &["--min-score", &min]].concat());
        let m: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(m["min_score"].to_string(), min, "{m}");
        assert_eq!(m["best"]["score"], score, "{m}");
        (o.status.code(), m["verdict"].as_str().unwrap().to_string())
    };
    assert_eq!(at(score), (Some(0), "match".to_string()));
    assert_eq!(at(0), (Some(0), "match".to_string()));
    assert_eq!(at(score + 1), (Some(3), "no_match".to_string()));
    assert_eq!(at(100), (Some(3), "no_match".to_string()));
    // A failed call is still 1, with nothing on stdout.
    let o = run(&sb, &["match", "mk_sandbox_not_found", "--name", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
}
