//! Regenerates include/moneykit.h from the Rust sources with cbindgen. The
//! header is committed; `make test` fails when the committed copy is stale.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    // The shared library's soname: ABI version 0 until 1.0 (C-API.md "Artifacts").
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmoneykit.so.0");
    }

    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let mut parts = version.split(['.', '-']);
    let mut next = || parts.next().unwrap_or("0").to_string();
    let (major, minor, patch) = (next(), next(), next());

    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    config.after_includes = Some(format!(
        "\n/* The version of the library this header belongs to; mk_version() gives the loaded one. */\n\
         #define MK_VERSION \"{version}\"\n\
         #define MK_VERSION_MAJOR {major}\n\
         #define MK_VERSION_MINOR {minor}\n\
         #define MK_VERSION_PATCH {patch}"
    ));

    let header = match cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            let mut out = Vec::new();
            bindings.write(&mut out);
            out
        }
        Err(e) => {
            // A syntax error in src/ is reported by rustc itself; do not fail twice.
            println!("cargo:warning=cbindgen could not generate the header: {e}");
            return;
        }
    };

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("moneykit.h"), &header).expect("OUT_DIR is writable");
    let target = root.join("include").join("moneykit.h");
    // Only touch the committed header when it really changes.
    if std::fs::read(&target).ok().as_deref() != Some(header.as_slice()) {
        std::fs::create_dir_all(target.parent().expect("has a parent"))
            .expect("include/ is writable");
        std::fs::write(&target, &header).expect("include/moneykit.h is writable");
    }
}
