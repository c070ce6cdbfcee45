//! The C++ emitter (see main.rs): the generated headers under bindings/cpp/moneykit/.
//! Hand-written headers there hold the per-language code (Error, Decimal, Timestamp,
//! the JSON text helpers, the client); these files hold everything the schema decides:
//! statuses and errors, the model and its canonical dump, the builder from the C typed
//! view, the records (match, batch, event), the option builders, operator<< (ids and
//! counts, never owner data) and the typed webhook events.

mod format;
mod model;
mod options;
mod records;
mod status;
pub(crate) mod view;
mod webhooks;

use crate::out::{Comment, Out};
use crate::schema::Schema;

/// Where the generated headers go.
const DIR: &str = "bindings/cpp/moneykit";

pub fn emit(s: &Schema, out: &mut Out) {
    header(
        out,
        "status.hpp",
        "MONEYKIT_STATUS_HPP",
        &status::status_hpp(s),
    );
    header(
        out,
        "error_json.hpp",
        "MONEYKIT_ERROR_JSON_HPP",
        &status::error_json_hpp(s),
    );
    header(
        out,
        "exceptions.hpp",
        "MONEYKIT_EXCEPTIONS_HPP",
        &status::exceptions_hpp(s),
    );
    header(out, "model.hpp", "MONEYKIT_MODEL_HPP", &model::model_hpp(s));
    header(
        out,
        "canonical.hpp",
        "MONEYKIT_CANONICAL_HPP",
        &model::canonical_hpp(s),
    );
    header(out, "view.hpp", "MONEYKIT_VIEW_HPP", &view::view_hpp(s));
    header(out, "probe.hpp", "MONEYKIT_PROBE_HPP", &view::probe_hpp(s));
    header(
        out,
        "records.hpp",
        "MONEYKIT_RECORDS_HPP",
        &records::records_hpp(s),
    );
    header(
        out,
        "format.hpp",
        "MONEYKIT_FORMAT_HPP",
        &format::format_hpp(s),
    );
    header(
        out,
        "webhook_events.hpp",
        "MONEYKIT_WEBHOOK_EVENTS_HPP",
        &webhooks::webhook_events_hpp(s),
    );
    header(
        out,
        "options.hpp",
        "MONEYKIT_OPTIONS_HPP",
        &options::options_hpp(s),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-model",
        &model::readme_structs(s),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-options",
        &options::readme_options(&s.options),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-batch-options",
        &options::readme_options(&s.batch_options),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-refresh-options",
        &options::readme_options(&s.refresh_options),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-webhook-options",
        &options::readme_options(&s.webhook_options),
    );
    out.region(
        "bindings/cpp/README.md",
        "cpp-records",
        &records::readme_records(s),
    );
}

/// A generated header: the notice, an include guard and `body` (includes and code).
fn header(out: &mut Out, name: &str, guard: &str, body: &str) {
    let text = format!(
        "// moneykit/{name} (part of moneykit.hpp). To change it, edit schema/moneykit.json\n\
         // or gen/src/cpp/ and run `make gen`.\n\
         #ifndef {guard}\n#define {guard}\n\n{body}\n#endif  // {guard}\n"
    );
    out.file(&format!("{DIR}/{name}"), Comment::Slash, &text);
}

/// `PhoneNumberType` -> `phone_number_type`.
fn snake(name: &str) -> String {
    let mut s = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

/// A schema value (`awaiting_token_exchange`, `depository.checking`) as a C++ identifier.
fn ident(value: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "auto",
        "bool",
        "break",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "double",
        "else",
        "enum",
        "explicit",
        "export",
        "extern",
        "false",
        "float",
        "for",
        "friend",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "namespace",
        "new",
        "operator",
        "private",
        "protected",
        "public",
        "register",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "typedef",
        "typename",
        "union",
        "unsigned",
        "using",
        "virtual",
        "void",
        "volatile",
        "while",
    ];
    let mut id: String = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&id.as_str()) {
        id.push('_');
    }
    id
}

/// A C++ string literal.
fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// A doc text as `///` lines at `indent`, wrapped at about 100 columns.
fn doc(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + 4 + line.len() + 1 + word.len() > 100 {
            out.push_str(&format!("{indent}/// {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}/// {line}\n"));
    }
    out
}
