//! Copies the core's response schema (`src/core/schema.rs`) into this crate so P5 can
//! time the same validator fed through `serde_json::from_str` instead of `from_slice`
//! (a proposed core change), always against the core's current schema.
use std::path::Path;

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src/core/schema.rs");
    println!("cargo:rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(&src).unwrap_or_default();
    // Inner doc comments cannot be include!d; the tests are not needed.
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        if !line.trim_start().starts_with("//!") {
            out.push_str(line);
            out.push('\n');
        }
    }
    let dst = Path::new(&std::env::var("OUT_DIR").unwrap()).join("schema_copy.rs");
    std::fs::write(dst, out).unwrap();
}
