//! The one checker of a verified webhook body (schema/moneykit.json `webhook_events`, through
//! the generated table `events_gen.rs`), as the identity validator is for identities: the
//! bindings build their typed events from a body it accepted and never refuse one.
//!
//! - The body: UTF-8, a JSON object, no key given twice at any depth.
//! - Every event: the common fields, each of its type when present (absent and null are the
//!   same), the required ones present; `webhook_idempotency_key` non-empty and at most
//!   [`MAX_KEY_LEN`] bytes.
//! - A known event (`webhook_event` in the table) with `webhook_major_version` 1: its own
//!   fields too. Any other event, or another major version, is returned as it is: an
//!   unknown event is never refused for being new.
//! - Enums are open: any string is accepted.
//!
//! A refusal is `MK_ERR_DECODE`, `webhook body: <field>: <problem>`, never a value.

use super::events_gen::{FieldKind, FieldSpec, COMMON, EVENTS};
use crate::core::input_json::parse_object;
use crate::core::timestamp;
use crate::core::Error;
use serde_json::{Map, Value};

/// Longest `webhook_idempotency_key` accepted.
pub(crate) const MAX_KEY_LEN: usize = 1024;

/// What the verifier needs from a checked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInfo {
    /// `webhook_event`, e.g. `link.product_refresh`.
    pub event: String,
    /// `webhook_idempotency_key`.
    pub idempotency_key: String,
    /// The schema's type name of a known event (`LinkProductRefresh`) with major version 1;
    /// `None` for an unknown event.
    pub type_name: Option<&'static str>,
}

fn refuse(field: &str, problem: &str) -> Error {
    Error::decode(format!("webhook body: {field}: {problem}"))
}

fn check_field(obj: &Map<String, Value>, f: &FieldSpec) -> Result<(), Error> {
    let v = match obj.get(f.name) {
        None | Some(Value::Null) if f.required => {
            return Err(refuse(f.name, "required field missing"))
        }
        None | Some(Value::Null) => return Ok(()),
        Some(v) => v,
    };
    let ok = match f.kind {
        FieldKind::Str | FieldKind::Enum(_) => v.is_string(),
        FieldKind::Bool => v.is_boolean(),
        FieldKind::Int => v.is_i64() || v.is_u64(),
        FieldKind::Timestamp => {
            if !v.is_string() {
                return Err(refuse(f.name, "expected ISO-8601 date-time"));
            }
            v.as_str().and_then(timestamp::parse).is_some()
        }
        FieldKind::StrList => {
            let Some(items) = v.as_array() else {
                return Err(refuse(f.name, "expected array"));
            };
            for (i, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(refuse(&format!("{}[{i}]", f.name), "expected string"));
                }
            }
            true
        }
    };
    if ok {
        return Ok(());
    }
    Err(refuse(
        f.name,
        match f.kind {
            FieldKind::Str | FieldKind::Enum(_) => "expected string",
            FieldKind::Bool => "expected boolean",
            FieldKind::Int => "expected integer",
            FieldKind::Timestamp => "expected ISO-8601 date-time",
            FieldKind::StrList => "expected array",
        },
    ))
}

/// Checks a body whose signature verified; see the module documentation.
pub fn check(body: &[u8]) -> Result<EventInfo, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::decode("webhook body is not UTF-8"))?;
    let obj = parse_object(text).map_err(|e| Error::decode(format!("webhook body: {e}")))?;
    for f in &COMMON {
        check_field(&obj, f)?;
    }
    let text_of = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or_default();
    let event = text_of("webhook_event").to_string();
    let key = text_of("webhook_idempotency_key");
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(refuse(
            "webhook_idempotency_key",
            &format!("expected 1 to {MAX_KEY_LEN} bytes"),
        ));
    }
    let major = obj.get("webhook_major_version").and_then(Value::as_i64);
    let known = EVENTS
        .iter()
        .find(|e| e.event == event)
        .filter(|_| major == Some(1));
    if let Some(spec) = known {
        for f in spec.fields {
            check_field(&obj, f)?;
        }
    }
    Ok(EventInfo {
        event,
        idempotency_key: key.to_string(),
        type_name: known.map(|e| e.name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(extra: &str) -> String {
        format!(
            r#"{{"webhook_event":"link.product_refresh","webhook_major_version":1,"webhook_minor_version":0,"webhook_idempotency_key":"k-1","webhook_timestamp":"2024-01-31T12:00:00Z","link_id":"mk_1","link_tags":["a"]{extra}}}"#
        )
    }

    #[test]
    fn known_events_are_checked() {
        let ok = body(
            r#","product":"identity","state":"completed","state_changed_at":"2024-01-31T12:00:01Z""#,
        );
        let info = check(ok.as_bytes()).unwrap();
        assert_eq!(info.event, "link.product_refresh");
        assert_eq!(info.idempotency_key, "k-1");
        assert_eq!(info.type_name, Some("LinkProductRefresh"));
        // New enum values are kept.
        let new_value = body(
            r#","product":"identity","state":"reticulating","state_changed_at":"2024-01-31T12:00:01Z""#,
        );
        assert!(check(new_value.as_bytes()).is_ok());
        let missing = body(r#","product":"identity","state_changed_at":"2024-01-31T12:00:01Z""#);
        let e = check(missing.as_bytes()).unwrap_err();
        assert_eq!(e.message, "webhook body: state: required field missing");
        let bad_time =
            body(r#","product":"identity","state":"completed","state_changed_at":"yesterday""#);
        assert_eq!(
            check(bad_time.as_bytes()).unwrap_err().message,
            "webhook body: state_changed_at: expected ISO-8601 date-time"
        );
    }

    #[test]
    fn unknown_events_and_versions_are_returned() {
        let unknown = body("").replace("link.product_refresh", "link.reticulated");
        let info = check(unknown.as_bytes()).unwrap();
        assert_eq!(info.type_name, None);
        let v2 = body("").replace("\"webhook_major_version\":1", "\"webhook_major_version\":2");
        assert_eq!(check(v2.as_bytes()).unwrap().type_name, None);
    }

    #[test]
    fn common_fields_and_shape() {
        for (b, msg) in [
            (
                body("").replace("\"k-1\"", "\"\""),
                "webhook body: webhook_idempotency_key: expected 1 to 1024 bytes",
            ),
            (
                body("").replace("[\"a\"]", "[1]"),
                "webhook body: link_tags[0]: expected string",
            ),
            (
                body("").replace("\"mk_1\"", "7"),
                "webhook body: link_id: expected string",
            ),
            (
                body("").replace(":1,", ":1.5,"),
                "webhook body: webhook_major_version: expected integer",
            ),
            (
                body(r#","link_id":"x""#),
                "webhook body: a key is given more than once (line 1 column 225)",
            ),
        ] {
            let e = check(b.as_bytes()).unwrap_err();
            assert_eq!(e.status, crate::core::Status::MkErrDecode);
            assert!(
                e.message.starts_with(msg.split(" (line").next().unwrap()),
                "{}",
                e.message
            );
        }
        assert!(check(b"[]").is_err());
        assert!(check(b"\xff").is_err());
    }
}
