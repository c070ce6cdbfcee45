//! options.hpp: one enum per enum-valued option and the fluent builders, one setter
//! pair (lvalue and rvalue) per key: Options (the schema's `options`), BatchOptions
//! (`batch_options`), RefreshOptions (`refresh_options`) and WebhookOptions
//! (`webhook_options`).

use super::{doc, ident, lit};
use crate::schema::{pascal, OptionDef, Schema};

pub fn options_hpp(s: &Schema) -> String {
    let mut b = String::from(
        "#include \"option_values.hpp\"\n\n#include <chrono>\n\
         #include <cstdint>\n#include <string>\n#include <string_view>\n#include <utility>\n\n\
         namespace moneykit {\n\n",
    );
    for o in s.options.iter().filter(|o| o.ty == "enum") {
        let name = pascal(&o.key);
        let values: Vec<String> = o.values.iter().map(|v| ident(v)).collect();
        b += &doc(&format!("Values of the `{}` option.", o.key), "");
        b += &format!("enum class {name} {{ {} }};\n\n", values.join(", "));
        b += &format!(
            "/// The option's text for a {name} value.\ninline const char* to_string({name} value) noexcept {{\n    switch (value) {{\n"
        );
        for v in &o.values {
            b += &format!("    case {name}::{}: return {};\n", ident(v), lit(v));
        }
        b += &format!("    }}\n    return {};\n}}\n\n", lit(&o.values[0]));
    }
    b += "/// The client's options: every key of the C options JSON, as fluent setters.\n\
          /// Unset keys keep the library's defaults.\n///\n\
          ///   auto opts = moneykit::Options().timeout(std::chrono::seconds(5)).max_retries(1);\n///\n\
          /// Durations (keys ending in `_ms`) take any std::chrono::duration, rounded up to whole\n\
          /// milliseconds. Values are checked by the library when the Client is created\n\
          /// (InvalidArgumentError).\nclass Options {\npublic:\n    Options() = default;\n\n";
    for o in &s.options {
        b += &setter("Options", o);
    }
    b += &set_json("Options", true);
    b += "    /// The options JSON handed to mk_client_new. Throws InvalidArgumentError if a string\n\
          \x20   /// option is not valid UTF-8. It holds the secrets (e.g. access_token) in clear: do not\n\
          \x20   /// log it; the returned string is yours to wipe.\n\
          \x20   std::string json() const { return values_.json(); }\n\n\
          \x20   /// json() in a buffer that is wiped when freed (what Client hands to mk_client_new).\n\
          \x20   detail::SecretString secret_json() const { return values_.secret_json(); }\n\n\
          \x20   /// True for the keys of secret options, kept in wiped buffers: ";
    let secrets: Vec<&str> = s
        .options
        .iter()
        .filter(|o| o.ty == "secret")
        .map(|o| o.key.as_str())
        .collect();
    b += &secrets.join(", ");
    b += ".\n    static bool is_secret(std::string_view key) noexcept {\n        return ";
    if secrets.is_empty() {
        b += "false";
    } else {
        let tests: Vec<String> = secrets
            .iter()
            .map(|k| format!("key == {}", lit(k)))
            .collect();
        b += &tests.join(" || ");
    }
    b += ";\n    }\n\n\
          private:\n    detail::OptionValues values_;\n};\n\n";
    b += &plain_builder(
        "BatchOptions",
        &s.batch_options,
        "The limits of a Batch (Client::identities), as fluent setters: the keys of mk_batch_start's\n\
         /// options JSON. Unset keys keep the library's defaults (MoneyKit's documented limits).\n\
         /// Values are checked when the batch starts (InvalidArgumentError).",
        "mk_batch_start",
    );
    b += &plain_builder(
        "RefreshOptions",
        &s.refresh_options,
        "How often Client::refresh_identity / wait_identity_newer poll Get Identity, as fluent\n\
         /// setters: the keys of the options JSON of mk_refresh_identity and mk_wait_identity_newer.\n\
         /// Unset keys keep the library's defaults (MoneyKit's per-link limit). Checked by the\n\
         /// library (InvalidArgumentError).",
        "mk_refresh_identity and mk_wait_identity_newer",
    );
    b += &plain_builder(
        "WebhookOptions",
        &s.webhook_options,
        "How a WebhookVerifier (Client::webhook_verifier) checks deliveries, as fluent setters:\n\
         /// the keys of mk_webhook_verifier_new's options JSON. Unset keys keep the library's\n\
         /// defaults. Checked by the library (InvalidArgumentError).",
        "mk_webhook_verifier_new",
    );
    b += "}  // namespace moneykit\n";
    b
}

