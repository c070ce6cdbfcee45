//! What the `moneykit` binary's test files share: sandboxes, the command with the
//! sandbox's credentials, fresh directories and readers of the output.

// Each test file uses its own part of these.
#![allow(dead_code)]

use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub const SCALE: f64 = 60.0;

/// MoneyKit's limits, latency, and a time scale so a minute lasts one second.
pub fn realistic() -> Sandbox {
    Sandbox::start(Config {
        time_scale: SCALE,
        latency: Some((Duration::from_millis(100), Duration::from_millis(50))),
        refresh_delay: Duration::from_secs(2),
        ..Config::default().realistic()
    })
    .expect("sandbox starts")
}

/// No limits, no latency: for tests about the files, not the pace.
pub fn plain() -> Sandbox {
    Sandbox::start(Config::default()).expect("sandbox starts")
}

/// A fresh directory for one test.
pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("moneykit-cli-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

pub fn links_file(dir: &Path, n: usize) -> PathBuf {
    let p = dir.join("links.txt");
    let text: String = (0..n).map(|i| format!("mk_sandbox_bulk_{i}\n")).collect();
    fs::write(&p, text).unwrap();
    p
}

/// The binary with the sandbox's credentials and base URL in its environment, and
/// `--time-scale SCALE` for the commands it paces (`identities`, `refresh`).
pub fn moneykit(sb: &Sandbox, args: &[&str]) -> Command {
    let mut c = bare(args);
    c.env("MONEYKIT_CLIENT_ID", "sandbox-client")
        .env("MONEYKIT_CLIENT_SECRET", "sandbox-secret")
        .env("MONEYKIT_BASE_URL", sb.base_url());
    if matches!(args.first(), Some(&"identities" | &"refresh")) {
        c.arg("--time-scale").arg(SCALE.to_string());
    }
    c
}

/// The binary with no MONEYKIT_* variable in its environment.
pub fn bare(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moneykit"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("MONEYKIT_") {
            c.env_remove(k);
        }
    }
    c.args(args).stdin(Stdio::null());
    c
}

pub fn run(sb: &Sandbox, args: &[&str]) -> Output {
    moneykit(sb, args).output().expect("moneykit runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every line of the output parsed; link id -> how many lines it has.
pub fn count_lines(out: &Path) -> HashMap<String, usize> {
    count_text(&fs::read_to_string(out).unwrap())
}

/// `count_lines` of output held in memory.
pub fn count_text(content: &str) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    assert!(content.is_empty() || content.ends_with('\n'));
    for line in content.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:.200}"));
        let id = v["link_id"].as_str().unwrap().to_string();
        assert!(
            v["identity"]["link"].is_object(),
            "not an identity: {line:.300}"
        );
        *seen.entry(id).or_default() += 1;
    }
    seen
}

pub fn assert_each_once(seen: &HashMap<String, usize>, n: usize) {
    assert_eq!(seen.len(), n, "links with a line");
    for i in 0..n {
        let id = format!("mk_sandbox_bulk_{i}");
        assert_eq!(seen.get(&id), Some(&1), "{id}");
    }
}

pub fn lines_in(out: &Path) -> usize {
    fs::read(out).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

pub fn identities(sb: &Sandbox, links: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "identities",
        "--links",
        links.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(sb, &args)
}
