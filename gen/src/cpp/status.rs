//! status.hpp (the Status enum and its names), error_json.hpp (the keys of the
//! library's error JSON) and exceptions.hpp (one exception class per status).

use super::{doc, lit};
use crate::schema::{pascal, status_short, Schema, StatusDef};

/// `MK_ERR_NOT_FOUND` -> `not_found` (the Status enumerator).
fn enumerator(name: &str) -> String {
    status_short(name).to_ascii_lowercase()
}

/// `MK_ERR_NOT_FOUND` -> `NotFoundError`; `MK_ERR_HTTP` -> `HttpError`.
fn class(name: &str) -> String {
    format!("{}Error", pascal(&enumerator(name)))
}

pub fn status_hpp(s: &Schema) -> String {
    let mut b = String::from(
        "#include \"moneykit.h\"\n\n#include <cstdint>\n#include <ostream>\n\nnamespace moneykit {\n\n\
         /// The library's status codes (enum mk_status). Numbers are stable.\n\
         enum class Status : std::int32_t {\n",
    );
    for st in &s.statuses {
        b += &format!(
            "    {} = {},  ///< {}\n",
            enumerator(&st.name),
            st.code,
            st.name
        );
    }
    b += "};\n\n// A change in the C header is caught here, at compile time, in every program that\n\
          // includes this file.\n";
    for st in &s.statuses {
        b += &format!(
            "static_assert(static_cast<std::int32_t>(Status::{}) == {}, {});\n",
            enumerator(&st.name),
            st.name,
            lit(&st.name)
        );
    }
    b += "\n/// \"MK_ERR_NOT_FOUND\", ...; a status newer than this header gets the library's name\n\
          /// (\"unknown status\" outside its table). Static, never null.\n\
          inline const char* status_name(Status status) noexcept {\n    switch (status) {\n";
    b += &cases(s, |st| &st.name);
    b += "    }\n    return mk_status_name(static_cast<std::int32_t>(status));\n}\n\n\
          /// A one-line English description of a status. Static, never null.\n\
          inline const char* status_describe(Status status) noexcept {\n    switch (status) {\n";
    b += &cases(s, |st| &st.describe);
    b += "    }\n    return mk_status_describe(static_cast<std::int32_t>(status));\n}\n\n\
          inline std::ostream& operator<<(std::ostream& os, Status status) { return os << status_name(status); }\n\n\
          }  // namespace moneykit\n";
    b
}

/// `case Status::x: return "<text>";` for every status.
fn cases(s: &Schema, text: impl Fn(&StatusDef) -> &String) -> String {
    s.statuses
        .iter()
        .map(|st| {
            format!(
                "    case Status::{}: return {};\n",
                enumerator(&st.name),
                lit(text(st))
            )
        })
        .collect()
}