/// A builder without secrets (BatchOptions, RefreshOptions).
fn plain_builder(class: &str, options: &[OptionDef], about: &str, takes: &str) -> String {
    let mut b = format!("/// {about}\nclass {class} {{\npublic:\n    {class}() = default;\n\n");
    for o in options {
        b += &setter(class, o);
    }
    b += &set_json(class, false);
    b += &format!(
        "    /// The options JSON handed to {takes}.\n\
         \x20   std::string json() const {{ return values_.json(); }}\n\n\
         private:\n    detail::OptionValues values_;\n}};\n\n"
    );
    b
}

/// set_json(key, text): any key, for keys newer than this header.
fn set_json(class: &str, secrets: bool) -> String {
    let (note, secret) = if secrets {
        (
            "\n    /// A string for a secret key is kept like the secret's own setter keeps it.",
            "is_secret(key)",
        )
    } else {
        ("", "false")
    };
    format!(
        "    /// Sets any key to a JSON value given as text (`\"null\"`: the default), e.g.\n\
         \x20   /// set_json(\"future_key\", \"[1,2]\"): for keys newer than this header. Text that is not\n\
         \x20   /// one JSON value throws InvalidArgumentError (the message quotes none of it).{note}\n\
         \x20   {class}& set_json(std::string_view key, std::string_view json) & {{\n\
         \x20       values_.set_json(key, json, {secret});\n        return *this;\n    }}\n\
         \x20   {class} set_json(std::string_view key, std::string_view json) && {{\n\
         \x20       values_.set_json(key, json, {secret});\n        return std::move(*this);\n    }}\n\n"
    )
}

/// The setters as a table for bindings/cpp/README.md.
pub fn readme_options(options: &[OptionDef]) -> String {
    let mut b = String::from("| setter | key | default |\n|---|---|---|\n");
    for o in options {
        let (name, param, _) = setter_parts(o);
        let param = if param.starts_with("std::chrono") {
            "duration".to_string()
        } else {
            param.trim_end_matches(" value").to_string()
        };
        b += &format!(
            "| `{name}({param})` | `{}` | {} |\n",
            o.key,
            default_text(o)
        );
    }
    b
}

fn default_text(o: &OptionDef) -> String {
    match (&o.default_doc, &o.default) {
        (Some(d), _) => d.clone(),
        (None, serde_json::Value::String(v)) => format!("`{v}`"),
        (None, v) => v.to_string(),
    }
}

/// The setter's name, its parameter and the value it stores.
fn setter_parts(o: &OptionDef) -> (String, String, String) {
    if o.ty == "float" {
        return (
            o.key.clone(),
            "double value".to_string(),
            "value".to_string(),
        );
    }
    match o.ty.as_str() {
        "string" | "secret" => (
            o.key.clone(),
            "std::string value".to_string(),
            "std::move(value)".to_string(),
        ),
        "enum" => (
            o.key.clone(),
            format!("{} value", pascal(&o.key)),
            "to_string(value)".to_string(),
        ),
        "int" => match o.key.strip_suffix("_ms") {
            Some(stem) => (
                stem.to_string(),
                "std::chrono::duration<Rep, Period> value".to_string(),
                "detail::OptionValues::millis(value)".to_string(),
            ),
            None => (
                o.key.clone(),
                "std::uint64_t value".to_string(),
                "value".to_string(),
            ),
        },
        other => panic!("option {}: unknown type {other}", o.key),
    }
}

/// The `&` and `&&` setters of one option, with its doc, default and bounds.
fn setter(class: &str, o: &OptionDef) -> String {
    let default = default_text(o);
    let bounds = match (&o.min, &o.max) {
        (Some(lo), Some(hi)) => format!("; {lo} to {hi}"),
        _ => String::new(),
    };
    let key = lit(&o.key);
    let (name, params, value) = setter_parts(o);
    if o.ty == "secret" {
        // Kept in a buffer that is wiped when freed; the argument's copy is wiped too.
        let mut b = doc(
            &format!(
                "{} (key `{}`; default {default}). A secret: kept in a buffer that is wiped when \
                 freed, and the argument is wiped once copied.",
                o.doc, o.key
            ),
            "    ",
        );
        b += &format!(
            "    {class}& {name}({params}) & {{\n        values_.put_secret({key}, std::move(value));\n        return *this;\n    }}\n\
             \x20   {class} {name}({params}) && {{\n        values_.put_secret({key}, std::move(value));\n        return std::move(*this);\n    }}\n\n",
            name = ident(&name)
        );
        return b;
    }
    let template = if params.starts_with("std::chrono::duration") {
        "    template <class Rep, class Period>\n"
    } else {
        ""
    };
    let mut b = doc(
        &format!("{} (key `{}`; default {default}{bounds}).", o.doc, o.key),
        "    ",
    );
    b += &format!(
        "{template}    {class}& {name}({params}) & {{\n        values_.put({key}, {value});\n        return *this;\n    }}\n\
         {template}    {class} {name}({params}) && {{\n        values_.put({key}, {value});\n        return std::move(*this);\n    }}\n\n",
        name = ident(&name)
    );
    b
}
