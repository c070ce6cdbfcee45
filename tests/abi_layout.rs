//! Issue 24, item 5: the ABI rule for the header's structs (docs/C-API.md, "ABI rule for
//! structs"). The typed view hands out arrays of structs (`root->accounts[i]`), so a field
//! added to `mk_account` changes the stride every compiled reader uses: a layout may change
//! only together with the soname (before 1.0: a new minor version) and `MK_LAYOUT_VERSION`.
//!
//! `tests/abi/layout.txt` records, for the soname and `MK_LAYOUT_VERSION` it belongs to,
//! every struct's size and alignment and each field's type, offset and size, and every
//! enum member's value, as the C compiler (`$CC`, else `cc`) lays out the header that
//! cbindgen generates now. This test recomputes it and fails when a struct changed, or an
//! enum member was renumbered or removed, while the soname or `MK_LAYOUT_VERSION` stayed
//! the same; and when the file is merely stale (a new struct or enum member, a bumped
//! version), it asks for a re-bless:
//!
//! ```sh
//! MK_BLESS_ABI_LAYOUT=1 cargo test -p moneykit-native --test abi_layout
//! ```
//!
//! which refuses to write a breaking change that is not bumped. Layouts are those of a
//! 64-bit (LP64) target, where the library is built and tested; elsewhere this test does
//! nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What build.rs generated from the sources of this build (tests/header.rs checks that the
/// committed include/moneykit.h is the same text).
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/moneykit.h"));
const COMMITTED: &str = "tests/abi/layout.txt";
const BLESS_VAR: &str = "MK_BLESS_ABI_LAYOUT";
const BLESS: &str = "MK_BLESS_ABI_LAYOUT=1 cargo test -p moneykit-native --test abi_layout";

#[derive(Debug, Clone, PartialEq)]
struct Field {
    name: String,
    ty: String,
    offset: u64,
    size: u64,
}

#[derive(Debug, Clone, PartialEq)]
struct Struct {
    name: String,
    size: u64,
    align: u64,
    fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
struct Enum {
    name: String,
    members: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Layout {
    soname: String,
    version: u32,
    /// In the header's order.
    structs: Vec<Struct>,
    enums: Vec<Enum>,
}

/// The soname build.rs gives the library (cargo-c's rule): `libmoneykit.so.0.<minor>`
/// before 1.0, `libmoneykit.so.<major>` from 1.0 on.
fn soname() -> String {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    if major == "0" {
        format!("libmoneykit.so.0.{minor}")
    } else {
        format!("libmoneykit.so.{major}")
    }
}

/// The structs (name, fields as (name, type)) and enums (name, member names) of a
/// cbindgen header. A field form this reader does not know (an array, a function
/// pointer) stops it: the layout file would not describe it.
#[allow(clippy::type_complexity)]
fn declarations(
    header: &str,
) -> (
    Vec<(String, Vec<(String, String)>)>,
    Vec<(String, Vec<String>)>,
) {
    let (mut structs, mut enums) = (Vec::new(), Vec::new());
    let mut lines = header.lines();
    let is_comment = |l: &str| l.is_empty() || l.starts_with("/*") || l.starts_with('*');
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("typedef struct ")
            .and_then(|rest| rest.strip_suffix(" {"))
        {
            let mut fields = Vec::new();
            for body in lines.by_ref() {
                if body.starts_with('}') {
                    break;
                }
                let l = body.trim();
                if is_comment(l) {
                    continue;
                }
                let decl = l.strip_suffix(';').unwrap_or_else(|| {
                    panic!("struct {name}: a field line this test cannot read: {l:?}")
                });
                assert!(
                    !decl.contains(['(', '[', ',']),
                    "struct {name}: a field form this test cannot read: {l:?}"
                );
                let cut = decl
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1);
                let ty = decl[..cut].split_whitespace().collect::<Vec<_>>().join(" ");
                let ty = ty.replace(" *", "*").replace('*', " *").trim().to_string();
                fields.push((decl[cut..].to_string(), ty));
            }
            structs.push((name.to_string(), fields));
        } else if let Some(name) = line.strip_prefix("enum ").filter(|n| !n.contains(' ')) {
            let mut members = Vec::new();
            for body in lines.by_ref() {
                if body.starts_with("};") {
                    break;
                }
                let l = body.trim();
                if l.starts_with("MK_") {
                    let member = l.split([' ', '=', ',']).next().unwrap_or(l);
                    members.push(member.to_string());
                }
            }
            enums.push((name.to_string(), members));
        }
    }
    (structs, enums)
}

