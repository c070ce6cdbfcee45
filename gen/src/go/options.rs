//! options_gen.go: the three option structs of the Go API, from the schema's
//! `options` (Options, for NewClient), `batch_options` (BatchOptions, for
//! Client.Identities) and `refresh_options` (RefreshOptions, for
//! RefreshIdentity and WaitIdentityNewer) and `webhook_options`
//! (WebhookOptions, for Client.NewWebhookVerifier), with the method that
//! writes each as the library's options JSON.
//!
//! One style for all three: the zero value of every field means "the library
//! default" and is left out of the JSON. A field whose zero is a valid value
//! (an `int` or `float` option whose `min` is at most 0) is a pointer instead,
//! nil meaning the default. `int` options named `*_ms` are time.Duration
//! fields without the suffix (rounded up to whole milliseconds); `enum`
//! options get a string type with one constant per value.

use super::{align, comment, go_string};
use crate::schema::{go_ident, OptionDef, Schema};

/// Go names that differ from go_ident's (Go's initialisms and the existing API).
const NAMES: [(&str, &str); 5] = [
    ("moneykit_version", "MoneyKitVersion"),
    ("ca_file", "CAFile"),
    ("jwks_ttl", "JWKSTTL"),
    ("jwks_refetch", "JWKSRefetch"),
    ("seen_ttl", "SeenTTL"),
];

/// Type names of enum options that differ from the field's name.
const ENUM_TYPES: [(&str, &str); 1] = [("auth", "AuthMode")];

/// Fields of Options that are not in the options JSON: the credentials
/// (mk_client_new's own arguments) and the Go-only Logger: (name, type, doc).
const CLIENT_EXTRA_FIRST: [(&str, &str, &str); 2] = [
    (
        "ClientID",
        "string",
        "ClientID is the OAuth2 client id: empty means the MONEYKIT_CLIENT_ID environment \
         variable. Not needed with AccessToken.",
    ),
    (
        "ClientSecret",
        "string",
        "ClientSecret is the client secret: empty means MONEYKIT_CLIENT_SECRET. It is never \
         logged and its C copy is zeroed after use.",
    ),
];
const CLIENT_EXTRA_LAST: [(&str, &str, &str); 1] = [(
    "Logger",
    "*slog.Logger",
    "Logger, if not nil, receives one record per HTTP attempt (events.go): Debug for token \
     requests, Info for successful attempts, Warn for failed ones, with the call's context. \
     Records never hold owner data or secrets. Independent of LogLevel. The handler runs during \
     the call: it must not Close or Shutdown the Client.",
)];

/// How one option is represented in Go.
pub(super) struct GoOption<'a> {
    pub(super) def: &'a OptionDef,
    pub(super) name: String,
    /// The field's type (a pointer when zero is a valid value).
    ty: String,
    pub(super) pointer: bool,
    pub(super) duration: bool,
}

fn go_name(key: &str) -> String {
    NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| go_ident(key))
}

fn enum_type(o: &OptionDef) -> String {
    ENUM_TYPES
        .iter()
        .find(|(k, _)| *k == o.key)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| go_name(&o.key))
}

fn go_option(o: &OptionDef) -> GoOption<'_> {
    let duration = o.ty == "int" && o.key.ends_with("_ms");
    let name = go_name(
        o.key
            .strip_suffix("_ms")
            .filter(|_| duration)
            .unwrap_or(&o.key),
    );
    let base = match o.ty.as_str() {
        "string" | "secret" => "string".to_string(),
        "enum" => enum_type(o),
        "int" if duration => "time.Duration".to_string(),
        "int" => "int".to_string(),
        "float" => "float64".to_string(),
        other => panic!("option {}: no Go type for {other}", o.key),
    };
    let zero_valid = matches!(o.ty.as_str(), "int" | "float")
        && o.min
            .as_ref()
            .is_some_and(|m| m.as_f64().is_some_and(|m| m <= 0.0));
    GoOption {
        def: o,
        name,
        ty: if zero_valid { format!("*{base}") } else { base },
        pointer: zero_valid,
        duration,
    }
}

