//! The Go-side checks of the option structs (options_gen.go), so that option
//! errors speak Go: `Options.Timeout must be from 1ms to 24h0m0s, got -1s`
//! rather than the library's `option timeout_ms: expected u64`.
//!
//! - `check()` per struct: every bound and enum value of the schema, checked
//!   before the options JSON is written, naming the field and printing Go
//!   values (durations as time.Duration prints them); the helpers it calls
//!   (optionRangeError, durationRangeError, optionValueError, durationIn) are in
//!   bindings/go/option_names.go.
//! - `String`/`GoString`/`Format` of a struct holding a secret (Options): the
//!   fields set, secrets (`"type": "secret"`, mk_client_new's client_secret)
//!   as `<redacted>`, so that logging the options is safe.
//! - `<struct>Fields`: the schema key (and, for Options, mk_client_new's
//!   argument names) of every field, for the messages the library itself
//!   gives about values Go cannot judge (URLs, files, control characters):
//!   goOptionMessage rewrites the key into the Go field.

use super::options::GoOption;
use super::{align, go_string};
use crate::schema::go_ident;

/// mk_client_new's own arguments: (C name, Options field). Each must be one
/// of the extra fields options.rs declares.
pub(super) const CLIENT_ARGS: [(&str, &str); 2] =
    [("client_id", "ClientID"), ("client_secret", "ClientSecret")];

/// The `if` that refuses one field outside its bounds or values, or "".
fn check_line(strct: &str, g: &GoOption) -> String {
    let o = g.def;
    let field = format!("{strct}.{}", g.name);
    let value = if g.pointer {
        format!("*o.{}", g.name)
    } else {
        format!("o.{}", g.name)
    };
    let set = if g.pointer {
        format!("o.{} != nil", g.name)
    } else if o.ty == "enum" {
        format!("o.{} != \"\"", g.name)
    } else {
        format!("o.{} != 0", g.name)
    };
    match o.ty.as_str() {
        "enum" => {
            let consts: Vec<String> = o
                .values
                .iter()
                .map(|v| format!("{}{}", enum_prefix(g), go_ident(v)))
                .collect();
            let text: Vec<String> = o
                .values
                .iter()
                .zip(&consts)
                .map(|(v, c)| format!("{c} ({})", go_string(v)))
                .collect();
            let want = match text.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => panic!("enum option {} has no values", o.key),
            };
            let differs: Vec<String> = consts.iter().map(|c| format!("{value} != {c}")).collect();
            format!(
                "\tif {set} && {} {{\n\t\treturn optionValueError({}, string({value}), {})\n\t}}\n",
                differs.join(" && "),
                go_string(&field),
                go_string(&want)
            )
        }
        "int" | "float" => {
            let (Some(min), Some(max)) = (&o.min, &o.max) else {
                return String::new();
            };
            let (inside, error) = if g.duration {
                (
                    format!("durationIn({value}, {min}, {max})"),
                    "durationRangeError",
                )
            } else {
                // Written so that NaN is outside.
                (
                    format!("({value} >= {min} && {value} <= {max})"),
                    "optionRangeError",
                )
            };
            format!(
                "\tif {set} && !{inside} {{\n\t\treturn {error}({}, {value}, {min}, {max})\n\t}}\n",
                go_string(&field)
            )
        }
        _ => String::new(),
    }
}

/// The prefix of an enum option's constants (`LogLevel` + `Off`): the Go
/// name of the option, as options.rs names them.
fn enum_prefix(g: &GoOption) -> String {
    g.name.clone()
}

/// `func (o *T) check() error` and `var tFields`, for struct `strct`.
pub(super) fn code(strct: &str, gos: &[GoOption], args: &[(&str, &str)]) -> String {
    let mut b = format!(
        "\n// check refuses a field set outside the schema's bounds or values with an\n\
         // ErrInvalidArgument naming the field; the library checks the rest and\n\
         // goOptionMessage names the field in its message ({}).\n\
         func (o *{strct}) check() error {{\n",
        fields_var(strct)
    );
    for g in gos {
        b.push_str(&check_line(strct, g));
    }
    b.push_str("\treturn nil\n}\n\n");
    b.push_str(&format!(
        "// {} maps the library's names of {strct}' values to the fields.\n\
         var {} = map[string]string{{\n",
        fields_var(strct),
        fields_var(strct)
    ));
    let mut rows: Vec<(String, String)> = args
        .iter()
        .map(|(k, f)| (k.to_string(), f.to_string()))
        .collect();
    rows.extend(gos.iter().map(|g| (g.def.key.clone(), g.name.clone())));
    // gofmt aligns the values of a map literal's lines.
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, f)| {
            vec![
                format!("{}:", go_string(k)),
                format!("{},", go_string(&format!("{strct}.{f}"))),
            ]
        })
        .collect();
    for line in align(&cells) {
        b.push_str(&format!("\t{line}\n"));
    }
    b.push_str("}\n");
    b
}

