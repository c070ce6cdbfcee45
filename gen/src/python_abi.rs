//! The Python binding's ctypes declarations (`bindings/python/src/moneykit_native/_abi.py`),
//! generated from the committed C header `include/moneykit.h` (cbindgen's output, `make
//! header`), not from the schema: every `#define` and enum member as a constant, every struct
//! as a `ctypes.Structure` with the C name and fields, every function pointer type, and every
//! function's `argtypes` / `restype`.
//!
//! cbindgen's output is regular, so a small C declaration reader suffices: comments (`/** */`
//! kept as docs), `#ifdef __cplusplus` blocks dropped (the C view), `#define NAME VALUE`,
//! `enum E { A = 0, ... };`, `typedef int32_t E;`, `typedef struct S S;` (opaque),
//! `typedef struct S { fields } S;`, `typedef R (*F)(params);` and prototypes `R f(params);`.
//! Anything else stops the generator with the declaration it could not read, and so does a C
//! type without a ctypes rule (see `py_type`): a new shape in the header is a decision to
//! make here, never a silent guess.

use crate::out::{Comment, Out};
use crate::python::wrap;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

const HEADER: &str = "include/moneykit.h";
const ABI_PY: &str = "bindings/python/src/moneykit_native/_abi.py";

pub fn emit(root: &Path, out: &mut Out) {
    let path = root.join(HEADER);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let items = parse(&text);
    out.file_from(ABI_PY, HEADER, Comment::Hash, &abi_py(&items));
}

/// Every struct of the header with its field names in order (for `records::check_header`).
pub fn header_structs(root: &Path) -> Vec<(String, Vec<String>)> {
    let path = root.join(HEADER);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse(&text)
        .into_iter()
        .filter_map(|i| match i {
            Item::Struct { name, fields, .. } => {
                Some((name, fields.into_iter().map(|d| d.name).collect()))
            }
            _ => None,
        })
        .collect()
}

// ------------------------------------------------------------------------ tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A `/** ... */` comment's text, without the stars.
    Doc(String),
    /// A preprocessor line, without the `#`.
    Directive(String),
    Ident(String),
    Num(String),
    Str(String),
    Punct(char),
}

fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..]
                .find("*/")
                .map(|e| i + 2 + e)
                .expect("unterminated comment in the header");
            if b[i..].starts_with(b"/**") && !b[i..].starts_with(b"/**/") {
                toks.push(Tok::Doc(doc_text(&text[i + 3..end])));
            }
            i = end + 2;
        } else if b[i..].starts_with(b"//") {
            i = text[i..].find('\n').map_or(b.len(), |e| i + e);
        } else if c == b'#' && line_start {
            let end = text[i..].find('\n').map_or(b.len(), |e| i + e);
            toks.push(Tok::Directive(text[i + 1..end].trim().to_string()));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let n = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            toks.push(Tok::Ident(text[i..i + n].to_string()));
            i += n;
            line_start = false;
        } else if c.is_ascii_digit() {
            let n = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'.')
                .count();
            toks.push(Tok::Num(text[i..i + n].to_string()));
            i += n;
            line_start = false;
        } else if c == b'"' {
            let n = b[i + 1..]
                .iter()
                .position(|c| *c == b'"')
                .expect("unterminated string in the header");
            let s = &text[i + 1..i + 1 + n];
            assert!(
                !s.contains('\\'),
                "a string with an escape in the header: {s}"
            );
            toks.push(Tok::Str(s.to_string()));
            i += n + 2;
            line_start = false;
        } else {
            toks.push(Tok::Punct(c as char));
            i += 1;
            line_start = false;
        }
    }
    toks
}

/// The text of a doc comment: each line's leading ` * ` removed, paragraphs kept apart.
fn doc_text(body: &str) -> String {
    let lines: Vec<&str> = body
        .lines()
        .map(|l| {
            let l = l.trim();
            l.strip_prefix('*').unwrap_or(l).trim()
        })
        .collect();
    lines.join("\n").trim().to_string()
}

