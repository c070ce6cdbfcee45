//! Webhooks, sent for real, only to loopback URLs: after `POST /links/{id}/products`
//! naming identity, `link.product_refresh` (`in_progress` at once, then `completed` when
//! `refreshed_at` advances, or `failed`), and test deliveries (`POST
//! /webhooks/test/link/{id}`). Each delivery is a POST signed with an ES256 key whose
//! public half is at `GET /.well-known/jwks.json` (keys.rs), made on a background thread
//! and retried with exponential back-off after a non-2xx answer or a connection failure
//! (deliver.rs). The `mk_webhook_*` magic ids send duplicates, out-of-order events and
//! forged deliveries. The HTTP side is in handlers.rs, the event bodies in events.rs.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::magic_gen::Answer;
use crate::util::{self, mix64};
use crate::{lock, Config};

mod deliver;
mod events;
mod forgeries;
pub mod handlers;
mod keys;

pub use deliver::{spawn_scheduler, WebhookDelivery};
use deliver::{Delivery, Queue};
use events::{Event, Stamp};

/// The default [`Config::webhook_key_overlap`]: how long a rotated-out key stays published.
pub const DEFAULT_KEY_OVERLAP: Duration = Duration::from_secs(600);
/// The default [`Config::webhook_max_attempts`].
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The default [`Config::webhook_retry_base`]: the wait before the second attempt (then
/// doubled for each further one).
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(1);
/// `Cache-Control: max-age` of the key set, in seconds of service time (divided by the time
/// scale, rounded up, at least 1).
pub const JWKS_MAX_AGE: Duration = Duration::from_secs(300);
/// The events `POST /webhooks/test/link/{id}` sends (MoneyKit's test enum).
pub const TEST_EVENTS: [&str; 4] = [
    "link.state_changed",
    "link.product_refresh",
    "transactions.updates_available",
    "product.state_changed",
];
/// Most deliveries kept in the log (`GET /_sandbox/webhooks/deliveries`).
pub const DELIVERY_LOG_CAP: usize = 10_000;

/// How a delivery's signature or body is spoiled on purpose (`mk_webhook_*` ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    None,
    /// Bits of r and s flipped.
    BadSignature,
    /// `iat` one hour old.
    StaleIat,
    /// `iat` one hour ahead.
    FutureIat,
    /// Signed by a key that is never published, under its own kid.
    UnknownKid,
    /// The body changed after signing.
    TamperedBody,
    /// Header `alg: none`, empty signature.
    AlgNone,
    /// Header `alg: HS256`, HMAC-SHA256 keyed with the current public key's PEM text.
    Hs256,
}

impl Forgery {
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Forgery::None => return None,
            Forgery::BadSignature => "bad_signature",
            Forgery::StaleIat => "stale_iat",
            Forgery::FutureIat => "future_iat",
            Forgery::UnknownKid => "unknown_kid",
            Forgery::TamperedBody => "tampered_body",
            Forgery::AlgNone => "alg_none",
            Forgery::Hs256 => "hs256",
        })
    }
}

/// What a link id's webhooks do, from its magic answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    pub forgery: Forgery,
    /// Every event delivered twice (same idempotency key, two delivery tokens).
    pub duplicate: bool,
    /// `completed` delivered before `in_progress`.
    pub out_of_order: bool,
    /// The identity refresh fails: `failed` instead of `completed`.
    pub refresh_fails: bool,
}

pub fn behaviour(answer: Answer) -> Behaviour {
    let mut b = Behaviour {
        forgery: Forgery::None,
        duplicate: false,
        out_of_order: false,
        refresh_fails: false,
    };
    match answer {
        Answer::WebhookRefreshFailed => b.refresh_fails = true,
        Answer::WebhookDuplicate => b.duplicate = true,
        Answer::WebhookOutOfOrder => b.out_of_order = true,
        Answer::WebhookBadSignature => b.forgery = Forgery::BadSignature,
        Answer::WebhookStaleIat => b.forgery = Forgery::StaleIat,
        Answer::WebhookFutureIat => b.forgery = Forgery::FutureIat,
        Answer::WebhookUnknownKid => b.forgery = Forgery::UnknownKid,
        Answer::WebhookTamperedBody => b.forgery = Forgery::TamperedBody,
        Answer::WebhookAlgNone => b.forgery = Forgery::AlgNone,
        Answer::WebhookHs256 => b.forgery = Forgery::Hs256,
        // Every other id: genuine deliveries, once each, in order.
        _ => {}
    }
    b
}

