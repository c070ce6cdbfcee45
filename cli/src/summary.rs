//! The words of `moneykit identities`' last line: counts that add up, in English.

/// "1 error", "2 errors", "0 errors".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a run of `moneykit identities` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Distinct links in the links file.
    pub links: u64,
    /// Of those, links that already had a line in the output (resume).
    pub earlier: u64,
    /// Lines this run wrote, and how many of them are errors.
    pub written: u64,
    pub errors: u64,
    /// Where the lines went ("out.jsonl", "standard output").
    pub name: String,
    /// How long the run took, as text ("3.2s").
    pub elapsed: String,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// The output can be resumed (a file, not standard output).
    pub resumable: bool,
}

/// The summary line, without the `moneykit: ` prefix:
/// - `done: 300 links written to out.jsonl (2 errors) in 4.1s`
/// - `done: 142 links written to out.jsonl (1 error) in 3.0s; with the 59 written before, all 201 links have a line`
/// - `interrupted: 60 of 300 links written to out.jsonl (0 errors) in 1.0s; run the same command again to fetch the other 240`
pub fn summary(r: &Run) -> String {
    let todo = r.links - r.earlier;
    let counts = format!(
        "{} written to {} ({}) in {}",
        plural(r.written, "link", "links"),
        r.name,
        plural(r.errors, "error", "errors"),
        r.elapsed
    );
    let have = r.earlier + r.written;
    if r.interrupted {
        let of = if r.earlier == 0 {
            format!("{} of {}", r.written, plural(r.links, "link", "links"))
        } else {
            format!(
                "{} of the {} left",
                r.written,
                plural(todo, "link", "links")
            )
        };
        let counts = counts.replacen(&plural(r.written, "link", "links"), &of, 1);
        if r.resumable && r.earlier == 0 {
            format!(
                "interrupted: {counts}; run the same command again to fetch the other {}",
                r.links - have
            )
        } else if r.resumable {
            format!(
                "interrupted: {counts}; {have} of {} have a line; run the same command again \
                 to fetch the other {}",
                r.links,
                r.links - have
            )
        } else {
            format!("interrupted: {counts}")
        }
    } else if r.earlier == 0 && r.written == r.links {
        format!("done: {counts}")
    } else if r.written == todo {
        format!(
            "done: {counts}; with the {} written before, all {} have a line",
            r.earlier,
            plural(r.links, "link", "links")
        )
    } else {
        // A write failed: the run stopped early.
        format!(
            "stopped: {counts}; {have} of {} have a line",
            plural(r.links, "link", "links")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(links: u64, earlier: u64, written: u64, errors: u64) -> Run {
        Run {
            links,
            earlier,
            written,
            errors,
            name: "out.jsonl".into(),
            elapsed: "3.0s".into(),
            interrupted: false,
            resumable: true,
        }
    }

    #[test]
    fn wording() {
        assert_eq!(
            summary(&run(300, 0, 300, 2)),
            "done: 300 links written to out.jsonl (2 errors) in 3.0s"
        );
        assert_eq!(
            summary(&run(1, 0, 1, 1)),
            "done: 1 link written to out.jsonl (1 error) in 3.0s"
        );
        // The resume of issue 27: 142 fetched of 201, not "142 of 142".
        assert_eq!(
            summary(&run(201, 59, 142, 1)),
            "done: 142 links written to out.jsonl (1 error) in 3.0s; with the 59 written \
             before, all 201 links have a line"
        );
        let mut r = run(300, 0, 60, 0);
        r.interrupted = true;
        assert_eq!(
            summary(&r),
            "interrupted: 60 of 300 links written to out.jsonl (0 errors) in 3.0s; run the \
             same command again to fetch the other 240"
        );
        let mut r = run(201, 59, 40, 0);
        r.interrupted = true;
        assert_eq!(
            summary(&r),
            "interrupted: 40 of the 142 links left written to out.jsonl (0 errors) in 3.0s; \
             99 of 201 have a line; run the same command again to fetch the other 102"
        );
        r.resumable = false;
        assert!(summary(&r).ends_with("(0 errors) in 3.0s"));
        assert_eq!(
            summary(&run(10, 0, 4, 0)),
            "stopped: 4 links written to out.jsonl (0 errors) in 3.0s; 4 of 10 links have a line"
        );
    }
}
