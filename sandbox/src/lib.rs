//! MoneyKit sandbox: a local HTTP/1.1 (or HTTPS) server that behaves like MoneyKit's
//! `POST /auth/token`, `GET /links/{id}/identity` and `POST /links/{id}/products`, with
//! magic link ids for errors and transport faults, and an optional realistic mode (rate
//! limits, latency, time scale, refresh delay), and signed webhooks sent to loopback URLs
//! (`webhooks`). See `README.md` for the table of magic ids.
//!
//! ```no_run
//! let sb = moneykit_sandbox::Sandbox::start(moneykit_sandbox::Config::default()).unwrap();
//! println!("{}/links/mk_sandbox_ok/identity", sb.base_url());
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod admin;
mod auth;
mod bodies;
mod bulk;
mod corpus;
mod faults;
mod fixtures;
pub mod http;
mod links;
mod magic;
// `IDS` (every schema id) is read by tests only.
#[allow(dead_code)]
mod magic_gen;
mod products;
mod realistic;
mod respond;
mod server;
mod tls;
mod user_fixtures;
pub mod util;
mod webhooks;

pub use bulk::BULK_MAX;
pub use fixtures::{OK_CHECKING_ID, OK_SAVINGS_ID};
pub use links::{LinkStats, RECENT_CAP, TIMES_CAP};
pub use realistic::{
    DEFAULT_REFRESH_DELAY, MONEYKIT_RATE_LIMIT_APP, MONEYKIT_RATE_LIMIT_LINK,
    MONEYKIT_REFRESH_PER_DAY,
};
pub use user_fixtures::load as load_fixtures;
pub use webhooks::{
    parse_loopback_url, WebhookDelivery, DEFAULT_KEY_OVERLAP, DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE,
};

/// The table of magic client and link ids (also printed by `--help` and in README.md).
pub const MAGIC_IDS_TABLE: &str = include_str!("../MAGIC_IDS.md");

/// The conformance corpus names served as link id `mk_corpus_<name>` (every
/// `tests/corpus/<name>.json` at build time), sorted.
pub fn corpus_names() -> Vec<&'static str> {
    corpus::names().collect()
}

/// The only valid `moneykit-version` header value.
pub const API_VERSION: &str = "2023-02-18";

/// Sandbox configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub addr: SocketAddr,
    /// Accepted client id (default `sandbox-client`).
    pub client_id: String,
    /// Accepted client secret (default `sandbox-secret`).
    pub client_secret: String,
    /// A bearer token that is always valid (default `sandbox-access-token`).
    pub static_token: String,
    /// `expires_in` of issued tokens (default 3600 s).
    pub token_ttl: Duration,
    /// `Some(path)`: serve HTTPS with a freshly generated CA, whose PEM is written to `path`.
    pub tls_ca_out: Option<PathBuf>,
    /// Link id -> identity body served for it (`--fixtures DIR`, see [`load_fixtures`]).
    pub user_fixtures: HashMap<String, Vec<u8>>,
    /// Identity GETs allowed per link per minute (`--rate-limit-link N`); `None`: no limit.
    pub rate_limit_link: Option<u32>,
    /// Identity GETs allowed per app (this sandbox) per minute (`--rate-limit-app N`);
    /// `None`: no limit.
    pub rate_limit_app: Option<u32>,
    /// (mean, jitter) added before every identity and products answer, uniform in
    /// mean ± jitter (`--latency-ms MEAN[,JITTER]`); `None`: none.
    pub latency: Option<(Duration, Duration)>,
    /// Every limit window, `Retry-After`, latency and refresh delay is divided by this
    /// (`--time-scale F`; default 1.0; with 60, a minute lasts one second).
    pub time_scale: f64,
    /// Service time from `POST /links/{id}/products` to `refreshed_at` advancing
    /// (`--refresh-delay-ms N`; default 10 s).
    pub refresh_delay: Duration,
    /// Identity refreshes allowed per link per day (`--refresh-per-day N`); `None`: no limit.
    pub refresh_per_day: Option<u32>,
    /// Most connections served at once (`--max-connections N`, default
    /// [`DEFAULT_MAX_CONNECTIONS`]; at least 1). Past it a new connection is refused at once:
    /// `503` + `Retry-After: 1` + `connection: close` over plain HTTP, closed without an
    /// answer over TLS; no thread is started for it.
    pub max_connections: usize,
    /// Time a connection has to send a complete request head, from its start and again
    /// from the end of each response on keep-alive (`--header-timeout-ms N`, default
    /// [`DEFAULT_HEADER_TIMEOUT`]; more than zero): past it, `408` + `connection: close`
    /// and the connection is closed (over TLS without an answer if the handshake did not
    /// finish). Bodies are not under it: each read of a body may wait 30 s.
    pub header_timeout: Duration,
    /// Where every link's webhooks go unless the link has a URL of its own
    /// (`--webhook-url URL`; `http://` to 127.0.0.1, `[::1]` or `localhost` only, else
    /// `Sandbox::start` fails). `None`: no webhooks until one is set.
    pub webhook_url: Option<String>,
    /// The webhook signing key, an unencrypted PKCS#8 P-256 key (DER or PEM;
    /// `--webhook-key FILE`); `None`: a key generated at start.
    pub webhook_key: Option<Vec<u8>>,
    /// How long a rotated-out key stays published (`--webhook-key-overlap-ms N`; default
    /// [`DEFAULT_KEY_OVERLAP`], 10 minutes; divided by `time_scale`).
    pub webhook_key_overlap: Duration,
    /// Attempts per delivery, the first included (`--webhook-max-attempts N`; default
    /// [`DEFAULT_MAX_ATTEMPTS`]; at least 1).
    pub webhook_max_attempts: u32,
    /// Wait before the second attempt, doubled for each further one (default
    /// [`DEFAULT_RETRY_BASE`], 1 s; divided by `time_scale`).
    pub webhook_retry_base: Duration,
    /// Add the claim `exp` = `iat` + 300 to webhook signatures (`--webhook-exp`).
    pub webhook_exp: bool,
}

