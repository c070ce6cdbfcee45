//! Client configuration: the options JSON, environment fallbacks and their validation.

use super::input_json;
use super::log::Level;
use super::secret::Secret;
use super::Error;
use serde::Deserialize;
use std::time::Duration;

use super::options_gen::{self as limits, FloatOption, IntOption};

mod coordination;
pub use self::coordination::CoordinationConfig;
use self::coordination::{coordination, CoordinationOptions};
pub use super::options_gen::{DEFAULT_BASE_URL, DEFAULT_MONEYKIT_VERSION};

/// Longest accepted string option, so a huge string is refused rather than copied around.
const MAX_OPTION_LEN: usize = 8192;

/// The options JSON of `mk_client_new`, as documented in docs/C-API.md ("Options JSON"). Every key is
/// optional; `null` means "the default"; an unknown key is an error (it catches typos).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub base_url: Option<String>,
    /// Redacted in `Debug` and zeroed on drop, like every secret.
    pub access_token: Option<Secret>,
    pub auth: Option<AuthMode>,
    pub moneykit_version: Option<String>,
    pub timeout_ms: Option<u64>,
    pub deadline_ms: Option<u64>,
    pub connect_timeout_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub retry_base_ms: Option<u64>,
    pub max_retry_after_ms: Option<u64>,
    pub max_response_bytes: Option<u64>,
    pub user_agent: Option<String>,
    pub proxy: Option<ProxyUrl>,
    pub ca_file: Option<String>,
    pub log_level: Option<Level>,
    pub time_scale: Option<f64>,
    pub app_per_minute: Option<u64>,
    pub link_per_minute: Option<u64>,
    /// Redacted in `Debug` and zeroed on drop: the URL may hold Redis's password.
    pub coordination_url: Option<Secret>,
    pub coordination_timeout_ms: Option<u64>,
    pub coordination_lease_max: Option<u64>,
    pub coordination_reserve_per_minute: Option<u64>,
    pub coordination_fallback_share: Option<f64>,
}

/// A proxy URL. `Debug` hides the password of `scheme://user:password@host`.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct ProxyUrl(pub String);

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = &self.0;
        let shown = match (text.find("://"), text.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let user_info = &text[s + 3..at];
                let user = user_info.split(':').next().unwrap_or("");
                format!("{}{user}:<redacted>{}", &text[..s + 3], &text[at..])
            }
            _ => text.clone(),
        };
        f.debug_tuple("ProxyUrl").field(&shown).finish()
    }
}

/// How the client authenticates when no `access_token` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// OAuth2 client credentials via `POST /auth/token`, then `Authorization: Bearer`.
    Token,
    /// `X-Client-Id` / `X-Client-Secret` on every request.
    Headers,
}

impl Options {
    /// Parses the options JSON; empty text means all defaults. The rules of
    /// `input_json` apply: an object only, no repeated key, no value in a message.
    pub fn from_json(text: &str) -> Result<Options, Error> {
        if text.trim().is_empty() {
            return Ok(Options::default());
        }
        input_json::decode_object(text, "option")
            .map_err(|e| Error::invalid(format!("options JSON: {e}")))
    }
}

/// How each request is authenticated, resolved from arguments, options and environment.
#[derive(Debug, Clone)]
pub enum Credentials {
    AccessToken(Secret),
    ClientToken { client_id: String, secret: Secret },
    ClientHeaders { client_id: String, secret: Secret },
}

/// A validated base URL, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `scheme://authority[/prefix]`, as requests are built from it.
    pub url: String,
    /// `scheme://authority`, lowercased: redirects must stay on this origin.
    pub origin: String,
    /// The host is loopback (`localhost`, 127.0.0.0/8, `::1`): no environment proxy.
    pub loopback: bool,
}

/// Everything a client needs, checked once at creation.
#[derive(Debug, Clone)]
pub struct Config {
    pub base: BaseUrl,
    pub credentials: Credentials,
    pub moneykit_version: String,
    pub timeout: Duration,
    /// Bound on a whole call: attempts, backoff and `Retry-After` waits.
    pub deadline: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    pub retry_base: Duration,
    pub max_retry_after: Duration,
    pub max_response_bytes: u64,
    pub user_agent: String,
    pub proxy: Option<ProxyUrl>,
    pub ca_file: Option<String>,
    pub log_level: Level,
    /// Divides the periods of this client's batches and refresh waits that set no
    /// `time_scale` of their own (the sandbox's `--time-scale`).
    pub time_scale: f64,
    /// The app's identity calls per minute, and one link's (shared by the fleet with
    /// coordination; the defaults of this client's batches).
    pub app_per_minute: u32,
    pub link_per_minute: u32,
    /// The fleet's shared budget through Redis (`coordination_url`), when set.
    pub coordination: Option<CoordinationConfig>,
}

