//! Progress of `moneykit identities` on stderr: indicatif's bar on a terminal,
//! a plain line every few seconds otherwise (logs, CI), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use moneykit::core::batch::Progress;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

enum Mode {
    Bar(ProgressBar),
    Plain { every: Duration, last: Instant },
    Quiet,
}

pub struct Reporter {
    mode: Mode,
    total: u64,
}

impl Reporter {
    pub fn new(total: u64, quiet: bool, every: Duration) -> Reporter {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar:.cyan/blue} {pos}/{len} {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            // Redrawn while no result arrives too (a pause for a 429 shows).
            bar.enable_steady_tick(Duration::from_millis(200));
            Mode::Bar(bar)
        } else {
            Mode::Plain {
                every,
                last: Instant::now(),
            }
        };
        Reporter { mode, total }
    }

    /// After a result line was written (`written` lines so far) or while waiting.
    pub fn update(&mut self, written: u64, p: &Progress) {
        match &mut self.mode {
            Mode::Bar(bar) => {
                bar.set_position(written);
                bar.set_message(status(written, self.total, p));
            }
            Mode::Plain { every, last } => {
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    eprintln!(
                        "moneykit: {written}/{} links, {}",
                        self.total,
                        status(written, self.total, p)
                    );
                }
            }
            Mode::Quiet => {}
        }
    }

    /// Clears the bar; the caller prints the summary.
    pub fn finish(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

/// "598/min, 2 failed, ETA 18s, paused by rate limit (3s)".
fn status(written: u64, total: u64, p: &Progress) -> String {
    let mut s = format!("{:.0}/min", p.rate_per_minute);
    if p.failed > 0 {
        s.push_str(&format!(", {} failed", p.failed));
    }
    let left = total.saturating_sub(written);
    if left > 0 && p.rate_per_minute > 0.0 {
        let eta = Duration::from_secs_f64(left as f64 * 60.0 / p.rate_per_minute);
        s.push_str(&format!(", ETA {}", human(eta)));
    }
    if p.paused {
        s.push_str(&format!(
            ", paused by rate limit ({})",
            human(Duration::from_millis(p.paused_ms))
        ));
    }
    s
}

/// "1h02m", "3m05s", "42s", "0.4s".
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else if secs >= 10 {
        format!("{secs}s")
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text() {
        let p = Progress {
            rate_per_minute: 600.0,
            failed: 2,
            paused: true,
            paused_ms: 3000,
            ..Progress::default()
        };
        assert_eq!(
            status(100, 400, &p),
            "600/min, 2 failed, ETA 30s, paused by rate limit (3.0s)"
        );
        assert_eq!(status(0, 0, &Progress::default()), "0/min");
        assert_eq!(human(Duration::from_secs(3725)), "1h02m");
        assert_eq!(human(Duration::from_secs(185)), "3m05s");
    }
}
