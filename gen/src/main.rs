//! `make gen`: reads schema/moneykit.json and writes every generated file.
//! `--check` writes nothing and fails when a generated file is stale (`make test`).
//!
//! One emitter per language or document, each in its own module.

mod c_view;
mod cpp;
mod docs;
mod go;
mod out;
mod python;
mod python_abi;
mod records;
mod rust;
mod rust_meta;
mod sandbox;
mod schema;

use std::path::PathBuf;

fn main() {
    let mut check = false;
    let mut root = PathBuf::from(".");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--root" => root = PathBuf::from(args.next().expect("--root DIR")),
            _ => {
                eprintln!("usage: moneykit-gen [--check] [--root DIR]");
                std::process::exit(2);
            }
        }
    }
    let s = schema::Schema::load(&root.join("schema/moneykit.json"));
    records::check_header(&s, &python_abi::header_structs(&root));
    records::check_magic_checks(&s);
    let mut out = out::Out::new(&root, check);
    rust::emit(&s, &mut out);
    rust_meta::emit(&s, &mut out);
    python::emit(&s, &mut out);
    python_abi::emit(&root, &mut out);
    go::emit(&s, &mut out);
    cpp::emit(&s, &mut out);
    c_view::emit(&s, &mut out);
    sandbox::emit(&s, &mut out);
    docs::emit(&s, &mut out);
    if check {
        if !out.stale.is_empty() {
            eprintln!(
                "generated files are stale (run `make gen` and commit): {}",
                out.stale.join(", ")
            );
            std::process::exit(1);
        }
        println!("generated files are up to date");
    } else {
        for f in &out.written {
            println!("wrote {f}");
        }
    }
}
