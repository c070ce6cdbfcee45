//! What every command shares: the client, SIGINT, exit codes and argument parsers.

use crate::Connection;
use clap::builder::RangedI64ValueParser;
use moneykit::core::{batch_option, refresh_option, IntBounds};
use moneykit::core::{CancelToken, Client, Error, Options, Status};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

pub const EXIT_OK: u8 = 0;
/// A call or a file failed.
pub const EXIT_FAILED: u8 = 1;
/// Bad arguments (clap's own code for a usage error).
pub const EXIT_USAGE: u8 = 2;
/// Interrupted by SIGINT (128 + 2, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static CANCEL: OnceLock<CancelToken> = OnceLock::new();

/// The token SIGINT cancels: single calls pass it in their `CallControl`.
pub fn cancel_token() -> CancelToken {
    CANCEL.get_or_init(CancelToken::new).clone()
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The first Ctrl-C cancels what runs (the command then writes what completed and
/// exits 130); a second one exits at once. The `ctrlc` crate runs this on an
/// ordinary thread, not in signal context, so it may do more than set a flag.
pub fn install_sigint_handler() {
    let token = cancel_token();
    let installed = ctrlc::set_handler(move || {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!("moneykit: interrupted again, exiting now");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        token.cancel();
    });
    if let Err(e) = installed {
        eprintln!(
            "moneykit: warning: cannot handle Ctrl-C ({e}); it will stop the program at once"
        );
    }
}

/// A client from the environment (credentials, `MONEYKIT_BASE_URL`), `--options`
/// and `--base-url` (which wins over both).
pub fn client(conn: &Connection) -> Result<Client, Error> {
    let mut options = match &conn.options {
        Some(json) => Options::from_json(json)?,
        None => Options::default(),
    };
    if let Some(url) = &conn.base_url {
        options.base_url = Some(url.clone());
    }
    Client::new(None, None, options)
}

/// Prints an error for a human (stderr, one line) and gives its exit code.
pub fn report(what: &str, e: &Error) -> u8 {
    eprintln!("moneykit: {what}: {e}");
    exit_code(e)
}

/// The error JSON on stderr (for scripts), and the exit code.
pub fn report_json(e: &Error) -> u8 {
    eprintln!("{}", e.to_json());
    exit_code(e)
}

fn exit_code(e: &Error) -> u8 {
    match e.status {
        Status::MkErrInvalidArgument => EXIT_USAGE,
        Status::MkErrCancelled if interrupted() => EXIT_INTERRUPTED,
        _ => EXIT_FAILED,
    }
}

/// An integer flag's parser: the option's bounds (schema/moneykit.json).
pub fn int_parser(b: IntBounds) -> RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(i64::from(b.min)..=i64::from(b.max))
}

/// An integer flag's help: the option's description and bounds (clap adds the default).
pub fn int_help(b: IntBounds) -> String {
    format!("{}; {} to {}", b.help, b.min, b.max)
}

/// `--time-scale` sets the batch's and the refresh's `time_scale`: the range both accept.
pub fn time_scale_range() -> (f64, f64) {
    let (b, r) = (batch_option::TIME_SCALE, refresh_option::TIME_SCALE);
    (b.min.max(r.min), b.max.min(r.max))
}

/// `--time-scale`'s help.
pub fn time_scale_help() -> String {
    let (min, max) = time_scale_range();
    format!("{}; {min} to {max}", batch_option::TIME_SCALE.help)
}

/// `--time-scale`: the range the core's batch and refresh options accept.
pub fn parse_time_scale(text: &str) -> Result<f64, String> {
    let (min, max) = time_scale_range();
    match text.parse::<f64>() {
        Ok(f) if (min..=max).contains(&f) => Ok(f),
        _ => Err(format!("expected a number from {min} to {max}")),
    }
}

/// A positive, finite number of seconds.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 && f <= 86_400.0 * 30.0 => Ok(f),
        _ => Err("expected a number of seconds above 0 (e.g. 30 or 0.5)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers() {
        assert_eq!(parse_time_scale("60"), Ok(60.0));
        assert!(parse_time_scale("0.5").is_err());
        assert!(parse_time_scale("x").is_err());
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
        for bad in ["0", "-1", "inf", "NaN", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
