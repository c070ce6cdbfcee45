//! records.hpp: the schema's `records` as C++ structs (the owner-match claim and result,
//! the batch item and progress, the event) with what moves them across the boundary:
//! - `json: input` records (the claim): a JSON writer, absent fields left out; the outermost
//!   one gets `json()`;
//! - `json: output` records (the match result): a reader from the library's JSON (nlohmann,
//!   internal); the outermost one keeps the text in a `json` member;
//! - records with a `c` struct: `detail::from_c`, copying the C struct.
//!
//! Field types: string -> std::string, bool, int -> std::int64_t for JSON records and the C
//! field's unsigned width widened to std::uint64_t for C records (std::int64_t when
//! `signed`), an int named `X_ms` -> std::chrono::milliseconds named `X` (`X_for` when
//! another field is named `X`), float -> double, status -> Status, list -> std::vector.
//! Optional fields are std::optional; in a C struct, absent is NULL for strings, 0 for an
//! unsigned int and a negative value for a signed one (the schema's docs say so).

use super::{doc, ident, lit};
use crate::records::{RTy, Record, RecordFieldDef};
use crate::schema::{snake, Schema};

pub fn records_hpp(s: &Schema) -> String {
    let records = dependency_order(s);
    let mut b = String::from(
        "#include \"moneykit.h\"\n\n#include \"exceptions.hpp\"\n#include \"json_text.hpp\"\n\
         #include \"status.hpp\"\n\n#include <nlohmann/json.hpp>\n\n#include <chrono>\n\
         #include <cstddef>\n#include <cstdint>\n#include <limits>\n#include <optional>\n\
         #include <string>\n#include <utility>\n#include <vector>\n\nnamespace moneykit {\n\n",
    );
    for r in &records {
        b += &record_struct(&records, r);
    }
    b += "namespace detail {\n\n";
    // Input records: writers.
    let inputs: Vec<&Record> = records.iter().filter(|r| is_json(r, "input")).collect();
    for r in &inputs {
        b += &format!(
            "inline bool write_record(std::string& out, const {}& v);\n",
            r.name
        );
    }
    for r in &inputs {
        b += &writer(r);
    }
    // Output records: readers.
    let outputs: Vec<&Record> = records.iter().filter(|r| is_json(r, "output")).collect();
    if !outputs.is_empty() {
        b += "/// Reads a value of the library's JSON into `out`; a missing key or another type\n\
              /// leaves `out` as it was (the library always writes every key).\n\
              inline void read_value(const nlohmann::json& j, std::string& out) {\n\
              \x20   if (j.is_string()) out = j.get<std::string>();\n}\n\
              inline void read_value(const nlohmann::json& j, bool& out) {\n\
              \x20   if (j.is_boolean()) out = j.get<bool>();\n}\n\
              inline void read_value(const nlohmann::json& j, std::int64_t& out) {\n\
              \x20   if (j.is_number_unsigned()) {\n\
              \x20       const auto v = j.get<std::uint64_t>();\n\
              \x20       constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());\n\
              \x20       out = static_cast<std::int64_t>(v < max ? v : max);\n\
              \x20   } else if (j.is_number_integer()) {\n\
              \x20       out = j.get<std::int64_t>();\n    }\n}\n\
              inline void read_value(const nlohmann::json& j, double& out) {\n\
              \x20   if (j.is_number()) out = j.get<double>();\n}\n\
              inline void read_value(const nlohmann::json& j, std::chrono::milliseconds& out) {\n\
              \x20   std::int64_t ms = out.count();\n    read_value(j, ms);\n\
              \x20   out = std::chrono::milliseconds(ms);\n}\n\
              inline void read_value(const nlohmann::json& j, Status& out) {\n\
              \x20   std::int64_t code = static_cast<std::int64_t>(out);\n    read_value(j, code);\n\
              \x20   if (code >= std::numeric_limits<std::int32_t>::min() && code <= std::numeric_limits<std::int32_t>::max()) {\n\
              \x20       out = static_cast<Status>(code);\n    }\n}\n";
        for r in &outputs {
            b += &format!(
                "inline void read_value(const nlohmann::json& j, {}& out);\n",
                r.name
            );
        }
        b += "template <class T>\n\
              void read_value(const nlohmann::json& j, std::optional<T>& out) {\n\
              \x20   if (j.is_null()) {\n        out.reset();\n        return;\n    }\n\
              \x20   T value{};\n    read_value(j, value);\n    out = std::move(value);\n}\n\
              template <class T>\n\
              void read_value(const nlohmann::json& j, std::vector<T>& out) {\n\
              \x20   if (!j.is_array()) return;\n    out.clear();\n    out.reserve(j.size());\n\
              \x20   for (const nlohmann::json& e : j) {\n        T value{};\n\
              \x20       read_value(e, value);\n        out.push_back(std::move(value));\n    }\n}\n\
              /// Reads object[key] into `out` when the key is there.\n\
              template <class T>\n\
              void read_key(const nlohmann::json& object, const char* key, T& out) {\n\
              \x20   const auto it = object.find(key);\n    if (it != object.end()) read_value(*it, out);\n}\n\n";
        for r in &outputs {
            b += &format!(
                "inline void read_value(const nlohmann::json& j, {}& out) {{\n    if (!j.is_object()) return;\n",
                r.name
            );
            for (f, _) in &r.fields {
                b += &format!("    read_key(j, {}, out.{});\n", lit(&f.name), member(r, f));
            }
            b += "}\n\n";
        }
    }
    // C records: copies.
    let cs: Vec<&Record> = records.iter().filter(|r| r.def.c.is_some()).collect();
    if !cs.is_empty() {
        b += "/// A C duration in milliseconds (saturating).\n\
              template <class I>\n\
              std::chrono::milliseconds c_millis(I ms) noexcept {\n\
              \x20   using Rep = std::chrono::milliseconds::rep;\n\
              \x20   if (ms > static_cast<I>(0) && static_cast<std::uint64_t>(ms) > static_cast<std::uint64_t>(std::numeric_limits<Rep>::max())) {\n\
              \x20       return std::chrono::milliseconds(std::numeric_limits<Rep>::max());\n    }\n\
              \x20   return std::chrono::milliseconds(static_cast<Rep>(ms));\n}\n\n";
        for r in &cs {
            b += &from_c(r);
        }
    }
    b += "}  // namespace detail\n\n";
    for r in records
        .iter()
        .filter(|r| is_outermost(&records, r) && is_json(r, "input"))
    {
        b += &format!(
            "inline std::string {0}::json() const {{\n    std::string out;\n\
             \x20   if (!detail::write_record(out, *this)) {{  // never echo the value\n\
             \x20       detail::fail(Status::invalid_argument, {1});\n    }}\n    return out;\n}}\n\n",
            r.name,
            lit(&format!("{}: a value is not valid UTF-8", snake(&r.name)))
        );
    }
    b += "}  // namespace moneykit\n";
    b
}

