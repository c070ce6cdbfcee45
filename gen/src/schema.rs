//! The schema description (schema/moneykit.json) as typed Rust values, plus the
//! naming helpers every emitter shares.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Schema {
    pub api_version: String,
    pub root: String,
    /// Enum name -> its known values (open sets: unknown values are kept).
    pub enums: OrderedMap,
    /// Object name -> object, in file order (serde_json's preserve_order).
    pub objects: OrderedMap,
    pub statuses: Vec<StatusDef>,
    pub error_json: Vec<ErrorKey>,
    /// The client's options (`mk_client_new`'s `options_json`).
    pub options: Vec<OptionDef>,
    /// `mk_batch_start`'s `options_json`.
    pub batch_options: Vec<OptionDef>,
    /// `mk_refresh_identity` / `mk_wait_identity_newer`'s `options_json`.
    pub refresh_options: Vec<OptionDef>,
    /// `mk_webhook_verifier_new`'s `options_json`.
    #[serde(default)]
    pub webhook_options: Vec<OptionDef>,
    /// The webhook events (typed by `Schema::webhook_events`, gen/src/rust_meta/webhook_schema.rs).
    #[serde(default)]
    pub webhook_events: serde_json::Value,
    /// Record name -> record: the claim, the match result, the batch item and progress, the
    /// event (`$comment` skipped), in file order.
    pub records: OrderedMap,
    /// The sandbox's magic client ids for `POST /auth/token`.
    pub token_client_ids: Vec<TokenClientId>,
    pub magic_ids: MagicIds,
}

#[derive(Debug, Deserialize, Clone)]
pub struct TokenClientId {
    pub id: String,
    pub status: String,
    pub doc: String,
}

/// A JSON object's entries in file order. (serde_json's `preserve_order` would do it, but
/// cargo unifies features across the workspace: it would change the key order of every other
/// crate's JSON output, such as the sandbox's fixtures, whenever gen is built with them.)
#[derive(Debug, Default)]
pub struct OrderedMap(Vec<(String, serde_json::Value)>);

impl OrderedMap {
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'de> Deserialize<'de> for OrderedMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OrderedMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<OrderedMap, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = m.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Debug, Deserialize, Clone)]
pub struct EnumDef {
    pub doc: String,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct ObjectDef {
    pub doc: String,
    /// Per-language type names where they differ from the schema's name
    /// (keys: python, go, cpp, c).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub doc: String,
}

#[derive(Debug, Deserialize, Clone)]
pub struct StatusDef {
    pub code: i32,
    /// `MK_OK`, `MK_ERR_NOT_FOUND`, ...
    pub name: String,
    /// The error class stem (`NotFound`); empty for MK_OK.
    pub class: String,
    pub describe: String,
    pub when: String,
}

#[derive(Debug, Deserialize, Clone)]
pub struct ErrorKey {
    pub key: String,
    /// `int`, `string`, `bool`, `validation_errors` (a list of {location, message, type})
    /// or `response` (the raw HTTP error response {status, headers, body}); each emitter
    /// maps the last two to its language's ValidationError / RawResponse.
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub doc: String,
}

#[derive(Debug, Deserialize, Clone)]
pub struct OptionDef {
    pub key: String,
    /// `string`, `secret`, `int`, `float` or `enum`.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub values: Vec<String>,
    pub default: serde_json::Value,
    #[serde(default)]
    pub default_doc: Option<String>,
    /// Inclusive bounds of `int` and `float` options (printed as written: `1`, `0.5`).
    #[serde(default)]
    pub min: Option<serde_json::Number>,
    #[serde(default)]
    pub max: Option<serde_json::Number>,
    pub doc: String,
}

impl OptionDef {
    /// The default as written (`16`, `1`, `"token"`), or `None` for `null`.
    pub fn default_text(&self) -> Option<String> {
        (!self.default.is_null()).then(|| self.default.to_string())
    }
}

#[derive(Debug, Deserialize, Clone)]
pub struct MagicIds {
    pub ids: Vec<MagicId>,
    /// The client options every language's magic-id test starts from.
    pub check_options: serde_json::Map<String, serde_json::Value>,
}

/// What a magic-id test calls (`{tag}` in `id` replaced by a fresh tag) and expects.
#[derive(Debug, Deserialize, Clone)]
pub struct MagicCheck {
    pub id: String,
    /// Options added to (or replacing) `check_options` for this call.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
    pub status: String,
}

#[derive(Debug, Deserialize, Clone)]
pub struct MagicId {
    /// The id, or a pattern such as `mk_fault_slow_<ms>` for `kind: prefix`.
    pub id: String,
    /// fixture, corpus, error, fault, prefix or default.
    pub kind: String,
    /// The sandbox handler that answers it.
    pub answer: String,
    pub status: String,
    pub doc: String,
    #[serde(default)]
    pub check: Option<MagicCheck>,
}

impl MagicId {
    /// The call every language's magic-id test makes for this entry: its `check`, else the
    /// id itself when its status is one status name; `None` when the status depends on the
    /// input (such as `mk_corpus_<name>`).
    pub fn check(&self) -> Option<MagicCheck> {
        if let Some(c) = &self.check {
            return Some(c.clone());
        }
        let single = self.status.starts_with("MK_")
            && self
                .status
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_');
        (single && self.kind != "prefix" && self.kind != "default").then(|| MagicCheck {
            id: self.id.clone(),
            options: serde_json::Map::new(),
            status: self.status.clone(),
        })
    }
}

/// A field's type, parsed from the schema's type string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
    /// A JSON number kept exact (its decimal text).
    Decimal,
    /// ISO-8601: bare date, naive, fractional seconds, `Z` or offset.
    Timestamp,
    /// An open string enum: known values get constants, unknown ones are kept.
    Enum(String),
    Object(String),
    List(Box<Ty>),
    /// String keys; null entries are dropped.
    Map(Box<Ty>),
    /// Any JSON object, kept raw.
    Opaque,
}

