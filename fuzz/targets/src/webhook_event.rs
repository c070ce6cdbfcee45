//! `webhook_event`: a verified webhook body, checked by `core::webhooks::check_event` (the
//! one checker the bindings rely on; schema `webhook_events`). Input: the body.
//!
//! Invariants:
//! - No panic; the same result twice.
//! - Accepted only when the body is UTF-8 JSON, an object without a repeated key, with a
//!   string `webhook_event` (returned as is) and a `webhook_idempotency_key` of 1 to 1024
//!   bytes; an unknown `webhook_event` is never the reason for a refusal (the same body under
//!   another unknown event name gets the same verdict).
//! - A refusal is `MK_ERR_DECODE`, its message starts `webhook body`, is short and quotes no
//!   string of 8 bytes or more of the body (keys a message may name are short snake_case).

use crate::common::{assert_no_echo, json_strings, ECHO_MIN_LEN};
use crate::webhook_jws::repeats_a_key;
use moneykit::core::webhooks::check_event;
use moneykit::core::Status;
use serde_json::Value;

/// The `webhook_event` target.
pub fn webhook_event(data: &[u8]) {
    let got = check_event(data);
    assert_eq!(
        got.as_ref().map_err(|e| e.message.clone()),
        check_event(data).as_ref().map_err(|e| e.message.clone()),
        "not deterministic"
    );
    match &got {
        Ok(event) => {
            let v: Value = serde_json::from_slice(data).expect("accepted bodies are JSON");
            assert!(!repeats_a_key(data, &v), "a repeated key was accepted");
            let o = v.as_object().expect("an object");
            assert_eq!(o["webhook_event"].as_str(), Some(event.as_str()));
            let key = o["webhook_idempotency_key"].as_str().expect("a key");
            assert!(!key.is_empty() && key.len() <= 1024);
        }
        Err(e) => {
            assert_eq!(e.status, Status::MkErrDecode, "{}", e.message);
            assert!(e.message.starts_with("webhook body"), "{}", e.message);
            let s = json_strings(data, ECHO_MIN_LEN);
            let mut candidates = s.values.clone();
            candidates.extend(s.keys.iter().filter(|k| k.len() >= ECHO_MIN_LEN).cloned());
            let quotable: Vec<String> = s
                .keys
                .iter()
                .filter(|k| crate::common::is_plain_key(k))
                .cloned()
                .collect();
            assert_no_echo("webhook_event", &e.message, &candidates, &quotable);
        }
    }
    // Another unknown event name: the same verdict as any unknown name.
    if let Ok(Value::Object(mut o)) = serde_json::from_slice::<Value>(data) {
        let known = [
            "link.state_changed",
            "link.product_refresh",
            "transactions.updates_available",
        ];
        let is_unknown = o
            .get("webhook_event")
            .and_then(Value::as_str)
            .is_some_and(|e| !known.contains(&e));
        if is_unknown && !repeats_a_key(data, &Value::Object(o.clone())) {
            o.insert(
                "webhook_event".into(),
                Value::String("zz.unknown_event".into()),
            );
            let other = serde_json::to_vec(&o).unwrap();
            assert_eq!(
                got.is_ok(),
                check_event(&other).is_ok(),
                "an unknown event's name changed the verdict"
            );
        }
    }
}