/// A webhook URL that may be used: `http://` and a loopback host (`127.0.0.1`, `[::1]`,
/// `localhost`), so the sandbox never sends a request off the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopbackUrl {
    /// As given.
    pub text: String,
    /// The `Host` header value.
    pub host: String,
    /// Tried in order (`localhost`: 127.0.0.1, then ::1; never a name lookup).
    pub addrs: Vec<SocketAddr>,
    /// Request target: path and query (`/` when empty).
    pub target: String,
}

/// Checks a webhook URL; the error says why it is refused.
pub fn parse_loopback_url(url: &str) -> Result<LoopbackUrl, String> {
    let refuse = |why: &str| Err(format!("webhook URL refused ({why}): {url:?}"));
    let Some(rest) = url
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return refuse("only http:// URLs to 127.0.0.1, [::1] or localhost");
    };
    if url.bytes().any(|c| c <= b' ' || c == 0x7f) || !url.is_ascii() {
        return refuse("spaces, control or non-ASCII characters");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return refuse("user info is not allowed");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((h, after)) = v6.split_once(']') else {
            return refuse("unclosed [");
        };
        match after {
            "" => (h, None),
            p => match p.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return refuse("bad port"),
            },
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port: u16 = match port {
        None => 80,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit()) => {
            match p.parse() {
                Ok(n) if n > 0 => n,
                _ => return refuse("bad port"),
            }
        }
        Some(_) => return refuse("bad port"),
    };
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    let addrs = if host == "127.0.0.1" {
        vec![v4]
    } else if host == "::1" && authority.starts_with('[') {
        vec![v6]
    } else if host.eq_ignore_ascii_case("localhost") {
        vec![v4, v6]
    } else {
        return refuse("the host must be 127.0.0.1, [::1] or localhost");
    };
    let tail = tail.split('#').next().unwrap_or_default();
    let target = match tail.chars().next() {
        None => "/".to_string(),
        Some('?') => format!("/{tail}"),
        Some(_) => tail.to_string(),
    };
    Ok(LoopbackUrl {
        text: url.to_string(),
        host: authority.to_string(),
        addrs,
        target,
    })
}

/// The webhook settings in real time (durations divided by the time scale).
#[derive(Debug, Clone)]
pub struct Settings {
    pub retry_base: Duration,
    pub max_attempts: u32,
    pub key_overlap: Duration,
    pub exp: bool,
    /// `Cache-Control: max-age` of the key set (whole seconds, at least 1).
    pub jwks_max_age: u64,
    /// Connect, write and read timeout of one attempt (real time, not scaled).
    pub attempt_timeout: Duration,
}

#[derive(Default)]
struct Urls {
    all: Option<LoopbackUrl>,
    per_link: HashMap<String, LoopbackUrl>,
}

/// The sandbox's webhook state (in `Shared`).
pub struct Webhooks {
    pub settings: Settings,
    keys: Mutex<keys::KeyRing>,
    urls: Mutex<Urls>,
    queue: Mutex<Queue>,
    wake: Condvar,
    log: Mutex<VecDeque<WebhookDelivery>>,
    seed: u64,
    counter: AtomicU64,
    /// Bumped by `reset`: jobs of an older generation are dropped.
    generation: AtomicU64,
}

fn scaled(d: Duration, f: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() / f).unwrap_or(Duration::MAX)
}

