//! The canonical dump (schema/README.md): one plain JSON form of a decoded
//! response that every language produces the same way; the conformance corpus
//! (tests/corpus/) pins it.

use super::decimal::Decimal;
use super::timestamp::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;

pub trait Canonical {
    fn canonical(&self) -> Value;
}

impl Canonical for String {
    fn canonical(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Canonical for bool {
    fn canonical(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Canonical for Decimal {
    fn canonical(&self) -> Value {
        Value::String(Decimal::canonical(self))
    }
}

impl Canonical for Timestamp {
    fn canonical(&self) -> Value {
        Value::String(Timestamp::canonical(self))
    }
}

/// Opaque values are dumped as sent.
impl Canonical for Value {
    fn canonical(&self) -> Value {
        self.clone()
    }
}

impl<T: Canonical> Canonical for Option<T> {
    fn canonical(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::canonical)
    }
}

impl<T: Canonical> Canonical for Vec<T> {
    fn canonical(&self) -> Value {
        Value::Array(self.iter().map(T::canonical).collect())
    }
}

impl<T: Canonical> Canonical for BTreeMap<String, T> {
    fn canonical(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(k, v)| (k.clone(), v.canonical()))
                .collect(),
        )
    }
}