fn is_json(r: &Record, way: &str) -> bool {
    r.def.json.as_deref() == Some(way)
}

/// Not a field type of another record.
fn is_outermost(all: &[Record], r: &Record) -> bool {
    !all.iter().any(|o| {
        o.fields.iter().any(|(_, t)| {
            let mut t = t;
            while let RTy::List(inner) = t {
                t = inner;
            }
            *t == RTy::Record(r.name.clone())
        })
    })
}

/// The C++ member name of a field.
fn member(r: &Record, f: &RecordFieldDef) -> String {
    if f.ty == "int" {
        if let Some(stem) = f.name.strip_suffix("_ms") {
            let taken = r.fields.iter().any(|(o, _)| o.name == stem);
            return ident(&if taken {
                format!("{stem}_for")
            } else {
                stem.to_string()
            });
        }
    }
    ident(&f.name)
}

fn is_ms(f: &RecordFieldDef) -> bool {
    f.ty == "int" && f.name.ends_with("_ms")
}

fn value_type(r: &Record, t: &RTy) -> String {
    match t {
        RTy::Str => "std::string".into(),
        RTy::Bool => "bool".into(),
        RTy::Int(true) => "std::int64_t".into(),
        RTy::Int(false) if r.def.c.is_some() => "std::uint64_t".into(),
        RTy::Int(false) => "std::int64_t".into(),
        RTy::Float => "double".into(),
        RTy::Status => "Status".into(),
        RTy::Record(n) => n.clone(),
        RTy::List(inner) => format!("std::vector<{}>", value_type(r, inner)),
    }
}

fn field_type(r: &Record, f: &RecordFieldDef, t: &RTy) -> String {
    let v = if is_ms(f) {
        "std::chrono::milliseconds".to_string()
    } else {
        value_type(r, t)
    };
    if f.required {
        v
    } else {
        format!("std::optional<{v}>")
    }
}

fn initializer(f: &RecordFieldDef, t: &RTy) -> &'static str {
    if !f.required {
        return "";
    }
    if is_ms(f) {
        return "{0}";
    }
    match t {
        RTy::Bool => " = false",
        RTy::Int(_) | RTy::Float => " = 0",
        RTy::Status => " = Status::ok",
        _ => "",
    }
}

fn record_struct(all: &[Record], r: &Record) -> String {
    let mut b = doc(&r.def.doc, "");
    b += &format!("struct {} {{\n", r.name);
    for (f, t) in &r.fields {
        b += &doc(&f.doc, "    ");
        b += &format!(
            "    {} {}{};\n",
            field_type(r, f, t),
            member(r, f),
            initializer(f, t)
        );
    }
    if is_outermost(all, r) && is_json(r, "output") {
        b += "    /// The JSON exactly as the library returned it.\n    std::string json;\n";
    }
    if is_outermost(all, r) && is_json(r, "input") {
        b += "\n    /// The JSON the library takes (absent fields left out). Throws InvalidArgumentError\n\
              \x20   /// when a string is not valid UTF-8 (the message quotes none of it).\n\
              \x20   std::string json() const;\n";
    }
    b += "};\n\n";
    b
}