impl Webhooks {
    pub fn new(c: &Config, seed: u64) -> Result<Webhooks, String> {
        if c.webhook_max_attempts == 0 {
            return Err("webhook_max_attempts must be at least 1".to_string());
        }
        let all = c
            .webhook_url
            .as_deref()
            .map(parse_loopback_url)
            .transpose()?;
        let keys = keys::KeyRing::new(c.webhook_key.as_deref())
            .map_err(|e| format!("webhook key: {e}"))?;
        let f = c.time_scale;
        Ok(Webhooks {
            settings: Settings {
                retry_base: scaled(c.webhook_retry_base, f),
                max_attempts: c.webhook_max_attempts,
                key_overlap: scaled(c.webhook_key_overlap, f),
                exp: c.webhook_exp,
                jwks_max_age: (JWKS_MAX_AGE.as_secs_f64() / f).ceil().max(1.0) as u64,
                attempt_timeout: Duration::from_secs(10),
            },
            keys: Mutex::new(keys),
            urls: Mutex::new(Urls {
                all,
                per_link: HashMap::new(),
            }),
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            log: Mutex::new(VecDeque::new()),
            seed,
            counter: AtomicU64::new(0),
            generation: AtomicU64::new(0),
        })
    }

    /// A fresh opaque id: `prefix` + 32 hex digits.
    fn fresh_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = mix64(self.seed ^ 0x7765_6268_6f6f_6b00 ^ n);
        let b = mix64(a ^ n.rotate_left(32));
        format!("{prefix}{a:016x}{b:016x}")
    }

    /// Sets (`Some`) or clears (`None`) the webhook URL of one link, or of every link
    /// without one of its own (`link_id` `None`).
    pub fn set_url(&self, link_id: Option<&str>, url: Option<&str>) -> Result<(), String> {
        let parsed = url.map(parse_loopback_url).transpose()?;
        let mut urls = lock(&self.urls);
        match (link_id, parsed) {
            (None, p) => urls.all = p,
            (Some(id), Some(p)) => {
                urls.per_link.insert(id.to_string(), p);
            }
            (Some(id), None) => {
                urls.per_link.remove(id);
            }
        }
        Ok(())
    }

    /// The URL a link's webhooks go to: its own, else the one for all links.
    pub fn url_for(&self, link_id: &str) -> Option<LoopbackUrl> {
        let urls = lock(&self.urls);
        urls.per_link.get(link_id).or(urls.all.as_ref()).cloned()
    }

    /// The key set now (expired previous keys dropped).
    pub fn jwks(&self) -> Value {
        lock(&self.keys).jwks(Instant::now())
    }

    pub fn current_kid(&self) -> String {
        lock(&self.keys).current_kid().to_string()
    }

    /// Makes a new current key; the previous one stays published for `key_overlap`.
    /// Returns (new kid, previous kid).
    pub fn rotate(&self) -> Result<(String, String), String> {
        let mut keys = lock(&self.keys);
        let old = keys.rotate(Instant::now(), self.settings.key_overlap)?;
        Ok((keys.current_kid().to_string(), old))
    }

    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Forgets the delivery log and cancels every delivery not yet made (URLs and keys
    /// stay).
    pub fn reset(&self) {
        // Under the log's lock: an attempt logs only while its generation is current.
        let mut log = lock(&self.log);
        self.generation.fetch_add(1, Ordering::SeqCst);
        log.clear();
        drop(log);
        lock(&self.queue).clear();
    }

    /// Stops the scheduler thread.
    pub fn stop(&self) {
        lock(&self.queue).stop = true;
        self.wake.notify_all();
    }

    fn event(
        &self,
        name: &str,
        link_id: &str,
        tags: &[String],
        key: Option<String>,
        fields: Value,
        stamp: Stamp,
    ) -> Arc<Event> {
        Arc::new(Event::new(
            name,
            link_id,
            tags,
            key.unwrap_or_else(|| self.fresh_id("whk_")),
            fields,
            stamp,
        ))
    }

    /// Queues `events` (each no earlier than its instant) to `url`, in this order of
    /// first attempts: each one's first attempt starts once the previous one's ended.
    /// Returns the delivery tokens in order.
    fn send(
        &self,
        url: &LoopbackUrl,
        b: Behaviour,
        events: Vec<(Instant, Arc<Event>)>,
    ) -> Vec<String> {
        let copies = if b.duplicate { 2 } else { 1 };
        let mut chain = VecDeque::new();
        let mut tokens = Vec::new();
        for (at, event) in events {
            for _ in 0..copies {
                let token = self.fresh_id("dlv_");
                tokens.push(token.clone());
                chain.push_back((
                    at,
                    Arc::new(Delivery {
                        token,
                        url: url.clone(),
                        forgery: b.forgery,
                        event: Arc::clone(&event),
                    }),
                ));
            }
        }
        let generation = self.generation.load(Ordering::SeqCst);
        lock(&self.queue).push_chain(generation, chain);
        self.wake.notify_all();
        tokens
    }

    /// An identity refresh of `link_id` was accepted at `now` (`now_unix`); it completes
    /// (or fails) at `due`. Nothing is sent without a URL.
    pub fn on_refresh(
        &self,
        link_id: &str,
        answer: Answer,
        tags: &[String],
        now: Instant,
        now_unix: f64,
        due: Instant,
    ) {
        let Some(url) = self.url_for(link_id) else {
            return;
        };
        let b = behaviour(answer);
        let refresh = |state: &str| serde_json::json!({"product": "identity", "state": state});
        let started = self.event(
            "link.product_refresh",
            link_id,
            tags,
            None,
            refresh("in_progress"),
            Stamp::Fixed(now_unix.floor() as i64),
        );
        let ended = if b.refresh_fails {
            let mut f = refresh("failed");
            f["error_message"] = Value::from(events::REFRESH_FAILED_MESSAGE);
            self.event("link.product_refresh", link_id, tags, None, f, Stamp::Now)
        } else {
            let f = refresh("completed");
            self.event(
                "link.product_refresh",
                link_id,
                tags,
                None,
                f,
                Stamp::RefreshedAt,
            )
        };
        let events = if b.out_of_order {
            vec![(due, ended), (due, started)]
        } else {
            vec![(now, started), (due, ended)]
        };
        self.send(&url, b, events);
    }

    /// `POST /webhooks/test/link/{id}`: sends `event` now; the first delivery's token, or
    /// `None` when the link has no webhook URL.
    pub fn test_delivery(
        &self,
        link_id: &str,
        answer: Answer,
        tags: &[String],
        event: &str,
        key: Option<String>,
    ) -> Option<String> {
        let url = self.url_for(link_id)?;
        let (fields, stamp) = events::test_fields(event);
        let e = self.event(event, link_id, tags, key, fields, stamp);
        let tokens = self.send(&url, behaviour(answer), vec![(Instant::now(), e)]);
        tokens.into_iter().next()
    }
}