/// Reads an environment variable, treating unset, empty and non-UTF-8 alike.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Resolves arguments + options + environment into a checked configuration.
    pub fn resolve(
        client_id: Option<&str>,
        client_secret: Option<&str>,
        opts: Options,
    ) -> Result<Config, Error> {
        let base_text = opts
            .base_url
            .or_else(|| env("MONEYKIT_BASE_URL"))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let base = parse_base_url(&base_text)?;

        // The app's id names its coordination keys, even for a client that sends a token.
        let app_id = client_id
            .map(str::to_string)
            .or_else(|| env("MONEYKIT_CLIENT_ID"));
        let credentials = if let Some(token) = opts.access_token {
            check_header_value("access_token", token.expose())?;
            Credentials::AccessToken(token)
        } else {
            let id = client_id
                .map(str::to_string)
                .or_else(|| env("MONEYKIT_CLIENT_ID"))
                .ok_or_else(|| {
                    Error::invalid(
                        "no client id: pass client_id, set MONEYKIT_CLIENT_ID, or set the access_token option",
                    )
                })?;
            let secret = Secret::new(
                client_secret
                    .map(str::to_string)
                    .or_else(|| env("MONEYKIT_CLIENT_SECRET"))
                    .ok_or_else(|| {
                        Error::invalid(
                            "no client secret: pass client_secret, set MONEYKIT_CLIENT_SECRET, or set the access_token option",
                        )
                    })?,
            );
            match opts.auth.unwrap_or(AuthMode::Token) {
                AuthMode::Token => {
                    check_text("client_id", &id)?;
                    check_text("client_secret", secret.expose())?;
                    Credentials::ClientToken {
                        client_id: id,
                        secret,
                    }
                }
                AuthMode::Headers => {
                    check_header_value("client_id", &id)?;
                    check_header_value("client_secret", secret.expose())?;
                    Credentials::ClientHeaders {
                        client_id: id,
                        secret,
                    }
                }
            }
        };

        let moneykit_version = opts
            .moneykit_version
            .unwrap_or_else(|| DEFAULT_MONEYKIT_VERSION.to_string());
        check_header_value("moneykit_version", &moneykit_version)?;

        let mut user_agent = format!("moneykit-native/{}", env!("CARGO_PKG_VERSION"));
        if let Some(extra) = opts.user_agent {
            check_header_value("user_agent", &extra)?;
            user_agent.push(' ');
            user_agent.push_str(&extra);
        }

        let proxy = opts.proxy.filter(|p| !p.0.is_empty());
        if let Some(p) = &proxy {
            check_text("proxy", &p.0)?;
        }
        if let Some(f) = &opts.ca_file {
            check_text("ca_file", f)?;
        }

        let coordination_opts = CoordinationOptions {
            timeout_ms: opts.coordination_timeout_ms,
            lease_max: opts.coordination_lease_max,
            reserve_per_minute: opts.coordination_reserve_per_minute,
            fallback_share: opts.coordination_fallback_share,
        };
        let app_per_minute = int(limits::APP_PER_MINUTE, opts.app_per_minute)? as u32;
        let link_per_minute = int(limits::LINK_PER_MINUTE, opts.link_per_minute)? as u32;
        let coordination_url = opts
            .coordination_url
            .or_else(|| env("MONEYKIT_COORDINATION_URL").map(Secret::new));
        let coordination =
            coordination(coordination_url, app_id, &coordination_opts, app_per_minute)?;

        Ok(Config {
            base,
            credentials,
            moneykit_version,
            timeout: millis(limits::TIMEOUT_MS, opts.timeout_ms)?,
            deadline: millis(limits::DEADLINE_MS, opts.deadline_ms)?,
            connect_timeout: millis(limits::CONNECT_TIMEOUT_MS, opts.connect_timeout_ms)?,
            max_retries: int(limits::MAX_RETRIES, opts.max_retries.map(u64::from))? as u32,
            retry_base: millis(limits::RETRY_BASE_MS, opts.retry_base_ms)?,
            max_retry_after: millis(limits::MAX_RETRY_AFTER_MS, opts.max_retry_after_ms)?,
            max_response_bytes: int(limits::MAX_RESPONSE_BYTES, opts.max_response_bytes)?,
            user_agent,
            proxy,
            ca_file: opts.ca_file,
            log_level: opts.log_level.unwrap_or_else(Level::from_env),
            time_scale: float(limits::TIME_SCALE, opts.time_scale)?,
            app_per_minute,
            link_per_minute,
            coordination,
        })
    }
}

/// A numeric option's value, or its default; refused outside its bounds
/// (which also catch overflow when converting).
fn int(opt: IntOption, v: Option<u64>) -> Result<u64, Error> {
    let v = v.unwrap_or(opt.default);
    if v < opt.min || v > opt.max {
        return Err(Error::invalid(format!(
            "option {} must be between {} and {}, got {v}",
            opt.key, opt.min, opt.max
        )));
    }
    Ok(v)
}