/// The tokens the C compiler sees (`__cplusplus` undefined), and the `#define`s with a
/// value as `Directive("define NAME VALUE")` tokens in their place.
fn preprocess(toks: Vec<Tok>) -> Vec<Tok> {
    let mut defined: BTreeSet<String> = BTreeSet::new();
    // One entry per open conditional: is its current branch active?
    let mut stack: Vec<bool> = Vec::new();
    let mut out = Vec::new();
    for t in toks {
        let active = stack.iter().all(|a| *a);
        let Tok::Directive(d) = &t else {
            if active {
                out.push(t);
            }
            continue;
        };
        let mut words = d.split_whitespace();
        let word = words.next().unwrap_or("");
        let arg = words.next().unwrap_or("").to_string();
        let rest: Vec<&str> = words.collect();
        let known = |name: &str| {
            assert!(
                name == "__cplusplus" || name == "MONEYKIT_H",
                "{HEADER}: a conditional on {name} (the generator knows __cplusplus and the include guard)"
            );
        };
        match word {
            "ifdef" => {
                known(&arg);
                stack.push(defined.contains(&arg));
            }
            "ifndef" => {
                known(&arg);
                stack.push(!defined.contains(&arg));
            }
            "else" => {
                let top = stack.last_mut().expect("#else without #if");
                *top = !*top;
            }
            "endif" => {
                stack.pop().expect("#endif without #if");
            }
            "include" => {}
            "define" if active => {
                defined.insert(arg.clone());
                if !rest.is_empty() {
                    out.push(t);
                }
            }
            "define" => {}
            _ => panic!("{HEADER}: unsupported directive #{d}"),
        }
    }
    assert!(stack.is_empty(), "{HEADER}: unterminated #if");
    out
}

// ------------------------------------------------------------------------ declarations

/// A C type: `const char *const *` is base `char`, base_const, ptrs `[true, false]` (each
/// `*`, and whether a `const` follows it).
#[derive(Debug, Clone)]
struct CType {
    base: String,
    base_const: bool,
    ptrs: Vec<bool>,
}

impl CType {
    fn c(&self) -> String {
        let mut s = String::new();
        if self.base_const {
            s.push_str("const ");
        }
        s.push_str(&self.base);
        for (i, c) in self.ptrs.iter().enumerate() {
            s.push_str(if i == 0 { " *" } else { "*" });
            if *c {
                s.push_str("const ");
            }
        }
        s.trim_end().to_string()
    }
}

#[derive(Debug, Clone)]
struct Decl {
    ty: CType,
    name: String,
}

#[derive(Debug)]
enum Item {
    Define {
        name: String,
        value: String,
        doc: String,
    },
    Enum {
        name: String,
        members: Vec<(String, i64)>,
        doc: String,
    },
    /// `typedef int32_t mk_status;` (cbindgen's C form of a sized enum).
    Alias {
        name: String,
        ty: CType,
    },
    Opaque {
        name: String,
    },
    Struct {
        name: String,
        fields: Vec<Decl>,
        doc: String,
    },
    FnPtr {
        name: String,
        ret: CType,
        params: Vec<Decl>,
        doc: String,
    },
    Function {
        name: String,
        ret: CType,
        params: Vec<Decl>,
    },
}