/// A millisecond count as Go programmers write it (`30 * time.Second` reads
/// "30 s" here).
fn ms_text(ms: u64) -> String {
    match ms {
        0 => "0".into(),
        _ if ms.is_multiple_of(3_600_000) => format!("{} h", ms / 3_600_000),
        _ if ms.is_multiple_of(60_000) => format!("{} min", ms / 60_000),
        _ if ms.is_multiple_of(1000) => format!("{} s", ms / 1000),
        _ => format!("{ms} ms"),
    }
}

/// A bound or default of `o` as text.
fn value_text(g: &GoOption, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) if g.duration => {
            ms_text(n.as_u64().expect("durations are whole milliseconds"))
        }
        serde_json::Value::String(s) if g.def.ty == "enum" => {
            format!("{}{} ({})", go_name(&g.def.key), go_ident(s), go_string(s))
        }
        serde_json::Value::String(s) => go_string(s),
        other => other.to_string(),
    }
}

/// The doc comment of one field: the schema's doc, default and bounds.
fn field_doc(g: &GoOption) -> String {
    let o = g.def;
    let mut doc = format!("{} ({}): {}", g.name, o.key, o.doc.trim_end_matches('.'));
    doc.push_str(". Default: ");
    match &o.default_doc {
        Some(d) => doc.push_str(d),
        None => doc.push_str(&value_text(g, &o.default)),
    }
    if let (Some(min), Some(max)) = (&o.min, &o.max) {
        let (min, max) = (
            serde_json::Value::Number(min.clone()),
            serde_json::Value::Number(max.clone()),
        );
        doc.push_str(&format!(
            "; from {} to {}",
            value_text(g, &min),
            value_text(g, &max)
        ));
    }
    doc.push('.');
    if g.pointer {
        doc.push_str(" Nil means the default (zero is a valid value: set it with Ptr).");
    }
    if o.ty == "secret" {
        doc.push_str(" A secret: never logged.");
    }
    doc
}

/// The statement that adds one option to the JSON map `m` when it is set.
fn json_line(g: &GoOption) -> String {
    let f = format!("o.{}", g.name);
    let key = go_string(&g.def.key);
    let value = |x: &str| match (g.duration, g.def.ty.as_str()) {
        (true, _) => format!("millis({x})"),
        (_, "enum") => format!("string({x})"),
        _ => x.to_string(),
    };
    if g.pointer {
        format!(
            "\tif {f} != nil {{\n\t\tm[{key}] = {}\n\t}}\n",
            value(&format!("*{f}"))
        )
    } else {
        let zero = match g.def.ty.as_str() {
            "string" | "secret" | "enum" => "\"\"",
            _ => "0",
        };
        format!(
            "\tif {f} != {zero} {{\n\t\tm[{key}] = {}\n\t}}\n",
            value(&f)
        )
    }
}

