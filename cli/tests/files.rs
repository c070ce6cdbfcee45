//! `moneykit_cli::files`, the file formats as the fuzz targets see them: examples, and
//! the invariants their doc comments promise checked over many mutated inputs (a small
//! deterministic fuzzer, so `cargo test` keeps them true between fuzzing runs).

use moneykit_cli::files::{parse_links, parse_resume, result_line, Line, ResumeReader};
use serde_json::Value;

#[test]
fn links_are_trimmed_deduplicated_and_commented() {
    let text = "\u{feff}# header\n a \n\nb\na\r\n  # indented comment\nc d\n\t c d\u{a0}\nlast";
    assert_eq!(
        parse_links(text.as_bytes()).unwrap(),
        ["a", "b", "c d", "last"]
    );
    assert_eq!(parse_links(b"").unwrap(), Vec::<String>::new());
    assert_eq!(parse_links(b"\n\n# only\n").unwrap(), Vec::<String>::new());
}

#[test]
fn a_links_file_that_is_not_text_is_refused_by_line_number() {
    assert_eq!(
        parse_links(b"a\nb\xff\n").unwrap_err(),
        "line 2: not UTF-8 text"
    );
    for bad in [&b"a\n\nx\0y\n"[..], b"a\n\nx\ry", b"a\n\nx\x1b[2Jy\n"] {
        let e = parse_links(bad).unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
        assert!(!e.contains('x'), "{e}");
    }
}

#[test]
fn result_lines_keep_values_exact_on_one_line() {
    let body = "{\n  \"a\": 1.10,\n  \"s\": \"x \\\" y\\n z\",\n  \"t\": [ 1 , 2e3 ]\n}\n";
    let line = result_line("mk \"1\"", "identity", body);
    assert_eq!(
        line,
        "{\"link_id\":\"mk \\\"1\\\"\",\"identity\":{\"a\":1.10,\"s\":\"x \\\" y\\n z\",\"t\":[1,2e3]}}\n"
    );
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["identity"]["s"], "x \" y\n z");
    assert_eq!(line.matches('\n').count(), 1);
}

#[test]
fn resume_reads_results_blanks_and_an_unfinished_tail() {
    let a = result_line("a", "identity", "{}");
    let b = result_line("b", "error", "{\"status\":9}");
    let c = result_line("a", "error", "{}");
    let file = format!("{a}\n{b}{c}{{\"link_id\":\"d\",\"ide");
    let s = parse_resume(file.as_bytes()).unwrap();
    assert_eq!(s.kept_len as usize, a.len() + 1 + b.len() + c.len());
    assert!(s.unfinished_tail);
    assert_eq!((s.identity_lines, s.error_lines), (1, 2));
    assert_eq!(s.with_identity.len(), 1);
    assert!(s.with_error.contains("a") && s.with_error.contains("b"));

    let mut r = ResumeReader::new();
    assert_eq!(
        r.line(a.as_bytes()).unwrap(),
        Line::Result {
            link_id: "a".into(),
            identity: true
        }
    );
    assert_eq!(r.line(b"  \n").unwrap(), Line::Blank);
    assert_eq!(r.line(b"{\"li").unwrap(), Line::Unfinished);
    assert_eq!(
        r.line(b.as_bytes()).unwrap_err(),
        "line 4: follows a line without a newline"
    );
}

#[test]
fn resume_refuses_what_is_not_ours_by_line_number_only() {
    let a = result_line("a", "identity", "{}");
    for (bad, number) in [
        ("secret\n", 2),
        ("{\"link_id\":\"secret\"}\n", 2),
        ("{\"link_id\":\"\",\"identity\":{}}\n", 2),
        ("{\"link_id\":\"x\\u0000\",\"identity\":{}}\n", 2),
        ("{\"link_id\":7,\"identity\":{}}\n", 2),
        ("{\"link_id\":\"x\",\"identity\":{},\"error\":{}}\n", 2),
        ("[\"secret\"]\n", 2),
        ("secret", 2),
        ("\n\nsecret", 4),
    ] {
        let e = parse_resume(format!("{a}{bad}").as_bytes()).unwrap_err();
        assert!(e.starts_with(&format!("line {number}: ")), "{bad:?}: {e}");
        assert!(!e.contains("secret"), "{e}");
    }
    assert!(parse_resume(b"{\"link_id\":\"a\",\n\"identity\":{}}\n").is_err());
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const PIECES: [&[u8]; 10] = [
        b"\n",
        b"\r",
        b"\0",
        b"#",
        b" ",
        b"\"",
        b"{\"link_id\":\"",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\\u0000",
    ];
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(5) {
            0 => v.truncate(at),
            1 if at < v.len() => v[at] = rng.next() as u8,
            2 => {
                let piece = PIECES[rng.below(PIECES.len())];
                v.splice(at..at, piece.iter().copied());
            }
            3 if at < v.len() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at..end);
            }
            _ => {
                let from = rng.below(seed.len());
                let end = (from + rng.below(64)).min(seed.len());
                v.splice(at..at, seed[from..end].iter().copied());
            }
        }
    }
    v
}

