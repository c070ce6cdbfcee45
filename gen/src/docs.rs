//! The docs emitter: the tables of hand-written documents, between their
//! `<!-- gen:NAME -->` markers (see out.rs). README.md gets the status table, the options
//! table and the magic-id table; the sandbox's documents get the same magic-id table.

use crate::out::Out;
use crate::records::RTy;
use crate::rust_meta::webhook_schema::{WTy, WebhookField};
use crate::schema::{OptionDef, Schema};

/// Every document that shows the magic link ids, with one table layout.
const MAGIC_ID_DOCS: [&str; 4] = [
    "README.md",
    "sandbox/README.md",
    "sandbox/MAGIC_IDS.md",
    "docs/sandbox-contract.md",
];

pub fn emit(s: &Schema, out: &mut Out) {
    out.region("README.md", "statuses", &status_table(s));
    out.region("README.md", "options", &options_table(s));
    out.region("docs/C-API.md", "statuses", &status_table(s));
    out.region("docs/C-API.md", "options", &options_table(s));
    out.region(
        "docs/C-API.md",
        "batch-options",
        &option_rows(&s.batch_options),
    );
    out.region(
        "docs/C-API.md",
        "refresh-options",
        &option_rows(&s.refresh_options),
    );
    out.region("docs/C-API.md", "records", &records_doc(s));
    out.region(
        "docs/C-API.md",
        "webhook-options",
        &option_rows(&s.webhook_options),
    );
    out.region("docs/C-API.md", "webhook-events", &webhook_events_doc(s));
    let magic = magic_id_table(s);
    let tokens = token_id_table(s);
    for doc in MAGIC_ID_DOCS {
        out.region(doc, "magic-ids", &magic);
        if doc != "README.md" {
            out.region(doc, "token-ids", &tokens);
        }
    }
}

fn token_id_table(s: &Schema) -> String {
    let rows: Vec<Vec<String>> = s
        .token_client_ids
        .iter()
        .map(|t| vec![format!("`{}`", t.id), t.doc.clone(), code_words(&t.status)])
        .collect();
    table(
        "| client id (any secret) | what `POST /auth/token` answers | C status |",
        &rows,
    )
}

