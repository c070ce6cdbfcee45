//! view.hpp: the builder that copies the C typed view (include/moneykit.h, `mk_identity_*`)
//! into the model's structs, one `detail::from_view` overload per schema object; and
//! probe.hpp: a minimal identity body around one timestamp field, which lets
//! Timestamp::parse use the library's own timestamp grammar.

use super::{ident, lit};
use crate::schema::{snake, Object, Schema, Ty};

/// The C struct of an object (`mk_account`), as c_view.rs names it.
fn c_struct(o: &Object) -> String {
    format!(
        "mk_{}",
        o.def
            .names
            .get("c")
            .cloned()
            .unwrap_or_else(|| snake(&o.name))
    )
}

pub fn view_hpp(s: &Schema) -> String {
    let objects = s.objects();
    let mut b = String::from(
        "#include \"moneykit.h\"\n\n#include \"decimal.hpp\"\n#include \"model.hpp\"\n\
         #include \"timestamp.hpp\"\n\n#include <cstddef>\n#include <map>\n#include <optional>\n\
         #include <string>\n#include <string_view>\n#include <vector>\n\n\
         namespace moneykit {\nnamespace detail {\n\n\
         // from_view(c) copies one value of the C typed view into its C++ type: every string is\n\
         // copied (the view dies with its handle), a decimal keeps its text, a timestamp its text,\n\
         // instant and kind. The library built the view from a body it accepted: nothing here\n\
         // checks or rejects anything.\n\n\
         inline std::string from_view(const mk_str& v) { return v.ptr ? std::string(v.ptr, v.len) : std::string(); }\n\
         inline bool from_view(mk_opt_bool v) noexcept { return v == MK_BOOL_TRUE; }\n\
         inline Decimal from_view(const mk_decimal& v) {\n\
         \x20   return v.text.ptr ? Decimal(std::string_view(v.text.ptr, v.text.len)) : Decimal();\n}\n\
         inline Timestamp from_view(const mk_timestamp& v) { return Timestamp::from_view(v); }\n\n",
    );
    for o in &objects {
        b += &format!(
            "inline {} from_view(const {}& v);\n",
            o.name_in("cpp"),
            c_struct(o)
        );
    }
    b += "\n/// A list of the view (`len` items at `items`; NULL only when absent).\n\
          template <class C>\n\
          auto view_list(const C* items, std::size_t len) {\n\
          \x20   std::vector<decltype(from_view(*items))> out;\n\
          \x20   out.reserve(len);\n\
          \x20   for (std::size_t i = 0; i < len; ++i) out.push_back(from_view(items[i]));\n\
          \x20   return out;\n}\n\n\
          /// A map of the view: entries sorted by key, null values already dropped.\n\
          template <class E>\n\
          auto view_map(const E* entries, std::size_t len) {\n\
          \x20   std::map<std::string, decltype(from_view(entries->value))> out;\n\
          \x20   for (std::size_t i = 0; i < len; ++i) {\n\
          \x20       out.emplace_hint(out.end(), from_view(entries[i].key), from_view(entries[i].value));\n\
          \x20   }\n\
          \x20   return out;\n}\n\n";
    for o in &objects {
        b += &format!(
            "inline {} from_view(const {}& v) {{\n    {} out;\n",
            o.name_in("cpp"),
            c_struct(o),
            o.name_in("cpp")
        );
        for f in &o.fields {
            let c = f.name();
            let cpp = ident(f.name());
            let value = match &f.ty {
                Ty::List(_) => format!("view_list(v.{c}, v.{c}_len)"),
                Ty::Map(_) => format!("view_map(v.{c}, v.{c}_len)"),
                Ty::Object(_) if !f.required() => format!("from_view(*v.{c})"),
                _ => format!("from_view(v.{c})"),
            };
            if f.required() {
                b += &format!("    out.{cpp} = {value};\n");
            } else {
                let present = match &f.ty {
                    Ty::Str | Ty::Enum(_) | Ty::Opaque => format!("v.{c}.ptr"),
                    Ty::Decimal | Ty::Timestamp => format!("v.{c}.text.ptr"),
                    Ty::Bool => format!("v.{c} != MK_BOOL_ABSENT"),
                    Ty::Object(_) | Ty::List(_) | Ty::Map(_) => format!("v.{c}"),
                };
                b += &format!("    if ({present}) out.{cpp} = {value};\n");
            }
        }
        b += "    return out;\n}\n\n";
    }
    b += "}  // namespace detail\n}  // namespace moneykit\n";
    b
}

/// A minimal body of `o` (its required fields only); `probe` (object name, field) is written
/// last in its object as `"field":` followed by the hole `\u{0}`.
pub(crate) fn minimal(s: &Schema, o: &Object, probe: &(String, String)) -> String {
    let mut parts = Vec::new();
    for f in o.fields.iter().filter(|f| f.required()) {
        if o.name == probe.0 && f.name() == probe.1 {
            continue;
        }
        let value = match &f.ty {
            Ty::Str | Ty::Enum(_) => "\"\"".to_string(),
            Ty::Bool => "false".into(),
            Ty::Decimal => "0".into(),
            Ty::Timestamp => "\"1970-01-01\"".into(),
            Ty::Opaque | Ty::Map(_) => "{}".into(),
            Ty::List(_) => "[]".into(),
            Ty::Object(n) => minimal(s, &s.object(n), probe),
        };
        parts.push(format!("{}:{value}", lit(f.name())));
    }
    if o.name == probe.0 {
        parts.push(format!("{}:\u{0}", lit(&probe.1)));
    }
    format!("{{{}}}", parts.join(","))
}

/// The first timestamp field reachable from the root through required (inline) objects:
/// (object, field) and the C access path from the root struct.
pub(crate) fn probe_field(
    s: &Schema,
    o: &Object,
    path: &str,
) -> Option<((String, String), String)> {
    for f in &o.fields {
        if f.ty == Ty::Timestamp {
            return Some((
                (o.name.clone(), f.name().to_string()),
                format!("{path}.{}", f.name()),
            ));
        }
    }
    for f in o.fields.iter().filter(|f| f.required()) {
        if let Ty::Object(n) = &f.ty {
            if let Some(found) = probe_field(s, &s.object(n), &format!("{path}.{}", f.name())) {
                return Some(found);
            }
        }
    }
    None
}

pub fn probe_hpp(s: &Schema) -> String {
    let root = s.object(&s.root);
    let (probe, path) = probe_field(s, &root, "root")
        .expect("the schema needs a timestamp field reachable through required objects");
    let doc = minimal(s, &root, &probe);
    let (head, tail) = doc.split_once('\u{0}').expect("the probe's hole");
    format!(
        "#include \"moneykit.h\"\n\nnamespace moneykit {{\nnamespace detail {{\n\n\
         /// The smallest Get Identity body the library accepts, with one timestamp field\n\
         /// ({}.{}) left open: timestamp_probe_head, then the timestamp as a JSON string, then\n\
         /// timestamp_probe_tail.\n\
         /// Timestamp::parse reads a text through it, so the library's grammar is the only one.\n\
         inline constexpr const char* timestamp_probe_head = {};\n\
         inline constexpr const char* timestamp_probe_tail = {};\n\n\
         /// The probed field in the view of that body.\n\
         inline const mk_timestamp& timestamp_probe_field(const {}& root) noexcept {{\n\
         \x20   return {path};\n}}\n\n}}  // namespace detail\n}}  // namespace moneykit\n",
        probe.0,
        probe.1,
        lit(head),
        lit(tail),
        c_struct(&root),
    )
}