/// The layout the C compiler makes of `header` (built and run in a directory of its own
/// under cargo's test scratch directory).
fn compile_layout(header: &str, tag: &str) -> Layout {
    let (structs, enums) = declarations(header);
    assert!(
        structs.iter().any(|(n, _)| n == "mk_account"),
        "no struct mk_account found in the header"
    );
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"moneykit.h\"\nint main(void) {\n",
    );
    for (name, fields) in &structs {
        let _ = writeln!(
            c,
            "  printf(\"struct {name} %zu %zu\\n\", sizeof({name}), (size_t)_Alignof({name}));"
        );
        for (field, _) in fields {
            let _ = writeln!(
                c,
                "  printf(\"field {name} {field} %zu %zu\\n\", offsetof({name}, {field}), \
                 sizeof((({name} *)0)->{field}));"
            );
        }
    }
    for (name, members) in &enums {
        for member in members {
            let _ = writeln!(
                c,
                "  printf(\"enum {name} {member} %lld\\n\", (long long){member});"
            );
        }
    }
    c.push_str("  return 0;\n}\n");

    // A directory per build: the tests of this file run at once, in one process or more.
    static BUILDS: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "abi_layout-{}-{}-{tag}",
        std::process::id(),
        BUILDS.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("moneykit.h"), header).unwrap();
    std::fs::write(dir.join("layout.c"), c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let exe = dir.join("layout");
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(&dir)
        .arg(dir.join("layout.c"))
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}` (set CC): {e}"));
    assert!(
        built.status.success(),
        "{cc} failed on the layout program:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success(), "the layout program failed");
    let out = String::from_utf8(run.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    let mut numbers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for line in out.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        let key = match parts[0] {
            "struct" => (parts[1].to_string(), String::new()),
            _ => (parts[1].to_string(), parts[2].to_string()),
        };
        let values = parts[if parts[0] == "struct" { 2 } else { 3 }..]
            .iter()
            .map(|s| s.to_string())
            .collect();
        numbers.insert(key, values);
    }
    let n = |struct_name: &str, field: &str, i: usize| -> u64 {
        numbers[&(struct_name.to_string(), field.to_string())][i]
            .parse()
            .unwrap()
    };
    Layout {
        soname: String::new(),
        version: 0,
        structs: structs
            .iter()
            .map(|(name, fields)| Struct {
                name: name.clone(),
                size: n(name, "", 0),
                align: n(name, "", 1),
                fields: fields
                    .iter()
                    .map(|(field, ty)| Field {
                        name: field.clone(),
                        ty: ty.clone(),
                        offset: n(name, field, 0),
                        size: n(name, field, 1),
                    })
                    .collect(),
            })
            .collect(),
        enums: enums
            .iter()
            .map(|(name, members)| Enum {
                name: name.clone(),
                members: members
                    .iter()
                    .map(|m| {
                        let v = &numbers[&(name.clone(), m.clone())][0];
                        (m.clone(), v.parse().unwrap())
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The layout of this build: the generated header, this version's soname and
/// `MK_LAYOUT_VERSION`.
fn current() -> Layout {
    let version = moneykit::ffi::MK_LAYOUT_VERSION;
    assert!(
        GENERATED.contains(&format!("#define MK_LAYOUT_VERSION {version}\n")),
        "the generated header lacks #define MK_LAYOUT_VERSION {version}"
    );
    assert_eq!(moneykit::ffi::mk_layout_version(), version);
    Layout {
        soname: soname(),
        version,
        ..compile_layout(GENERATED, "current")
    }
}

fn render(l: &Layout) -> String {
    let mut s = String::from(
        "# The C layout of every struct, and the value of every enum member, of\n\
         # include/moneykit.h as the C compiler makes them on a 64-bit (LP64) target, for the\n\
         # soname and MK_LAYOUT_VERSION below. tests/abi_layout.rs recomputes it and fails when\n\
         # a struct changed, or an enum member was renumbered or removed, without a new soname\n\
         # and MK_LAYOUT_VERSION (docs/C-API.md, \"ABI rule for structs\"). Do not edit; bless:\n",
    );
    let _ = writeln!(s, "#   {BLESS}");
    let _ = writeln!(s, "soname {}", l.soname);
    let _ = writeln!(s, "layout_version {}", l.version);
    for st in &l.structs {
        let _ = writeln!(
            s,
            "\nstruct {} size {} align {}",
            st.name, st.size, st.align
        );
        for f in &st.fields {
            let _ = writeln!(
                s,
                "  {}: {} (offset {}, size {})",
                f.name, f.ty, f.offset, f.size
            );
        }
    }
    for e in &l.enums {
        let _ = writeln!(s, "\nenum {}", e.name);
        for (m, v) in &e.members {
            let _ = writeln!(s, "  {m} = {v}");
        }
    }
    s
}

fn parse(text: &str) -> Layout {
    let mut l = Layout::default();
    for (i, line) in text.lines().enumerate() {
        macro_rules! bad {
            () => {
                panic!(
                    "{COMMITTED}:{}: cannot read {line:?}; bless it again",
                    i + 1
                )
            };
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["soname", s] => l.soname = s.to_string(),
            ["layout_version", v] => l.version = v.parse().unwrap_or_else(|_| bad!()),
            ["struct", name, "size", size, "align", align] => l.structs.push(Struct {
                name: name.to_string(),
                size: size.parse().unwrap_or_else(|_| bad!()),
                align: align.parse().unwrap_or_else(|_| bad!()),
                fields: Vec::new(),
            }),
            ["enum", name] => l.enums.push(Enum {
                name: name.to_string(),
                members: Vec::new(),
            }),
            [member, "=", value] if line.starts_with("  ") => l
                .enums
                .last_mut()
                .unwrap_or_else(|| bad!())
                .members
                .push((member.to_string(), value.parse().unwrap_or_else(|_| bad!()))),
            _ if line.starts_with("  ") && line.ends_with(')') => {
                let (decl, numbers) = line
                    .trim()
                    .split_once(" (offset ")
                    .unwrap_or_else(|| bad!());
                let (name, ty) = decl.split_once(": ").unwrap_or_else(|| bad!());
                let (offset, size) = numbers
                    .trim_end_matches(')')
                    .split_once(", size ")
                    .unwrap_or_else(|| bad!());
                l.structs
                    .last_mut()
                    .unwrap_or_else(|| bad!())
                    .fields
                    .push(Field {
                        name: name.to_string(),
                        ty: ty.to_string(),
                        offset: offset.parse().unwrap_or_else(|_| bad!()),
                        size: size.parse().unwrap_or_else(|_| bad!()),
                    });
            }
            _ => bad!(),
        }
    }
    l
}

/// What breaks a program compiled against `old` when it runs with `new`: a struct removed or
/// changed in any way, an enum member removed or renumbered.
fn breaking(old: &Layout, new: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    for o in &old.structs {
        match new.structs.iter().find(|n| n.name == o.name) {
            None => out.push(format!("struct {} was removed", o.name)),
            Some(n) if n != o => {
                let mut what = Vec::new();
                if (n.size, n.align) != (o.size, o.align) {
                    what.push(format!(
                        "size {} align {} -> size {} align {}",
                        o.size, o.align, n.size, n.align
                    ));
                }
                let names =
                    |s: &Struct| s.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
                if names(o) != names(n) {
                    what.push(format!("fields {:?} -> {:?}", names(o), names(n)));
                } else {
                    for (a, b) in o.fields.iter().zip(&n.fields) {
                        if a != b {
                            what.push(format!(
                                "{}: {} (offset {}, size {}) -> {} (offset {}, size {})",
                                a.name, a.ty, a.offset, a.size, b.ty, b.offset, b.size
                            ));
                        }
                    }
                }
                out.push(format!("struct {}: {}", o.name, what.join("; ")));
            }
            Some(_) => {}
        }
    }
    for o in &old.enums {
        let Some(n) = new.enums.iter().find(|n| n.name == o.name) else {
            out.push(format!("enum {} was removed", o.name));
            continue;
        };
        for (member, value) in &o.members {
            match n.members.iter().find(|(m, _)| m == member) {
                None => out.push(format!("enum {}: {member} was removed", o.name)),
                Some((_, v)) if v != value => {
                    out.push(format!("enum {}: {member} = {value} -> {v}", o.name))
                }
                Some(_) => {}
            }
        }
    }
    out
}

/// The rule: `Ok(None)` when `committed` describes `now`; `Ok(Some(text))` when it is
/// merely stale (the text to bless); `Err(message)` when the layout broke without a new
/// soname and layout version.
fn check(committed: &str, now: &Layout) -> Result<Option<String>, String> {
    let rendered = render(now);
    if rendered == committed {
        return Ok(None);
    }
    let old = parse(committed);
    let broken = breaking(&old, now);
    let mut missing = Vec::new();
    if !broken.is_empty() && now.soname == old.soname {
        missing.push(format!(
            "the soname is still {}: raise the version's minor in Cargo.toml (0.N.x -> \
             0.(N+1).0; from 1.0 the major), which gives the library a new soname",
            old.soname
        ));
    }
    if !broken.is_empty() && now.version == old.version {
        missing.push(format!(
            "MK_LAYOUT_VERSION is still {}: raise it in src/ffi/mod.rs",
            old.version
        ));
    }
    if missing.is_empty() {
        return Ok(Some(rendered));
    }
    Err(format!(
        "the C layout changed in a way that breaks programs compiled against {COMMITTED}:\n  \
         - {}\nbut {}.\nA program built against the old header reads every array of the typed \
         view with the old stride (docs/C-API.md, \"ABI rule for structs\"). Bump both, run \
         `make header` and `make gen`, add a CHANGELOG entry, then bless the new layout:\n  {BLESS}",
        broken.join("\n  - "),
        missing.join("; and ")
    ))
}

#[test]
fn struct_layouts_change_only_with_a_new_soname_and_layout_version() {
    if cfg!(not(target_pointer_width = "64")) {
        eprintln!("{COMMITTED} describes 64-bit targets: nothing checked here");
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let now = current();
    match check(&committed, &now) {
        Ok(None) => {}
        Err(message) => panic!("{message}"),
        Ok(Some(text)) if std::env::var_os(BLESS_VAR).is_some() => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            eprintln!("{COMMITTED} blessed: commit it");
        }
        Ok(Some(_)) => panic!(
            "{COMMITTED} is stale (a new struct or enum member, or a new soname or \
             MK_LAYOUT_VERSION; nothing that breaks compiled programs): bless it and commit it:\n  \
             {BLESS}"
        ),
    }
}

/// The rule itself, on headers edited here: a field added to a view struct fails unless
/// both the soname and MK_LAYOUT_VERSION are new; a new enum member only asks for a bless.
#[test]
fn the_rule_refuses_a_layout_change_without_both_bumps() {
    if cfg!(not(target_pointer_width = "64")) {
        return;
    }
    let now = current();
    let committed = render(&now);
    assert_eq!(check(&committed, &now), Ok(None));
    assert_eq!(parse(&committed), now, "render and parse agree");

    // A new field at the end of mk_email: every mk_email array has a new stride.
    let grown = GENERATED.replacen(
        "  mk_opt_bool primary;\n} mk_email;",
        "  mk_opt_bool primary;\n  int64_t verified_at;\n} mk_email;",
        1,
    );
    assert_ne!(
        grown, GENERATED,
        "the header's mk_email changed: adapt this test"
    );
    let changed = |soname: &str, version: u32| Layout {
        soname: soname.to_string(),
        version,
        ..compile_layout(&grown, "grown")
    };
    let next_soname = "libmoneykit.so.0.999";
    let message = check(&committed, &changed(&now.soname, now.version)).unwrap_err();
    assert!(
        message.contains("struct mk_email: size 24 align 8 -> size 32 align 8"),
        "{message}"
    );
    assert!(
        message
            .contains(r#"fields ["address", "primary"] -> ["address", "primary", "verified_at"]"#),
        "{message}"
    );
    assert!(
        message.contains("the soname is still") && message.contains("MK_LAYOUT_VERSION is still"),
        "{message}"
    );
    let message = check(&committed, &changed(next_soname, now.version)).unwrap_err();
    assert!(
        !message.contains("the soname is still") && message.contains("MK_LAYOUT_VERSION is still"),
        "{message}"
    );
    let message = check(&committed, &changed(&now.soname, now.version + 1)).unwrap_err();
    assert!(
        message.contains("the soname is still") && !message.contains("MK_LAYOUT_VERSION is still"),
        "{message}"
    );
    // Both bumped: the new layout may be blessed.
    let bumped = changed(next_soname, now.version + 1);
    assert_eq!(check(&committed, &bumped), Ok(Some(render(&bumped))));

    // A field retyped at the same size and offset is a change too.
    let retyped = GENERATED.replacen("  int32_t http_status;", "  uint32_t http_status;", 1);
    assert_ne!(
        retyped, GENERATED,
        "the header's mk_event changed: adapt this test"
    );
    let layout = Layout {
        soname: now.soname.clone(),
        version: now.version,
        ..compile_layout(&retyped, "retyped")
    };
    let message = check(&committed, &layout).unwrap_err();
    assert!(
        message
            .contains("http_status: int32_t (offset 16, size 4) -> uint32_t (offset 16, size 4)"),
        "{message}"
    );

    // An enum member appended: nothing compiled breaks, the file is only stale.
    let appended = GENERATED.replacen(
        "  MK_BOOL_TRUE = 1,\n",
        "  MK_BOOL_TRUE = 1,\n  MK_BOOL_MAYBE = 2,\n",
        1,
    );
    assert_ne!(
        appended, GENERATED,
        "the header's mk_opt_bool changed: adapt this test"
    );
    let layout = Layout {
        soname: now.soname.clone(),
        version: now.version,
        ..compile_layout(&appended, "appended")
    };
    assert!(matches!(check(&committed, &layout), Ok(Some(_))));
    // Renumbered: breaking.
    let renumbered = GENERATED.replacen("  MK_BOOL_TRUE = 1,\n", "  MK_BOOL_TRUE = 2,\n", 1);
    let layout = Layout {
        soname: now.soname.clone(),
        version: now.version,
        ..compile_layout(&renumbered, "renumbered")
    };
    let message = check(&committed, &layout).unwrap_err();
    assert!(
        message.contains("enum mk_opt_bool: MK_BOOL_TRUE = 1 -> 2"),
        "{message}"
    );
}