/// A table region's body: blank lines around it so Markdown never merges it with a marker.
fn table(header: &str, rows: &[Vec<String>]) -> String {
    let cols = header.split('|').filter(|c| !c.trim().is_empty()).count();
    let mut o = format!("\n{header}\n|{}\n", "---|".repeat(cols));
    for row in rows {
        assert_eq!(row.len(), cols, "table row {row:?}");
        let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        o.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    o.push('\n');
    o
}

fn status_table(s: &Schema) -> String {
    let rows: Vec<Vec<String>> = s
        .statuses
        .iter()
        .map(|st| {
            vec![
                st.code.to_string(),
                format!("`{}`", st.name),
                st.when.clone(),
            ]
        })
        .collect();
    table("| value | name | when |", &rows)
}

fn option_default(o: &OptionDef) -> String {
    if let Some(doc) = &o.default_doc {
        return doc.clone();
    }
    match &o.default {
        serde_json::Value::Null => "none".to_string(),
        serde_json::Value::String(text) => format!("`\"{text}\"`"),
        other => other.to_string(),
    }
}

fn option_meaning(o: &OptionDef) -> String {
    let mut m = o.doc.clone();
    if !o.values.is_empty() {
        let values: Vec<String> = o.values.iter().map(|v| format!("`\"{v}\"`")).collect();
        m.push_str(&format!("; one of {}", values.join(", ")));
    }
    if let (Some(min), Some(max)) = (&o.min, &o.max) {
        m.push_str(&format!(" ({min} .. {max})"));
    }
    m
}

fn options_table(s: &Schema) -> String {
    option_rows(&s.options)
}

fn option_rows(options: &[OptionDef]) -> String {
    let rows: Vec<Vec<String>> = options
        .iter()
        .map(|o| vec![format!("`{}`", o.key), option_default(o), option_meaning(o)])
        .collect();
    table("| key | default | meaning |", &rows)
}

/// `MK_OK, or MK_ERR_TIMEOUT past timeout_ms` -> every identifier (a word with `_`) as code.
fn code_words(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('_') {
            out.push_str(&format!("`{word}`"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn magic_id_table(s: &Schema) -> String {
    let rows: Vec<Vec<String>> = s
        .magic_ids
        .ids
        .iter()
        .map(|m| {
            // The default row's id is a description, not an id.
            let id = if m.kind == "default" {
                m.id.trim_matches(['(', ')']).to_string()
            } else {
                format!("`{}`", m.id)
            };
            vec![id, m.doc.clone(), code_words(&m.status)]
        })
        .collect();
    table(
        "| link id | what the sandbox answers | C status (default options) |",
        &rows,
    )
}

fn record_type(t: &RTy) -> String {
    match t {
        RTy::Str => "string".into(),
        RTy::Bool => "bool".into(),
        RTy::Int(false) => "int (>= 0)".into(),
        RTy::Int(true) => "int".into(),
        RTy::Float => "float".into(),
        RTy::Status => "status".into(),
        RTy::Record(name) => format!("[{name}](#{})", name.to_ascii_lowercase()),
        RTy::List(inner) => format!("list of {}", record_type(inner)),
    }
}

/// One table per record: what its JSON document or C struct holds.
fn records_doc(s: &Schema) -> String {
    let mut o = String::new();
    for r in s.records() {
        let carrier = match (&r.def.c, r.def.json.as_deref()) {
            (Some(c), _) => format!(" (C: `{c}`)"),
            (None, Some("input")) => " (JSON you write)".to_string(),
            (None, _) => " (JSON the library writes)".to_string(),
        };
        o.push_str(&format!("\n#### {}{carrier}\n{}\n", r.name, r.def.doc));
        let rows: Vec<Vec<String>> = r
            .fields
            .iter()
            .map(|(f, t)| {
                vec![
                    format!("`{}`", f.name),
                    record_type(t),
                    if f.required { "yes" } else { "no" }.to_string(),
                    f.doc.clone(),
                ]
            })
            .collect();
        o.push_str(&table("| field | type | always there | meaning |", &rows));
    }
    o
}

fn webhook_type(t: &WTy) -> String {
    match t {
        WTy::Str => "string".into(),
        WTy::Bool => "bool".into(),
        WTy::Int => "int".into(),
        WTy::Timestamp => "timestamp".into(),
        WTy::StrList => "list of string".into(),
        WTy::Enum(e) => format!("enum {e}"),
    }
}

fn webhook_rows(fields: &[WebhookField]) -> String {
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|f| {
            vec![
                format!("`{}`", f.def.name),
                webhook_type(&f.ty),
                if f.def.required { "yes" } else { "no" }.to_string(),
                f.def.doc.clone(),
            ]
        })
        .collect();
    table("| field | type | always there | meaning |", &rows)
}

/// The webhook events (schema `webhook_events`): the common fields, one table per known
/// event, and the known values of every enum they use.
fn webhook_events_doc(s: &Schema) -> String {
    let w = s.webhook_events();
    let mut o = format!("\n#### Every event\n{}\n", w.common_doc);
    o.push_str(&webhook_rows(&w.common));
    let mut enums: Vec<String> = Vec::new();
    for e in &w.events {
        o.push_str(&format!(
            "\n#### {} (`{}`)\n{} Besides every event's fields:\n",
            e.name, e.event, e.doc
        ));
        o.push_str(&webhook_rows(&e.fields));
    }
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
    let rows: Vec<Vec<String>> = enums
        .iter()
        .map(|e| {
            let d = w.enum_def(s, e);
            let values: Vec<String> = d.values.iter().map(|v| format!("`{v}`")).collect();
            vec![format!("`{e}`"), values.join(", ")]
        })
        .collect();
    o.push_str("\n#### Enums (open: a value not listed is kept, never refused)\n");
    o.push_str(&table("| enum | known values |", &rows));
    o
}