fn no_control(id: &str) -> bool {
    !id.is_empty() && !id.chars().any(char::is_control)
}

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

fn line_number(e: &str) -> usize {
    let n = e.strip_prefix("line ").and_then(|r| r.split(':').next());
    n.and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{e}"))
}

/// The invariants `parse_links` documents; whether it accepted the input.
fn check_links(bytes: &[u8]) -> bool {
    match parse_links(bytes) {
        Ok(ids) => {
            let text = String::from_utf8_lossy(bytes);
            assert!(ids.len() <= lines(bytes));
            for (i, id) in ids.iter().enumerate() {
                let trimmed = id.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
                assert!(no_control(id) && trimmed == id && !id.starts_with('#'));
                assert!(!ids[..i].contains(id));
                assert!(text.contains(id.as_str()));
            }
            assert_eq!(parse_links(ids.join("\n").as_bytes()).unwrap(), ids);
            true
        }
        Err(e) => {
            assert!((1..=lines(bytes)).contains(&line_number(&e)), "{e}");
            false
        }
    }
}

/// The invariants `parse_resume` documents; whether it accepted the input with results.
fn check_resume(bytes: &[u8]) -> bool {
    match parse_resume(bytes) {
        Ok(s) => {
            let kept = s.kept_len as usize;
            assert!(kept <= bytes.len());
            assert!(kept == 0 || bytes[kept - 1] == b'\n');
            assert!(!bytes[kept..].contains(&b'\n'));
            assert_eq!(s.unfinished_tail, kept < bytes.len());
            assert!(s.with_identity.iter().all(|id| no_control(id)));
            assert!(s.with_error.iter().all(|id| no_control(id)));
            assert!(s.with_identity.len() as u64 <= s.identity_lines);
            assert!(s.with_error.len() as u64 <= s.error_lines);
            let newlines = bytes[..kept].iter().filter(|&&b| b == b'\n').count() as u64;
            assert!(s.identity_lines + s.error_lines <= newlines);
            let mut whole = parse_resume(&bytes[..kept]).unwrap();
            assert!(!whole.unfinished_tail);
            whole.unfinished_tail = s.unfinished_tail;
            assert_eq!(whole, s);
            let cut = [&bytes[..kept], b"{\"link_id\":\"x\\"].concat();
            let again = parse_resume(&cut).unwrap();
            let results = s.identity_lines + s.error_lines > 0;
            assert_eq!(
                (again.with_identity, again.with_error),
                (s.with_identity, s.with_error)
            );
            results
        }
        Err(e) => {
            assert!((1..=lines(bytes)).contains(&line_number(&e)), "{e}");
            false
        }
    }
}

#[test]
fn the_documented_invariants_hold_on_mutated_inputs() {
    let body =
        r#"{"link": {"link_id": "mk_1"}, "accounts": [{"n": "Peggy \"O\" \u00e9", "x": 1.50}]}"#;
    let error = r#"{"status": 7, "name": "MK_ERR_NOT_FOUND", "message": "a\nb"}"#;
    let output = [
        result_line("mk_1", "identity", body),
        "\n".to_string(),
        result_line("mk_2", "error", error),
        result_line("mk é 3", "identity", "[]"),
        result_line("mk_2", "identity", "null"),
        "{\"link_id\":\"mk_4\",\"iden".to_string(),
    ]
    .concat();
    let links = "\u{feff}# links\nmk_1\r\n  mk_2 \n\nmk é 3\nmk_1\n#x\nmk_4";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    assert!(check_links(links.as_bytes()) && check_resume(output.as_bytes()));
    // How many mutated inputs each function accepted: both outcomes must be common, or
    // the mutations test nothing.
    let (mut links_ok, mut resume_ok) = (0, 0);
    for seed in [output.as_bytes(), links.as_bytes()] {
        for _ in 0..20_000 {
            let input = mutate(&mut rng, seed);
            links_ok += u32::from(check_links(&input));
            resume_ok += u32::from(check_resume(&input));
        }
    }
    assert!((4_000..36_000).contains(&links_ok), "{links_ok}");
    assert!((1_000..20_000).contains(&resume_ok), "{resume_ok}");
}

#[test]
fn a_result_line_reads_back_as_written() {
    for id in ["a", "mk é \"q\" \\ 3", "x y"] {
        for (key, identity) in [("identity", true), ("error", false)] {
            for json in ["{}", " { \"a\" : [ 1 , \"b c\" ] } ", "null", "\"s\\n\""] {
                let line = result_line(id, key, json);
                assert!(line.starts_with("{\"link_id\":\"") && line.ends_with("}\n"));
                assert_eq!(line.matches('\n').count(), 1);
                let s = parse_resume(line.as_bytes()).unwrap();
                let set = if identity {
                    &s.with_identity
                } else {
                    &s.with_error
                };
                assert_eq!(set.len(), 1);
                assert!(set.contains(id));
                let v: Value = serde_json::from_str(&line).unwrap();
                assert_eq!(v[key], serde_json::from_str::<Value>(json).unwrap());
            }
        }
    }
}