/// `Options` -> `optionsFields`.
fn fields_var(strct: &str) -> String {
    let mut c = strct.chars();
    let first = c.next().expect("a name").to_ascii_lowercase();
    format!("{first}{}Fields", c.as_str())
}

/// The C names of mk_client_new's arguments that are secrets.
const SECRET_ARGS: [&str; 1] = ["client_secret"];

/// `String`, `GoString` and `Format` of a struct that holds a secret: the
/// fields set, in declaration order (`extras` are the fields outside the
/// options JSON: (name, Go type); `args` their C names), secrets as
/// `<redacted>`. "" for a struct without secrets.
pub(super) fn string_method(
    strct: &str,
    gos: &[GoOption],
    extras: &[(&str, &str)],
    args: &[(&str, &str)],
) -> String {
    let secret_extra = |name: &str| {
        args.iter()
            .any(|(c, f)| *f == name && SECRET_ARGS.contains(c))
    };
    if !gos.iter().any(|g| g.def.ty == "secret") && !extras.iter().any(|(n, _)| secret_extra(n)) {
        return String::new();
    }
    let line = |name: &str, set: String, value: String| {
        format!(
            "\tif {set} {{\n\t\tr.field({}, {value})\n\t}}\n",
            go_string(name)
        )
    };
    let redacted = "\"<redacted>\"".to_string();
    let mut body = String::new();
    // The extras declared before the options (credentials), then the options, then the rest.
    let (before, after): (Vec<_>, Vec<_>) = extras
        .iter()
        .partition(|(n, _)| args.iter().any(|(_, f)| f == n));
    let extra_line = |(n, ty): &(&str, &str)| match *ty {
        "string" if secret_extra(n) => line(n, format!("x.{n} != \"\""), redacted.clone()),
        "string" => line(n, format!("x.{n} != \"\""), format!("x.{n}")),
        _ => line(n, format!("x.{n} != nil"), "\"set\"".to_string()),
    };
    for e in &before {
        body += &extra_line(e);
    }
    for g in gos {
        let n = &g.name;
        let (set, v) = if g.pointer {
            (format!("x.{n} != nil"), format!("*x.{n}"))
        } else if matches!(g.def.ty.as_str(), "string" | "secret" | "enum") {
            (format!("x.{n} != \"\""), format!("x.{n}"))
        } else {
            (format!("x.{n} != 0"), format!("x.{n}"))
        };
        let value = match g.def.ty.as_str() {
            "secret" => redacted.clone(),
            // A proxy URL may carry a user and password.
            "string" => format!("redactUserinfo({v})"),
            "enum" => format!("string({v})"),
            _ if g.duration && g.pointer => format!("({v}).String()"),
            _ if g.duration => format!("{v}.String()"),
            _ => format!("fmt.Sprint({v})"),
        };
        body += &line(n, set, value);
    }
    for e in &after {
        body += &extra_line(e);
    }
    format!(
        "\n// String shows the fields set, secrets as <redacted>: {strct}{{...}}.\n\
         func (x {strct}) String() string {{\n\tr := newRedactor({})\n{body}\treturn r.close()\n}}\n\n\
         // GoString is String for %#v: moneykit.{strct}{{...}}.\n\
         func (x {strct}) GoString() string {{ return \"moneykit.\" + x.String() }}\n\n\
         // Format writes String for every verb (GoString for %#v), so no verb\n\
         // prints a secret.\n\
         func (x {strct}) Format(f fmt.State, verb rune) {{ formatRedacted(f, verb, x) }}\n",
        go_string(strct)
    )
}