pub fn error_json_hpp(s: &Schema) -> String {
    let mut b = String::from(
        "#include <nlohmann/json.hpp>\n\n#include <cstdint>\n#include <limits>\n#include <map>\n#include <optional>\n\
         #include <string>\n#include <variant>\n#include <vector>\n\nnamespace moneykit {\n\n\
         /// One entry of a 422 api_error.request.validation_failed's validation_errors.\n\
         struct ValidationError {\n\
         \x20   /// Where, as sent: e.g. {\"query\", \"account_ids\", 0}.\n\
         \x20   std::vector<std::variant<std::string, std::int64_t>> location;\n\
         \x20   std::string message;\n\
         \x20   std::string type;\n};\n\n\
         /// The last HTTP error response of a failed call (redacted; see C-API.md \"Error JSON\").\n\
         struct RawResponse {\n\
         \x20   int status = 0;\n\
         \x20   /// Lowercase names; cookies and credentials left out.\n\
         \x20   std::map<std::string, std::string> headers;\n\
         \x20   /// At most 16 KiB of the body.\n\
         \x20   std::string body;\n};\n\n\
         namespace detail {\n\n\
         /// The keys of the library's error JSON (moneykit.h), as sent: a key that is absent,\n\
         /// null or of another type reads as std::nullopt.\n\
         struct ErrorJson {\n",
    );
    for k in &s.error_json {
        b += &doc(&k.doc, "    ");
        b += &format!("    std::optional<{}> {};\n", cpp_type(&k.ty), k.key);
    }
    b += "\n    static ErrorJson read(const nlohmann::json& j) {\n        ErrorJson e;\n\
          \x20       if (!j.is_object()) return e;\n";
    for k in &s.error_json {
        b += &format!("        read_key(j, {}, e.{});\n", lit(&k.key), k.key);
    }
    b += "        return e;\n    }\n\nprivate:\n\
          \x20   static void read_key(const nlohmann::json& j, const char* key, std::optional<std::string>& out) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       if (it != j.end() && it->is_string()) out = it->get<std::string>();\n    }\n\
          \x20   static void read_key(const nlohmann::json& j, const char* key, std::optional<std::int64_t>& out) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       if (it == j.end()) return;\n\
          \x20       if (it->is_number_unsigned()) {  // saturates: a count or a duration, never negative\n\
          \x20           const auto v = it->get<std::uint64_t>();\n\
          \x20           constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());\n\
          \x20           out = static_cast<std::int64_t>(v < max ? v : max);\n\
          \x20       } else if (it->is_number_integer()) {\n\
          \x20           out = it->get<std::int64_t>();\n        }\n    }\n\
          \x20   static void read_key(const nlohmann::json& j, const char* key, std::optional<bool>& out) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       if (it != j.end() && it->is_boolean()) out = it->get<bool>();\n    }\n\
          \x20   static std::string text(const nlohmann::json& j, const char* key) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();\n    }\n\
          \x20   static void read_key(const nlohmann::json& j, const char* key, std::optional<std::vector<ValidationError>>& out) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       if (it == j.end() || !it->is_array()) return;\n\
          \x20       std::vector<ValidationError> list;\n\
          \x20       for (const auto& v : *it) {\n\
          \x20           if (!v.is_object()) continue;\n\
          \x20           ValidationError e;\n\
          \x20           const auto loc = v.find(\"location\");\n\
          \x20           if (loc != v.end() && loc->is_array()) {\n\
          \x20               for (const auto& p : *loc) {\n\
          \x20                   if (p.is_string()) e.location.emplace_back(p.get<std::string>());\n\
          \x20                   else if (p.is_number_integer()) e.location.emplace_back(p.get<std::int64_t>());\n\
          \x20               }\n\
          \x20           }\n\
          \x20           e.message = text(v, \"message\");\n\
          \x20           e.type = text(v, \"type\");\n\
          \x20           list.push_back(std::move(e));\n\
          \x20       }\n\
          \x20       out = std::move(list);\n    }\n\
          \x20   static void read_key(const nlohmann::json& j, const char* key, std::optional<RawResponse>& out) {\n\
          \x20       const auto it = j.find(key);\n\
          \x20       if (it == j.end() || !it->is_object()) return;\n\
          \x20       RawResponse r;\n\
          \x20       const auto st = it->find(\"status\");\n\
          \x20       if (st != it->end() && st->is_number_integer()) r.status = st->get<int>();\n\
          \x20       const auto h = it->find(\"headers\");\n\
          \x20       if (h != it->end() && h->is_object()) {\n\
          \x20           for (const auto& [name, value] : h->items()) {\n\
          \x20               if (value.is_string()) r.headers[name] = value.get<std::string>();\n\
          \x20           }\n\
          \x20       }\n\
          \x20       r.body = text(*it, \"body\");\n\
          \x20       out = std::move(r);\n    }\n};\n\n\
          /// An error JSON in the library's shape, for failures detected in C++.\n\
          inline std::string local_error_json(std::int32_t status, const char* name, const std::string& message) {\n\
          \x20   nlohmann::json j = nlohmann::json::object();\n";
    for k in &s.error_json {
        let value = match (k.key.as_str(), k.ty.as_str(), k.required) {
            ("status", _, _) => "status".to_string(),
            ("name", _, _) => "name".to_string(),
            ("message", _, _) => "message".to_string(),
            (_, "int", true) => "0".to_string(),
            (_, "bool", true) => "false".to_string(),
            (_, _, true) => "\"\"".to_string(),
            (_, _, false) => "nullptr".to_string(),
        };
        b += &format!("    j[{}] = {value};\n", lit(&k.key));
    }
    b += "    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);\n}\n\n\
          }  // namespace detail\n}  // namespace moneykit\n";
    b
}

fn cpp_type(error_json_type: &str) -> &'static str {
    match error_json_type {
        "int" => "std::int64_t",
        "string" => "std::string",
        "bool" => "bool",
        "validation_errors" => "std::vector<ValidationError>",
        "response" => "RawResponse",
        other => panic!("error_json: unknown type {other}"),
    }
}

pub fn exceptions_hpp(s: &Schema) -> String {
    let mut b = String::from(
        "#include \"error.hpp\"\n#include \"error_json.hpp\"\n#include \"status.hpp\"\n\n\
         #include <cstdint>\n#include <string>\n#include <utility>\n\nnamespace moneykit {\n\n\
         // One subclass per status, so callers can catch just the case they handle.\n",
    );
    for st in s.error_statuses() {
        b += &doc(&format!("{}: {}.", st.name, st.when), "");
        b += &format!(
            "class {} : public Error {{\npublic:\n    using Error::Error;\n}};\n",
            class(&st.name)
        );
    }
    b += "\n/// Throws the Error subclass that matches a (non-OK) status.\n\
          [[noreturn]] inline void throw_error(Status status, std::string error_json) {\n    switch (status) {\n";
    for st in s.error_statuses() {
        b += &format!(
            "    case Status::{}: throw {}(status, std::move(error_json));\n",
            enumerator(&st.name),
            class(&st.name)
        );
    }
    for st in s.statuses.iter().filter(|st| st.code == 0) {
        b += &format!(
            "    case Status::{}: break;  // not an error: reported as a library bug below\n",
            enumerator(&st.name)
        );
    }
    b += "    }\n    throw Error(status, std::move(error_json));  // a status newer than this header\n}\n\n\
          namespace detail {\n\n\
          /// The error JSON of a failure detected in C++.\n\
          inline std::string local_error_json(Status status, const std::string& message) {\n\
          \x20   return local_error_json(static_cast<std::int32_t>(status), status_name(status), message);\n}\n\n\
          /// Throws the exception for a failure detected in C++ (no library error JSON).\n\
          [[noreturn]] inline void fail(Status status, const std::string& message) {\n\
          \x20   throw_error(status, local_error_json(status, message));\n}\n\n\
          }  // namespace detail\n}  // namespace moneykit\n";
    b
}
