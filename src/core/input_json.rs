//! Strict decoding of the JSON objects callers hand the library (client, batch and
//! refresh options; owner-match claims) and of small server objects (the token
//! body). One rule set for all of them (docs/C-API.md, "Messages never quote
//! input"):
//! - the text must be a JSON object: serde's derived structs would also take an
//!   array of their fields in order, which nobody means;
//! - a key given twice, at any depth, is refused (serde_json would keep the last);
//! - a message names the key and what was expected, never a value, and quotes a
//!   key only when it is short and plain (`key_label`), else names it by position.

use serde::de::value::MapDeserializer;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;
use zeroize::Zeroize;

/// Longest key quoted in a message.
const MAX_QUOTED_KEY: usize = 32;

/// How a message names a key taken from input: the key itself when it is short and
/// plain (`[a-z0-9_]`, at most 32 bytes, as every documented key is), else `#N`, its
/// position (from 0) among the object's keys in byte order (the order serde_json's map
/// keeps), so neither a huge key nor data used as a key reaches a caller's logs.
pub(crate) fn key_label(key: &str, index: usize) -> String {
    if is_plain(key) {
        key.to_string()
    } else {
        format!("#{index}")
    }
}

/// Short snake_case text: safe to quote.
pub(crate) fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_QUOTED_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses `text` as a JSON object, refusing duplicate keys at any depth. Errors are
/// messages without values: a syntax error names a position.
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Strict>(text) {
        Ok(Strict(Value::Object(members))) => Ok(members),
        Ok(_) => Err("expected a JSON object".to_string()),
        Err(e) if e.is_data() => Err(format!(
            "a key is given more than once (line {} column {})",
            e.line(),
            e.column()
        )),
        // serde_json's syntax and EOF messages name a position, never the text there.
        Err(e) => Err(format!("not valid JSON ({e})")),
    }
}

/// Decodes `members` into `T` (a derived struct with `deny_unknown_fields`). On failure
/// the message is `<what> <key>: <problem>` for the first member that fails alone.
/// `T` borrows from the members, which are wiped before they are freed: the options
/// JSON may carry the access token.
pub(crate) fn decode_members<T: DeserializeOwned>(
    mut members: Map<String, Value>,
    what: &str,
) -> Result<T, String> {
    let result = decode_borrowed(&members, what);
    members.values_mut().for_each(wipe);
    result
}

fn decode_borrowed<T: DeserializeOwned>(
    members: &Map<String, Value>,
    what: &str,
) -> Result<T, String> {
    let whole = match T::deserialize(MapDeserializer::new(
        members.iter().map(|(k, v)| (k.as_str(), v)),
    )) {
        Ok(t) => return Ok(t),
        Err(e) => e,
    };
    for (index, (key, value)) in members.iter().enumerate() {
        let single = MapDeserializer::new(std::iter::once((key.as_str(), value)));
        if let Err(e) = T::deserialize(single) {
            return Err(format!(
                "{what} {}: {}",
                key_label(key, index),
                problem(&e.to_string(), json_type(value))
            ));
        }
    }
    // Every member decodes alone: a rule across members failed; serde's message for
    // that names fields, not values.
    let whole: serde_json::Error = whole;
    Err(format!("{what}: {}", problem(&whole.to_string(), "object")))
}

/// Zeroes every string of `v` in place.
fn wipe(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(members) => members.values_mut().for_each(wipe),
        _ => {}
    }
}

/// [`parse_object`] then [`decode_members`].
pub(crate) fn decode_object<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    decode_members(parse_object(text)?, what)
}

/// serde's message without the value it quotes. Its messages end in `expected <what the
/// type wants>`, written by our own types; what comes before may quote the input
/// (`invalid type: string "…"`, `unknown variant `…``, `unknown field `…``).
fn problem(serde_message: &str, got: &str) -> String {
    let head = serde_message
        .split(" at line ")
        .next()
        .unwrap_or(serde_message);
    if head.starts_with("unknown field") {
        return match head.rsplit_once(", expected ") {
            Some((_, allowed)) => format!(
                "unknown key (allowed: {})",
                allowed.trim_start_matches("one of ").replace('`', "")
            ),
            None => "unknown key".to_string(),
        };
    }
    if head.starts_with("duplicate field") {
        return "given more than once".to_string();
    }
    match head.rsplit_once(", expected ") {
        Some((_, expected)) => format!("expected {expected}, got {got}"),
        None => format!("invalid value ({got})"),
    }
}

/// A value's JSON type, for messages.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `T` read from a JSON object only. serde's derived structs also accept an array of
/// their fields in order (`[accounts, link]`); this wrapper asks the deserializer for
/// a map, so an array where an object belongs is refused. It builds no intermediate
/// value (the token body's secret is never copied; the shape check stays allocation-free).
pub(crate) struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ObjectOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ObjectOnly<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A `serde_json::Value` whose objects refuse a repeated key.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(n)))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(n)))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Strict, E> {
        // Non-finite numbers do not come out of a JSON parser; null keeps this total.
        Ok(Strict(
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, s: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(s)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Strict(Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            if members.insert(key, value).is_some() {
                // A data error: parse_object tells it from a syntax error by kind.
                return Err(de::Error::custom("duplicate key"));
            }
        }
        Ok(Strict(Value::Object(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Opts {
        timeout_ms: Option<u64>,
        name: Option<String>,
    }

    #[test]
    fn an_array_of_fields_is_not_an_object() {
        assert_eq!(
            decode_object::<Opts>("[5, \"x\"]", "option").unwrap_err(),
            "expected a JSON object"
        );
        // serde alone takes it: the reason this module exists.
        assert!(serde_json::from_str::<Opts>("[5, \"x\"]").is_ok());
    }

    #[test]
    fn duplicates_at_any_depth_are_refused() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "b": 1}}"#,
            r#"{"a": [{"b": 1, "b": 1}]}"#,
        ] {
            let e = parse_object(text).unwrap_err();
            assert!(e.starts_with("a key is given more than once"), "{e}");
        }
    }

    #[test]
    fn messages_quote_no_value() {
        let e = decode_object::<Opts>(r#"{"timeout_ms": "sekret-value-1"}"#, "option").unwrap_err();
        assert_eq!(e, "option timeout_ms: expected u64, got a string");
        let e = decode_object::<Opts>(r#"{"name": 12345678}"#, "option").unwrap_err();
        assert_eq!(e, "option name: expected a string, got a number");
        let e = decode_object::<Opts>(r#"{"sekret_value_1234567890abcdefghij": 1}"#, "option")
            .unwrap_err();
        assert_eq!(e, "option #0: unknown key (allowed: timeout_ms or name)");
        let e = decode_object::<Opts>(r#"{"timeout_ms": 1, "typo": 1}"#, "option").unwrap_err();
        assert_eq!(e, "option typo: unknown key (allowed: timeout_ms or name)");
    }

    #[test]
    fn only_short_snake_case_keys_are_quoted() {
        assert_eq!(key_label("timeout_ms", 4), "timeout_ms");
        assert_eq!(key_label("John.Smith@example.com", 4), "#4");
        assert_eq!(key_label(&"k".repeat(33), 0), "#0");
        assert_eq!(key_label("", 1), "#1");
    }
}
