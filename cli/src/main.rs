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
use moneykit::core::batch_option;
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
    // The batch's and the refresh's `time_scale` (schema/moneykit.json): one flag for both.
    #[arg(long, global = true, value_name = "F", default_value_t = batch_option::TIME_SCALE.default,
          value_parser = common::parse_time_scale, help = common::time_scale_help(),
          hide_short_help = true)]
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
    // The batch options (schema/moneykit.json `batch_options`, but `time_scale`, a global
    // flag): default, range and help from the schema.
    #[arg(long, value_name = "N", default_value_t = batch_option::CONCURRENCY.default,
          value_parser = common::int_parser(batch_option::CONCURRENCY),
          help = common::int_help(batch_option::CONCURRENCY))]
    pub concurrency: u32,
    #[arg(long, value_name = "N", default_value_t = batch_option::APP_PER_MINUTE.default,
          value_parser = common::int_parser(batch_option::APP_PER_MINUTE),
          help = common::int_help(batch_option::APP_PER_MINUTE)
              + "; lower it when other programs share the app's budget")]
    pub app_per_minute: u32,
    #[arg(long, value_name = "N", default_value_t = batch_option::LINK_PER_MINUTE.default,
          value_parser = common::int_parser(batch_option::LINK_PER_MINUTE),
          help = common::int_help(batch_option::LINK_PER_MINUTE))]
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

    fn identities(flags: &[String]) -> Result<Cli, clap::Error> {
        let mut argv: Vec<String> = ["moneykit", "identities", "--links", "l", "--out", "o"]
            .map(String::from)
            .to_vec();
        argv.extend_from_slice(flags);
        Cli::try_parse_from(argv)
    }

    /// Every batch option is a flag of `identities` (`time_scale` a global one) whose
    /// default and range are the core's, which come from schema/moneykit.json.
    #[test]
    fn batch_flags_follow_the_schema() {
        use moneykit::core::batch::{BatchOptions, BATCH_OPTION_KEYS};
        use moneykit::core::refresh::RefreshOptions;
        let ints = [
            batch_option::CONCURRENCY,
            batch_option::APP_PER_MINUTE,
            batch_option::LINK_PER_MINUTE,
        ];
        let mut keys: Vec<&str> = ints.iter().map(|b| b.key).collect();
        keys.push(batch_option::TIME_SCALE.key);
        assert_eq!(
            keys, BATCH_OPTION_KEYS,
            "a batch option without a flag here"
        );

        let Command::Identities(args) = identities(&[]).unwrap().command else {
            panic!("identities")
        };
        let d = BatchOptions::default();
        assert_eq!(
            (args.concurrency, args.app_per_minute, args.link_per_minute),
            (d.concurrency, d.app_per_minute, d.link_per_minute)
        );
        let cli = identities(&[]).unwrap();
        assert_eq!(cli.conn.time_scale, d.time_scale);
        assert_eq!(cli.conn.time_scale, RefreshOptions::default().time_scale);

        let flag = |key: &str| format!("--{}", key.replace('_', "-"));
        for b in ints {
            let help = Cli::command()
                .find_subcommand("identities")
                .and_then(|c| c.get_arguments().find(|a| a.get_id() == b.key).cloned())
                .and_then(|a| a.get_help().map(ToString::to_string))
                .unwrap_or_default();
            assert!(help.starts_with(b.help), "{}: {help}", b.key);
            for ok in [b.min, b.max] {
                let cli = identities(&[flag(b.key), ok.to_string()]).unwrap();
                let Command::Identities(a) = cli.command else {
                    panic!()
                };
                let got = match b.key {
                    "concurrency" => a.concurrency,
                    "app_per_minute" => a.app_per_minute,
                    "link_per_minute" => a.link_per_minute,
                    k => panic!("no flag for {k}"),
                };
                assert_eq!(got, ok, "{}", b.key);
            }
            for bad in [u64::from(b.min).wrapping_sub(1), u64::from(b.max) + 1] {
                assert!(
                    identities(&[flag(b.key), bad.to_string()]).is_err(),
                    "{} {bad}",
                    b.key
                );
            }
        }
        let (min, max) = common::time_scale_range();
        assert!(min >= batch_option::TIME_SCALE.min && max <= batch_option::TIME_SCALE.max);
        for ok in [min, max] {
            let cli = identities(&["--time-scale".into(), ok.to_string()]).unwrap();
            assert_eq!(cli.conn.time_scale, ok);
        }
        for bad in [min - 0.5, max + 1.0] {
            assert!(identities(&["--time-scale".into(), bad.to_string()]).is_err());
        }
    }
}