/// The default [`Config::max_connections`]: twice the client's largest batch concurrency
/// (256), far above the benchmarks' load generators (at most 16 connections at once).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The default [`Config::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

impl Config {
    /// MoneyKit's documented limits at once (`--realistic`): 3 identity GETs per link and
    /// 600 per app per minute, 1 identity refresh per link per day. Latency, time scale
    /// and refresh delay are left as they are.
    pub fn realistic(self) -> Config {
        Config {
            rate_limit_link: Some(MONEYKIT_RATE_LIMIT_LINK),
            rate_limit_app: Some(MONEYKIT_RATE_LIMIT_APP),
            refresh_per_day: Some(MONEYKIT_REFRESH_PER_DAY),
            ..self
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            client_id: "sandbox-client".to_string(),
            client_secret: "sandbox-secret".to_string(),
            static_token: "sandbox-access-token".to_string(),
            token_ttl: Duration::from_secs(3600),
            tls_ca_out: None,
            user_fixtures: HashMap::new(),
            rate_limit_link: None,
            rate_limit_app: None,
            latency: None,
            time_scale: 1.0,
            refresh_delay: DEFAULT_REFRESH_DELAY,
            refresh_per_day: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            webhook_url: None,
            webhook_key: None,
            webhook_key_overlap: DEFAULT_KEY_OVERLAP,
            webhook_max_attempts: DEFAULT_MAX_ATTEMPTS,
            webhook_retry_base: DEFAULT_RETRY_BASE,
            webhook_exp: false,
        }
    }
}

/// Request counters (admin requests excluded).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Every request except `/_sandbox/*`.
    pub requests: u64,
    /// Requests to `/auth/token`.
    pub token_requests: u64,
    /// Requests to `/links/{id}/identity`.
    pub identity_requests: u64,
    /// 429s sent because of `rate_limit_link` or `rate_limit_app` (the magic
    /// `mk_sandbox_rate_limited*` / `mk_fault_429_once_*` answers are not counted).
    pub rate_limited: u64,
    /// Of those, the ones the per-link limit refused (both limits may refuse one request).
    pub rate_limited_link: u64,
    /// Of those, the ones the per-app limit refused.
    pub rate_limited_app: u64,
    /// Requests to `POST /links/{id}/products`.
    pub refresh_requests: u64,
    /// 429s sent because of `refresh_per_day`.
    pub refreshes_refused: u64,
}

/// What the sandbox saw of one request (secrets are reduced to "present or not").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// The raw request target exactly as received, e.g. `/links/a%2Fb/identity?account_ids=x`.
    pub target: String,
    pub host: Option<String>,
    /// Whether an `Authorization` header was present.
    pub authorization: bool,
    pub x_client_id: Option<String>,
    /// Whether an `X-Client-Secret` header was present.
    pub x_client_secret: bool,
    pub moneykit_version: Option<String>,
    pub user_agent: Option<String>,
    pub accept: Option<String>,
}

