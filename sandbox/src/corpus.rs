//! The conformance corpus (`tests/corpus/<name>.json`), embedded at build time by
//! `build.rs`, served as link id `mk_corpus_<name>`.

include!(concat!(env!("OUT_DIR"), "/corpus_list.rs"));

/// The bytes of `tests/corpus/<name>.json` (not the `.expected.json` dumps).
pub fn body(name: &str) -> Option<&'static [u8]> {
    CORPUS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| CORPUS[i].1)
}

/// Every embedded name, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    CORPUS.iter().map(|(n, _)| *n)
}
