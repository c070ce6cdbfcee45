//! The schema's `records`: what crosses the boundary besides the identity (the owner-match
//! claim and result, the batch item and progress, the event), parsed and checked. A record
//! with a `c` name is a C struct of include/moneykit.h; `check_header` makes `make gen` and
//! `make gen-check` fail when the header's fields and the schema's differ.

use crate::schema::{FieldDef, Schema};
use serde::Deserialize;

#[derive(Debug, Deserialize, Clone)]
pub struct RecordDef {
    pub doc: String,
    /// `input` (a JSON document the caller writes) or `output` (one the library writes).
    #[serde(default)]
    pub json: Option<String>,
    /// The C struct that carries it, when it crosses as a struct.
    #[serde(default)]
    pub c: Option<String>,
    pub fields: Vec<RecordFieldDef>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct RecordFieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    /// `int` only: may be negative.
    #[serde(default)]
    pub signed: bool,
    pub doc: String,
}

impl RecordFieldDef {
    /// The field as an identity-object field, for emitters that share naming helpers.
    #[allow(dead_code)]
    pub fn as_field_def(&self) -> FieldDef {
        FieldDef {
            name: self.name.clone(),
            ty: self.ty.clone(),
            required: self.required,
            doc: self.doc.clone(),
        }
    }
}

/// A record field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RTy {
    Str,
    Bool,
    /// An integer; `true`: may be negative.
    Int(bool),
    Float,
    /// An `mk_status` code.
    Status,
    Record(String),
    List(Box<RTy>),
}

#[derive(Debug, Clone)]
pub struct Record {
    pub name: String,
    pub def: RecordDef,
    pub fields: Vec<(RecordFieldDef, RTy)>,
}

fn parse_ty(text: &str, signed: bool, s: &Schema) -> RTy {
    if let Some(inner) = text.strip_prefix("list:") {
        return RTy::List(Box::new(parse_ty(inner, false, s)));
    }
    match text {
        "string" => RTy::Str,
        "bool" => RTy::Bool,
        "int" => RTy::Int(signed),
        "float" => RTy::Float,
        "status" => RTy::Status,
        name => {
            assert!(s.records.contains_key(name), "records: unknown type {name}");
            RTy::Record(name.to_string())
        }
    }
}

impl Schema {
    /// Every record in schema order.
    pub fn records(&self) -> Vec<Record> {
        self.records
            .iter()
            .filter(|(name, _)| !name.starts_with('$'))
            .map(|(name, v)| {
                let def: RecordDef = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("record {name}: {e}"));
                let fields = def
                    .fields
                    .iter()
                    .map(|f| (f.clone(), parse_ty(&f.ty, f.signed, self)))
                    .collect();
                Record {
                    name: name.clone(),
                    def,
                    fields,
                }
            })
            .collect()
    }

    #[allow(dead_code)]
    pub fn record(&self, name: &str) -> Record {
        self.records()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no record {name}"))
    }
}

/// Fails (with the difference) when a record's `c` struct has other fields than the record.
pub fn check_header(s: &Schema, structs: &[(String, Vec<String>)]) {
    for r in s.records() {
        let Some(c) = &r.def.c else { continue };
        let Some((_, fields)) = structs.iter().find(|(n, _)| n == c) else {
            panic!("record {}: include/moneykit.h has no struct {c}", r.name);
        };
        let want: Vec<&str> = r.fields.iter().map(|(f, _)| f.name.as_str()).collect();
        let have: Vec<&str> = fields.iter().map(String::as_str).collect();
        assert_eq!(
            want, have,
            "record {} (schema) and struct {c} (include/moneykit.h) have different fields: \
             change both, then `make header` and `make gen`",
            r.name
        );
    }
}

/// Fails when a magic id's check names a status the table lacks, or an option key (in
/// `check_options` or a check's `options`) the client does not have: every language's magic-id
/// test makes exactly these calls.
pub fn check_magic_checks(s: &Schema) {
    let option = |key: &str, at: &str| {
        assert!(
            s.options.iter().any(|o| o.key == key),
            "magic_ids {at}: unknown client option {key}"
        );
    };
    for key in s.magic_ids.check_options.keys() {
        option(key, "check_options");
    }
    for m in &s.magic_ids.ids {
        let Some(c) = m.check() else { continue };
        assert!(
            s.statuses.iter().any(|st| st.name == c.status),
            "magic id {}: check status {} is not in the status table",
            m.id,
            c.status
        );
        assert!(!c.id.is_empty(), "magic id {}: empty check id", m.id);
        for key in c.options.keys() {
            option(key, &format!("check of {}", m.id));
        }
    }
}