impl RecordedRequest {
    /// The JSON object served by `GET /_sandbox/requests`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "method": self.method,
            "target": self.target,
            "host": self.host,
            "authorization": self.authorization,
            "x_client_id": self.x_client_id,
            "x_client_secret": self.x_client_secret,
            "moneykit_version": self.moneykit_version,
            "user_agent": self.user_agent,
            "accept": self.accept,
        })
    }
}

/// Maximum number of requests kept in the log.
pub const REQUEST_LOG_CAP: usize = 10_000;

/// State shared by the accept thread and every connection thread.
pub(crate) struct Shared {
    pub client_id: String,
    pub client_secret: String,
    pub static_token: String,
    pub token_ttl: Duration,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub port: u16,
    pub stop: AtomicBool,
    pub requests: AtomicU64,
    pub token_requests: AtomicU64,
    pub identity_requests: AtomicU64,
    pub rate_limited: AtomicU64,
    pub rate_limited_link: AtomicU64,
    pub rate_limited_app: AtomicU64,
    pub refresh_requests: AtomicU64,
    pub refreshes_refused: AtomicU64,
    /// Answers delayed so far (the latency sequence's index).
    pub latency_counter: AtomicU64,
    pub tracker: links::Tracker,
    pub log: Mutex<VecDeque<RecordedRequest>>,
    pub once: Mutex<HashSet<String>>,
    pub refreshing: AtomicU64,
    pub id_seed: u64,
    pub id_counter: AtomicU64,
    pub token_hasher: std::collections::hash_map::RandomState,
    pub token_serial: AtomicU64,
    pub expired_before: AtomicU64,
    pub epoch: Instant,
    pub fixtures: Arc<bodies::Fixtures>,
    pub user_fixtures: HashMap<String, Vec<u8>>,
    /// Connections being served (each has its thread); only the accept thread adds.
    pub open: AtomicUsize,
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub webhooks: webhooks::Webhooks,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            token_requests: self.token_requests.load(Ordering::Relaxed),
            identity_requests: self.identity_requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            rate_limited_link: self.rate_limited_link.load(Ordering::Relaxed),
            rate_limited_app: self.rate_limited_app.load(Ordering::Relaxed),
            refresh_requests: self.refresh_requests.load(Ordering::Relaxed),
            refreshes_refused: self.refreshes_refused.load(Ordering::Relaxed),
        }
    }

    pub fn reset(&self) {
        let mut log = lock(&self.log);
        let mut once = lock(&self.once);
        self.requests.store(0, Ordering::Relaxed);
        self.token_requests.store(0, Ordering::Relaxed);
        self.identity_requests.store(0, Ordering::Relaxed);
        for c in [
            &self.rate_limited,
            &self.rate_limited_link,
            &self.rate_limited_app,
            &self.refresh_requests,
            &self.refreshes_refused,
            &self.latency_counter,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.tracker.reset();
        self.webhooks.reset();
        self.refreshing.store(0, Ordering::Relaxed);
        log.clear();
        once.clear();
    }

    pub fn expire_tokens(&self) {
        let next = self.token_serial.load(Ordering::SeqCst);
        self.expired_before.fetch_max(next, Ordering::SeqCst);
    }

    pub fn requests_log(&self) -> Vec<RecordedRequest> {
        lock(&self.log).iter().cloned().collect()
    }
}

/// A running sandbox server. Dropping it stops accepting connections.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
    webhook_thread: Option<JoinHandle<()>>,
    ca_pem: Option<String>,
}

