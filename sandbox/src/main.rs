//! `moneykit-sandbox`: runs the sandbox server until killed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use moneykit_sandbox::{Config, Sandbox};

const USAGE: &str = "\
moneykit-sandbox: a local server that behaves like MoneyKit's POST /auth/token,
GET /links/{id}/identity and POST /links/{id}/products, and sends signed webhooks to
loopback URLs, for tests, benchmarks and offline development.

USAGE:
    moneykit-sandbox [OPTIONS]

OPTIONS:
    --addr ADDR           Address to listen on (default 127.0.0.1:0 = any free port)
    --client-id ID        Accepted client id (default sandbox-client)
    --client-secret S     Accepted client secret (default sandbox-secret)
    --static-token T      Always-valid bearer token (default sandbox-access-token)
    --token-ttl SECS      expires_in of issued tokens (default 3600)
    --tls                 Serve HTTPS with a freshly generated CA (requires --ca-out)
    --ca-out PATH         Where to write the CA certificate (PEM) in --tls mode
    --fixtures DIR        Serve DIR/<link_id>.json as <link_id>'s identity (checked at
                          start-up by the client's own validator)
    --max-connections N   Connections served at once (default 512); past it a new one gets
                          503 + Retry-After: 1 and is closed (with --tls: closed at once)
    --header-timeout-ms N Time a connection has to send a complete request head, from its
                          start and from each response on keep-alive (default 10000); past
                          it: 408 and close

REALISTIC MODE (off by default):
    --realistic           MoneyKit's documented limits at once: --rate-limit-link 3
                          --rate-limit-app 600 --refresh-per-day 1 (explicit flags win)
    --rate-limit-link N   Identity GETs allowed per link per minute (429 + Retry-After)
    --rate-limit-app N    Identity GETs allowed per app (this server) per minute
    --refresh-per-day N   Identity refreshes (POST /links/{id}/products) per link per day
    --latency-ms M[,J]    Delay every identity/products answer by M ms ± J ms (uniform)
    --time-scale F        Divide every limit window, Retry-After, latency and refresh
                          delay by F (default 1; 60 makes a minute last one second)
    --refresh-delay-ms N  Service time until a refresh advances refreshed_at (default 10000)
    Windows are sliding: a request is refused when N were allowed in the last minute.

WEBHOOKS (sent only to http:// URLs on 127.0.0.1, [::1] or localhost):
    --webhook-url URL     Where every link's webhooks go (a link's own URL, set with
                          POST /_sandbox/webhooks/url, wins); none: no webhooks
    --webhook-key FILE    Sign with this unencrypted PKCS#8 P-256 key (PEM or DER)
                          instead of one generated at start
    --webhook-key-overlap-ms N  How long a rotated-out key stays in the JWKS
                          (default 600000; divided by --time-scale)
    --webhook-max-attempts N    Attempts per delivery (default 5); retries after
                          1 s, 2 s, 4 s, ... (divided by --time-scale)
    --webhook-exp         Add the claim exp = iat + 300 to signatures

    -V, --version         Print the version
    -h, --help            Print this help and the table of magic link ids

