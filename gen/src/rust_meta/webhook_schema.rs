//! The schema's `webhook_events` section, typed (`Schema::webhook_events`): the enums only
//! webhooks use, the fields every event has (`common`) and each known event's own fields.
//! Every emitter that writes webhook event types (the core's checker here, the bindings'
//! typed events) reads it through this module.

use crate::schema::{EnumDef, Schema};
use serde::Deserialize;

/// A webhook field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WTy {
    Str,
    Bool,
    /// A JSON integer (may be negative).
    Int,
    /// ISO-8601, the identity's timestamp grammar (schema/README.md, "Timestamps").
    Timestamp,
    /// A list of strings.
    StrList,
    /// An open enum: its name (in `WebhookEvents::enums` or the schema's top-level `enums`).
    Enum(String),
}

#[derive(Debug, Deserialize, Clone)]
pub struct WebhookFieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub doc: String,
}

/// A field with its parsed type.
#[derive(Debug, Clone)]
pub struct WebhookField {
    pub def: WebhookFieldDef,
    pub ty: WTy,
}

/// A known event: its type name (`LinkProductRefresh`), its `webhook_event` value and its own
/// fields (besides the common ones).
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    pub name: String,
    pub event: String,
    pub doc: String,
    pub fields: Vec<WebhookField>,
}

#[derive(Debug, Clone)]
pub struct WebhookEvents {
    /// The enums only webhooks use (the events also use top-level ones such as `LinkState`).
    pub enums: Vec<(String, EnumDef)>,
    pub common_doc: String,
    pub common: Vec<WebhookField>,
    pub events: Vec<WebhookEvent>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    enums: crate::schema::OrderedMap,
    common: RawGroup,
    events: crate::schema::OrderedMap,
}

#[derive(Deserialize)]
struct RawGroup {
    doc: String,
    fields: Vec<WebhookFieldDef>,
}

#[derive(Deserialize)]
struct RawEvent {
    event: String,
    doc: String,
    fields: Vec<WebhookFieldDef>,
}

impl WebhookEvents {
    /// The enum `name`'s definition, webhook enums first, then the schema's.
    pub fn enum_def(&self, s: &Schema, name: &str) -> EnumDef {
        self.enums
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .or_else(|| {
                s.enums()
                    .into_iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, d)| d)
            })
            .unwrap_or_else(|| panic!("webhook_events: unknown enum {name}"))
    }
}

impl Schema {
    /// The `webhook_events` section, every type checked (an unknown type or enum stops the
    /// generator).
    pub fn webhook_events(&self) -> WebhookEvents {
        let raw: Raw = serde_json::from_value(self.webhook_events.clone())
            .unwrap_or_else(|e| panic!("webhook_events: {e}"));
        let enums: Vec<(String, EnumDef)> = raw
            .enums
            .iter()
            .map(|(n, v)| {
                let d: EnumDef = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("webhook_events enum {n}: {e}"));
                (n.clone(), d)
            })
            .collect();
        let known =
            |name: &str| enums.iter().any(|(n, _)| n == name) || self.enums.contains_key(name);
        let field = |f: &WebhookFieldDef| {
            let ty = match f.ty.as_str() {
                "string" => WTy::Str,
                "bool" => WTy::Bool,
                "int" => WTy::Int,
                "timestamp" => WTy::Timestamp,
                "list:string" => WTy::StrList,
                other => match other.strip_prefix("enum:") {
                    Some(e) if known(e) => WTy::Enum(e.to_string()),
                    _ => panic!("webhook_events field {}: unknown type {other}", f.name),
                },
            };
            WebhookField { def: f.clone(), ty }
        };
        let common: Vec<WebhookField> = raw.common.fields.iter().map(field).collect();
        let events = raw
            .events
            .iter()
            .filter(|(n, _)| !n.starts_with('$'))
            .map(|(n, v)| {
                let e: RawEvent = serde_json::from_value(v.clone())
                    .unwrap_or_else(|err| panic!("webhook_events event {n}: {err}"));
                for f in &e.fields {
                    assert!(
                        !common.iter().any(|c| c.def.name == f.name),
                        "webhook_events event {n}: {} is a common field",
                        f.name
                    );
                }
                WebhookEvent {
                    name: n.clone(),
                    event: e.event,
                    doc: e.doc,
                    fields: e.fields.iter().map(field).collect(),
                }
            })
            .collect();
        WebhookEvents {
            enums,
            common_doc: raw.common.doc,
            common,
            events,
        }
    }
}