impl Ty {
    pub fn parse(text: &str, s: &Schema) -> Ty {
        let t = match text.split_once(':') {
            Some(("list", rest)) => Ty::List(Box::new(Ty::parse(rest, s))),
            Some(("map", rest)) => Ty::Map(Box::new(Ty::parse(rest, s))),
            Some(("enum", name)) => {
                assert!(s.enums.contains_key(name), "unknown enum {name}");
                Ty::Enum(name.to_string())
            }
            Some(_) => panic!("bad type {text}"),
            None => match text {
                "string" => Ty::Str,
                "bool" => Ty::Bool,
                "decimal" => Ty::Decimal,
                "timestamp" => Ty::Timestamp,
                "opaque" => Ty::Opaque,
                name => {
                    assert!(s.objects.contains_key(name), "unknown type {name}");
                    Ty::Object(name.to_string())
                }
            },
        };
        t
    }
}

/// An object with its parsed field types, in schema order.
#[derive(Debug, Clone)]
pub struct Object {
    pub name: String,
    pub def: ObjectDef,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub def: FieldDef,
    pub ty: Ty,
}

impl Field {
    pub fn name(&self) -> &str {
        &self.def.name
    }
    pub fn required(&self) -> bool {
        self.def.required
    }
}

impl Object {
    /// This object's type name in `lang` (python, go, cpp, c), or the schema's.
    pub fn name_in(&self, lang: &str) -> String {
        self.def
            .names
            .get(lang)
            .cloned()
            .unwrap_or_else(|| self.name.clone())
    }
}

impl Schema {
    pub fn load(path: &std::path::Path) -> Schema {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every object in schema order (parents before children as written).
    pub fn objects(&self) -> Vec<Object> {
        self.objects
            .iter()
            .map(|(name, v)| {
                let def: ObjectDef = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("object {name}: {e}"));
                let fields = def
                    .fields
                    .iter()
                    .map(|f| Field {
                        def: f.clone(),
                        ty: Ty::parse(&f.ty, self),
                    })
                    .collect();
                Object {
                    name: name.clone(),
                    def,
                    fields,
                }
            })
            .collect()
    }

    pub fn object(&self, name: &str) -> Object {
        self.objects()
            .into_iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no object {name}"))
    }

    /// Every enum in schema order.
    pub fn enums(&self) -> Vec<(String, EnumDef)> {
        self.enums
            .iter()
            .map(|(name, v)| {
                let def: EnumDef = serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("enum {name}: {e}"));
                (name.clone(), def)
            })
            .collect()
    }

    /// Error statuses only (MK_OK left out).
    pub fn error_statuses(&self) -> impl Iterator<Item = &StatusDef> {
        self.statuses.iter().filter(|s| s.code != 0)
    }
}

/// `account_id` -> `AccountId`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `account_id` -> `AccountID` (Go's initialisms: ID, URL, HTTP).
pub fn go_ident(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| match p {
            "id" => "ID".to_string(),
            "url" => "URL".to_string(),
            "http" => "HTTP".to_string(),
            _ => pascal(p),
        })
        .collect()
}

/// `awaiting_token_exchange` -> `AWAITING_TOKEN_EXCHANGE`.
pub fn upper(snake: &str) -> String {
    snake.to_ascii_uppercase().replace(['.', '-'], "_")
}

/// `MK_ERR_NOT_FOUND` -> `NOT_FOUND`; `MK_OK` -> `OK`.
pub fn status_short(name: &str) -> &str {
    name.strip_prefix("MK_ERR_")
        .or_else(|| name.strip_prefix("MK_"))
        .unwrap_or(name)
}

/// `AccountIdentity` -> `account_identity`.
pub fn snake(pascal_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in pascal_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits prose into lines of at most `width` characters (words are never cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}