/// Milliseconds since `epoch`, for the delivery log.
fn since(epoch: Instant) -> f64 {
    epoch.elapsed().as_secs_f64() * 1000.0
}

/// Unix seconds now, whole.
fn unix_now() -> i64 {
    util::now_unix_f64().floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls() {
        let ok = parse_loopback_url("http://127.0.0.1:8080/hooks?x=1#frag").unwrap();
        assert_eq!(ok.target, "/hooks?x=1");
        assert_eq!(ok.host, "127.0.0.1:8080");
        assert_eq!(ok.addrs, vec!["127.0.0.1:8080".parse().unwrap()]);
        let v6 = parse_loopback_url("http://[::1]:9/").unwrap();
        assert_eq!(v6.addrs, vec!["[::1]:9".parse().unwrap()]);
        let lh = parse_loopback_url("HTTP://LocalHost").unwrap();
        assert_eq!(lh.target, "/");
        assert_eq!(lh.addrs.len(), 2);
        assert_eq!(lh.addrs[0].port(), 80);
        assert_eq!(
            parse_loopback_url("http://localhost:1?q").unwrap().target,
            "/?q"
        );
        for bad in [
            "https://127.0.0.1/",
            "http://example.com/",
            "http://127.0.0.2/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://::1/",
            "http://localhost.example.com/",
            "http://127.0.0.1@example.com/",
            "http://user@127.0.0.1/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:65536/",
            "http://127.0.0.1:x/",
            "http://127.0.0.1:/",
            "http://[::1/",
            "http://127.0.0.1/a b",
            "http://127.0.0.1/a\r\nX: y",
            "ftp://127.0.0.1/",
            "127.0.0.1:80",
            "",
        ] {
            assert!(parse_loopback_url(bad).is_err(), "{bad:?} accepted");
        }
    }
}
