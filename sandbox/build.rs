//! Embeds the conformance corpus (`../tests/corpus/<name>.json`, without the
//! `.expected.json` dumps) as `CORPUS` in `$OUT_DIR/corpus_list.rs`. Writes only into OUT_DIR.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("../tests/corpus");
    // A directory: cargo reruns this when any file in it is added, removed or changed.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter_map(|p| {
                    let file = p.file_name()?.to_str()?.to_string();
                    let name = file.strip_suffix(".json")?;
                    (!name.ends_with(".expected")).then(|| (name.to_string(), p.clone()))
                })
                .collect()
        })
        // Outside the repository (a packaged crate) there is no corpus to serve.
        .unwrap_or_default();
    // Sorted by name as `str` compares, for `binary_search` in corpus.rs.
    entries.sort();
    let mut out = String::from(
        "/// (name, body) of every `tests/corpus/<name>.json`, sorted by name.\n\
         pub static CORPUS: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &entries {
        let path = path.canonicalize().expect("corpus file path");
        out.push_str(&format!("    ({name:?}, include_bytes!({path:?})),\n"));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(dest.join("corpus_list.rs"), out).expect("write corpus_list.rs");
}
