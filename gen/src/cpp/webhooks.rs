//! webhook_events.hpp: the typed webhook events of the schema's `webhook_events`
//! (`Schema::webhook_events()`): an enum class per webhook enum (with `unknown` and a
//! `<enum>_of` function, as model.hpp's open enums), WebhookEventCommon (the fields every event
//! has), one struct per known event deriving from it (open enums kept as text, with `_kind()`
//! accessors), UnknownEvent, the WebhookEvent variant, and `detail::read_webhook_event`, which
//! reads a body mk_webhook_verify accepted by exact keys and refuses nothing (timestamps
//! through Timestamp::parse, the library's grammar).

use super::{doc, ident, lit, snake};
use crate::rust_meta::webhook_schema::{WTy, WebhookEvents, WebhookField};
use crate::schema::Schema;

/// The C++ type of a field that is present.
fn base_type(ty: &WTy) -> &'static str {
    match ty {
        WTy::Str | WTy::Enum(_) => "std::string",
        WTy::Bool => "bool",
        WTy::Int => "std::int64_t",
        WTy::Timestamp => "Timestamp",
        WTy::StrList => "std::vector<std::string>",
    }
}

fn field_type(f: &WebhookField) -> String {
    let base = base_type(&f.ty);
    if f.def.required {
        base.to_string()
    } else {
        format!("std::optional<{base}>")
    }
}

fn initializer(f: &WebhookField) -> &'static str {
    match (&f.ty, f.def.required) {
        (WTy::Bool, true) => " = false",
        (WTy::Int, true) => " = 0",
        _ => "",
    }
}

/// The fields of a struct, with `_kind()` accessors for the open enums.
fn fields(fields: &[WebhookField]) -> String {
    let mut b = String::new();
    for f in fields {
        b += &doc(&f.def.doc, "    ");
        b += &format!(
            "    {} {}{};\n",
            field_type(f),
            ident(&f.def.name),
            initializer(f)
        );
    }
    for f in fields {
        if let WTy::Enum(e) = &f.ty {
            let name = ident(&f.def.name);
            if f.def.required {
                b += &format!(
                    "    /// {name} as a {e} ({e}::unknown for a value newer than this header).\n\
                     \x20   {e} {name}_kind() const noexcept {{ return {}_of({name}); }}\n",
                    snake(e)
                );
            } else {
                b += &format!(
                    "    /// {name} as a {e} ({e}::unknown for a value newer than this header).\n\
                     \x20   std::optional<{e}> {name}_kind() const noexcept {{\n\
                     \x20       if (!{name}) return std::nullopt;\n\
                     \x20       return {}_of(*{name});\n    }}\n",
                    snake(e)
                );
            }
        }
    }
    b
}

/// The statements reading `fields` from `j` into `out`.
fn reads(fields: &[WebhookField], out: &str) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "    webhook_field(j, {}, {out}.{});\n",
                lit(&f.def.name),
                ident(&f.def.name)
            )
        })
        .collect()
}

fn enums(w: &WebhookEvents) -> String {
    let mut b = String::new();
    for (name, def) in &w.enums {
        b += &doc(&def.doc, "");
        let values: Vec<String> = def.values.iter().map(|v| ident(v)).collect();
        b += &format!(
            "enum class {name} {{ {}, unknown }};\n\n",
            values.join(", ")
        );
        b += &format!(
            "/// `text` as a {name}; {name}::unknown for a value this header does not know.\n\
             inline {name} {}_of(std::string_view text) noexcept {{\n",
            snake(name)
        );
        for v in &def.values {
            b += &format!("    if (text == {}) return {name}::{};\n", lit(v), ident(v));
        }
        b += &format!("    return {name}::unknown;\n}}\n\n");
    }
    b
}

