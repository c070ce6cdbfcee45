//! model.hpp: the open enums, one struct per schema object, their Reader
//! specialisations (DOM -> struct, never rejecting) and canonical_dump().

use super::{doc, ident, lit, snake};
use crate::schema::{Field, Object, Schema, Ty};

pub fn model_hpp(s: &Schema) -> String {
    let objects = dependency_order(s);
    let mut b = String::from(
        "#include \"decimal.hpp\"\n#include \"dom.hpp\"\n#include \"mapping.hpp\"\n#include \"timestamp.hpp\"\n\n\
         #include <nlohmann/json.hpp>\n\n#include <chrono>\n#include <map>\n#include <optional>\n\
         #include <string>\n#include <string_view>\n#include <vector>\n\nnamespace moneykit {\n\n\
         // Open enums: fields keep the text as sent (std::string); these name the values\n\
         // this header knows. Values newer than the header read as `unknown`.\n\n",
    );
    for (name, def) in s.enums() {
        let mut values: Vec<String> = def.values.iter().map(|v| ident(v)).collect();
        if !values.iter().any(|v| v == "unknown") {
            values.push("unknown".into());
        }
        let note = if def.values.iter().any(|v| v == "unknown") {
            " Its own `unknown` value and values newer than this header are both `unknown`."
        } else {
            ""
        };
        b += &doc(&format!("{}{note}", def.doc), "");
        b += &format!("enum class {name} {{ {} }};\n\n", values.join(", "));
        b += &format!(
            "/// `text` as a {name}; {name}::unknown for a value this header does not know.\n\
             inline {name} {}_of(std::string_view text) noexcept {{\n",
            snake(&name)
        );
        for v in &def.values {
            b += &format!("    if (text == {}) return {name}::{};\n", lit(v), ident(v));
        }
        b += &format!("    return {name}::unknown;\n}}\n\n");
    }
    for o in &objects {
        b += &object_struct(s, o);
    }
    b += "namespace detail {\n\n";
    for o in &objects {
        b += &format!(
            "template <>\nstruct Reader<{0}> {{\n    static bool read(const Json& v, {0}& out);\n}};\n\n",
            o.name_in("cpp")
        );
    }
    for o in &objects {
        let cpp = o.name_in("cpp");
        b += &format!(
            "inline bool Reader<{cpp}>::read(const Json& v, {cpp}& out) {{\n    if (!v.is_object()) return false;\n"
        );
        for f in &o.fields {
            b += &format!(
                "    field(v, {}, out.{});\n",
                lit(f.name()),
                ident(f.name())
            );
        }
        b += "    return true;\n}\n\n";
    }
    b += "}  // namespace detail\n\n";
    for o in &objects {
        b += &format!(
            "inline nlohmann::json {}::canonical_dump() const {{\n    nlohmann::json out = nlohmann::json::object();\n",
            o.name_in("cpp")
        );
        for f in &o.fields {
            b += &format!(
                "    out[{}] = detail::dump({});\n",
                lit(f.name()),
                ident(f.name())
            );
        }
        b += "    return out;\n}\n\n";
    }
    b += "}  // namespace moneykit\n";
    b
}

/// The structs' fields as a C++ block for bindings/cpp/README.md, in schema order.
pub fn readme_structs(s: &Schema) -> String {
    let mut b = String::from("```cpp\n");
    for o in s.objects() {
        b += &format!("struct {} {{\n", o.name_in("cpp"));
        for f in &o.fields {
            b += &format!("    {} {};\n", field_type(s, f), ident(f.name()));
        }
        b += "};\n";
    }
    b + "```\n"
}

fn object_struct(s: &Schema, o: &Object) -> String {
    let cpp = o.name_in("cpp");
    let mut b = doc(&o.def.doc, "");
    b += &format!("struct {cpp} {{\n");
    for f in &o.fields {
        b += &doc(&f.def.doc, "    ");
        b += &format!("    {} {};\n", field_type(s, f), ident(f.name()));
    }
    for f in &o.fields {
        if let Ty::Enum(e) = &f.ty {
            b += &kind_method(f, e);
        }
    }
    if o.name == s.root {
        b += "\n    /// Decodes a Get Identity body (from Client::get_identity_json, a cache, a file):\n\
              \x20   /// the library checks it first (DecodeError naming the JSON path and the expected\n\
              \x20   /// type, never a value), then every field is mapped.\n\
              \x20   static IdentityResponse parse(std::string_view json);\n\n\
              \x20   /// link.products[\"identity\"].refreshed_at as a time point: poll by comparing it with\n\
              \x20   /// an earlier response's (no increase = no new data). std::nullopt when absent, null\n\
              \x20   /// or beyond the range of std::chrono::system_clock.\n\
              \x20   std::optional<std::chrono::system_clock::time_point> refreshed_at() const;\n";
    }
    b += "\n    /// The canonical dump (schema/README.md): every schema field, nulls explicit,\n\
          \x20   /// decimals and timestamps as canonical strings.\n\
          \x20   nlohmann::json canonical_dump() const;\n};\n\n";
    b
}

/// `type` -> `kind()`, `state` -> `state_kind()`: the field as its enum.
fn kind_method(f: &Field, enum_name: &str) -> String {
    let method = if f.name() == "type" {
        "kind".to_string()
    } else {
        format!("{}_kind", f.name())
    };
    let of = format!("{}_of", snake(enum_name));
    let field = ident(f.name());
    if f.required() {
        format!(
            "    /// {field} as a {enum_name} (unknown for a value newer than this header).\n\
             \x20   {enum_name} {method}() const noexcept {{ return {of}({field}); }}\n"
        )
    } else {
        format!(
            "    /// {field} as a {enum_name} (unknown for a value newer than this header).\n\
             \x20   std::optional<{enum_name}> {method}() const noexcept {{\n\
             \x20       if (!{field}) return std::nullopt;\n\
             \x20       return {of}(*{field});\n    }}\n"
        )
    }
}

fn field_type(s: &Schema, f: &Field) -> String {
    let t = value_type(s, &f.ty);
    if f.required() {
        t
    } else {
        format!("std::optional<{t}>")
    }
}

fn value_type(s: &Schema, t: &Ty) -> String {
    match t {
        Ty::Str | Ty::Enum(_) => "std::string".into(),
        Ty::Bool => "bool".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Timestamp => "Timestamp".into(),
        Ty::Opaque => "nlohmann::json".into(),
        Ty::Object(name) => s.object(name).name_in("cpp"),
        Ty::List(inner) => format!("std::vector<{}>", value_type(s, inner)),
        Ty::Map(inner) => format!("std::map<std::string, {}>", value_type(s, inner)),
    }
}

/// Objects with every object a field names before the object itself (C++ needs
/// complete types in std::optional and std::map), otherwise in schema order.
fn dependency_order(s: &Schema) -> Vec<Object> {
    fn visit(s: &Schema, name: &str, done: &mut Vec<String>, out: &mut Vec<Object>) {
        if done.iter().any(|d| d == name) {
            return;
        }
        done.push(name.to_string());
        let o = s.object(name);
        for f in &o.fields {
            let mut t = &f.ty;
            while let Ty::List(inner) | Ty::Map(inner) = t {
                t = inner;
            }
            if let Ty::Object(child) = t {
                visit(s, child, done, out);
            }
        }
        out.push(o);
    }
    let (mut done, mut out) = (Vec::new(), Vec::new());
    for o in s.objects() {
        visit(s, &o.name, &mut done, &mut out);
    }
    out
}
