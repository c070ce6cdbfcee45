//! The core's webhook event table (src/core/webhooks/events_gen.rs) from the schema's
//! `webhook_events`: the common fields, each known event's type name, `webhook_event` value
//! and fields, and every enum's known values. The core's event checker
//! (src/core/webhooks/event.rs) walks this table; nothing about an event is written by hand.

use super::webhook_schema::{WTy, WebhookField};
use crate::out::{Comment, Out};
use crate::rust::rustfmt;
use crate::schema::{upper, Schema};
use std::fmt::Write;

fn kind(t: &WTy) -> String {
    match t {
        WTy::Str => "FieldKind::Str".into(),
        WTy::Bool => "FieldKind::Bool".into(),
        WTy::Int => "FieldKind::Int".into(),
        WTy::Timestamp => "FieldKind::Timestamp".into(),
        WTy::StrList => "FieldKind::StrList".into(),
        WTy::Enum(e) => format!(
            "FieldKind::Enum(&{}_VALUES)",
            upper(&crate::schema::snake(e))
        ),
    }
}

fn fields(name: &str, fs: &[WebhookField], b: &mut String) {
    let _ = writeln!(b, "pub(crate) const {name}: [FieldSpec; {}] = [", fs.len());
    for f in fs {
        let _ = writeln!(
            b,
            "    FieldSpec {{ name: {:?}, kind: {}, required: {} }},",
            f.def.name,
            kind(&f.ty),
            f.def.required
        );
    }
    b.push_str("];\n");
}

pub fn emit(s: &Schema, out: &mut Out) {
    let w = s.webhook_events();
    let mut b = String::from(
        "//! The webhook events (schema/moneykit.json `webhook_events`): the fields every event\n\
         //! has, each known event's own, and the known values of their open enums. Read by\n\
         //! `event.rs`, the one checker of a verified body.\n\n\
         /// What a field must be.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
         pub(crate) enum FieldKind {\n    Str,\n    Bool,\n    /// A JSON integer.\n    Int,\n    \
         /// ISO-8601 (the identity's grammar).\n    Timestamp,\n    StrList,\n    \
         /// An open enum: a string; the known values are only informative.\n    \
         #[allow(dead_code)]\n    Enum(&'static [&'static str]),\n}\n\n\
         /// One field of an event.\n\
         #[derive(Debug, Clone, Copy)]\n\
         pub(crate) struct FieldSpec {\n    pub name: &'static str,\n    pub kind: FieldKind,\n    \
         /// Absent and null are refused (else they are the same: not given).\n    \
         pub required: bool,\n}\n\n\
         /// A known event.\n\
         #[derive(Debug, Clone, Copy)]\n\
         pub(crate) struct EventSpec {\n    /// The schema's type name, e.g. `LinkProductRefresh`.\n    \
         #[allow(dead_code)]\n    pub name: &'static str,\n    /// Its `webhook_event` value.\n    \
         pub event: &'static str,\n    /// Its own fields, besides [`COMMON`].\n    \
         pub fields: &'static [FieldSpec],\n}\n\n",
    );
    let mut enums: Vec<String> = Vec::new();
    for f in w
        .common
        .iter()
        .chain(w.events.iter().flat_map(|e| e.fields.iter()))
    {
        if let WTy::Enum(e) = &f.ty {
            if !enums.contains(e) {
                enums.push(e.clone());
            }
        }
    }
    for e in &enums {
        let def = w.enum_def(s, e);
        let values: Vec<String> = def.values.iter().map(|v| format!("{v:?}")).collect();
        let _ = writeln!(
            b,
            "/// `{e}`: {}\npub(crate) const {}_VALUES: [&str; {}] = [{}];\n",
            def.doc.trim_end_matches('.'),
            upper(&crate::schema::snake(e)),
            values.len(),
            values.join(", ")
        );
    }
    b.push_str("/// The fields every event has.\n");
    fields("COMMON", &w.common, &mut b);
    for e in &w.events {
        let _ = writeln!(b, "\n/// `{}`'s own fields.", e.event);
        fields(
            &format!("{}_FIELDS", upper(&crate::schema::snake(&e.name))),
            &e.fields,
            &mut b,
        );
    }
    let _ = writeln!(
        b,
        "\n/// Every known event (any other `webhook_event` is returned unchecked beyond [`COMMON`]).\n\
         pub(crate) const EVENTS: [EventSpec; {}] = [",
        w.events.len()
    );
    for e in &w.events {
        let _ = writeln!(
            b,
            "    EventSpec {{ name: {:?}, event: {:?}, fields: &{}_FIELDS }},",
            e.name,
            e.event,
            upper(&crate::schema::snake(&e.name))
        );
    }
    b.push_str("];\n");
    out.file(
        "src/core/webhooks/events_gen.rs",
        Comment::Slash,
        &rustfmt(&b),
    );
}
