//! The core's batch, refresh and webhook verifier options (src/core/call_options_gen.rs)
//! from the schema's `batch_options`, `refresh_options` and `webhook_options`: for each
//! set, the public struct with its `Default`, the key list, one bounds constant per option
//! (key, default, inclusive bounds, help text; the CLI's flags take theirs from these) and
//! the strict JSON reader (`from_json`) that checks every bound.
//!
//! Type rule: an `int` option is a `u32` in the struct (its JSON is read as a `u64`, so a
//! larger number is "out of range", not a type error; the emitter checks the bounds fit a
//! `u32`); a `float` option is an `f64`; a `string` option (default `null`) is an
//! `Option<String>` of printable ASCII, at most 1024 bytes (these sets' strings are sent as
//! HTTP headers). Other option types are not used by these sets and stop the generator.

use super::capitalise;
use crate::out::{Comment, Out};
use crate::rust::rustfmt;
use crate::schema::{pascal, upper, wrap, OptionDef, Schema};
use std::fmt::Write;

/// One option set: `batch` (`BatchOptions`, `batch_option::*`) or `refresh`.
struct Set<'a> {
    /// `batch` or `refresh`: names the struct, the constants and the messages.
    stem: &'a str,
    /// What the struct is for, the first line of its documentation.
    purpose: &'a str,
    options: &'a [OptionDef],
}

/// The shared bounds types and their checks, written once at the top of the file.
const PRELUDE: &str = r#"//! The batch, refresh and webhook verifier options (schema/moneykit.json `batch_options`,
//! `refresh_options` and `webhook_options`, docs/C-API.md "Batches", "Refresh and wait" and
//! "Webhooks"): the structs, their defaults, bounds and JSON readers. Every key is optional
//! and `null` is the default; unknown keys, wrong types, keys given twice and numbers out of
//! range are refused, and no message quotes more than a number (never a string's value).

use super::{input_json, Error};
use serde::Deserialize;

/// An integer option's key, default, inclusive bounds and help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntBounds {
    pub key: &'static str,
    pub default: u32,
    pub min: u32,
    pub max: u32,
    /// The schema's description, capitalised, without a final period.
    pub help: &'static str,
}

impl IntBounds {
    /// `None` (absent or null) is the default; a number outside the bounds is refused:
    /// `<what> <key> = <n> is out of range (<min> .. <max>)`.
    pub fn check(&self, what: &str, v: Option<u64>) -> Result<u32, Error> {
        match v {
            None => Ok(self.default),
            Some(n) if (u64::from(self.min)..=u64::from(self.max)).contains(&n) => {
                Ok(n as u32)
            }
            Some(n) => Err(Error::invalid(format!(
                "{what} {} = {n} is out of range ({} .. {})",
                self.key, self.min, self.max
            ))),
        }
    }
}

/// A number option's key, default, inclusive bounds and help text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatBounds {
    pub key: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// The schema's description, capitalised, without a final period.
    pub help: &'static str,
}

impl FloatBounds {
    /// As [`IntBounds::check`].
    pub fn check(&self, what: &str, v: Option<f64>) -> Result<f64, Error> {
        match v {
            None => Ok(self.default),
            Some(f) if (self.min..=self.max).contains(&f) => Ok(f),
            Some(f) => Err(Error::invalid(format!(
                "{what} {} = {f} is out of range ({} .. {})",
                self.key, self.min, self.max
            ))),
        }
    }
}

/// A string option's key, longest accepted length and help text (default: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrBounds {
    pub key: &'static str,
    /// Longest accepted value, in bytes.
    pub max_len: usize,
    /// The schema's description, capitalised, without a final period.
    pub help: &'static str,
}

impl StrBounds {
    /// `None` (absent or null) stays `None`; an empty value, one longer than `max_len` or
    /// one that is not printable ASCII (it is sent as an HTTP header) is refused. The
    /// message never quotes the value.
    pub fn check(&self, what: &str, v: Option<String>) -> Result<Option<String>, Error> {
        let Some(v) = v else { return Ok(None) };
        let problem = if v.is_empty() {
            "is empty".to_string()
        } else if v.len() > self.max_len {
            format!("is longer than {} bytes", self.max_len)
        } else if !v.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            "must be printable ASCII (it is sent as an HTTP header)".to_string()
        } else {
            return Ok(Some(v));
        };
        Err(Error::invalid(format!("{what} {} {problem}", self.key)))
    }
}
"#;

