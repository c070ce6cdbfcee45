//! `moneykit`: the command-line tool (README.md, "Command-line tool").
//!
//! `moneykit identities` fetches the identities of many links through the core's
//! batch (`moneykit::core::batch`), at the speed MoneyKit allows, one JSON line
//! per link as each completes, resumable; `identity`, `refresh` and `match` work
//! on one link; `webhooks listen` and `refresh --wait-webhook` receive MoneyKit's
//! webhooks, verified by the core (`moneykit::core::WebhookVerifier`), and `webhooks
//! trigger` asks for a test one. The command line: `args.rs`. Exit codes: 0 done, 1 a
//! call or a file failed, 2 bad arguments (clap's own code, also used for a bad
//! `--options`, base URL or missing credentials), 3 no match (`match`), 130
//! interrupted (SIGINT).

// Errors carry the server's fields by value, as in the core.
#![allow(clippy::result_large_err)]

mod args;
mod common;
mod identities;
mod jsonl;
mod listener;
mod outfile;
mod progress;
mod refresh_webhook;
mod single;
mod webhooks;

use args::{Cli, Command, WebhooksCommand};
use clap::Parser;
use std::path::Path;
use std::process::ExitCode;

/// The flags that read standard input: at most one may.
fn stdin_readers(cli: &Cli) -> Vec<&'static str> {
    let dash = |p: Option<&Path>| p == Some(Path::new("-"));
    let mut readers = Vec::new();
    if dash(cli.conn.credentials_file.as_deref()) {
        readers.push("--credentials-file -");
    }
    match &cli.command {
        Command::Identities(a) if dash(Some(&a.links)) => readers.push("--links -"),
        Command::Match(a) if dash(a.claim_file.as_deref()) => readers.push("--claim-file -"),
        _ => {}
    }
    readers
}

/// `--coordination`'s URL, for the commands that have the flag.
fn coordination(cli: &Cli) -> Option<&str> {
    let flag = match &cli.command {
        Command::Identities(a) => &a.coordination,
        Command::Identity(a) => &a.coordination,
        Command::Refresh(a) => &a.coordination,
        Command::Match(a) => &a.coordination,
        Command::Webhooks(WebhooksCommand::Listen(a)) => &a.coordination,
        Command::Webhooks(WebhooksCommand::Trigger(_)) => return None,
    };
    flag.url.as_deref()
}

