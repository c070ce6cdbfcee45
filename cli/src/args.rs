//! The command line: every command, flag, description and example (`--help`).

use crate::common;
use clap::{Args, Parser, Subcommand};
use moneykit::core::batch_option;
use std::path::PathBuf;

const CREDENTIALS: &str = "Credentials: MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET in the \
    environment, or --credentials-file FILE ('-': standard input) holding \
    {\"client_id\": \"...\", \"client_secret\": \"...\"} or MONEYKIT_CLIENT_ID=... and \
    MONEYKIT_CLIENT_SECRET=... lines (an access_token instead works too). Never as flags: \
    every user of the machine sees a program's arguments in `ps`. The base URL: --base-url, \
    else MONEYKIT_BASE_URL, else MoneyKit's. A Redis shared by the app's processes: \
    --coordination URL, else MONEYKIT_COORDINATION_URL (where a URL with a password goes).";

#[derive(Parser, Debug)]
#[command(
    name = "moneykit",
    version,
    about = "MoneyKit identities from the command line",
    long_about = "MoneyKit identities from the command line: many links at the speed MoneyKit \
        allows, with resume (identities); one link's identity, a refresh and an owner match; \
        MoneyKit's webhooks, verified (webhooks listen, webhooks trigger, refresh --wait-webhook).",
    after_help = main_help(),
)]
pub struct Cli {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: Command,
}

fn main_help() -> String {
    format!(
        "{CREDENTIALS}\n\n\
         Exit codes: 0 done, 1 a call or a file failed, 2 bad arguments or no credentials, \
         3 no match (match), 130 interrupted (Ctrl-C).\n\n\
         Examples:\n  \
           export MONEYKIT_CLIENT_ID=... MONEYKIT_CLIENT_SECRET=...\n  \
           moneykit identities --links links.txt --out identities.jsonl\n  \
           moneykit --credentials-file ~/.config/moneykit.env identity mk_123\n  \
           moneykit match mk_123 --claim-file claim.json --min-score 80 && echo same person\n  \
           moneykit webhooks listen --port 8080 --count 2\n  \
           moneykit refresh mk_123 --wait-webhook --port 8080\n\n\
         `moneykit COMMAND --help` describes each command."
    )
}

/// How to reach MoneyKit; every command accepts these.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// Base URL (default: MONEYKIT_BASE_URL, else MoneyKit's)
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The client's options JSON (docs/C-API.md, "Options JSON"), e.g. '{"timeout_ms": 5000}';
    /// visible in `ps`: put an access_token in --credentials-file instead
    #[arg(long, global = true, value_name = "JSON")]
    pub options: Option<String>,
    /// Read the credentials from FILE ('-': standard input) instead of the environment:
    /// JSON {"client_id": ..., "client_secret": ...} or MONEYKIT_CLIENT_ID=... and
    /// MONEYKIT_CLIENT_SECRET=... lines (or an access_token)
    #[arg(long, global = true, value_name = "FILE")]
    pub credentials_file: Option<PathBuf>,
}

/// `--time-scale`, for the commands whose pace it sets (`identities`, `refresh`).
#[derive(Args, Debug, Clone)]
pub struct TimeScale {
    // The batch's and the refresh's `time_scale` (schema/moneykit.json): one flag for both.
    #[arg(long, value_name = "F", default_value_t = batch_option::TIME_SCALE.default,
          value_parser = common::parse_time_scale, help = common::time_scale_help(),
          hide_short_help = true)]
    pub time_scale: f64,
}

