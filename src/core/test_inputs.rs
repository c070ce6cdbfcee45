//! Test support: the identity inputs every "agrees with the one validator" test reads (the
//! corpus bodies and every committed input of the identity fuzz targets), in one list.

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The directories read (tests/corpus, then fuzz/corpus/identity*, fuzz/regressions/identity*)
/// and every body file in them, sorted; expected dumps, error notes and READMEs left out.
pub(crate) fn identity_inputs() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests/corpus")];
    for kind in ["fuzz/corpus", "fuzz/regressions"] {
        let mut sub: Vec<PathBuf> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_dir()
                    && p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("identity")
            })
            .collect();
        sub.sort();
        dirs.extend(sub);
    }
    let inputs = dirs
        .iter()
        .flat_map(|d| files(d))
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy();
            !(name.ends_with(".expected.json") || name.ends_with(".error") || name == "README.md")
        })
        .collect();
    (dirs, inputs)
}