impl Sandbox {
    /// Binds, prepares fixtures (shared by every sandbox in the process) and starts serving
    /// in background threads.
    pub fn start(config: Config) -> io::Result<Sandbox> {
        let settings = realistic::Settings::from_config(&config)?;
        if config.max_connections == 0 || config.header_timeout.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_connections and header_timeout must be more than zero",
            ));
        }
        let listener = TcpListener::bind(config.addr)?;
        let addr = listener.local_addr()?;
        let (tls, ca_pem) = match &config.tls_ca_out {
            Some(path) => {
                let (cfg, pem) = tls::setup(path)?;
                (Some(cfg), Some(pem))
            }
            None => (None, None),
        };
        let token_hasher = std::collections::hash_map::RandomState::new();
        let epoch = Instant::now();
        let id_seed = {
            use std::hash::BuildHasher;
            token_hasher.hash_one((
                std::process::id(),
                util::now_unix_f64().to_bits(),
                addr.port(),
            ))
        };
        let webhooks = webhooks::Webhooks::new(&config, id_seed)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let shared = Arc::new(Shared {
            client_id: config.client_id,
            client_secret: config.client_secret,
            static_token: config.static_token,
            token_ttl: config.token_ttl,
            tls,
            port: addr.port(),
            stop: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            identity_requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            rate_limited_link: AtomicU64::new(0),
            rate_limited_app: AtomicU64::new(0),
            refresh_requests: AtomicU64::new(0),
            refreshes_refused: AtomicU64::new(0),
            latency_counter: AtomicU64::new(0),
            tracker: links::Tracker::new(settings, epoch),
            log: Mutex::new(VecDeque::with_capacity(256)),
            once: Mutex::new(HashSet::new()),
            refreshing: AtomicU64::new(0),
            id_seed,
            id_counter: AtomicU64::new(0),
            token_hasher,
            token_serial: AtomicU64::new(1),
            expired_before: AtomicU64::new(0),
            epoch,
            fixtures: bodies::fixtures(),
            user_fixtures: config.user_fixtures,
            open: AtomicUsize::new(0),
            max_connections: config.max_connections,
            header_timeout: config.header_timeout,
            webhooks,
        });
        let webhook_thread = webhooks::spawn_scheduler(Arc::clone(&shared))?;
        let s2 = Arc::clone(&shared);
        let accept_thread = std::thread::Builder::new()
            .name(format!("sandbox-accept-{}", addr.port()))
            .spawn(move || server::accept_loop(listener, s2))
            .inspect_err(|_| shared.webhooks.stop())?;
        Ok(Sandbox {
            shared,
            addr,
            accept_thread: Some(accept_thread),
            webhook_thread: Some(webhook_thread),
            ca_pem,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `https://…` in TLS mode).
    pub fn base_url(&self) -> String {
        let a = connect_addr(self.addr);
        match a.ip() {
            IpAddr::V4(ip) => format!("{}://{}:{}", self.shared.scheme(), ip, a.port()),
            IpAddr::V6(ip) => format!("{}://[{}]:{}", self.shared.scheme(), ip, a.port()),
        }
    }

    /// The CA certificate (PEM) in TLS mode.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Request counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// What the sandbox saw of one link id: identity GETs (with their times and the most
    /// within one window), 429s, refreshes. All zero for an id never requested (or since
    /// `reset`).
    pub fn link_stats(&self, link_id: &str) -> LinkStats {
        self.shared.tracker.link_stats(link_id)
    }

    /// When the sandbox started: `LinkStats::times` are measured from here.
    pub fn started_at(&self) -> Instant {
        self.shared.epoch
    }

    /// The recorded requests, most recent last (at most the last 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests_log()
    }

    /// Clears the stats, the request log, all "once" fault state, the rate-limit windows,
    /// every link's stats and refresh state, the webhook delivery log and every webhook
    /// delivery not yet made (webhook URLs and keys stay).
    pub fn reset(&self) {
        self.shared.reset()
    }

    /// Connections being served now (at most `max_connections`).
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    /// Makes every token issued so far expired.
    pub fn expire_tokens(&self) {
        self.shared.expire_tokens()
    }

    /// Sets (`Some`) or clears (`None`) the webhook URL of one link, or of every link
    /// without a URL of its own (`link_id` `None`). Only `http://` URLs to 127.0.0.1,
    /// `[::1]` or `localhost` are accepted.
    pub fn set_webhook_url(&self, link_id: Option<&str>, url: Option<&str>) -> Result<(), String> {
        self.shared.webhooks.set_url(link_id, url)
    }

    /// The webhook key set served at `/.well-known/jwks.json`.
    pub fn webhook_jwks(&self) -> serde_json::Value {
        self.shared.webhooks.jwks()
    }

    /// The kid of the key signing webhooks now.
    pub fn webhook_kid(&self) -> String {
        self.shared.webhooks.current_kid()
    }

    /// A new webhook signing key; the previous one stays published for
    /// `webhook_key_overlap`. Returns (new kid, previous kid).
    pub fn rotate_webhook_key(&self) -> Result<(String, String), String> {
        self.shared.webhooks.rotate()
    }

    /// Every webhook delivery attempt so far (since start or `reset`), oldest first (at
    /// most the last 10,000).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.webhooks.deliveries()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.webhooks.stop();
        if let Some(t) = self.webhook_thread.take() {
            let _ = t.join();
        }
        if let Some(t) = self.accept_thread.take() {
            // Unblock accept() by connecting to ourselves.
            let woke = TcpStream::connect_timeout(&connect_addr(self.addr), Duration::from_secs(2))
                .is_ok();
            if woke {
                let _ = t.join();
            }
        }
    }
}

/// The address to connect to for a bound address (unspecified → loopback).
fn connect_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