/// `--coordination`, for the commands whose calls it paces or whose webhooks it checks
/// (`identities`, `identity`, `refresh`, `match`, `webhooks listen`).
#[derive(Args, Debug, Clone)]
pub struct Coordination {
    /// A Redis server shared by every process of the app, which then share its budget
    /// (default: MONEYKIT_COORDINATION_URL; a URL with a password is refused)
    ///
    /// The app's calls a minute, each link's, the daily refresh and the webhook duplicate
    /// check then hold across all of them (the client's `coordination_url`, README
    /// "Scaling"). If Redis is unreachable the
    /// calls go on at a share of the budget (MONEYKIT_LOG=warn shows when Redis is lost,
    /// MONEYKIT_LOG=info also when it is back). redis://HOST[:PORT][/DB], rediss://... (TLS) or unix:///PATH, e.g.
    /// --coordination redis://10.0.0.5:6379/0. Needs the client id (MONEYKIT_CLIENT_ID or
    /// the credentials file), also with an access token.
    ///
    /// A URL with a password is refused: every user of the machine sees a program's
    /// arguments in `ps`, and the shell keeps them in its history. Put such a URL in the
    /// environment variable MONEYKIT_COORDINATION_URL instead, which is read when this flag
    /// is absent, e.g. `read -rs MONEYKIT_COORDINATION_URL && export
    /// MONEYKIT_COORDINATION_URL` (typed, not echoed) or from a secrets manager.
    #[arg(long = "coordination", value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fetch the identity of every link in a file, one JSON line per link (resumable)
    #[command(after_help = "Examples:\n  \
        moneykit identities --links links.txt --out identities.jsonl\n  \
        moneykit identities --links links.txt --out identities.jsonl   # again: resumes\n  \
        moneykit identities --links links.txt --out identities.jsonl --retry-errors\n  \
        moneykit identities --links a.txt --out a.jsonl --coordination redis://10.0.0.5:6379/0 &\n  \
        moneykit identities --links b.txt --out b.jsonl --coordination redis://10.0.0.5:6379/0\n  \
        grep -v '^#' links.txt | moneykit identities --links - --out - | jq .link_id")]
    Identities(IdentitiesArgs),
    /// Print one link's identity (the response body)
    #[command(after_help = "Examples:\n  \
        moneykit identity mk_123\n  \
        moneykit identity mk_123 --account acc_1 --account acc_2 | jq .accounts")]
    Identity(IdentityArgs),
    /// Ask for a fresh identity; with --wait or --wait-webhook, wait for it and print it
    #[command(after_help = "Examples:\n  \
        moneykit refresh mk_123                      # only request it\n  \
        moneykit refresh mk_123 --wait 600           # request it, poll, print the fresh body\n  \
        moneykit refresh mk_123 --wait-webhook --port 8080   # wait for MoneyKit's webhook\n\n\
        --wait-webhook listens on --port for the verified link.product_refresh webhook of the \
        link (state completed or failed), then fetches and prints the identity; when none came \
        within --webhook-wait seconds it polls for the rest of the wait. MoneyKit must be able \
        to reach the port: the link's webhook URL (set when the link was created) must lead \
        there, e.g. through a tunnel; the sandbox sends to loopback URLs.")]
    Refresh(RefreshArgs),
    /// Match what a user claims (name, email, phone, address) with a link's owners
    #[command(
        after_help = "Exit codes: 0 a match (best score at least --min-score), 3 no \
        match, 1 the call failed, 2 a bad claim or bad arguments. Output: one JSON line, the \
        match (docs/C-API.md, \"Owner match\") with \"verdict\" (\"match\" or \"no_match\") and \
        \"min_score\" first.\n\n\
        Examples:\n  \
        moneykit match mk_123 --claim-file claim.json\n  \
        echo '{\"name\": \"Peggy OBrien\"}' | moneykit match mk_123 --claim-file -\n  \
        moneykit match mk_123 --name 'Peggy OBrien' --email m.obrien@example.com  # seen in ps\n  \
        if moneykit match mk_123 --claim-file claim.json --min-score 90 > m.json; then pay; fi"
    )]
    Match(MatchArgs),
    /// MoneyKit's webhooks: listen for them (verified) or have MoneyKit send a test one
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

#[derive(Subcommand, Debug)]
pub enum WebhooksCommand {
    /// Receive webhooks on a port, verify each, print one JSON line per event
    #[command(
        after_help = "Every delivery is verified (signature, keys from MoneyKit, age, \
        body hash; docs/C-API.md, \"Webhooks\"). A genuine new event: its JSON on one line on \
        stdout, answered 200. A repeat of an event already printed: 200, not printed again \
        (a line on stderr). A copy being handled right now: 409. A forged or altered delivery: \
        400, and a JSON line on stderr with the reason. Keys that cannot be fetched: 503 (MoneyKit \
        retries). Nothing of an event is owner data.\n\n\
        MoneyKit sends a link's webhooks to the URL set when the link was created: it must reach \
        this port (a tunnel to it, or the sandbox, which sends to loopback URLs).\n\n\
        Examples:\n  \
        moneykit webhooks listen --port 8080\n  \
        moneykit webhooks listen --port 8080 --count 1 --timeout 60 | jq .state\n  \
        moneykit-sandbox --addr 127.0.0.1:8089 --webhook-url http://127.0.0.1:8080/ &\n  \
        moneykit --base-url http://127.0.0.1:8089 webhooks listen --port 8080"
    )]
    Listen(ListenArgs),
    /// Have MoneyKit send a test webhook for a sandbox link now (POST /webhooks/test/link/{id})
    #[command(
        after_help = "Prints MoneyKit's answer, {\"delivery_token\": \"...\"}. The event \
        goes to the link's webhook URL.\n\n\
        Examples:\n  \
        moneykit webhooks trigger mk_123 link.state_changed\n  \
        moneykit webhooks trigger mk_123 link.product_refresh --idempotency-key test-1"
    )]
    Trigger(TriggerArgs),
}

/// Where the webhook listener listens.
#[derive(Args, Debug, Clone)]
pub struct ListenOn {
    /// Address to listen on: a loopback address (127.0.0.1, ::1, localhost); another one
    /// (e.g. 0.0.0.0) only with --allow-remote
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// Let --host be an address other machines can reach (the listener then serves them too)
    #[arg(long)]
    pub allow_remote: bool,
}