fn show(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Doc(_) => "/**...*/".to_string(),
            Tok::Directive(d) => format!("#{d}"),
            Tok::Ident(s) | Tok::Num(s) => s.clone(),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Punct(c) => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A type with an optional trailing name: `const struct mk_str *names`.
fn decl(toks: &[Tok], named: bool) -> Decl {
    let mut ty = CType {
        base: String::new(),
        base_const: false,
        ptrs: Vec::new(),
    };
    let mut name = String::new();
    for t in toks {
        match t {
            Tok::Ident(w) if w == "const" => match ty.ptrs.last_mut() {
                Some(c) => *c = true,
                None => ty.base_const = true,
            },
            Tok::Ident(w) if w == "struct" || w == "enum" => {}
            Tok::Ident(w) if ty.base.is_empty() => ty.base = w.clone(),
            Tok::Ident(w) if named && name.is_empty() => name = w.clone(),
            Tok::Punct('*') if name.is_empty() => ty.ptrs.push(false),
            _ => panic!("{HEADER}: cannot read the declaration `{}`", show(toks)),
        }
    }
    assert!(
        !ty.base.is_empty() && (!named || !name.is_empty()),
        "{HEADER}: cannot read the declaration `{}`",
        show(toks)
    );
    Decl { ty, name }
}

/// Splits `toks` at top-level occurrences of `sep`.
fn split(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(' | '{') => depth += 1,
            Tok::Punct(')' | '}') => depth -= 1,
            Tok::Punct(c) if *c == sep && depth == 0 => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts
}

fn params(toks: &[Tok]) -> Vec<Decl> {
    if let [Tok::Ident(v)] = toks {
        if v == "void" {
            return Vec::new();
        }
    }
    split(toks, ',')
        .into_iter()
        .map(|p| decl(p, true))
        .collect()
}

fn without_docs(toks: &[Tok]) -> Vec<Tok> {
    toks.iter()
        .filter(|t| !matches!(t, Tok::Doc(_)))
        .cloned()
        .collect()
}

fn ident(t: &Tok) -> Option<&str> {
    match t {
        Tok::Ident(s) => Some(s),
        _ => None,
    }
}

/// One top-level declaration (its tokens without the final `;`).
fn item(toks: &[Tok], doc: String) -> Item {
    let toks = without_docs(toks);
    let t = &toks[..];
    let fail = || -> ! { panic!("{HEADER}: cannot read the declaration `{}`", show(t)) };
    let body = |open: usize| -> &[Tok] {
        let close = t
            .iter()
            .rposition(|x| *x == Tok::Punct('}'))
            .unwrap_or_else(|| fail());
        &t[open + 1..close]
    };
    match t {
        [Tok::Ident(kw), Tok::Ident(name), Tok::Punct('{'), .., Tok::Punct('}')]
            if kw == "enum" =>
        {
            let mut members = Vec::new();
            let mut next = 0i64;
            for m in split(body(2), ',') {
                let value = match m {
                    [] => continue, // the trailing comma
                    [Tok::Ident(_)] => next,
                    [Tok::Ident(_), Tok::Punct('='), Tok::Num(n)] => {
                        n.parse().unwrap_or_else(|_| fail())
                    }
                    [Tok::Ident(_), Tok::Punct('='), Tok::Punct('-'), Tok::Num(n)] => {
                        -n.parse::<i64>().unwrap_or_else(|_| fail())
                    }
                    _ => fail(),
                };
                members.push((ident(&m[0]).unwrap_or_else(|| fail()).to_string(), value));
                next = value + 1;
            }
            Item::Enum {
                name: name.clone(),
                members,
                doc,
            }
        }
        [Tok::Ident(td), Tok::Ident(st), Tok::Ident(a), Tok::Ident(b)]
            if td == "typedef" && st == "struct" =>
        {
            if a != b {
                fail();
            }
            Item::Opaque { name: a.clone() }
        }
        [Tok::Ident(td), Tok::Ident(st), Tok::Ident(a), Tok::Punct('{'), .., Tok::Punct('}'), Tok::Ident(b)]
            if td == "typedef" && st == "struct" =>
        {
            if a != b {
                fail();
            }
            let fields = split(body(3), ';')
                .into_iter()
                .filter(|f| !f.is_empty())
                .map(|f| decl(f, true))
                .collect();
            Item::Struct {
                name: a.clone(),
                fields,
                doc,
            }
        }
        [Tok::Ident(td), rest @ ..] if td == "typedef" => {
            // `typedef R (*F)(params)` or `typedef T NAME`.
            if let Some(p) = rest.iter().position(|x| *x == Tok::Punct('(')) {
                match &rest[p..] {
                    [Tok::Punct('('), Tok::Punct('*'), Tok::Ident(name), Tok::Punct(')'), Tok::Punct('('), ps @ .., Tok::Punct(')')] => {
                        Item::FnPtr {
                            name: name.clone(),
                            ret: decl(&rest[..p], false).ty,
                            params: params(ps),
                            doc,
                        }
                    }
                    _ => fail(),
                }
            } else {
                let d = decl(rest, true);
                Item::Alias {
                    name: d.name,
                    ty: d.ty,
                }
            }
        }
        _ => {
            let p = t
                .iter()
                .position(|x| *x == Tok::Punct('('))
                .unwrap_or_else(|| fail());
            if p == 0 || t.last() != Some(&Tok::Punct(')')) {
                fail();
            }
            let name = ident(&t[p - 1]).unwrap_or_else(|| fail()).to_string();
            Item::Function {
                name,
                ret: decl(&t[..p - 1], false).ty,
                params: params(&t[p + 1..t.len() - 1]),
            }
        }
    }
}

fn parse(text: &str) -> Vec<Item> {
    let toks = preprocess(tokenize(text));
    let mut items = Vec::new();
    let mut doc = String::new();
    let mut cur: Vec<Tok> = Vec::new();
    let mut depth = 0i32;
    for t in toks {
        match &t {
            Tok::Directive(d) => {
                assert!(
                    depth == 0 && cur.is_empty(),
                    "{HEADER}: #{d} inside a declaration"
                );
                let mut w = d.splitn(3, char::is_whitespace).skip(1);
                let (name, value) = (w.next().unwrap_or(""), w.next().unwrap_or("").trim());
                items.push(Item::Define {
                    name: name.to_string(),
                    value: value.to_string(),
                    doc: std::mem::take(&mut doc),
                });
            }
            Tok::Doc(d) if depth == 0 && cur.is_empty() => doc = d.clone(),
            Tok::Punct(';') if depth == 0 => {
                items.push(item(&cur, std::mem::take(&mut doc)));
                cur.clear();
            }
            _ => {
                match t {
                    Tok::Punct('{' | '(') => depth += 1,
                    Tok::Punct('}' | ')') => depth -= 1,
                    _ => {}
                }
                cur.push(t);
            }
        }
    }
    assert!(
        cur.is_empty(),
        "{HEADER}: a declaration without its `;`: {}",
        show(&cur)
    );
    items
}

// ------------------------------------------------------------------------ ctypes

/// What the header declares, by name, for resolving types.
struct Types<'a> {
    aliases: HashMap<&'a str, &'a CType>,
    structs: BTreeSet<&'a str>,
    opaque: BTreeSet<&'a str>,
    fnptrs: BTreeSet<&'a str>,
}

fn scalar(base: &str) -> Option<&'static str> {
    Some(match base {
        "int8_t" => "ctypes.c_int8",
        "int16_t" => "ctypes.c_int16",
        "int32_t" => "c_int32",
        "int64_t" => "ctypes.c_int64",
        "uint8_t" => "ctypes.c_uint8",
        "uint16_t" => "ctypes.c_uint16",
        "uint32_t" => "ctypes.c_uint32",
        "uint64_t" => "ctypes.c_uint64",
        "size_t" => "c_size_t",
        "double" => "ctypes.c_double",
        "float" => "ctypes.c_float",
        "bool" => "ctypes.c_bool",
        _ => return None,
    })
}

/// The ctypes type of a C type (None for a `void` return). The rules:
/// - `const char *` is `c_char_p` (an input string, or a static one the library returns);
///   `char *` is `c_void_p`: a string the caller must free with `mk_string_free` (a
///   `c_char_p` would turn it into bytes and lose the pointer);
/// - `const char *const *` (an array of input strings) is `P_c_char_p`; every other pointer
///   to a pointer (`char **`, `mk_client **`: out-parameters) is `P_c_void_p`;
/// - a pointer to an opaque struct (a handle) or to `void` is `c_void_p`; a pointer to a
///   struct with fields is `ctypes.POINTER(<struct>)`; a struct by value is the class;
/// - enums are their typedef (`int32_t`); a function pointer type is its `CFUNCTYPE`.
fn py_type(t: &Types, ty: &CType, what: &str) -> Option<String> {
    let fail = || -> ! { panic!("{HEADER}: no ctypes rule for `{}` ({what})", ty.c()) };
    if let Some(target) = t.aliases.get(ty.base.as_str()) {
        assert!(target.ptrs.is_empty(), "{HEADER}: typedef of a pointer");
        let resolved = CType {
            base: target.base.clone(),
            base_const: ty.base_const,
            ptrs: ty.ptrs.clone(),
        };
        return py_type(t, &resolved, what);
    }
    let base = ty.base.as_str();
    let n = ty.ptrs.len();
    Some(match (base, n) {
        ("void", 0) => return None,
        ("void", 1) => "c_void_p".into(),
        ("char", 1) if ty.base_const => "c_char_p".into(),
        ("char", 1) => "c_void_p".into(),
        ("char", 2) if ty.base_const && ty.ptrs[0] => "P_c_char_p".into(),
        ("char", 2) if !ty.base_const && !ty.ptrs[0] => "P_c_void_p".into(),
        (_, 1) if t.opaque.contains(base) => "c_void_p".into(),
        (_, 2) if t.opaque.contains(base) || t.structs.contains(base) || base == "void" => {
            "P_c_void_p".into()
        }
        (_, 0) if t.structs.contains(base) || t.fnptrs.contains(base) => base.to_string(),
        (_, 1) if t.structs.contains(base) => format!("ctypes.POINTER({base})"),
        (_, 0) => scalar(base).unwrap_or_else(|| fail()).to_string(),
        (_, 1) => format!("ctypes.POINTER({})", scalar(base).unwrap_or_else(|| fail())),
        _ => fail(),
    })
}

/// A C prototype as `#` comment lines of at most 100 characters at `indent` (`name` may be
/// `(*f)` for a function pointer type).
fn prototype(ret: &CType, name: &str, params: &[Decl], indent: &str) -> String {
    let join = |c: String, n: &str| {
        let sep = if c.ends_with('*') { "" } else { " " };
        format!("{c}{sep}{n}")
    };
    let mut ps: Vec<String> = params.iter().map(|p| join(p.ty.c(), &p.name)).collect();
    if ps.is_empty() {
        ps.push("void".into());
    }
    let n = ps.len();
    let mut out = String::new();
    let mut line = format!("{indent}# {}(", join(ret.c(), name));
    for (i, p) in ps.into_iter().enumerate() {
        let p = p + if i + 1 == n { ");" } else { "," };
        if line.ends_with('(') || line.len() + 1 + p.len() <= 100 {
            if !line.ends_with('(') {
                line.push(' ');
            }
            line.push_str(&p);
        } else {
            let _ = writeln!(out, "{line}");
            line = format!("{indent}#     {p}");
        }
    }
    let _ = writeln!(out, "{line}");
    out
}

/// `text` as `#: ` comment lines at `indent` (blank lines between paragraphs dropped).
fn comment(text: &str, indent: &str) -> String {
    wrap(text, &format!("{indent}#: "), 96)
}

fn abi_py(items: &[Item]) -> String {
    let mut t = Types {
        aliases: HashMap::new(),
        structs: BTreeSet::new(),
        opaque: BTreeSet::new(),
        fnptrs: BTreeSet::new(),
    };
    for it in items {
        match it {
            Item::Alias { name, ty } => {
                t.aliases.insert(name, ty);
            }
            Item::Opaque { name } => {
                t.opaque.insert(name);
            }
            _ => {}
        }
    }

    let mut constants = String::new();
    let mut constant_names = Vec::new();
    let mut types = String::new();
    let mut declare = String::new();
    let mut functions = Vec::new();
    let mut structs = Vec::new();
    for it in items {
        match it {
            Item::Define { name, value, doc } => {
                let v = if let Some(s) = value.strip_prefix('"') {
                    let s = s.strip_suffix('"').expect("a string #define");
                    format!("\"{s}\"")
                } else {
                    assert!(
                        value.parse::<i64>().is_ok(),
                        "{HEADER}: #define {name} {value}: only integers and strings are read"
                    );
                    value.clone()
                };
                constants.push_str(&comment(doc, ""));
                let _ = writeln!(constants, "{name} = {v}");
                constant_names.push(name.as_str());
            }
            Item::Enum { name, members, doc } => {
                let _ = writeln!(constants, "\n# enum {name}");
                constants.push_str(&comment(doc, ""));
                for (m, v) in members {
                    let _ = writeln!(constants, "{m} = {v}");
                    constant_names.push(m.as_str());
                }
            }
            Item::Struct { name, fields, doc } => {
                let mut doc_text = format!("`struct {name}`");
                if !doc.is_empty() {
                    doc_text.push_str(": ");
                    doc_text.push_str(doc);
                }
                let doc_text = doc_text
                    .replace('\\', "\\\\")
                    .replace("\"\"\"", "\\\"\\\"\\\"");
                let _ = writeln!(types, "\n\nclass {name}(ctypes.Structure):");
                let wrapped = wrap(&doc_text, "    ", 92);
                let _ = write!(types, "    \"\"\"{}", wrapped.trim_start());
                types.truncate(types.trim_end().len());
                types.push_str("\"\"\"\n\n    _fields_ = [\n");
                for f in fields {
                    let what = format!("{name}.{}", f.name);
                    let py =
                        py_type(&t, &f.ty, &what).unwrap_or_else(|| panic!("void field {what}"));
                    let _ = writeln!(types, "        (\"{}\", {py}),", f.name);
                }
                types.push_str("    ]\n");
                t.structs.insert(name);
                structs.push(name.as_str());
            }
            Item::FnPtr {
                name,
                ret,
                params,
                doc,
            } => {
                let mut args = vec![py_type(&t, ret, name).unwrap_or_else(|| "None".into())];
                for p in params {
                    args.push(py_type(&t, &p.ty, name).expect("a void parameter"));
                }
                let _ = writeln!(types, "\n");
                types.push_str(&comment(doc, ""));
                types.push_str(&prototype(ret, &format!("(*{name})"), params, ""));
                let _ = writeln!(types, "{name} = ctypes.CFUNCTYPE({})", args.join(", "));
                t.fnptrs.insert(name);
            }
            Item::Function { name, ret, params } => {
                let argtypes: Vec<String> = params
                    .iter()
                    .map(|p| {
                        py_type(&t, &p.ty, &format!("{name}({})", p.name))
                            .expect("a void parameter")
                    })
                    .collect();
                let restype = py_type(&t, ret, name).unwrap_or_else(|| "None".into());
                declare.push_str(&prototype(ret, name, params, "    "));
                let one_line = format!("    lib.{name}.argtypes = [{}]", argtypes.join(", "));
                if one_line.len() <= 100 {
                    let _ = writeln!(declare, "{one_line}");
                } else {
                    let _ = writeln!(declare, "    lib.{name}.argtypes = [");
                    let mut line = String::from("       ");
                    for a in &argtypes {
                        if line.len() + a.len() + 2 > 100 {
                            let _ = writeln!(declare, "{line}");
                            line = String::from("       ");
                        }
                        let _ = write!(line, " {a},");
                    }
                    let _ = writeln!(declare, "{line}\n    ]");
                }
                let _ = writeln!(declare, "    lib.{name}.restype = {restype}");
                functions.push(name.as_str());
            }
            Item::Alias { .. } | Item::Opaque { .. } => {}
        }
    }

    let mut tables = String::from(
        "\n\n#: Every function of the header, in its order (`_declare` declares them all).\nFUNCTIONS = (\n",
    );
    for f in &functions {
        let _ = writeln!(tables, "    \"{f}\",");
    }
    tables.push_str(")\n\n#: Every constant above (`#define`s and enum members), by its C name.\nCONSTANTS = (\n");
    for c in &constant_names {
        let _ = writeln!(tables, "    \"{c}\",");
    }
    tables.push_str(
        ")\n\n#: Every struct with fields, by its C name (a test compares their layout with the C compiler's).\nSTRUCTS: Dict[str, Type[ctypes.Structure]] = {\n",
    );
    for s in &structs {
        let _ = writeln!(tables, "    \"{s}\": {s},");
    }
    tables.push_str("}\n");

    format!(
        r#""""The ctypes declarations of the C ABI, generated from include/moneykit.h (`make gen`
after `make header`; `make gen-check` fails while this file is stale).

Names are the C names: every `#define` and enum member is a constant (`MK_ERR_INTERNAL`),
every struct with fields a `ctypes.Structure` of the same name and fields (`mk_batch_item`),
every function pointer type a `CFUNCTYPE` (`mk_event_fn`); `_declare(lib)` sets every
function's `argtypes` and `restype`. `_native` loads the library and calls `_declare` on it.

Types (gen/src/python_abi.rs): `const char *` is `c_char_p` (an input string, or a static
one from the library); `char *` is `c_void_p`, a string the caller frees with
`mk_string_free` (`c_char_p` would copy it to bytes and lose the pointer); `char **` and
every other pointer to a pointer (out-parameters) are `P_c_void_p`, `const char *const *` is
`P_c_char_p`; handles (opaque structs) are `c_void_p`; enums are `int32_t`.
"""

from __future__ import annotations

import ctypes
from typing import Dict, Type

# Types of the C ABI.
c_int32 = ctypes.c_int32
c_size_t = ctypes.c_size_t
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
P_c_void_p = ctypes.POINTER(ctypes.c_void_p)
P_c_char_p = ctypes.POINTER(ctypes.c_char_p)

# -- constants

{constants}
# -- types
{types}

def _declare(lib: ctypes.CDLL) -> None:
    """`argtypes` and `restype` of every function of include/moneykit.h."""
{declare}{tables}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
/* plain comment */
#ifndef MONEYKIT_H
#define MONEYKIT_H
#include <stdint.h>
/**
 * Doc of a define.
 */
#define MK_A 7
#define MK_S "x.y"
/**
 * Doc of the enum.
 */
enum mk_e
#ifdef __cplusplus
  : int32_t
#endif // __cplusplus
 {
  /**
   * Member doc.
   */
  MK_E_NEG = -1,
  MK_E_ZERO = 0,
  MK_E_NEXT,
};
#ifndef __cplusplus
typedef int32_t mk_e;
#endif // __cplusplus
typedef struct mk_h mk_h;
/**
 * A struct.
 */
typedef struct mk_s {
  /**
   * Field doc.
   */
  const char *name;
  char *owned;
  mk_e kind;
  uint64_t n;
} mk_s;
typedef void (*mk_fn)(void *user_data, const struct mk_s *s);
typedef struct mk_t {
  struct mk_s inner;
  const struct mk_s *items;
  size_t items_len;
} mk_t;
#ifdef __cplusplus
extern "C" {
#endif // __cplusplus
const char *mk_name(int32_t v);
int32_t mk_f(const struct mk_h *h, const char *const *ids, size_t n, mk_fn cb,
             struct mk_s *out, const struct mk_t **out_root, struct mk_h **out_h, char **out_error);
void mk_free(char *s);
#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus
#endif  /* MONEYKIT_H */
"#;

    #[test]
    fn every_form_of_the_header_is_read() {
        let py = abi_py(&parse(SAMPLE));
        for want in [
            "#: Doc of a define.\nMK_A = 7\n",
            "MK_S = \"x.y\"\n",
            "# enum mk_e\n#: Doc of the enum.\nMK_E_NEG = -1\nMK_E_ZERO = 0\nMK_E_NEXT = 1\n",
            "class mk_s(ctypes.Structure):\n    \"\"\"`struct mk_s`: A struct.\"\"\"\n",
            "        (\"name\", c_char_p),\n        (\"owned\", c_void_p),\n        (\"kind\", c_int32),\n        (\"n\", ctypes.c_uint64),\n",
            "mk_fn = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(mk_s))\n",
            "        (\"inner\", mk_s),\n        (\"items\", ctypes.POINTER(mk_s)),\n        (\"items_len\", c_size_t),\n",
            "    lib.mk_name.argtypes = [c_int32]\n    lib.mk_name.restype = c_char_p\n",
            "    lib.mk_f.argtypes = [\n        c_void_p, P_c_char_p, c_size_t, mk_fn, ctypes.POINTER(mk_s), P_c_void_p, P_c_void_p,\n        P_c_void_p,\n    ]\n",
            "    lib.mk_free.argtypes = [c_void_p]\n    lib.mk_free.restype = None\n",
            "FUNCTIONS = (\n    \"mk_name\",\n    \"mk_f\",\n    \"mk_free\",\n)",
            "CONSTANTS = (\n    \"MK_A\",\n    \"MK_S\",\n    \"MK_E_NEG\",\n    \"MK_E_ZERO\",\n    \"MK_E_NEXT\",\n)",
            "    \"mk_s\": mk_s,\n    \"mk_t\": mk_t,\n}",
        ] {
            assert!(py.contains(want), "missing:\n{want}\n--- in:\n{py}");
        }
        assert!(!py.contains("extern"), "{py}");
    }

    #[test]
    #[should_panic(expected = "no ctypes rule for `const char **`")]
    fn a_type_without_a_rule_stops_the_generator() {
        abi_py(&parse("void mk_x(const char **out);"));
    }

    #[test]
    #[should_panic(expected = "cannot read the declaration")]
    fn an_unknown_declaration_stops_the_generator() {
        abi_py(&parse("union mk_u { int32_t a; };"));
    }

    #[test]
    #[should_panic(expected = "a conditional on FOO")]
    fn an_unknown_conditional_stops_the_generator() {
        parse("#ifdef FOO\n#endif\n");
    }
}