pub fn webhook_events_hpp(s: &Schema) -> String {
    let w = s.webhook_events();
    let mut b = String::from(
        "#include \"model.hpp\"\n#include \"timestamp.hpp\"\n\n#include <nlohmann/json.hpp>\n\n\
         #include <cstdint>\n#include <limits>\n#include <optional>\n#include <string>\n\
         #include <string_view>\n#include <utility>\n#include <variant>\n#include <vector>\n\n\
         namespace moneykit {\n\n\
         // The webhook events MoneyKit POSTs (schema `webhook_events`; docs/C-API.md, \"Webhooks\"),\n\
         // typed. WebhookVerifier hands them out after the library verified the delivery and\n\
         // checked the body. Open enums keep the text as sent (std::string); the `_kind()`\n\
         // accessors name the values this header knows. An event type (or major version) this\n\
         // header does not know is an UnknownEvent, never an error.\n\n",
    );
    b += &enums(&w);
    b += &doc(
        &format!("{} Every event derives from it.", w.common_doc),
        "",
    );
    b += "struct WebhookEventCommon {\n";
    b += &fields(&w.common);
    b += "};\n\n";
    for e in &w.events {
        b += &doc(&format!("`{}`: {}", e.event, e.doc), "");
        b += &format!("struct {} : WebhookEventCommon {{\n", e.name);
        b += &fields(&e.fields);
        b += "};\n\n";
    }
    b += "/// An event this header has no type for (a `webhook_event` it does not know, such as\n\
          /// `product.state_changed`, or a major version other than 1): its common fields and the\n\
          /// body as sent. Never refused for being new.\n\
          struct UnknownEvent : WebhookEventCommon {\n\
          \x20   /// The event's JSON body exactly as sent.\n    std::string json;\n};\n\n";
    let names: Vec<&str> = w.events.iter().map(|e| e.name.as_str()).collect();
    b += &format!(
        "/// A verified webhook event: one of the known events, or UnknownEvent. Use std::visit or\n\
         /// std::get_if; common() gives the fields every event has.\n\
         using WebhookEvent = std::variant<{}, UnknownEvent>;\n\n\
         /// The fields every event has, whatever its type.\n\
         inline const WebhookEventCommon& common(const WebhookEvent& event) noexcept {{\n\
         \x20   return *std::visit([](const auto& e) noexcept {{ return static_cast<const WebhookEventCommon*>(&e); }}, event);\n\
         }}\n\n",
        names.join(", ")
    );
    b += "namespace detail {\n\n\
          // Readers of one member by exact key: absent (or of another type, which the library\n\
          // never lets through) leaves the value as it is; null leaves an optional empty.\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, std::string& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it != j.end() && it->is_string()) out = it->get<std::string>();\n}\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, bool& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it != j.end() && it->is_boolean()) out = it->get<bool>();\n}\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, std::int64_t& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it == j.end()) return;\n\
          \x20   if (it->is_number_unsigned()) {\n\
          \x20       const auto v = it->get<std::uint64_t>();\n\
          \x20       constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());\n\
          \x20       out = static_cast<std::int64_t>(v < max ? v : max);\n\
          \x20   } else if (it->is_number_integer()) {\n\
          \x20       out = it->get<std::int64_t>();\n\
          \x20   }\n}\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, Timestamp& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it == j.end() || !it->is_string()) return;\n\
          \x20   if (std::optional<Timestamp> t = Timestamp::parse(it->get_ref<const std::string&>())) out = std::move(*t);\n}\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, std::vector<std::string>& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it == j.end() || !it->is_array()) return;\n\
          \x20   out.clear();\n\
          \x20   for (const auto& v : *it) {\n\
          \x20       if (v.is_string()) out.push_back(v.get<std::string>());\n\
          \x20   }\n}\n\
          template <class T>\n\
          inline void webhook_field(const nlohmann::json& j, const char* key, std::optional<T>& out) {\n\
          \x20   const auto it = j.find(key);\n\
          \x20   if (it == j.end() || it->is_null()) return;\n\
          \x20   T value{};\n    webhook_field(j, key, value);\n    out = std::move(value);\n}\n\n";
    b += "/// The fields every event has.\n\
          inline void read_webhook_common(const nlohmann::json& j, WebhookEventCommon& c) {\n";
    b += &reads(&w.common, "c");
    b += "}\n\n";
    b += "/// The typed event of a body mk_webhook_verify accepted (the library checked it: nothing\n\
          /// is refused here).\n\
          inline WebhookEvent read_webhook_event(const std::string& body) {\n\
          \x20   const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);\n\
          \x20   WebhookEventCommon c;\n    read_webhook_common(j, c);\n\
          \x20   if (c.webhook_major_version == 1) {\n";
    for e in &w.events {
        b += &format!(
            "        if (c.webhook_event == {}) {{\n\
             \x20           {} e;\n            static_cast<WebhookEventCommon&>(e) = std::move(c);\n",
            lit(&e.event),
            e.name
        );
        for line in reads(&e.fields, "e").lines() {
            b += &format!("        {line}\n");
        }
        b += "            return e;\n        }\n";
    }
    b += "    }\n    UnknownEvent u;\n    static_cast<WebhookEventCommon&>(u) = std::move(c);\n\
          \x20   u.json = body;\n    return u;\n}\n\n}  // namespace detail\n}  // namespace moneykit\n";
    b
}