#[derive(Args, Debug)]
pub struct ListenArgs {
    /// Port to listen on (0: any free port); the address is printed on stderr
    #[arg(long, value_name = "PORT")]
    pub port: u16,
    #[command(flatten)]
    pub on: ListenOn,
    /// Stop after N events were printed
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Stop after SECS seconds (with --count: exit 1 when fewer events came)
    #[arg(long, value_name = "SECS", value_parser = common::parse_seconds)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub coordination: Coordination,
}

#[derive(Args, Debug)]
pub struct TriggerArgs {
    /// The link id (a sandbox link)
    pub link: String,
    /// The event: link.state_changed, link.product_refresh, transactions.updates_available
    /// or product.state_changed
    pub event: String,
    /// The event's webhook_idempotency_key (default: MoneyKit makes one)
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
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
    // The batch options (schema/moneykit.json `batch_options`, but `time_scale`, a flag of
    // its own): default, range and help from the schema.
    #[arg(long, value_name = "N", default_value_t = batch_option::CONCURRENCY.default,
          value_parser = common::int_parser(batch_option::CONCURRENCY),
          help = common::int_help(batch_option::CONCURRENCY))]
    pub concurrency: u32,
    #[arg(long, value_name = "N", default_value_t = batch_option::APP_PER_MINUTE.default,
          value_parser = common::int_parser(batch_option::APP_PER_MINUTE),
          help = common::int_help(batch_option::APP_PER_MINUTE)
              + "; lower it when other programs share the app's budget, or give them all \
                 --coordination")]
    pub app_per_minute: u32,
    #[arg(long, value_name = "N", default_value_t = batch_option::LINK_PER_MINUTE.default,
          value_parser = common::int_parser(batch_option::LINK_PER_MINUTE),
          help = common::int_help(batch_option::LINK_PER_MINUTE))]
    pub link_per_minute: u32,
    #[command(flatten)]
    pub pace: TimeScale,
    #[command(flatten)]
    pub coordination: Coordination,
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
    #[command(flatten)]
    pub coordination: Coordination,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("waiting").multiple(true).args(["wait", "wait_webhook"])))]
pub struct RefreshArgs {
    /// The link id
    pub link: String,
    /// Wait at most SECS (default 300) for the fresh identity and print it; without --wait
    /// or --wait-webhook the refresh is only requested
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "300",
          value_parser = common::parse_seconds)]
    pub wait: Option<f64>,
    /// Wait for MoneyKit's verified webhook (link.product_refresh completed) on --port
    /// instead of polling, then print the fresh identity (the wait: --wait, default 300)
    #[arg(long, requires = "port")]
    pub wait_webhook: bool,
    /// The port --wait-webhook listens on (0: any free port)
    #[arg(long, value_name = "PORT", requires = "wait_webhook")]
    pub port: Option<u16>,
    #[command(flatten)]
    pub on: ListenOn,
    /// Seconds to wait for the webhook before polling for the rest of the wait
    #[arg(long, value_name = "SECS", default_value_t = 60.0, requires = "wait_webhook",
          value_parser = common::parse_seconds)]
    pub webhook_wait: f64,
    /// When the wait ends without fresh data, print the last (stale) identity on stdout
    /// (the exit code is still 1)
    #[arg(long, requires = "waiting")]
    pub stale: bool,
    #[command(flatten)]
    pub pace: TimeScale,
    #[command(flatten)]
    pub coordination: Coordination,
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
    /// The claimed owner's name, e.g. 'Peggy OBrien' or 'Acme, Inc.' (visible in `ps`)
    #[arg(long)]
    pub name: Option<String>,
    /// The claimed email address (visible in `ps`)
    #[arg(long)]
    pub email: Option<String>,
    /// The claimed phone number, any common format (visible in `ps`)
    #[arg(long)]
    pub phone: Option<String>,
    /// The claimed address's street line, e.g. '77 Beacon St Apt 5' (visible in `ps`)
    #[arg(long)]
    pub street: Option<String>,
    /// The claimed address's city (visible in `ps`)
    #[arg(long)]
    pub city: Option<String>,
    /// The claimed address's region or state, e.g. MA or Massachusetts (visible in `ps`)
    #[arg(long)]
    pub region: Option<String>,
    /// The claimed address's postal code (visible in `ps`)
    #[arg(long)]
    pub postal_code: Option<String>,
    /// The claimed address's country, e.g. US (visible in `ps`)
    #[arg(long)]
    pub country: Option<String>,
    /// The least best score that is a match: at least 80 means the same values written
    /// differently, below 50 different ones (README, "Owner match"); 0 to 100
    #[arg(long, value_name = "N", default_value_t = 80,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_score: u8,
    #[command(flatten)]
    pub coordination: Coordination,
}