/// An option's default, `min` or `max` (`part`) as a JSON number.
fn number(o: &OptionDef, part: &str) -> serde_json::Number {
    let n = match part {
        "default" => o.default.as_number().cloned(),
        "min" => o.min.clone(),
        _ => o.max.clone(),
    };
    n.unwrap_or_else(|| panic!("option {}: {part} must be a number", o.key))
}

/// `1` -> `1.0`: an `f64` literal.
fn float_lit(o: &OptionDef, part: &str) -> String {
    let f = number(o, part).as_f64().expect("a JSON number is an f64");
    format!("{f:?}")
}

/// Longest value of a `string` option.
const MAX_STR_LEN: usize = 1024;

/// An `int` option's default or bound, which must fit the struct's `u32`.
fn int_lit(o: &OptionDef, part: &str) -> u32 {
    let v = number(o, part)
        .as_u64()
        .unwrap_or_else(|| panic!("option {}: {part} must be a non-negative integer", o.key));
    u32::try_from(v).unwrap_or_else(|_| panic!("option {}: {part} {v} does not fit a u32", o.key))
}

/// The help text: `worker threads, ...` -> `Worker threads, ...` (no final period).
fn help(o: &OptionDef) -> String {
    capitalise(&o.doc).trim_end_matches('.').to_string()
}

