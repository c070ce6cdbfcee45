//! Generates the C header from the Rust sources with cbindgen, into `OUT_DIR`
//! only. `make header` copies it to `include/moneykit.h`, the committed copy;
//! `tests/header.rs` and `make header-check` fail when that copy is stale.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let mut parts = version.split(['.', '-']);
    let mut next = || parts.next().unwrap_or("0").to_string();
    let (major, minor, patch) = (next(), next(), next());

    // The shared library's soname follows the ABI policy (README "Versions and ABI", cargo-c's
    // rule): before 1.0 every minor release may break the ABI, so 0.1.x is libmoneykit.so.0.1;
    // from 1.0 on, libmoneykit.so.MAJOR.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let abi = if major == "0" {
            format!("0.{minor}")
        } else {
            major.clone()
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmoneykit.so.{abi}");
    }

    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    config.after_includes = Some(format!(
        "\n/* The version of the library this header belongs to; mk_version() gives the loaded one. */\n\
         #define MK_VERSION \"{version}\"\n\
         #define MK_VERSION_MAJOR {major}\n\
         #define MK_VERSION_MINOR {minor}\n\
         #define MK_VERSION_PATCH {patch}"
    ));

    // A header that cannot be generated fails the build: a library without its
    // matching header is not a result. (A Rust syntax error in src/ surfaces here,
    // as cbindgen's parse error, before rustc reports it.)
    let bindings = match cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => bindings,
        Err(e) => panic!("cbindgen could not generate the C header: {e}"),
    };
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    // Writes only when the content changed.
    bindings.write_to_file(out_dir.join("moneykit.h"));
}
