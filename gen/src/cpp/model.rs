//! model.hpp: the open enums and one struct per schema object; canonical.hpp: their
//! canonical_dump() (JSON text written by hand: no JSON library in the model). The
//! structs are filled from the C typed view by view.hpp.

use super::{doc, ident, lit, snake};
use crate::schema::{Field, Object, Schema, Ty};

pub fn model_hpp(s: &Schema) -> String {
    let objects = dependency_order(s);
    let mut b = String::from(
        "#include \"decimal.hpp\"\n#include \"timestamp.hpp\"\n\n\
         #include <chrono>\n#include <cstddef>\n#include <map>\n#include <optional>\n\
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
    b += "}  // namespace moneykit\n\n\
          // canonical_dump() (its own header, so that this one stays readable).\n\
          #include \"canonical.hpp\"  // IWYU pragma: export\n";
    b
}

/// canonical.hpp: the canonical dump of every object, written as JSON text.
pub fn canonical_hpp(s: &Schema) -> String {
    let objects = dependency_order(s);
    let mut b = String::from(
        "#include \"json_text.hpp\"\n#include \"model.hpp\"\n\n#include <cstddef>\n#include <string>\n\n\
         namespace moneykit {\n\n",
    );
    b += "namespace detail {\n\n/// Appends the canonical dump of a value (schema/README.md) to `out`; with `numbers`,\n\
          /// decimals are JSON numbers (their canonical text), which makes a body the library accepts.\n";
    for o in &objects {
        b += &format!(
            "inline void write_canonical(std::string& out, const {}& v, bool numbers = false);\n",
            o.name_in("cpp")
        );
    }
    b += "\n";
    for o in &objects {
        b += &format!(
            "inline void write_canonical(std::string& out, const {}& v, bool numbers) {{\n\
             \x20   (void)numbers;  // read by decimals and nested objects only\n",
            o.name_in("cpp")
        );
        for (i, f) in o.fields.iter().enumerate() {
            let open = if i == 0 { "{" } else { "," };
            b += &format!("    out += {};\n", lit(&format!("{open}\"{}\":", f.name())));
            let expr = format!("v.{}", ident(f.name()));
            b += &write_code(&f.ty, &expr, f.required(), 1, 1);
        }
        if o.fields.is_empty() {
            b += "    out += '{';\n";
        }
        b += "    out += '}';\n}\n\n";
    }
    b += "}  // namespace detail\n\n";
    for o in &objects {
        b += &format!(
            "inline std::string {}::canonical_dump() const {{\n    std::string out;\n    detail::write_canonical(out, *this);\n    return out;\n}}\n\n",
            o.name_in("cpp")
        );
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
        let text = if f.ty == Ty::Opaque {
            format!("{} The JSON text as sent.", f.def.doc)
        } else {
            f.def.doc.clone()
        };
        b += &doc(&text, "    ");
        b += &format!("    {} {};\n", field_type(s, f), ident(f.name()));
    }
    for f in &o.fields {
        if let Ty::Enum(e) = &f.ty {
            b += &kind_method(f, e);
        }
    }
    if o.name == s.root {
        b += "\n    /// Decodes a Get Identity body (from Client::get_identity_json, a cache, a file):\n\
              \x20   /// the library checks it (DecodeError naming the JSON path and the expected type,\n\
              \x20   /// never a value) and builds its typed view (mk_identity_parse), which is copied here.\n\
              \x20   static IdentityResponse parse(std::string_view json);\n\n\
              \x20   /// link.products[\"identity\"].refreshed_at as a time point: poll by comparing it with\n\
              \x20   /// an earlier response's (no increase = no new data). std::nullopt when absent, null\n\
              \x20   /// or beyond the range of std::chrono::system_clock.\n\
              \x20   std::optional<std::chrono::system_clock::time_point> refreshed_at() const;\n";
    }
    b += "\n    /// The canonical dump (schema/README.md) as JSON text: every schema field, nulls\n\
          \x20   /// explicit, decimals and timestamps as canonical strings, opaque values as sent.\n\
          \x20   std::string canonical_dump() const;\n};\n\n";
    b
}

/// C++ statements (at `depth` levels of 4 spaces) that append the canonical dump of `expr`,
/// a value of type `t` (a std::optional of it unless `required`). `n` numbers loop variables.
fn write_code(t: &Ty, expr: &str, required: bool, depth: usize, n: usize) -> String {
    let pad = "    ".repeat(depth);
    if !required {
        return format!(
            "{pad}if ({expr}) {{\n{}{pad}}} else {{\n{pad}    out += \"null\";\n{pad}}}\n",
            write_code(t, &format!("(*{expr})"), true, depth + 1, n)
        );
    }
    match t {
        Ty::Str | Ty::Enum(_) => format!("{pad}append_json_string(out, {expr});\n"),
        Ty::Bool => format!("{pad}out += {expr} ? \"true\" : \"false\";\n"),
        Ty::Decimal => format!(
            "{pad}if (numbers) {{\n{pad}    out += {expr}.canonical();\n{pad}}} else {{\n\
             {pad}    append_json_string(out, {expr}.canonical());\n{pad}}}\n"
        ),
        Ty::Timestamp => format!("{pad}append_json_string(out, {expr}.canonical());\n"),
        // The JSON text as sent (the library checked it is JSON).
        Ty::Opaque => format!("{pad}out += {expr};\n"),
        Ty::Object(_) => format!("{pad}write_canonical(out, {expr}, numbers);\n"),
        Ty::List(inner) => format!(
            "{pad}out += '[';\n{pad}for (std::size_t i{n} = 0; i{n} < {expr}.size(); ++i{n}) {{\n\
             {pad}    if (i{n} != 0) out += ',';\n{}{pad}}}\n{pad}out += ']';\n",
            write_code(inner, &format!("{expr}[i{n}]"), true, depth + 1, n + 1)
        ),
        Ty::Map(inner) => format!(
            "{pad}out += '{{';\n{pad}bool first{n} = true;\n{pad}for (const auto& e{n} : {expr}) {{\n\
             {pad}    if (!first{n}) out += ',';\n{pad}    first{n} = false;\n\
             {pad}    append_json_string(out, e{n}.first);\n{pad}    out += ':';\n{}{pad}}}\n{pad}out += '}}';\n",
            write_code(inner, &format!("e{n}.second"), true, depth + 1, n + 1)
        ),
    }
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
        Ty::Opaque => "std::string".into(),
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
