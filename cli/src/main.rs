//! `moneykit`: the command-line tool (README.md, "Command-line tool").
//!
//! `moneykit identities` fetches the identities of many links through the core's
//! batch (`moneykit::core::batch`), at the speed MoneyKit allows, one JSON line
//! per link as each completes, resumable; `identity`, `refresh` and `match` work
//! on one link. Exit codes: 0 done, 1 a call or a file failed, 2 bad arguments
//! (clap's own code, also used for a bad `--options`, base URL or missing
//! credentials), 130 interrupted (SIGINT).

// Errors carry the server's fields by value, as in the core.
#![allow(clippy::result_large_err)]

mod common;
mod identities;
mod jsonl;
mod outfile;
mod progress;
mod single;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "moneykit",
    version,
    about = "MoneyKit identities from the command line",
    long_about = "MoneyKit identities from the command line.\n\n\
        Credentials come from the environment, as the library reads them: MONEYKIT_CLIENT_ID and \
        MONEYKIT_CLIENT_SECRET (or an access_token in --options); the base URL from --base-url, \
        else MONEYKIT_BASE_URL, else MoneyKit's.\n\n\
        Exit codes: 0 done, 1 a call or a file failed, 2 bad arguments, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: Command,
}

/// How to reach MoneyKit; every subcommand accepts these.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// Base URL (default: MONEYKIT_BASE_URL, else MoneyKit's)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The client's options JSON (docs/C-API.md, "Options JSON"), e.g. '{"timeout_ms": 5000}'
    #[arg(long, global = true, value_name = "JSON")]
    pub options: Option<String>,
    /// Divides every rate-limit period and poll interval (1..10000): only for a sandbox
    /// started with the same --time-scale
    #[arg(long, global = true, value_name = "F", default_value_t = 1.0,
          value_parser = common::parse_time_scale, hide_short_help = true)]
    pub time_scale: f64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fetch the identity of every link in a file, one JSON line per link (resumable)
    Identities(IdentitiesArgs),
    /// Print one link's identity (the response body)
    Identity(IdentityArgs),
    /// Ask for a fresh identity; with --wait, wait for it and print it
    Refresh(RefreshArgs),
    /// Match what a user claims (name, email, phone, address) with a link's owners
    Match(MatchArgs),
}

#[derive(Args, Debug)]
pub struct IdentitiesArgs {
    /// Link ids, one per line ('-': standard input); blank lines and '#' comments are skipped
    #[arg(long, value_name = "FILE")]
    pub links: PathBuf,
    /// JSON lines output: {"link_id": ..., "identity": ...} or {"link_id": ..., "error": ...};
    /// links already in it are skipped (resume). Created 0600; a symbolic link is refused.
    /// '-': standard output (no resume; a file named - is ./-)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Calls in flight at once
    #[arg(long, value_name = "N", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Calls started per minute, all links together (MoneyKit's app limit; lower it when
    /// other programs share the app's budget)
    #[arg(long, value_name = "N", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub app_per_minute: u32,
    /// Calls started per minute for one link (MoneyKit's per-link limit)
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub link_per_minute: u32,
    /// On resume, fetch again the links whose line in --out is an error (those lines are
    /// removed; not with --out -)
    #[arg(long)]
    pub retry_errors: bool,
    /// Seconds between two progress lines when stderr is not a terminal
    #[arg(long, value_name = "SECS", default_value_t = 5.0,
          value_parser = common::parse_seconds)]
    pub progress_every: f64,
    /// No progress bar or progress lines (the final summary is still printed)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct IdentityArgs {
    /// The link id
    pub link: String,
    /// Only these accounts (repeatable)
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RefreshArgs {
    /// The link id
    pub link: String,
    /// Wait at most SECS (default 300) for the fresh identity and print it; without --wait
    /// the refresh is only requested
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "300",
          value_parser = common::parse_seconds)]
    pub wait: Option<f64>,
    /// When the wait ends without fresh data, print the last (stale) identity on stdout
    /// (the exit code is still 1)
    #[arg(long, requires = "wait")]
    pub stale: bool,
}

/// The claim (owner data) comes from flags, which other users of the machine can read in
/// the process list (`ps`), or from a file or standard input (`--claim-file`), which
/// they cannot.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("claimed").required(true).multiple(true)
    .args(["claim", "claim_file", "name", "email", "phone", "street", "city", "region",
           "postal_code", "country"])))]
pub struct MatchArgs {
    /// The link id
    pub link: String,
    /// The whole claim as JSON (docs/C-API.md, "Owner match"); visible in `ps`, like the
    /// flags below: prefer --claim-file
    #[arg(long, value_name = "JSON",
          conflicts_with_all = ["name", "email", "phone", "street", "city", "region", "postal_code", "country"])]
    pub claim: Option<String>,
    /// The whole claim as JSON, read from FILE ('-': standard input), out of sight of `ps`
    #[arg(long, value_name = "FILE",
          conflicts_with_all = ["claim", "name", "email", "phone", "street", "city", "region",
                                "postal_code", "country"])]
    pub claim_file: Option<PathBuf>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub postal_code: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    common::install_sigint_handler();
    let code = match &cli.command {
        Command::Identities(a) => identities::run(&cli.conn, a),
        Command::Identity(a) => single::identity(&cli.conn, a),
        Command::Refresh(a) => single::refresh(&cli.conn, a),
        Command::Match(a) => single::match_owners(&cli.conn, a),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