/// One option struct with its json method.
fn options_struct(
    name: &str,
    doc: &str,
    opts: &[OptionDef],
    first: &[(&str, &str, &str)],
    last: &[(&str, &str, &str)],
) -> String {
    let gos: Vec<GoOption> = opts.iter().map(go_option).collect();
    let mut b = comment(
        &format!(
            "{name} {doc} The zero value of every field means the library default; a field \
             whose zero is a valid value is a pointer, nil meaning the default. Durations are \
             rounded up to whole milliseconds; values out of range (negative durations \
             included) are refused with ErrInvalidArgument."
        ),
        "",
    );
    b.push_str(&format!("type {name} struct {{\n"));
    for (n, ty, d) in first {
        b.push_str(&comment(d, "\t"));
        b.push_str(&format!("\t{n} {ty}\n"));
    }
    for g in &gos {
        b.push_str(&comment(&field_doc(g), "\t"));
        b.push_str(&format!("\t{} {}\n", g.name, g.ty));
    }
    for (n, ty, d) in last {
        b.push_str(&comment(d, "\t"));
        b.push_str(&format!("\t{n} {ty}\n"));
    }
    b.push_str("}\n\n");
    b.push_str(&format!(
        "// json is the options JSON: the options set, under their schema keys.\n\
         func (o *{name}) json() ([]byte, error) {{\n\
         \tm := make(map[string]any, {})\n",
        gos.len()
    ));
    for g in &gos {
        b.push_str(&json_line(g));
    }
    b.push_str("\treturn json.Marshal(m)\n}\n");
    // mk_client_new's own arguments among the extra fields (Options only).
    let args: Vec<(&str, &str)> = super::option_check::CLIENT_ARGS
        .into_iter()
        .filter(|(_, f)| first.iter().any(|(n, _, _)| n == f))
        .collect();
    b.push_str(&super::option_check::code(name, &gos, &args));
    let extras: Vec<(&str, &str)> = first
        .iter()
        .chain(last)
        .map(|(n, ty, _)| (*n, *ty))
        .collect();
    b.push_str(&super::option_check::string_method(
        name, &gos, &extras, &args,
    ));
    b
}

/// The string type and constants of an enum option.
fn enum_type_decl(o: &OptionDef) -> String {
    let ty = enum_type(o);
    let mut b = comment(
        &format!(
            "{ty} is the type of Options.{} ({}): {}.",
            go_name(&o.key),
            o.key,
            o.doc.trim_end_matches('.')
        ),
        "",
    );
    b.push_str(&format!(
        "type {ty} string\n\n// The values of {ty}.\nconst (\n"
    ));
    let rows: Vec<Vec<String>> = o
        .values
        .iter()
        .map(|v| {
            vec![
                format!("{}{}", go_name(&o.key), go_ident(v)),
                format!("{ty} = {}", go_string(v)),
            ]
        })
        .collect();
    for line in align(&rows) {
        b.push_str(&format!("\t{line}\n"));
    }
    b.push_str(")\n");
    b
}

pub fn file(s: &Schema) -> String {
    let mut b = String::from(
        "package moneykit\n\nimport (\n\t\"encoding/json\"\n\t\"log/slog\"\n\t\"time\"\n)\n\n\
         // The option structs: keys, defaults and bounds come from schema/moneykit.json\n\
         // (docs/C-API.md, \"Options JSON\", has the same table).\n",
    );
    for o in s
        .options
        .iter()
        .chain(&s.batch_options)
        .chain(&s.refresh_options)
        .chain(&s.webhook_options)
        .filter(|o| o.ty == "enum")
    {
        b.push('\n');
        b.push_str(&enum_type_decl(o));
    }
    b.push('\n');
    b.push_str(&options_struct(
        "Options",
        "configure a Client (NewClient).",
        &s.options,
        &CLIENT_EXTRA_FIRST,
        &CLIENT_EXTRA_LAST,
    ));
    b.push('\n');
    b.push_str(&options_struct(
        "BatchOptions",
        "tune a batch (Client.Identities).",
        &s.batch_options,
        &[],
        &[],
    ));
    b.push('\n');
    b.push_str(&options_struct(
        "RefreshOptions",
        "tune RefreshIdentity and WaitIdentityNewer.",
        &s.refresh_options,
        &[],
        &[],
    ));
    b.push('\n');
    b.push_str(&options_struct(
        "WebhookOptions",
        "tune a WebhookVerifier (Client.NewWebhookVerifier).",
        &s.webhook_options,
        &[],
        &[],
    ));
    // Options.String (option_check.rs) formats numbers with fmt.
    if b.contains("fmt.") {
        b = b.replacen(
            "\t\"encoding/json\"\n",
            "\t\"encoding/json\"\n\t\"fmt\"\n",
            1,
        );
    }
    b
}
