//! webhooks_gen.go: the typed webhook events of the schema's `webhook_events`
//! (`Schema::webhook_events()`): the enums only webhooks use (open string
//! types with constants, as the identity's), EventCommon (the fields every
//! event has), one struct per known event embedding it, and decodeEvent's
//! generated part, which reads each field by its exact key (encoding/json
//! alone would match keys case-insensitively). The body was checked by the
//! library (mk_webhook_verify) before it gets here: the decoder refuses
//! nothing that check accepted, and an event it does not know (another type,
//! another major version) is an UnknownEvent (bindings/go/webhooks.go).
//!
//! Also the timestamp probe: the smallest Get Identity body with one
//! timestamp field left open, through which ParseTimestamp reads a text with
//! the library's own grammar (the one parser; gen/src/cpp/view.rs finds it).

use super::{align, comment, enum_const, go_string, lower_first};
use crate::rust_meta::webhook_schema::{WTy, WebhookField};
use crate::schema::{go_ident, Schema, Ty};

/// The Go type of a webhook field.
fn go_type(f: &WebhookField) -> String {
    let base = match &f.ty {
        WTy::Str => "string".to_string(),
        WTy::Bool => "bool".to_string(),
        WTy::Int => "int".to_string(),
        WTy::Timestamp => "Timestamp".to_string(),
        WTy::StrList => return "[]string".to_string(),
        WTy::Enum(name) => name.clone(),
    };
    if f.def.required {
        base
    } else {
        format!("*{base}")
    }
}

fn field_doc(f: &WebhookField) -> String {
    let note = match (&f.ty, f.def.required) {
        (WTy::StrList, false) => " Nil when absent or null.",
        (_, false) => " Nil when absent or null.",
        _ => "",
    };
    format!("{}{note}", f.def.doc)
}

fn fields(b: &mut String, fields: &[WebhookField]) {
    for f in fields {
        b.push_str(&comment(&field_doc(f), "\t"));
        b.push_str(&format!(
            "\t{} {} `json:\"{}\"`\n",
            go_ident(&f.def.name),
            go_type(f),
            f.def.name
        ));
    }
}

/// The statements reading `fields` from `m` into `dst`.
fn reads(b: &mut String, dst: &str, fields: &[WebhookField]) {
    for f in fields {
        b.push_str(&format!(
            "\tif err := eventField(m, {}, &{dst}.{}); err != nil {{\n\t\treturn err\n\t}}\n",
            go_string(&f.def.name),
            go_ident(&f.def.name)
        ));
    }
}

/// The Go expression of the probe's timestamp in `r` (*IdentityResponse), as a
/// *Timestamp: the C path `root.a.b` walked through the schema's objects.
fn probe_expr(s: &Schema, path: &str) -> String {
    let mut o = s.object(&s.root);
    let mut expr = "r".to_string();
    let segs: Vec<&str> = path.split('.').skip(1).collect();
    for (i, seg) in segs.iter().enumerate() {
        let f = o
            .fields
            .iter()
            .find(|f| f.name() == *seg)
            .unwrap_or_else(|| panic!("probe path {path}: no field {seg}"))
            .clone();
        expr.push('.');
        expr.push_str(&go_ident(seg));
        if i + 1 == segs.len() {
            assert_eq!(f.ty, Ty::Timestamp, "probe path {path}");
            return if f.required() {
                format!("&{expr}")
            } else {
                expr
            };
        }
        match &f.ty {
            Ty::Object(n) => o = s.object(n),
            other => panic!("probe path {path}: {seg} is {other:?}"),
        }
    }
    panic!("probe path {path} is empty")
}

fn probe(s: &Schema) -> String {
    let root = s.object(&s.root);
    let (field, path) = crate::cpp::view::probe_field(s, &root, "root")
        .expect("the schema needs a timestamp field reachable through required objects");
    let doc = crate::cpp::view::minimal(s, &root, &field);
    let (head, tail) = doc.split_once('\u{0}').expect("the probe's hole");
    format!(
        "// The smallest Get Identity body the library accepts, with one timestamp\n\
         // field ({}.{}) left open: timestampProbeHead, the timestamp as a JSON\n\
         // string, timestampProbeTail. ParseTimestamp reads a text through it, so the\n\
         // library's grammar is the only one.\n\
         const (\n\
         \ttimestampProbeHead = {}\n\
         \ttimestampProbeTail = {}\n\
         )\n\n\
         // timestampProbeField is the probed field of the probe body's response.\n\
         func timestampProbeField(r *IdentityResponse) *Timestamp {{ return {} }}\n",
        field.0,
        field.1,
        go_string(head),
        go_string(tail),
        probe_expr(s, &path)
    )
}

