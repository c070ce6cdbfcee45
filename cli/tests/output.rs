//! The output file of `moneykit identities` holds owner data: it is created 0600 and a
//! rewrite (`--retry-errors`) keeps its mode; no symbolic link is followed, at `--out` or
//! at a temporary file; `--out -` is standard output; resume cuts only an unfinished last
//! line and refuses a whole line that is not a result line, without quoting it.

mod common;

use common::*;
use std::fs;
use std::path::Path;

fn names(d: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn resume_refuses_a_whole_line_that_is_not_a_result_line() {
    let sb = plain();
    let d = dir("bad-last-line");
    let (links, out) = (links_file(&d, 2), d.join("out.jsonl"));
    let o = identities(&sb, &links, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let good = fs::read(&out).unwrap();
    // Whole lines (with their newline) that are not result lines, owner data in them.
    for bad in [
        "{\"owner\":\"Peggy OBrien\"}\n",
        "{\"link_id\":\"mk_sandbox_bulk_5\",\"owner\":\"Peggy OBrien\"}\n",
        "Peggy OBrien\n",
    ] {
        let content = [&good[..], bad.as_bytes()].concat();
        for extra in [&[][..], &["--retry-errors"][..]] {
            fs::write(&out, &content).unwrap();
            let before = names(&d);
            let o = identities(&sb, &links, &out, &[&["--quiet"][..], extra].concat());
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{bad:?} {extra:?}: {err}");
            assert!(err.contains("line 3"), "{err}");
            assert!(!err.contains("Peggy"), "the line's content in: {err}");
            assert_eq!(fs::read(&out).unwrap(), content, "{bad:?} {extra:?}");
            assert_eq!(names(&d), before);
        }
    }
    // An unfinished last line that is not the start of a result line is not ours: refused.
    let content = [&good[..], b"Peggy OBrien"].concat();
    fs::write(&out, &content).unwrap();
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(!err.contains("Peggy"), "the line's content in: {err}");
    assert_eq!(fs::read(&out).unwrap(), content);
    // The start of a result line cut by a crash is removed, and that link fetched again.
    let content = [
        &good[..],
        b"{\"link_id\":\"mk_sandbox_bulk_2\",\"identity\":{\"li",
    ]
    .concat();
    fs::write(&out, &content).unwrap();
    let links = links_file(&d, 3);
    let o = identities(&sb, &links, &out, &["--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("removed an incomplete last line"), "{err}");
    assert_each_once(&count_lines(&out), 3);
}
