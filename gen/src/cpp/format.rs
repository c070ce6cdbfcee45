//! format.hpp: `operator<<` of the model structs and of the input records (the
//! owner-match claim), which never prints owner data: `std::cout << identity` shows
//! ids and counts.
//!
//! What each field shows (the rule of the Go binding's String, gen/src/go/format.rs):
//! - strings named `*_id`, enum values, booleans and timestamps: the value;
//! - lists and maps: `len N` (an optional one only when present);
//! - objects: their own `operator<<`;
//! - any other string (names, emails, phone numbers, addresses, account names and
//!   masks), decimals (amounts) and opaque JSON: nothing;
//! - input records (the claim, all of whose strings are owner data): `given` for a
//!   value that is set.
//!
//! Absent optional values show nothing.

use super::ident;
use crate::records::{RTy, Record};
use crate::schema::{Field, Object, Schema, Ty};

fn is_id(key: &str) -> bool {
    key.ends_with("_id")
}

/// The statement that writes one model field through `f` (detail::Fields), or "".
fn object_field(fd: &Field) -> String {
    let key = fd.name();
    let member = ident(key);
    let required = fd.required();
    // How a present value is written: `v` the value, `size` its size (lists, maps).
    let write = |v: &str, size: &str| -> Option<String> {
        match &fd.ty {
            Ty::Str if is_id(key) => Some(format!("f.field(\"{key}\", {v});")),
            Ty::Enum(_) | Ty::Timestamp | Ty::Object(_) => {
                Some(format!("f.field(\"{key}\", {v});"))
            }
            Ty::Bool => Some(format!("f.flag(\"{key}\", {v});")),
            Ty::List(_) | Ty::Map(_) => Some(format!("f.count(\"{key}\", {size});")),
            _ => None,
        }
    };
    if required {
        write(&format!("x.{member}"), &format!("x.{member}.size()"))
            .map(|s| format!("    {s}\n"))
            .unwrap_or_default()
    } else {
        write(&format!("*x.{member}"), &format!("x.{member}->size()"))
            .map(|s| format!("    if (x.{member}) {s}\n"))
            .unwrap_or_default()
    }
}

fn object_def(o: &Object) -> String {
    let name = o.name_in("cpp");
    let mut b = format!(
        "inline std::ostream& operator<<(std::ostream& os, const {name}& x) {{\n\
         \x20   detail::Fields f(os, \"{name}\");\n"
    );
    let body: String = o.fields.iter().map(object_field).collect();
    if body.is_empty() {
        b += "    (void)x;\n";
    }
    b += &body;
    b += "    return f.close();\n}\n\n";
    b
}

fn record_def(r: &Record) -> String {
    let name = &r.name;
    let mut b = format!(
        "inline std::ostream& operator<<(std::ostream& os, const {name}& x) {{\n\
         \x20   detail::Fields f(os, \"{name}\");\n"
    );
    for (fd, ty) in &r.fields {
        let key = &fd.name;
        let member = ident(key);
        b += &match (ty, fd.required) {
            (RTy::Str, true) => {
                format!("    if (!x.{member}.empty()) f.field(\"{key}\", \"given\");\n")
            }
            (RTy::Str, false) => format!(
                "    if (x.{member} && !x.{member}->empty()) f.field(\"{key}\", \"given\");\n"
            ),
            (RTy::Record(_), true) => format!("    f.field(\"{key}\", x.{member});\n"),
            (RTy::Record(_), false) => {
                format!("    if (x.{member}) f.field(\"{key}\", *x.{member});\n")
            }
            (other, _) => panic!(
                "format: input record {} field {}: no rule for {other:?}",
                r.name, fd.name
            ),
        };
    }
    b += "    return f.close();\n}\n\n";
    b
}

pub fn format_hpp(s: &Schema) -> String {
    let objects = s.objects();
    let inputs: Vec<Record> = s
        .records()
        .into_iter()
        .filter(|r| r.def.json.as_deref() == Some("input"))
        .collect();
    let mut b = String::from(
        "#include \"model.hpp\"\n#include \"records.hpp\"\n\n#include <cstddef>\n#include <ostream>\n\n\
         namespace moneykit {\n\n\
         // operator<< of the model structs and of the claim: ids (fields named *_id), enum values,\n\
         // flags, timestamps and the sizes of lists and maps, never names, emails, phone numbers,\n\
         // addresses, amounts or other text; the claim shows which values are given. Safe to log.\n\
         // The data stays in the fields.\n\n\
         namespace detail {\n\n\
         /// Writes `Name{key: value, ...}`.\n\
         class Fields {\n\
         public:\n\
         \x20   Fields(std::ostream& os, const char* name) : os_(os) { os_ << name << '{'; }\n\
         \x20   template <class T>\n\
         \x20   void field(const char* key, const T& value) {\n\
         \x20       separate();\n\
         \x20       os_ << key << \": \" << value;\n\
         \x20   }\n\
         \x20   void flag(const char* key, bool value) { field(key, value ? \"true\" : \"false\"); }\n\
         \x20   void count(const char* key, std::size_t n) {\n\
         \x20       separate();\n\
         \x20       os_ << key << \": len \" << n;\n\
         \x20   }\n\
         \x20   std::ostream& close() { return os_ << '}'; }\n\n\
         private:\n\
         \x20   void separate() {\n\
         \x20       if (n_++ != 0) os_ << \", \";\n\
         \x20   }\n\
         \x20   std::ostream& os_;\n\
         \x20   std::size_t n_ = 0;\n\
         };\n\n\
         }  // namespace detail\n\n",
    );
    // Declarations first: a struct's operator uses those of the structs it holds.
    for o in &objects {
        b += &format!(
            "inline std::ostream& operator<<(std::ostream& os, const {}& x);\n",
            o.name_in("cpp")
        );
    }
    for r in &inputs {
        b += &format!(
            "inline std::ostream& operator<<(std::ostream& os, const {}& x);\n",
            r.name
        );
    }
    b += "\n";
    for o in &objects {
        b += &object_def(o);
    }
    for r in &inputs {
        b += &record_def(r);
    }
    b += "}  // namespace moneykit\n";
    b
}
