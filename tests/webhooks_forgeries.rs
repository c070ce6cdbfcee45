//! The sandbox's shared table of forged or damaged deliveries (`GET
//! /_sandbox/webhooks/forgeries`, made with its current key and clock) through the C ABI's
//! webhook verifier with default options: every entry refused with `MK_ERR_SIGNATURE` and
//! exactly the entry's reason, none accepted. The bindings check the same table.

mod webhooks_common;

use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::collections::BTreeSet;
use webhooks_common::*;

const SIGNATURE: i32 = 15;

fn forgeries(sb: &Sandbox) -> Vec<Value> {
    let r = ureq::get(&format!("{}/_sandbox/webhooks/forgeries", sb.base_url()))
        .call()
        .expect("forgeries");
    let v: Value = serde_json::from_slice(&r.into_body().read_to_vec().unwrap()).unwrap();
    v["forgeries"].as_array().unwrap().clone()
}

#[test]
fn every_forgery_of_the_sandbox_is_refused_with_its_reason() {
    let sb = Sandbox::start(Config::default()).expect("sandbox starts");
    let client = client_with(Some("sandbox-client"), &sb.base_url(), "");
    let v = verifier(&client, "{}");
    let table = forgeries(&sb);
    assert!(table.len() >= 30, "{}", table.len());
    let mut reasons = BTreeSet::new();
    let mut failures = Vec::new();
    for f in &table {
        let name = f["name"].as_str().unwrap();
        let want = f["reason"].as_str().unwrap();
        let o = v.verify(
            f["signature"].as_str(),
            f["body"].as_str().unwrap().as_bytes(),
        );
        if o.rc != SIGNATURE || o.reason().as_deref() != Some(want) {
            failures.push(format!(
                "{name}: want {want}, got rc {} {:?}",
                o.rc, o.error
            ));
            continue;
        }
        assert_eq!(o.error.as_ref().unwrap()["name"], "MK_ERR_SIGNATURE");
        assert!(o.event_json.is_none() && o.key.is_none(), "{name}");
        reasons.insert(want.to_string());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(reasons.len(), 9, "{reasons:?}");
}