The first line on stdout is `listening on http://127.0.0.1:PORT` (https:// with --tls).
Admin endpoints (no auth): GET /_sandbox/stats, GET /_sandbox/links/<id>,
GET /_sandbox/requests, POST /_sandbox/reset, POST /_sandbox/expire_tokens,
POST /_sandbox/webhooks/url, POST /_sandbox/webhooks/rotate,
GET /_sandbox/webhooks/deliveries.
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("moneykit-sandbox: {msg}");
            eprintln!("try `moneykit-sandbox --help`");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut config = Config::default();
    let mut tls = false;
    let mut ca_out = None;
    let mut realistic = false;
    let mut explicit = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                // The table's generated-region markers are for `make gen`, not for readers.
                for line in moneykit_sandbox::MAGIC_IDS_TABLE.lines() {
                    if !line.starts_with("<!-- ") {
                        println!("{line}");
                    }
                }
                return Ok(());
            }
            "--addr" => {
                let v = value("--addr")?;
                config.addr = v
                    .parse()
                    .map_err(|e| format!("invalid --addr {v:?}: {e}"))?;
            }
            "--client-id" => config.client_id = value("--client-id")?,
            "--client-secret" => config.client_secret = value("--client-secret")?,
            "--static-token" => config.static_token = value("--static-token")?,
            "--token-ttl" => {
                let v = value("--token-ttl")?;
                let secs: u64 = v
                    .parse()
                    .map_err(|e| format!("invalid --token-ttl {v:?}: {e}"))?;
                config.token_ttl = Duration::from_secs(secs);
            }
            "-V" | "--version" => {
                println!("moneykit-sandbox {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            "--fixtures" => {
                let dir = value("--fixtures")?;
                config.user_fixtures = moneykit_sandbox::load_fixtures(dir.as_ref())?;
            }
            "--realistic" => realistic = true,
            "--rate-limit-link" => {
                explicit.rate_limit_link =
                    Some(number("--rate-limit-link", &value("--rate-limit-link")?)?)
            }
            "--rate-limit-app" => {
                explicit.rate_limit_app =
                    Some(number("--rate-limit-app", &value("--rate-limit-app")?)?)
            }
            "--refresh-per-day" => {
                explicit.refresh_per_day =
                    Some(number("--refresh-per-day", &value("--refresh-per-day")?)?)
            }
            "--latency-ms" => explicit.latency = Some(latency(&value("--latency-ms")?)?),
            "--time-scale" => {
                let v = value("--time-scale")?;
                let f: f64 = v
                    .parse()
                    .map_err(|e| format!("invalid --time-scale {v:?}: {e}"))?;
                if !(f.is_finite() && f > 0.0) {
                    return Err(format!("invalid --time-scale {v:?}: must be > 0"));
                }
                explicit.time_scale = f;
            }
            "--refresh-delay-ms" => {
                let ms: u64 = number("--refresh-delay-ms", &value("--refresh-delay-ms")?)?;
                explicit.refresh_delay = Duration::from_millis(ms);
            }
            "--max-connections" => {
                let n: usize = number("--max-connections", &value("--max-connections")?)?;
                if n == 0 {
                    return Err("invalid --max-connections 0: must be at least 1".to_string());
                }
                config.max_connections = n;
            }
            "--header-timeout-ms" => {
                let ms: u64 = number("--header-timeout-ms", &value("--header-timeout-ms")?)?;
                if ms == 0 {
                    return Err("invalid --header-timeout-ms 0: must be more than 0".to_string());
                }
                config.header_timeout = Duration::from_millis(ms);
            }
            "--webhook-url" => {
                let url = value("--webhook-url")?;
                moneykit_sandbox::parse_loopback_url(&url)?;
                config.webhook_url = Some(url);
            }
            "--webhook-key" => {
                let path = value("--webhook-key")?;
                let key = std::fs::read(&path)
                    .map_err(|e| format!("cannot read --webhook-key {path:?}: {e}"))?;
                config.webhook_key = Some(key);
            }
            "--webhook-key-overlap-ms" => {
                let ms: u64 = number(
                    "--webhook-key-overlap-ms",
                    &value("--webhook-key-overlap-ms")?,
                )?;
                config.webhook_key_overlap = Duration::from_millis(ms);
            }
            "--webhook-max-attempts" => {
                let n: u32 = number("--webhook-max-attempts", &value("--webhook-max-attempts")?)?;
                if n == 0 {
                    return Err("invalid --webhook-max-attempts 0: must be at least 1".to_string());
                }
                config.webhook_max_attempts = n;
            }
            "--webhook-exp" => config.webhook_exp = true,
            "--tls" => tls = true,
            "--ca-out" => ca_out = Some(value("--ca-out")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    match (tls, ca_out) {
        (true, Some(p)) => config.tls_ca_out = Some(p.into()),
        (true, None) => return Err("--tls requires --ca-out PATH".to_string()),
        (false, Some(_)) => return Err("--ca-out only makes sense with --tls".to_string()),
        (false, None) => {}
    }
    if realistic {
        config = config.realistic();
    }
    config.rate_limit_link = explicit.rate_limit_link.or(config.rate_limit_link);
    config.rate_limit_app = explicit.rate_limit_app.or(config.rate_limit_app);
    config.refresh_per_day = explicit.refresh_per_day.or(config.refresh_per_day);
    config.latency = explicit.latency;
    config.time_scale = explicit.time_scale;
    config.refresh_delay = explicit.refresh_delay;
    let sandbox = Sandbox::start(config).map_err(|e| format!("cannot start: {e}"))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", sandbox.base_url()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    loop {
        std::thread::park();
    }
}

fn number<N: std::str::FromStr>(flag: &str, v: &str) -> Result<N, String>
where
    N::Err: std::fmt::Display,
{
    v.parse().map_err(|e| format!("invalid {flag} {v:?}: {e}"))
}

/// `MEAN[,JITTER]` in milliseconds.
fn latency(v: &str) -> Result<(Duration, Duration), String> {
    let (mean, jitter) = v.split_once(',').unwrap_or((v, "0"));
    let mean: u64 = number("--latency-ms", mean.trim())?;
    let jitter: u64 = number("--latency-ms", jitter.trim())?;
    Ok((Duration::from_millis(mean), Duration::from_millis(jitter)))
}
