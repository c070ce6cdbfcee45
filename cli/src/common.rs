//! What every command shares: the client, SIGINT, exit codes and argument parsers.

use crate::args::Connection;
use clap::builder::RangedI64ValueParser;
use moneykit::core::{batch_option, refresh_option, IntBounds};
use moneykit::core::{CancelToken, Client, Error, Options, Secret, Status};
use moneykit_cli::coordination::url_has_password;
use moneykit_cli::credentials::{parse_credentials, Credentials, MAX_CREDENTIALS_BYTES};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

pub const EXIT_OK: u8 = 0;
/// A call or a file failed.
pub const EXIT_FAILED: u8 = 1;
/// Bad arguments (clap's own code for a usage error), or no credentials.
pub const EXIT_USAGE: u8 = 2;
/// `match`: the best score is below `--min-score`.
pub const EXIT_NO_MATCH: u8 = 3;
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

/// The connection flags and what [`prepare`] read.
pub type Conn<'a> = (&'a Connection, &'a Prepared);

/// What is needed besides the environment to make the client: read once, before the
/// command runs (`--credentials-file` may be standard input).
#[derive(Debug, Default)]
pub struct Prepared {
    file: Option<Credentials>,
    /// `--coordination`'s URL (checked: no password).
    coordination: Option<Secret>,
}

/// Checks `--coordination` (the command's, when it has the flag) and reads
/// `--credentials-file`; an exit code when either fails. Never a value in a message.
pub fn prepare(conn: &Connection, coordination: Option<&str>) -> Result<Prepared, u8> {
    if coordination.is_some_and(url_has_password) {
        eprintln!(
            "moneykit: --coordination: the URL holds a password, and every user of the machine \
             sees a program's arguments in `ps` (the shell's history keeps them too): put the \
             URL in the environment variable MONEYKIT_COORDINATION_URL instead (read when \
             --coordination is absent), e.g. `read -rs MONEYKIT_COORDINATION_URL && export \
             MONEYKIT_COORDINATION_URL`, and change the password if others can see this \
             machine's processes"
        );
        return Err(EXIT_USAGE);
    }
    let coordination = coordination.map(|url| Secret::new(url.to_string()));
    let Some(path) = &conn.credentials_file else {
        return Ok(Prepared {
            file: None,
            coordination,
        });
    };
    let stdin = path == Path::new("-");
    let from = if stdin {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let limit = MAX_CREDENTIALS_BYTES as u64 + 1;
    let read = if stdin {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        File::open(path).and_then(|f| {
            let mode = f.metadata()?.permissions().mode();
            if mode & 0o077 != 0 {
                eprintln!(
                    "moneykit: warning: the credentials file {from} can be read by other users \
                     (mode {:04o}): chmod 600 it",
                    mode & 0o7777
                );
            }
            f.take(limit).read_to_end(&mut bytes)
        })
    };
    if let Err(e) = read {
        eprintln!("moneykit: cannot read the credentials from {from}: {e}");
        return Err(EXIT_FAILED);
    }
    match parse_credentials(&bytes) {
        Ok(c) => Ok(Prepared {
            file: Some(c),
            coordination,
        }),
        Err(why) => {
            eprintln!("moneykit: the credentials in {from}: {why}");
            Err(EXIT_USAGE)
        }
    }
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// A client from the credentials (`--credentials-file`, else the environment), `--options`
/// and `--base-url` and `--coordination` (which win over both), and the client id the webhook verifier sends
/// when the client has an access token only; an exit code (message printed) when it cannot
/// be made.
pub fn client_and_id((conn, prepared): Conn<'_>) -> Result<(Client, Option<String>), u8> {
    let mut options = match &conn.options {
        Some(json) => Options::from_json(json).map_err(|e| report("bad --options", &e))?,
        None => Options::default(),
    };
    if let Some(url) = &conn.base_url {
        options.base_url = Some(url.clone());
    }
    if let Some(url) = &prepared.coordination {
        options.coordination_url = Some(url.clone());
    }
    let (mut id, mut secret) = (None, None);
    match &prepared.file {
        Some(file) => {
            if file.access_token.is_some() && options.access_token.is_some() {
                eprintln!(
                    "moneykit: an access_token in both --options and the credentials file: give one"
                );
                return Err(EXIT_USAGE);
            }
            if let Some(token) = &file.access_token {
                options.access_token = Some(Secret::new(token.clone()));
            } else {
                id = file.client_id.as_deref();
                secret = file.client_secret.as_deref();
            }
        }
        None => {
            let from_env = env_set("MONEYKIT_CLIENT_ID") && env_set("MONEYKIT_CLIENT_SECRET");
            if options.access_token.is_none() && !from_env {
                eprintln!(
                    "moneykit: no credentials: set MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET \
                     in the environment, or give --credentials-file FILE ('-': standard input) \
                     holding {{\"client_id\": \"...\", \"client_secret\": \"...\"}} or \
                     MONEYKIT_CLIENT_ID=... and MONEYKIT_CLIENT_SECRET=... lines; never as flags \
                     (every user sees a program's arguments in `ps`)"
                );
                return Err(EXIT_USAGE);
            }
        }
    }
    let webhook_id = prepared
        .file
        .as_ref()
        .filter(|f| f.access_token.is_some())
        .and_then(|f| f.client_id.clone());
    match Client::new(id, secret, options) {
        Ok(c) => Ok((c, webhook_id)),
        Err(e) => Err(report("cannot create the client", &e)),
    }
}

/// [`client_and_id`] without the id.
pub fn client(conn: Conn<'_>) -> Result<Client, u8> {
    client_and_id(conn).map(|(c, _)| c)
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