fn run(cli: &Cli) -> u8 {
    let readers = stdin_readers(cli);
    if readers.len() > 1 {
        eprintln!(
            "moneykit: {} all read standard input: give one of them a file",
            readers.join(" and ")
        );
        return common::EXIT_USAGE;
    }
    let prepared = match common::prepare(&cli.conn, coordination(cli)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let conn = (&cli.conn, &prepared);
    match &cli.command {
        Command::Identities(a) => identities::run(conn, a),
        Command::Identity(a) => single::identity(conn, a),
        Command::Refresh(a) if a.wait_webhook => refresh_webhook::run(conn, a),
        Command::Refresh(a) => single::refresh(conn, a),
        Command::Match(a) => single::match_owners(conn, a),
        Command::Webhooks(WebhooksCommand::Listen(a)) => webhooks::listen(conn, a),
        Command::Webhooks(WebhooksCommand::Trigger(a)) => webhooks::trigger(conn, a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    common::install_sigint_handler();
    ExitCode::from(run(&cli))
}

#[cfg(test)]
mod tests {
    use super::*;
    use args::Command;
    use clap::CommandFactory;
    use moneykit::core::batch_option;

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

    /// Every batch option is a flag of `identities` whose
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
        assert_eq!(args.pace.time_scale, d.time_scale);
        assert_eq!(args.pace.time_scale, RefreshOptions::default().time_scale);

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
            let Command::Identities(a) = cli.command else {
                panic!()
            };
            assert_eq!(a.pace.time_scale, ok);
        }
        for bad in [min - 0.5, max + 1.0] {
            assert!(identities(&["--time-scale".into(), bad.to_string()]).is_err());
        }
    }

    /// Every command, `moneykit` first, with its path ("moneykit webhooks listen").
    fn commands() -> Vec<(String, clap::Command)> {
        fn walk(path: String, c: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            out.push((path.clone(), c.clone()));
            for sub in c.get_subcommands() {
                walk(format!("{path} {}", sub.get_name()), sub, out);
            }
        }
        let mut out = Vec::new();
        let mut root = Cli::command();
        root.build();
        walk("moneykit".into(), &root, &mut out);
        out
    }

    /// Issue 27: every flag and argument of every command has a description (`match`'s
    /// `--name` ... `--country` had none).
    #[test]
    fn every_flag_has_a_description() {
        let mut missing = Vec::new();
        for (path, c) in commands() {
            for a in c.get_arguments() {
                let help = a.get_help().or(a.get_long_help()).map(ToString::to_string);
                if help.is_none_or(|h| h.trim().is_empty()) {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "without a description: {missing:?}");
    }

    /// Issue 27: `--help` of every command shows examples of it.
    #[test]
    fn every_command_help_shows_examples() {
        for (path, mut c) in commands() {
            if path.contains(" help") || c.has_subcommands() && path != "moneykit" {
                continue;
            }
            let help = c.render_long_help().to_string();
            let examples = help
                .split_once("Examples:\n")
                .map(|(_, e)| e)
                .unwrap_or_else(|| panic!("{path} --help shows no examples:\n{help}"));
            let name = path.trim_start_matches("moneykit").trim();
            assert!(
                examples.contains(&format!("moneykit {name}")),
                "{path}: no example of it: {examples}"
            );
        }
    }

    /// Issue 27: `--time-scale` only on the commands it paces (it was global: accepted,
    /// and shown, by `identity` and `match`, where it means nothing).
    #[test]
    fn time_scale_only_where_it_paces() {
        let with = |argv: &[&str]| {
            let mut a: Vec<&str> = vec!["moneykit"];
            a.extend_from_slice(argv);
            a.extend_from_slice(&["--time-scale", "60"]);
            Cli::try_parse_from(a)
        };
        assert!(with(&["identities", "--links", "l", "--out", "o"]).is_ok());
        assert!(with(&["refresh", "mk_1", "--wait", "5"]).is_ok());
        for argv in [
            &["identity", "mk_1"][..],
            &["match", "mk_1", "--claim-file", "c"][..],
            &["webhooks", "listen", "--port", "0"][..],
            &["webhooks", "trigger", "mk_1", "link.state_changed"][..],
        ] {
            let e = with(argv).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::UnknownArgument,
                "{argv:?}"
            );
        }
        let e = Cli::try_parse_from(["moneykit", "--time-scale", "60", "identity", "mk_1"]);
        assert!(e.is_err());
    }

    /// Issue 28: `--coordination` on the commands that make identity calls or check
    /// webhooks, its help with an example and where a URL with a password goes.
    #[test]
    fn coordination_where_it_shares_the_budget() {
        let with: Vec<String> = commands()
            .into_iter()
            .filter(|(_, c)| c.get_arguments().any(|a| a.get_id() == "url"))
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            with,
            [
                "moneykit identities",
                "moneykit identity",
                "moneykit refresh",
                "moneykit match",
                "moneykit webhooks listen"
            ]
        );
        let mut command = Cli::command()
            .find_subcommand("identities")
            .unwrap()
            .clone();
        let help = command.render_long_help().to_string();
        for needed in [
            "--coordination <URL>",
            "--coordination redis://10.0.0.5:6379/0",
            "MONEYKIT_COORDINATION_URL",
            "password",
            "Scaling",
        ] {
            assert!(help.contains(needed), "{needed}: {help}");
        }
        let cli = identities(&["--coordination".into(), "redis://127.0.0.1/0".into()]).unwrap();
        assert_eq!(coordination(&cli), Some("redis://127.0.0.1/0"));
        assert_eq!(coordination(&identities(&[]).unwrap()), None);
        let cli = Cli::try_parse_from([
            "moneykit",
            "identity",
            "mk_1",
            "--coordination",
            "redis://:s3cret@127.0.0.1/0",
        ])
        .unwrap();
        assert_eq!(run(&cli), common::EXIT_USAGE);
    }

    #[test]
    fn at_most_one_flag_reads_standard_input() {
        let cli = Cli::try_parse_from([
            "moneykit",
            "--credentials-file",
            "-",
            "match",
            "mk_1",
            "--claim-file",
            "-",
        ])
        .unwrap();
        assert_eq!(
            stdin_readers(&cli),
            ["--credentials-file -", "--claim-file -"]
        );
        assert_eq!(run(&cli), common::EXIT_USAGE);
    }
}