fn emit_set(set: &Set, b: &mut String) {
    let ty = format!("{}Options", pascal(set.stem));
    let consts = format!("{}_option", set.stem);
    let what = format!("{} option", set.stem);
    // The struct.
    let _ = writeln!(
        b,
        "\n/// {}\n///\n/// Defaults and bounds: [`{consts}`]; JSON: [`{ty}::from_json`].\n\
         #[derive(Debug, Clone, PartialEq)]\npub struct {ty} {{",
        set.purpose
    );
    for o in set.options {
        let (rust, range) = match o.ty.as_str() {
            "int" => (
                "u32",
                format!(
                    "`{} ..= {}`, default `{}`",
                    int_lit(o, "min"),
                    int_lit(o, "max"),
                    int_lit(o, "default")
                ),
            ),
            // The bounds and default as the schema writes them (`1`, not `1.0`).
            "float" => (
                "f64",
                format!(
                    "`{} ..= {}`, default `{}`",
                    number(o, "min"),
                    number(o, "max"),
                    o.default_text().expect("numeric options have a default")
                ),
            ),
            "string" => {
                assert!(
                    o.default.is_null(),
                    "{}_options {}: a string option's default must be null",
                    set.stem,
                    o.key
                );
                (
                    "Option<String>",
                    format!("At most `{MAX_STR_LEN}` bytes of printable ASCII, default none"),
                )
            }
            t => panic!("{}_options {}: type {t} is not supported", set.stem, o.key),
        };
        for line in wrap(&format!("{}.", help(o)), 88) {
            let _ = writeln!(b, "    /// {line}");
        }
        let _ = writeln!(b, "    ///\n    /// {range}.");
        let _ = writeln!(b, "    pub {}: {rust},", o.key);
    }
    b.push_str("}\n");
    // Default.
    let _ = writeln!(
        b,
        "\nimpl Default for {ty} {{\n    fn default() -> Self {{\n        {ty} {{"
    );
    for o in set.options {
        if o.ty == "string" {
            let _ = writeln!(b, "            {}: None,", o.key);
        } else {
            let _ = writeln!(
                b,
                "            {}: {consts}::{}.default,",
                o.key,
                upper(&o.key)
            );
        }
    }
    b.push_str("        }\n    }\n}\n");
    // Keys.
    let keys: Vec<String> = set.options.iter().map(|o| format!("{:?}", o.key)).collect();
    let _ = writeln!(
        b,
        "\n/// The keys [`{ty}::from_json`] accepts, in documentation order.\n\
         pub const {}_OPTION_KEYS: [&str; {}] = [{}];",
        upper(set.stem),
        keys.len(),
        keys.join(", ")
    );
    // Bounds constants.
    let mut bounds: Vec<&str> = Vec::new();
    for (ty, name) in [
        ("float", "FloatBounds"),
        ("int", "IntBounds"),
        ("string", "StrBounds"),
    ] {
        if set.options.iter().any(|o| o.ty == ty) {
            bounds.push(name);
        }
    }
    let _ = writeln!(
        b,
        "\n/// Each {} option's key, default, bounds and help text.\npub mod {consts} {{\n    \
         use super::{{{}}};",
        set.stem,
        bounds.join(", ")
    );
    for o in set.options {
        let h = help(o);
        match o.ty.as_str() {
            "int" => {
                let _ = writeln!(
                    b,
                    "    /// `{}`.\n    pub const {}: IntBounds = IntBounds {{ key: {:?}, default: {}, \
                     min: {}, max: {}, help: {h:?} }};",
                    o.key,
                    upper(&o.key),
                    o.key,
                    int_lit(o, "default"),
                    int_lit(o, "min"),
                    int_lit(o, "max"),
                );
            }
            "string" => {
                let _ = writeln!(
                    b,
                    "    /// `{}`.\n    pub const {}: StrBounds = StrBounds {{ key: {:?}, \
                     max_len: {MAX_STR_LEN}, help: {h:?} }};",
                    o.key,
                    upper(&o.key),
                    o.key,
                );
            }
            _ => {
                let _ = writeln!(
                    b,
                    "    /// `{}`.\n    pub const {}: FloatBounds = FloatBounds {{ key: {:?}, \
                     default: {}, min: {}, max: {}, help: {h:?} }};",
                    o.key,
                    upper(&o.key),
                    o.key,
                    float_lit(o, "default"),
                    float_lit(o, "min"),
                    float_lit(o, "max"),
                );
            }
        }
    }
    b.push_str("}\n");
    // The wire struct and the reader.
    let wire = format!("{}Wire", pascal(set.stem));
    let _ = writeln!(
        b,
        "\n#[derive(Deserialize)]\n#[serde(deny_unknown_fields)]\nstruct {wire} {{"
    );
    for o in set.options {
        let t = match o.ty.as_str() {
            "int" => "u64",
            "string" => "String",
            _ => "f64",
        };
        let _ = writeln!(b, "    {}: Option<{t}>,", o.key);
    }
    b.push_str("}\n");
    let _ = writeln!(
        b,
        "\nimpl {ty} {{\n    /// Parses the options JSON; `None` or `{{}}` is all defaults. A refusal is\n    \
         /// `MK_ERR_INVALID_ARGUMENT`: `{} options_json: ...` for the JSON itself, else\n    \
         /// `{what} <key> = <n> is out of range (<min> .. <max>)`.\n    \
         pub fn from_json(text: Option<&str>) -> Result<{ty}, Error> {{\n        \
         let Some(text) = text else {{\n            return Ok({ty}::default());\n        }};\n        \
         let w: {wire} = input_json::decode_object(text, {what:?})\n            \
         .map_err(|e| Error::invalid(format!(\"{} options_json: {{e}}\")))?;\n        \
         Ok({ty} {{",
        set.stem, set.stem
    );
    for o in set.options {
        let _ = writeln!(
            b,
            "            {}: {consts}::{}.check({what:?}, w.{})?,",
            o.key,
            upper(&o.key),
            o.key
        );
    }
    b.push_str("        })\n    }\n}\n");
}

pub fn emit(s: &Schema, out: &mut Out) {
    let mut b = String::from(PRELUDE);
    for set in [
        Set {
            stem: "batch",
            purpose: "`mk_batch_start`'s options: how fast a batch calls.",
            options: &s.batch_options,
        },
        Set {
            stem: "refresh",
            purpose: "`mk_refresh_identity` / `mk_wait_identity_newer`'s options: the poll pace.",
            options: &s.refresh_options,
        },
        Set {
            stem: "webhook",
            purpose: "`mk_webhook_verifier_new`'s options: the signature checks, the key cache \
                      and the duplicate check of a webhook verifier.",
            options: &s.webhook_options,
        },
    ] {
        emit_set(&set, &mut b);
    }
    out.file("src/core/call_options_gen.rs", Comment::Slash, &rustfmt(&b));
}