pub fn file(s: &Schema) -> String {
    let w = s.webhook_events();
    let mut b = String::from("package moneykit\n\nimport \"encoding/json\"\n\n");
    b.push_str(&comment(
        "The webhook events MoneyKit POSTs (schema/moneykit.json, webhook_events; \
         docs/C-API.md, \"Webhooks\"), typed. WebhookVerifier hands them out after \
         the library verified the delivery and checked the body; every enum is open \
         and an event type this package does not know is an UnknownEvent, never an \
         error.",
        "",
    ));
    for (name, def) in &w.enums {
        b.push('\n');
        b.push_str(&comment(
            &format!(
                "{name} is {} It is an open set: values other than the constants below are kept as sent.",
                lower_first(&def.doc)
            ),
            "",
        ));
        b.push_str(&format!(
            "type {name} string\n\n// The known values of {name}.\nconst (\n"
        ));
        let rows: Vec<Vec<String>> = def
            .values
            .iter()
            .map(|v| vec![enum_const(name, v), format!("{name} = {}", go_string(v))])
            .collect();
        for line in align(&rows) {
            b.push_str(&format!("\t{line}\n"));
        }
        b.push_str(")\n");
    }
    b.push('\n');
    b.push_str(&comment(
        &format!(
            "EventCommon is {} Every event embeds it; its Common method makes every \
             event an Event.",
            lower_first(&w.common_doc)
        ),
        "",
    ));
    b.push_str("type EventCommon struct {\n");
    fields(&mut b, &w.common);
    b.push_str("}\n");
    for e in &w.events {
        b.push('\n');
        b.push_str(&comment(
            &format!(
                "{} is the event {}: {} Besides EventCommon's fields it has its own.",
                e.name,
                e.event,
                lower_first(&e.doc)
            ),
            "",
        ));
        b.push_str(&format!("type {} struct {{\n\tEventCommon\n", e.name));
        fields(&mut b, &e.fields);
        b.push_str("}\n");
    }
    // The decoder's generated part.
    b.push_str(
        "\n// decodeEventCommon reads the fields every event has from m (the body's\n\
         // members by exact key).\n\
         func decodeEventCommon(m map[string]json.RawMessage, c *EventCommon) error {\n",
    );
    reads(&mut b, "c", &w.common);
    b.push_str("\treturn nil\n}\n\n");
    b.push_str(
        "// decodeKnownEvent builds the typed event of c's type from m, or returns nil\n\
         // for an event this package does not know (another type, or a major version\n\
         // other than 1: the library checked a known event's own fields only then).\n\
         func decodeKnownEvent(m map[string]json.RawMessage, c EventCommon) (Event, error) {\n\
         \tif c.WebhookMajorVersion != 1 {\n\t\treturn nil, nil\n\t}\n\
         \tswitch c.WebhookEvent {\n",
    );
    for e in &w.events {
        b.push_str(&format!(
            "\tcase {}:\n\t\te := &{}{{EventCommon: c}}\n\t\tif err := decode{}(m, e); err != nil {{\n\t\t\treturn nil, err\n\t\t}}\n\t\treturn e, nil\n",
            enum_const("WebhookEventType", &e.event),
            e.name,
            e.name
        ));
    }
    b.push_str("\t}\n\treturn nil, nil\n}\n");
    for e in &w.events {
        b.push_str(&format!(
            "\n// decode{0} reads {0}'s own fields from m.\n\
             func decode{0}(m map[string]json.RawMessage, e *{0}) error {{\n",
            e.name
        ));
        reads(&mut b, "e", &e.fields);
        b.push_str("\treturn nil\n}\n");
    }
    let max_body = s
        .webhook_options
        .iter()
        .find(|o| o.key == "max_body_bytes")
        .and_then(|o| o.default.as_u64())
        .expect("webhook_options has max_body_bytes with a default");
    b.push_str(&format!(
        "\n// defaultMaxBodyBytes is WebhookOptions.MaxBodyBytes's default (max_body_bytes):\n\
         // VerifyRequest reads at most one byte more of a request's body.\n\
         const defaultMaxBodyBytes = {max_body}\n"
    ));
    b.push('\n');
    b.push_str(&probe(s));
    b
}