/// A number option's value, or its default; refused outside its bounds (NaN cannot
/// come from JSON).
fn float(opt: FloatOption, v: Option<f64>) -> Result<f64, Error> {
    let v = v.unwrap_or(opt.default);
    if !(opt.min..=opt.max).contains(&v) {
        return Err(Error::invalid(format!(
            "option {} must be between {} and {}, got {v}",
            opt.key, opt.min, opt.max
        )));
    }
    Ok(v)
}

fn millis(opt: IntOption, v: Option<u64>) -> Result<Duration, Error> {
    int(opt, v).map(Duration::from_millis)
}

/// Any string option: bounded length, no control characters.
fn check_text(name: &str, v: &str) -> Result<(), Error> {
    if v.is_empty() {
        return Err(Error::invalid(format!("{name} is empty")));
    }
    if v.len() > MAX_OPTION_LEN {
        return Err(Error::invalid(format!(
            "{name} is longer than {MAX_OPTION_LEN} bytes"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{name} contains control characters"
        )));
    }
    Ok(())
}

/// A string sent as an HTTP header value: visible ASCII and spaces only.
fn check_header_value(name: &str, v: &str) -> Result<(), Error> {
    check_text(name, v)?;
    if !v.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(Error::invalid(format!(
            "{name} must be printable ASCII (it is sent as an HTTP header)"
        )));
    }
    Ok(())
}

fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// Checks a base URL: `https://host[:port][/prefix]`, or plain `http://` to a loopback
/// host (the sandbox). No user info, query or fragment.
pub fn parse_base_url(text: &str) -> Result<BaseUrl, Error> {
    check_text("base_url", text)?;
    let bad = |why: &str| Error::invalid(format!("base_url {why}"));
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| bad("must start with https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("must use https (or http to a loopback host)"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("must not have a query or fragment"));
    }
    if rest.contains(' ') {
        return Err(bad("must not contain spaces"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad(
            "must not contain user info (credentials go in client_id/client_secret)",
        ));
    }
    let (host, port) = if let Some(end) = authority.strip_prefix('[').and_then(|a| a.find(']')) {
        let host = &authority[..end + 2];
        let after = &authority[end + 2..];
        if !after.is_empty() && !after.starts_with(':') {
            // `http://[::1]evil.com` must not pass as the loopback host `[::1]`.
            return Err(bad("has text after its IPv6 address"));
        }
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if let Some(p) = port {
        if p.parse::<u16>().map(|p| p == 0).unwrap_or(true) {
            return Err(bad("has an invalid port"));
        }
    }
    if scheme == "http" && !is_loopback_host(host) {
        return Err(bad(
            "must use https: plain http is allowed only for loopback hosts",
        ));
    }
    let path = path.trim_end_matches('/');
    let url = format!("{scheme}://{authority}{path}");
    url.parse::<ureq::http::Uri>()
        .map_err(|_| bad("is not a valid URL"))?;
    Ok(BaseUrl {
        origin: format!("{scheme}://{}", authority.to_ascii_lowercase()),
        url,
        loopback: is_loopback_host(host),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_match_the_schema() {
        // Every key the schema lists is accepted (null = default), nothing else is.
        for key in limits::OPTION_KEYS {
            Options::from_json(&format!("{{\"{key}\": null}}"))
                .unwrap_or_else(|e| panic!("{key}: {}", e.message));
        }
        assert!(Options::from_json(r#"{"timeout": 5}"#).is_err());
        for (key, values) in limits::ENUM_OPTIONS {
            for v in values {
                Options::from_json(&format!("{{\"{key}\": \"{v}\"}}"))
                    .unwrap_or_else(|e| panic!("{key}={v}: {}", e.message));
            }
            assert!(Options::from_json(&format!("{{\"{key}\": \"nonsense\"}}")).is_err());
        }
        let auth: AuthMode =
            serde_json::from_value(serde_json::json!(limits::DEFAULT_AUTH)).unwrap();
        let resolved = Config::resolve(Some("id"), Some("secret"), Options::default()).unwrap();
        assert!(matches!(
            resolved.credentials,
            Credentials::ClientToken { .. }
        ));
        assert_eq!(auth, AuthMode::Token);
        assert_eq!(
            resolved.timeout.as_millis() as u64,
            limits::TIMEOUT_MS.default
        );
        assert_eq!(resolved.max_retries as u64, limits::MAX_RETRIES.default);
        assert_eq!(
            resolved.max_response_bytes,
            limits::MAX_RESPONSE_BYTES.default
        );
    }

    #[test]
    fn options_defaults_and_nulls() {
        let o = Options::from_json("").unwrap();
        assert!(o.base_url.is_none());
        let o = Options::from_json(r#"{"timeout_ms": null, "auth": "headers"}"#).unwrap();
        assert!(o.timeout_ms.is_none());
        assert_eq!(o.auth, Some(AuthMode::Headers));
    }

    #[test]
    fn options_reject_unknown_keys_and_bad_types() {
        for bad in [
            "{",
            "[]",
            r#"{"timeout": 5}"#,
            r#"{"timeout_ms": "5"}"#,
            r#"{"timeout_ms": -1}"#,
            r#"{"timeout_ms": 1.5}"#,
            r#"{"timeout_ms": 1e300}"#,
            r#"{"max_retries": 99999999999}"#,
            r#"{"auth": "basic"}"#,
            r#"{"log_level": "loud"}"#,
        ] {
            let e = Options::from_json(bad).unwrap_err();
            assert_eq!(
                e.status,
                super::super::Status::MkErrInvalidArgument,
                "{bad}"
            );
        }
    }

    fn resolve(json: &str) -> Result<Config, Error> {
        Config::resolve(Some("id"), Some("secret"), Options::from_json(json)?)
    }

    #[test]
    fn resolve_defaults() {
        let c = resolve(r#"{"base_url": "https://api.moneykit.com/"}"#).unwrap();
        assert_eq!(c.base.url, "https://api.moneykit.com");
        assert_eq!(c.timeout, Duration::from_millis(30_000));
        assert_eq!(c.connect_timeout, Duration::from_millis(10_000));
        assert_eq!(c.max_retries, 2);
        assert_eq!(c.retry_base, Duration::from_millis(500));
        assert_eq!(c.max_retry_after, Duration::from_millis(60_000));
        assert_eq!(c.max_response_bytes, 16 * 1024 * 1024);
        assert_eq!(c.moneykit_version, "2023-02-18");
        assert!(c.user_agent.starts_with("moneykit-native/"));
        assert!(matches!(c.credentials, Credentials::ClientToken { .. }));
        assert_eq!(c.time_scale, 1.0);
        assert_eq!(resolve(r#"{"time_scale": 60}"#).unwrap().time_scale, 60.0);
        assert_eq!(resolve(r#"{"time_scale": 2.5}"#).unwrap().time_scale, 2.5);
    }

    #[test]
    fn resolve_rejects_out_of_range_numbers() {
        for bad in [
            r#"{"timeout_ms": 0}"#,
            r#"{"timeout_ms": 99999999999}"#,
            r#"{"max_retries": 11}"#,
            r#"{"max_response_bytes": 0}"#,
            r#"{"max_response_bytes": 99999999999999}"#,
            r#"{"time_scale": 0.5}"#,
            r#"{"time_scale": 10001}"#,
        ] {
            assert!(resolve(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolve_checks_header_values() {
        assert!(resolve(r#"{"access_token": "a\r\nX: y"}"#).is_err());
        assert!(resolve(r#"{"user_agent": "é"}"#).is_err());
        assert!(resolve(r#"{"moneykit_version": ""}"#).is_err());
        let c = resolve(r#"{"access_token": "tok", "user_agent": "app/1.0"}"#).unwrap();
        assert!(matches!(c.credentials, Credentials::AccessToken(_)));
        assert!(c.user_agent.ends_with(" app/1.0"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let o = Options::from_json(r#"{"access_token": "tok-123"}"#).unwrap();
        assert!(!format!("{o:?}").contains("tok-123"));
        let c = Config::resolve(Some("id"), Some("very-secret"), Options::default()).unwrap();
        assert!(!format!("{c:?}").contains("very-secret"));
        let c = resolve(r#"{"access_token": "tok-123"}"#).unwrap();
        assert!(!format!("{c:?}").contains("tok-123"));
    }

    #[test]
    fn base_urls() {
        let ok = |u: &str| parse_base_url(u).unwrap().url;
        assert_eq!(ok("https://api.moneykit.com"), "https://api.moneykit.com");
        assert_eq!(ok("https://host:8443/v1/"), "https://host:8443/v1");
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://127.9.9.9"), "http://127.9.9.9");
        assert_eq!(ok("http://localhost:1"), "http://localhost:1");
        assert_eq!(ok("http://[::1]:8080"), "http://[::1]:8080");
        assert_eq!(ok("HTTPS://Example.com"), "https://Example.com");
        assert_eq!(
            parse_base_url("HTTPS://Example.com").unwrap().origin,
            "https://example.com"
        );
        for bad in [
            "ftp://x",
            "http://example.com",
            "http://10.0.0.1",
            "https://user:pass@host",
            "https://",
            "https://host:0",
            "https://host:99999",
            "https://host?x=1",
            "https://host#f",
            "api.moneykit.com",
            "",
            "https://ho st",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
