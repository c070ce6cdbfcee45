//! `make match-eval`: runs the owner-match evaluation (tests/match_eval/, built by
//! scripts/match_eval/build.py from public tables) through the library's matcher and prints,
//! per part and per category, how many pairs were right, how many were false passes (labelled
//! `different` or `not_same`, scored >= 80) and how many were misses (labelled `same`, scored
//! < 80; or labelled `different`, scored 50-79).
//!
//! Each pair becomes a Get Identity response with one account whose one owner is the pair's
//! `owner`, and the pair's `claim`; the score read is the claimed field's (`best.<field>.score`).
//! A claim the library refuses (MK_ERR_INVALID_ARGUMENT) counts as score 0.
//!
//! usage: match_eval [--verbose] [--fail-under-heldout PCT] FILE...

use moneykit::core::match_owners_json;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Default, Clone, Copy)]
struct Tally {
    pairs: u32,
    right: u32,
    false_pass: u32,
    miss: u32,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        self.pairs += 1;
        match o {
            Outcome::Right => self.right += 1,
            Outcome::FalsePass => self.false_pass += 1,
            Outcome::Miss => self.miss += 1,
        }
    }
    fn pct(&self) -> f64 {
        100.0 * f64::from(self.right) / f64::from(self.pairs.max(1))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Right,
    FalsePass,
    Miss,
}

fn judge(label: &str, score: u8) -> Outcome {
    match label {
        "same" if score >= 80 => Outcome::Right,
        "same" => Outcome::Miss,
        "different" if score < 50 => Outcome::Right,
        "not_same" if score < 80 => Outcome::Right,
        "different" if score < 80 => Outcome::Miss,
        "different" | "not_same" => Outcome::FalsePass,
        other => panic!("unknown label {other}"),
    }
}

fn identity(owner: &Value) -> String {
    json!({
        "accounts": [{
            "account_id": "acc_eval",
            "account_type": "depository.checking",
            "name": "Checking",
            "balances": {},
            "owners": [owner],
        }],
        "link": {
            "link_id": "mk_eval",
            "institution_id": "eval",
            "institution_name": "Eval",
            "institution_avatar": "",
            "state": "connected",
            "provider": "mx",
            "products": {},
            "available_products": [],
        },
    })
    .to_string()
}

/// The claimed field's score, or 0 when the claim is refused.
fn score(pair: &Value) -> (u8, Option<String>) {
    let field = pair["field"].as_str().expect("field");
    let result = match match_owners_json(&identity(&pair["owner"]), &pair["claim"].to_string()) {
        Ok(json) => json,
        Err(e) => return (0, Some(e.message.clone())),
    };
    let v: Value = serde_json::from_str(&result).expect("result JSON");
    let s = v["best"][field]["score"].as_u64().unwrap_or(0);
    (u8::try_from(s).expect("score <= 100"), None)
}

fn main() {
    let mut verbose = false;
    let mut fail_under: Option<f64> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--verbose" => verbose = true,
            "--fail-under-heldout" => {
                fail_under = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("a percentage"),
                )
            }
            _ => files.push(a),
        }
    }
    let mut heldout_pct = None;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut by_cat: BTreeMap<String, Tally> = BTreeMap::new();
        let mut total = Tally::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let pair: Value = serde_json::from_str(line).expect("a JSON line");
            let (s, refused) = score(&pair);
            let label = pair["label"].as_str().expect("label");
            let o = judge(label, s);
            by_cat
                .entry(pair["category"].as_str().expect("category").to_string())
                .or_default()
                .add(o);
            total.add(o);
            if verbose && o != Outcome::Right {
                let kind = if o == Outcome::FalsePass {
                    "FALSE PASS"
                } else {
                    "miss"
                };
                println!(
                    "  {kind:10} {:40} label {label:9} score {s:3}{}  claim {}  owner {}",
                    pair["id"].as_str().unwrap_or(""),
                    refused
                        .map(|m| format!(" (refused: {m})"))
                        .unwrap_or_default(),
                    pair["claim"],
                    pair["owner"]
                );
            }
        }
        println!("\n{file}");
        println!(
            "  {:42} {:>5} {:>6} {:>7} {:>10} {:>5}",
            "category", "pairs", "right", "right%", "false pass", "miss"
        );
        for (cat, t) in &by_cat {
            println!(
                "  {cat:42} {:>5} {:>6} {:>6.1}% {:>10} {:>5}",
                t.pairs,
                t.right,
                t.pct(),
                t.false_pass,
                t.miss
            );
        }
        println!(
            "  {:42} {:>5} {:>6} {:>6.1}% {:>10} {:>5}",
            "TOTAL",
            total.pairs,
            total.right,
            total.pct(),
            total.false_pass,
            total.miss
        );
        if file.contains("heldout") {
            heldout_pct = Some(total.pct());
        }
    }
    if let (Some(min), Some(got)) = (fail_under, heldout_pct) {
        if got < min {
            eprintln!("match-eval: held-out accuracy {got:.1}% is under {min}%");
            std::process::exit(1);
        }
    }
}