/// write_record: the record as a JSON object of its present fields; false when a string
/// was not valid UTF-8 (written with U+FFFD in its place).
fn writer(r: &Record) -> String {
    let mut b = format!(
        "inline bool write_record(std::string& out, const {}& v) {{\n    bool ok = true;\n    char sep = '{{';\n",
        r.name
    );
    for (f, t) in &r.fields {
        let m = member(r, f);
        let (open, expr, close) = if f.required {
            ("    {\n".to_string(), format!("v.{m}"), "    }\n")
        } else {
            (
                format!("    if (v.{m}) {{\n"),
                format!("(*v.{m})"),
                "    }\n",
            )
        };
        b += &open;
        b += &format!(
            "        out += sep;\n        sep = ',';\n        out += {};\n",
            lit(&format!("\"{}\":", f.name))
        );
        b += &write_value(t, &expr, 2, 1);
        b += close;
    }
    b += "    if (sep == '{') out += '{';\n    out += '}';\n    return ok;\n}\n\n";
    b
}

fn write_value(t: &RTy, expr: &str, depth: usize, n: usize) -> String {
    let pad = "    ".repeat(depth);
    match t {
        RTy::Str => format!("{pad}ok = append_json_string(out, {expr}) && ok;\n"),
        RTy::Bool => format!("{pad}out += {expr} ? \"true\" : \"false\";\n"),
        RTy::Int(_) => format!("{pad}out += std::to_string({expr});\n"),
        // std::to_string(double) follows the C locale: write floats by hand when one is needed.
        RTy::Float => panic!("records: no C++ JSON writer for floats yet"),
        RTy::Status => format!("{pad}out += std::to_string(static_cast<std::int32_t>({expr}));\n"),
        RTy::Record(_) => format!("{pad}ok = write_record(out, {expr}) && ok;\n"),
        RTy::List(inner) => format!(
            "{pad}out += '[';\n{pad}for (std::size_t i{n} = 0; i{n} < {expr}.size(); ++i{n}) {{\n\
             {pad}    if (i{n} != 0) out += ',';\n{}{pad}}}\n{pad}out += ']';\n",
            write_value(inner, &format!("{expr}[i{n}]"), depth + 1, n + 1)
        ),
    }
}

/// from_c: a copy of the record's C struct.
fn from_c(r: &Record) -> String {
    let c = r.def.c.as_deref().expect("a C record");
    let mut b = format!(
        "/// A copy of a {c} (its strings stay the caller's).\ninline {0} from_c(const {c}& c) {{\n    {0} out;\n",
        r.name
    );
    for (f, t) in &r.fields {
        let m = member(r, f);
        let name = &f.name;
        let ty = value_type(r, t);
        let value = match t {
            RTy::Str if f.required => format!("c.{name} ? std::string(c.{name}) : std::string()"),
            RTy::Str => format!("std::string(c.{name})"),
            RTy::Bool => format!("c.{name} != 0"),
            RTy::Int(_) if is_ms(f) => format!("c_millis(c.{name})"),
            RTy::Int(_) | RTy::Float | RTy::Status => format!("static_cast<{ty}>(c.{name})"),
            other => panic!("record {}: no C mapping for {other:?}", r.name),
        };
        if f.required {
            b += &format!("    out.{m} = {value};\n");
        } else {
            let present = match t {
                RTy::Str => format!("c.{name}"),
                RTy::Int(true) => format!("c.{name} >= 0"),
                RTy::Int(false) => format!("c.{name} > 0"),
                other => panic!("record {}: no C absent value for {other:?}", r.name),
            };
            b += &format!("    if ({present}) out.{m} = {value};\n");
        }
    }
    b += "    return out;\n}\n\n";
    b
}

/// Records with every record a field names first, otherwise in schema order.
fn dependency_order(s: &Schema) -> Vec<Record> {
    fn visit(all: &[Record], name: &str, done: &mut Vec<String>, out: &mut Vec<Record>) {
        if done.iter().any(|d| d == name) {
            return;
        }
        done.push(name.to_string());
        let r = all.iter().find(|r| r.name == name).expect("a record");
        for (_, t) in &r.fields {
            let mut t = t;
            while let RTy::List(inner) = t {
                t = inner;
            }
            if let RTy::Record(child) = t {
                visit(all, child, done, out);
            }
        }
        out.push(r.clone());
    }
    let all = s.records();
    let (mut done, mut out) = (Vec::new(), Vec::new());
    for r in &all {
        visit(&all, &r.name, &mut done, &mut out);
    }
    out
}

/// The records' structs as a C++ block for bindings/cpp/README.md.
pub fn readme_records(s: &Schema) -> String {
    let all = s.records();
    let mut b = String::from("```cpp\n");
    for r in &all {
        b += &format!("struct {} {{\n", r.name);
        for (f, t) in &r.fields {
            b += &format!("    {} {};\n", field_type(r, f, t), member(r, f));
        }
        if is_outermost(&all, r) && is_json(r, "output") {
            b += "    std::string json;  // as the library returned it\n";
        }
        if is_outermost(&all, r) && is_json(r, "input") {
            b += "    std::string json() const;  // what the library takes\n";
        }
        b += "};\n";
    }
    b + "```\n"
}
