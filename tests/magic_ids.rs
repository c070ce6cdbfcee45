//! Every magic link id of the sandbox answers with the status schema/moneykit.json gives it.
//! The schema is read here at test time (serde_json), not through the generator: for each
//! entry of `magic_ids.ids`, the call is its `check`, else the id itself when its `status`
//! is one status name and its kind is not `prefix` or `default` (gen/src/schema.rs
//! `MagicId::check`, which every language's magic-id test follows); `{tag}` becomes a tag
//! unique to this run, and the client's options are `check_options` with the check's
//! `options` added (or replacing). The calls go through `mk_get_identity` over loopback
//! HTTP to one sandbox, in parallel (several wait for a timeout).

mod common;

use common::*;
use moneykit::core::Status;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One call to make: the link id (tag filled in), the options added, the status expected.
#[derive(Debug, Clone)]
struct Check {
    entry: String,
    id: String,
    options: Map<String, Value>,
    status: String,
}

fn schema() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/moneykit.json"))
            .expect("schema/moneykit.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// A tag no earlier run against a long-lived sandbox used: process id, time and a counter.
fn fresh_tag() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    format!(
        "t{}x{now}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `MagicId::check()` of gen/src/schema.rs, on the raw JSON entry.
fn check_of(entry: &Value) -> Option<Check> {
    let id = entry["id"].as_str().expect("id");
    if let Some(c) = entry.get("check").filter(|c| !c.is_null()) {
        return Some(Check {
            entry: id.to_string(),
            id: c["id"]
                .as_str()
                .expect("check.id")
                .replace("{tag}", &fresh_tag()),
            options: c
                .get("options")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            status: c["status"].as_str().expect("check.status").to_string(),
        });
    }
    let status = entry["status"].as_str().expect("status");
    let kind = entry["kind"].as_str().expect("kind");
    let single =
        status.starts_with("MK_") && status.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    (single && kind != "prefix" && kind != "default").then(|| Check {
        entry: id.to_string(),
        id: id.to_string(),
        options: Map::new(),
        status: status.to_string(),
    })
}

/// Makes the call; `Err` says what differed.
fn run(sb_url: &str, base: &Map<String, Value>, c: &Check) -> Result<Duration, String> {
    let mut options = base.clone();
    options.insert("base_url".into(), Value::String(sb_url.to_string()));
    for (k, v) in &c.options {
        options.insert(k.clone(), v.clone());
    }
    let json = Value::Object(options).to_string();
    let client = try_client(Some(ID), Some(SECRET), &json)
        .map_err(|e| format!("{}: client options {json} refused: {e:?}", c.entry))?;
    let started = Instant::now();
    let outcome = client.identity(&c.id, &[]);
    let took = started.elapsed();
    let got = Status::from_code(outcome.status).map_or("(unknown code)", Status::name);
    if got != c.status {
        return Err(format!(
            "{} (called as {}, options {json}): want {}, got {got}: {}",
            c.entry,
            c.id,
            c.status,
            outcome.error_text.as_deref().unwrap_or("(no error)")
        ));
    }
    if outcome.status == 0 {
        // A body the core accepted: a JSON object.
        assert!(outcome.body().is_object(), "{}", c.entry);
    } else {
        assert_eq!(outcome.err("name"), c.status.as_str(), "{}", c.entry);
    }
    Ok(took)
}

#[test]
fn every_magic_id_answers_with_the_schema_status() {
    let schema = schema();
    let magic = &schema["magic_ids"];
    let base = magic["check_options"]
        .as_object()
        .expect("magic_ids.check_options")
        .clone();
    let entries = magic["ids"].as_array().expect("magic_ids.ids");
    let checks: Vec<Check> = entries.iter().filter_map(check_of).collect();
    // Only the ids whose status depends on the input go unchecked (mk_corpus_<name>, whose
    // bodies tests/corpus.rs checks one by one).
    let unchecked: Vec<&str> = entries
        .iter()
        .filter(|e| check_of(e).is_none())
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(unchecked, ["mk_corpus_<name>"], "ids without a check");
    assert!(checks.len() >= 40, "{} checks", checks.len());
    for c in &checks {
        assert!(
            Status::ALL.iter().any(|s| s.name() == c.status),
            "{}: {} is not a status",
            c.entry,
            c.status
        );
        assert!(!c.id.contains('{'), "{}: {}", c.entry, c.id);
    }

    let sb = sandbox();
    let url = sb.base_url();
    let started = Instant::now();
    let results: Vec<Result<Duration, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = checks
            .iter()
            .map(|c| s.spawn(|| run(&url, &base, c)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a check thread panicked"))
            .collect()
    });
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} magic ids answered otherwise:\n{}",
        failures.len(),
        checks.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let slowest = results.iter().filter_map(|r| r.as_ref().ok()).max();
    eprintln!(
        "{} magic ids checked in {:?} (slowest call {slowest:?})",
        checks.len(),
        started.elapsed()
    );
}

/// The same check, twice with `{tag}`: the tags differ, so a `_once_` fault fires for each.
#[test]
fn tags_are_fresh_per_call() {
    let schema = schema();
    let once = schema["magic_ids"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["check"]["id"]
                .as_str()
                .is_some_and(|i| i.contains("{tag}"))
        })
        .expect("an id with {tag}");
    let (a, b) = (check_of(once).unwrap(), check_of(once).unwrap());
    assert_ne!(a.id, b.id);
}
