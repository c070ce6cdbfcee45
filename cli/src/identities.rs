//! `moneykit identities`: the core's batch over a links file, one JSON line per
//! link as each completes.
//!
//! Each line goes to the output (`--out` FILE, or standard output with `--out -`) in
//! one `write` as soon as its result arrives, so a crash or a kill loses only calls in
//! flight. The first Ctrl-C cancels the batch:
//! results already made are written, cancelled calls are not (a later run fetches
//! them), and the exit code is 130. A later run with the same `--out` skips every
//! link that has a line.

use crate::args::IdentitiesArgs;
use crate::common::{self, Conn, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};
use crate::jsonl::{self, Resume};
use crate::outfile::{self, OpenError};
use crate::progress::{human, Reporter};
use moneykit::core::batch::{Batch, BatchOptions, Next};
use moneykit::core::Status;
use moneykit_cli::summary::{self, plural};
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long `next` waits before the loop looks at Ctrl-C and redraws progress.
const POLL: Duration = Duration::from_millis(100);

/// Where the lines go: the `--out` file, or standard output (`--out -`).
enum Sink {
    File(File),
    Stdout(io::StdoutLock<'static>),
}

impl Sink {
    /// One line in one `write`: a kill never leaves half of an earlier line.
    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            Sink::File(f) => f.write_all(line),
            Sink::Stdout(s) => s.write_all(line).and_then(|()| s.flush()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.sync_data(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}

/// Opens `--out` and reads what it already holds; an exit code when that fails.
fn open_and_resume(args: &IdentitiesArgs) -> Result<(File, Resume), u8> {
    let out = &args.out;
    let file = match outfile::open(out) {
        Ok(f) => f,
        Err(OpenError::Refused(why)) => {
            eprintln!("moneykit: --out {why}");
            return Err(EXIT_USAGE);
        }
        Err(OpenError::Io(e)) => {
            eprintln!("moneykit: cannot open {}: {e}", out.display());
            return Err(EXIT_FAILED);
        }
    };
    let (file, resume) = match jsonl::load(file, out, args.retry_errors) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("moneykit: cannot resume from {}: {e}", out.display());
            return Err(EXIT_FAILED);
        }
    };
    if resume.truncated_tail {
        eprintln!(
            "moneykit: {}: removed an incomplete last line (an interrupted write)",
            out.display()
        );
    }
    if resume.dropped_errors > 0 {
        eprintln!(
            "moneykit: {}: removed {} to fetch those links again",
            out.display(),
            plural(resume.dropped_errors, "error line", "error lines")
        );
    }
    Ok((file, resume))
}

pub fn run(conn: Conn<'_>, args: &IdentitiesArgs) -> u8 {
    let to_stdout = args.out == Path::new("-");
    if to_stdout && args.retry_errors {
        eprintln!(
            "moneykit: --retry-errors cannot be used with --out - (standard output): it \
             rewrites an earlier output file; give --out FILE"
        );
        return EXIT_USAGE;
    }
    let links = match jsonl::read_links(&args.links) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("moneykit: cannot read {}: {e}", args.links.display());
            return EXIT_FAILED;
        }
    };
    // Before the output is touched: a usage error leaves it as it was.
    let client = match common::client(conn) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (mut out, resume, name) = if to_stdout {
        let stdout = Sink::Stdout(io::stdout().lock());
        (stdout, Resume::default(), "standard output".to_string())
    } else {
        match open_and_resume(args) {
            Ok((file, resume)) => (Sink::File(file), resume, args.out.display().to_string()),
            Err(code) => return code,
        }
    };
    let todo: Vec<String> = links
        .iter()
        .filter(|l| !resume.done.contains(*l))
        .cloned()
        .collect();
    let skipped = links.len() - todo.len();
    if skipped > 0 {
        eprintln!(
            "moneykit: resuming: {skipped} of {} already in {name}; fetching {}",
            plural(links.len() as u64, "link", "links"),
            todo.len()
        );
    }
    if links.is_empty() {
        eprintln!(
            "moneykit: nothing to fetch: no link id in {}",
            args.links.display()
        );
        return EXIT_OK;
    }
    if todo.is_empty() {
        eprintln!("moneykit: nothing to fetch: every link is in {name}");
        return EXIT_OK;
    }
    let options = BatchOptions {
        concurrency: args.concurrency,
        app_per_minute: args.app_per_minute,
        link_per_minute: args.link_per_minute,
        time_scale: args.pace.time_scale,
    };
    let total = todo.len() as u64;
    let batch = Batch::start(Box::new(Arc::new(client)), todo, options);
    let every = Duration::from_secs_f64(args.progress_every);
    let mut reporter = Reporter::new(total, args.quiet, every);
    let outcome = drain(&batch, &mut out, &mut reporter);
    reporter.finish();
    let p = batch.progress();
    drop(batch);
    let finished = out.finish();
    let (code, Written { lines, failed }) = match outcome {
        Ok(w) => (EXIT_OK, w),
        Err((w, e)) => {
            eprintln!("moneykit: cannot write {name}: {e}");
            (EXIT_FAILED, w)
        }
    };
    if let Err(e) = finished {
        eprintln!("moneykit: cannot sync {name}: {e}");
    }
    let interrupted = common::interrupted();
    let line = summary::summary(&summary::Run {
        links: links.len() as u64,
        earlier: skipped as u64,
        written: lines,
        errors: failed,
        name,
        elapsed: human(p.elapsed),
        interrupted,
        resumable: !to_stdout,
    });
    eprintln!("moneykit: {line}");
    if interrupted {
        EXIT_INTERRUPTED
    } else {
        code
    }
}

/// Lines written, and how many of them are errors.
#[derive(Debug, Default, Clone, Copy)]
struct Written {
    lines: u64,
    failed: u64,
}

/// Writes every result until the batch is done; what was written, and a write
/// error (which cancels the batch).
fn drain(
    batch: &Batch,
    out: &mut Sink,
    reporter: &mut Reporter,
) -> Result<Written, (Written, std::io::Error)> {
    let (mut written, mut cancelled) = (Written::default(), false);
    loop {
        if common::interrupted() && !cancelled {
            batch.cancel();
            cancelled = true;
        }
        match batch.next(POLL) {
            Next::Item(item) => {
                let line = match &item.result {
                    Ok(body) => jsonl::result_line(&item.link_id, "identity", body),
                    // Stopped by our Ctrl-C: no result; a resumed run fetches it.
                    Err(e) if cancelled && e.status == Status::MkErrCancelled => continue,
                    Err(e) => jsonl::result_line(&item.link_id, "error", &e.to_json()),
                };
                if let Err(e) = out.write_line(line.as_bytes()) {
                    batch.cancel();
                    return Err((written, e));
                }
                written.lines += 1;
                written.failed += u64::from(item.result.is_err());
                reporter.update(written.lines, &batch.progress());
            }
            Next::Pending => reporter.update(written.lines, &batch.progress()),
            Next::Done => return Ok(written),
        }
    }
}
