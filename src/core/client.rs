//! The blocking client: builds the request, authenticates, retries, maps
//! every failure to a status, and validates the body it returns.

use super::auth::{Token, TokenCache};
use super::config::{Config, Credentials, Options};
use super::encode::push_encoded;
use super::log::{self, Level};
use super::resolver::CachingResolver;
use super::retry::{backoff, is_retryable_status, parse_retry_after};
use super::secret::Secret;
use super::validate::validate_identity_str;
use super::{Error, Status};
use once_cell::sync::Lazy;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use ureq::http::{HeaderMap, Response};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::{Agent, Body};
use zeroize::Zeroizing;

/// Same-origin redirects followed per request before giving up.
const MAX_REDIRECTS: u32 = 5;
/// Error bodies larger than this are not read (they are only informative).
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Mozilla's roots as DER certificates, built once per process and only when a
/// `ca_file` has to be added to them.
static WEBPKI_ROOTS: Lazy<Vec<Certificate<'static>>> = Lazy::new(|| {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect()
});

/// A MoneyKit client. Cheap to share: all methods take `&self` and are safe
/// from many threads at once; one connection pool and one token serve them all.
pub struct Client {
    config: Config,
    agent: Agent,
    tokens: TokenCache,
    /// `Authorization` value for a caller-supplied access token, built once.
    static_bearer: Option<Secret>,
    /// `{base}/links/`, the fixed start of every identity URL.
    links_prefix: String,
    token_url: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.config.base.url)
            .field("credentials", &self.config.credentials)
            .finish_non_exhaustive()
    }
}

/// Why an attempt failed and whether another one may help.
struct Failure {
    error: Error,
    retry: Retry,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Retry {
    No,
    /// Transient: wait the jittered backoff, or the server's `Retry-After` if it sent one.
    Yes(Option<Duration>),
    /// The bearer token expired: fetch a new one and repeat once.
    RefreshToken,
}

impl Failure {
    fn new(status: Status, message: impl Into<String>, retry: Retry) -> Failure {
        Failure {
            error: Error::new(status, message),
            retry,
        }
    }
}

/// The fields of a MoneyKit error body we pass on; anything else is ignored.
#[derive(Default)]
struct ErrorBody {
    error_code: Option<String>,
    error_message: Option<String>,
    documentation_url: Option<String>,
    link_error_code: Option<String>,
}

impl ErrorBody {
    /// Tolerant: a body that is not JSON, or has other types, simply yields nothing.
    fn parse(bytes: &[u8]) -> ErrorBody {
        let v: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(_) => return ErrorBody::default(),
        };
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        ErrorBody {
            error_code: text("error_code"),
            error_message: text("error_message"),
            documentation_url: text("documentation_url"),
            link_error_code: text("link_error_code"),
        }
    }
}

impl Client {
    /// A client for `client_id`/`client_secret` (each `None`: the `MONEYKIT_CLIENT_ID` /
    /// `MONEYKIT_CLIENT_SECRET` environment variables) with the given options.
    pub fn new(
        client_id: Option<&str>,
        client_secret: Option<&str>,
        options: Options,
    ) -> Result<Client, Error> {
        let config = Config::resolve(client_id, client_secret, options)?;
        let agent = build_agent(&config)?;
        let static_bearer = match &config.credentials {
            Credentials::AccessToken(t) => Some(Secret::new(format!("Bearer {}", t.expose()))),
            _ => None,
        };
        Ok(Client {
            links_prefix: format!("{}/links/", config.base.url),
            token_url: format!("{}/auth/token", config.base.url),
            config,
            agent,
            tokens: TokenCache::default(),
            static_bearer,
        })
    }

    /// `GET /links/{link_id}/identity`: the body, exactly as the server sent it,
    /// after checking it against the response schema.
    pub fn get_identity(&self, link_id: &str, account_ids: &[&str]) -> Result<String, Error> {
        if link_id.is_empty() {
            return Err(Error::invalid("link_id is empty"));
        }
        let url = self.identity_url(link_id, account_ids);
        let path_end = self.links_prefix.len() - "/links/".len();
        let path = &url[path_end..url.find('?').unwrap_or(url.len())];

        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            attempts += 1;
            let failure = match self.attempt(&url, path, attempts) {
                Ok(body) => return Ok(body),
                Err(f) => f,
            };
            let mut error = failure.error;
            error.attempts = attempts;
            match failure.retry {
                Retry::RefreshToken if !refreshed => {
                    refreshed = true;
                    continue;
                }
                Retry::Yes(after) if retries < self.config.max_retries => {
                    let wait = match after {
                        Some(d) if d > self.config.max_retry_after => return Err(error),
                        Some(d) => d,
                        None => backoff(self.config.retry_base, retries),
                    };
                    retries += 1;
                    std::thread::sleep(wait);
                }
                _ => return Err(error),
            }
        }
    }

    fn identity_url(&self, link_id: &str, account_ids: &[&str]) -> String {
        let extra: usize = account_ids.iter().map(|a| a.len() * 3 + 13).sum();
        let mut url =
            String::with_capacity(self.links_prefix.len() + link_id.len() * 3 + 9 + extra);
        url.push_str(&self.links_prefix);
        push_encoded(&mut url, link_id);
        url.push_str("/identity");
        for (i, id) in account_ids.iter().enumerate() {
            url.push_str(if i == 0 {
                "?account_ids="
            } else {
                "&account_ids="
            });
            push_encoded(&mut url, id);
        }
        url
    }

    /// One attempt: authenticate (fetching a token if needed) and send the request.
    fn attempt(&self, url: &str, path: &str, attempt: u32) -> Result<String, Failure> {
        let mut used_token = None;
        let auth: [(&str, &str); 2] = match &self.config.credentials {
            Credentials::AccessToken(_) => {
                let bearer = self.static_bearer.as_ref().expect("set for access tokens");
                [("Authorization", bearer.expose()), ("", "")]
            }
            Credentials::ClientHeaders { client_id, secret } => [
                ("X-Client-Id", client_id.as_str()),
                ("X-Client-Secret", secret.expose()),
            ],
            Credentials::ClientToken { client_id, secret } => {
                let token = self
                    .tokens
                    .get(|| self.fetch_token(client_id, secret, attempt))?;
                used_token = Some(token);
                let token = used_token.as_ref().expect("just set");
                [("Authorization", token.header_value.expose()), ("", "")]
            }
        };
        let send = |target: &str| {
            let mut request = self
                .agent
                .get(target)
                .header("moneykit-version", &self.config.moneykit_version);
            for (name, value) in auth {
                if !name.is_empty() {
                    request = request.header(name, value);
                }
            }
            request.call().map_err(transport_failure)
        };

        let started = Instant::now();
        let mut response = match self.send_following_redirects(url, send) {
            Ok(r) => r,
            Err(f) => {
                self.log(path, None, &f.error, attempt, started, false);
                return Err(f);
            }
        };
        let request_id = header_text(response.headers(), "x-request-id");
        let status = response.status().as_u16();

        let outcome = if (200..300).contains(&status) {
            read_body(&mut response, self.config.max_response_bytes).and_then(|body| {
                // One UTF-8 check of the whole body, then a parse that skips per-string checks.
                let body = String::from_utf8(body).map_err(|_| {
                    Failure::new(Status::MkErrDecode, "response body is not UTF-8", Retry::No)
                })?;
                validate_identity_str(&body).map_err(|e| {
                    Failure::new(
                        Status::MkErrDecode,
                        format!("invalid identity response: {e}"),
                        Retry::No,
                    )
                })?;
                Ok(body)
            })
        } else {
            let mut f = self.http_failure(status, &mut response);
            if f.retry == Retry::RefreshToken {
                match &used_token {
                    Some(t) => self.tokens.invalidate(t),
                    // A caller-supplied token (or header credentials) cannot be refreshed.
                    None => f.retry = Retry::No,
                }
            }
            Err(f)
        };
        match outcome {
            Ok(body) => {
                if self.config.log_level >= Level::Info {
                    let mut ok = Error::new(Status::MkOk, "");
                    ok.request_id = request_id;
                    self.log(path, Some(status), &ok, attempt, started, false);
                }
                Ok(body)
            }
            Err(mut f) => {
                f.error.http_status.get_or_insert(status);
                f.error.request_id = f.error.request_id.take().or(request_id);
                self.redact(&mut f.error);
                self.log(path, Some(status), &f.error, attempt, started, false);
                Err(f)
            }
        }
    }

    /// Sends the request; follows redirects only within the base URL's origin,
    /// so credentials never reach another host.
    fn send_following_redirects(
        &self,
        url: &str,
        send: impl Fn(&str) -> Result<Response<Body>, Failure>,
    ) -> Result<Response<Body>, Failure> {
        let mut response = send(url)?;
        let mut redirects = 0;
        while response.status().is_redirection() {
            let Some(location) = header_text(response.headers(), "location") else {
                return Ok(response);
            };
            if redirects == MAX_REDIRECTS {
                return Err(Failure::new(
                    Status::MkErrTransport,
                    "too many redirects",
                    Retry::No,
                ));
            }
            redirects += 1;
            let target = if location.starts_with('/') && !location.starts_with("//") {
                format!("{}{}", self.config.base.origin, location)
            } else if origin_of(&location).as_deref() == Some(self.config.base.origin.as_str()) {
                location
            } else {
                return Err(Failure::new(
                    Status::MkErrTransport,
                    "redirect to another host refused (credentials are only sent to base_url's host)",
                    Retry::No,
                ));
            };
            response = send(&target)?;
        }
        Ok(response)
    }

    /// Maps a non-2xx identity response to its status, passing on the server's error fields.
    fn http_failure(&self, status: u16, response: &mut Response<Body>) -> Failure {
        let retry_after = header_text(response.headers(), "retry-after")
            .and_then(|v| parse_retry_after(&v, SystemTime::now()));
        let body = read_body(response, MAX_ERROR_BODY.min(self.config.max_response_bytes))
            .map(|b| ErrorBody::parse(&b))
            .unwrap_or_default();
        let code = body.error_code.as_deref();
        let status_kind = status_for_http(status, code);
        let retry = if status == 401 && code == Some("api_error.auth.expired_access_token") {
            Retry::RefreshToken
        } else if is_retryable_status(status) {
            Retry::Yes(retry_after)
        } else {
            Retry::No
        };
        let mut message = format!("MoneyKit answered HTTP {status}");
        if let Some(c) = code {
            message.push_str(&format!(" ({c})"));
        }
        if let Some(m) = &body.error_message {
            message.push_str(": ");
            message.push_str(m);
        }
        let mut error = Error::new(status_kind, message);
        error.http_status = Some(status);
        error.error_code = body.error_code;
        error.error_message = body.error_message;
        error.documentation_url = body.documentation_url;
        error.link_error_code = body.link_error_code;
        error.retry_after_ms = retry_after.map(|d| d.as_millis().min(u64::MAX as u128) as u64);
        Failure { error, retry }
    }

    /// `POST /auth/token` with the client credentials grant.
    fn fetch_token(
        &self,
        client_id: &str,
        secret: &Secret,
        attempt: u32,
    ) -> Result<Token, Failure> {
        let mut form = Zeroizing::new(String::from("grant_type=client_credentials&client_id="));
        push_encoded(&mut form, client_id);
        form.push_str("&client_secret=");
        push_encoded(&mut form, secret.expose());

        let started = Instant::now();
        let path = "/auth/token";
        let fail = |f: Failure, status: Option<u16>| {
            self.log(path, status, &f.error, attempt, started, true);
            f
        };
        let mut response = self
            .agent
            .post(&self.token_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .map_err(|e| fail(transport_failure(e), None))?;
        let status = response.status().as_u16();
        let request_id = header_text(response.headers(), "x-request-id");
        if !(200..300).contains(&status) {
            let mut f = self.http_failure(status, &mut response);
            f.error.status = match status {
                400 | 401 | 403 => Status::MkErrUnauthorized,
                429 => Status::MkErrRateLimited,
                500..=599 => Status::MkErrServer,
                _ => Status::MkErrHttp,
            };
            f.error.message = format!("token request refused: {}", f.error.message);
            f.error.request_id = request_id;
            if f.retry == Retry::RefreshToken {
                f.retry = Retry::No;
            }
            self.redact(&mut f.error);
            return Err(fail(f, Some(status)));
        }
        let body = Zeroizing::new(
            read_body(&mut response, MAX_ERROR_BODY).map_err(|f| fail(f, Some(status)))?,
        );
        #[derive(serde::Deserialize)]
        struct TokenBody {
            access_token: String,
            #[allow(dead_code)]
            token_type: String,
            expires_in: f64,
        }
        let parsed: TokenBody = serde_json::from_slice(&body).map_err(|_| {
            let mut f = Failure::new(
                Status::MkErrDecode,
                "token response is not a valid token JSON object",
                Retry::No,
            );
            f.error.http_status = Some(status);
            f.error.request_id = request_id.clone();
            fail(f, Some(status))
        })?;
        let access_token = Zeroizing::new(parsed.access_token);
        let expires_in = if parsed.expires_in.is_finite() && parsed.expires_in > 0.0 {
            Duration::from_secs_f64(parsed.expires_in.min(1e9))
        } else {
            Duration::ZERO
        };
        if self.config.log_level >= Level::Debug {
            let mut ok = Error::new(Status::MkOk, "");
            ok.request_id = request_id;
            self.log(path, Some(status), &ok, attempt, started, true);
        }
        Ok(Token::new(&access_token, expires_in))
    }

    /// Removes any secret a server may have echoed into error text.
    fn redact(&self, error: &mut Error) {
        let secret = match &self.config.credentials {
            Credentials::AccessToken(s) => s.expose(),
            Credentials::ClientToken { secret, .. } | Credentials::ClientHeaders { secret, .. } => {
                secret.expose()
            }
        };
        let token = self.tokens_current_value();
        for text in [Some(&mut error.message), error.error_message.as_mut()]
            .into_iter()
            .flatten()
        {
            for s in [Some(secret), token.as_deref()].into_iter().flatten() {
                if !s.is_empty() && text.contains(s) {
                    *text = text.replace(s, "<redacted>");
                }
            }
        }
    }

    fn tokens_current_value(&self) -> Option<String> {
        let t = self.tokens.current()?;
        t.header_value
            .expose()
            .strip_prefix("Bearer ")
            .map(str::to_string)
    }

    fn log(
        &self,
        path: &str,
        http_status: Option<u16>,
        e: &Error,
        attempt: u32,
        started: Instant,
        token: bool,
    ) {
        if self.config.log_level == Level::Off {
            return;
        }
        log::attempt(
            self.config.log_level,
            &log::Attempt {
                method: if token { "POST" } else { "GET" },
                path,
                http_status,
                outcome: e.status.name(),
                attempt,
                elapsed: started.elapsed(),
                request_id: e.request_id.as_deref(),
            },
            token,
        );
    }
}

/// The library status for a non-2xx identity response (C-API.md's table).
fn status_for_http(status: u16, error_code: Option<&str>) -> Status {
    match status {
        401 => Status::MkErrUnauthorized,
        403 => Status::MkErrForbidden,
        // A 404 without MoneyKit's link error is a route miss (e.g. a wrong base_url
        // prefix), not an unknown link: report it as an unexpected HTTP status.
        404 if error_code == Some("link_error.not_found") => Status::MkErrNotFound,
        410 => Status::MkErrLinkDeleted,
        422 if error_code == Some("link_error.bad_state") => Status::MkErrLinkBadState,
        429 => Status::MkErrRateLimited,
        500..=599 => Status::MkErrServer,
        _ => Status::MkErrHttp,
    }
}

/// A header's value as text. Values we pass on to callers (request ids) are
/// capped so a hostile server cannot bloat every error.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(if name == "x-request-id" {
        value.chars().take(256).collect()
    } else {
        value.to_string()
    })
}

/// `scheme://authority` of an absolute URL, lowercased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    ))
}

/// Reads the whole body, refusing (without buffering the rest) once it passes `limit`.
fn read_body(response: &mut Response<Body>, limit: u64) -> Result<Vec<u8>, Failure> {
    let hint = response.body().content_length().unwrap_or(0).min(limit) as usize;
    // +1: the C layer appends a NUL; room for it now avoids copying the body later.
    let mut buf = Vec::with_capacity(hint.max(1024) + 1);
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .reader()
        .read_to_end(&mut buf)
        .map_err(|e| transport_failure(ureq::Error::from(e)))?;
    Ok(buf)
}

/// Maps a ureq error (no HTTP response, or a broken body) to a status.
fn transport_failure(e: ureq::Error) -> Failure {
    use ureq::Error as E;
    let (status, message, retry) = match &e {
        E::Timeout(_) => (Status::MkErrTimeout, "request timed out".to_string(), true),
        E::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            (Status::MkErrTimeout, "request timed out".to_string(), true)
        }
        E::BodyExceedsLimit(limit) => (
            Status::MkErrDecode,
            format!("response body exceeds max_response_bytes ({limit} bytes)"),
            false,
        ),
        E::HostNotFound => (Status::MkErrTransport, "host not found".to_string(), true),
        E::ConnectionFailed => (
            Status::MkErrTransport,
            "connection failed".to_string(),
            true,
        ),
        E::Io(io) => (Status::MkErrTransport, format!("I/O error: {io}"), true),
        E::Tls(_) | E::Pem(_) | E::Rustls(_) => {
            (Status::MkErrTransport, format!("TLS error: {e}"), false)
        }
        E::TooManyRedirects | E::RedirectFailed => {
            (Status::MkErrTransport, "redirect failed".to_string(), false)
        }
        E::ConnectProxyFailed(_) | E::InvalidProxyUrl => (
            Status::MkErrTransport,
            "proxy connection failed".to_string(),
            true,
        ),
        E::Protocol(p) => (
            Status::MkErrTransport,
            format!("HTTP protocol error: {p}"),
            true,
        ),
        _ => (
            Status::MkErrTransport,
            format!("transport error: {e}"),
            true,
        ),
    };
    Failure::new(
        status,
        message,
        if retry { Retry::Yes(None) } else { Retry::No },
    )
}

fn build_agent(config: &Config) -> Result<Agent, Error> {
    let mut tls = TlsConfig::builder();
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| Error::invalid(format!("ca_file cannot be read: {}", e.kind())))?;
        let mut roots = WEBPKI_ROOTS.clone();
        let before = roots.len();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(c)) => roots.push(c),
                Ok(_) => {}
                Err(_) => return Err(Error::invalid("ca_file is not valid PEM")),
            }
        }
        if roots.len() == before {
            return Err(Error::invalid("ca_file holds no certificates"));
        }
        tls = tls.root_certs(RootCerts::Specific(Arc::new(roots)));
    }
    let proxy = match &config.proxy {
        Some(p) => Some(
            ureq::Proxy::new(p).map_err(|_| Error::invalid("proxy is not a valid proxy URL"))?,
        ),
        None => ureq::Proxy::try_from_env(),
    };
    let agent_config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(config.timeout))
        .timeout_connect(Some(config.connect_timeout))
        .user_agent(config.user_agent.as_str())
        .accept("application/json")
        .proxy(proxy)
        .tls_config(tls.build())
        .max_idle_connections(64)
        .max_idle_connections_per_host(64)
        .build();
    Ok(Agent::with_parts(
        agent_config,
        ureq::unversioned::transport::DefaultConnector::new(),
        CachingResolver::default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_status_mapping() {
        use Status::*;
        let cases = [
            (401, Some("api_error.auth.unauthorized"), MkErrUnauthorized),
            (
                401,
                Some("link_error.unauthorized_access"),
                MkErrUnauthorized,
            ),
            (401, None, MkErrUnauthorized),
            (403, Some("link_error.forbidden_action"), MkErrForbidden),
            (404, Some("link_error.not_found"), MkErrNotFound),
            (404, None, MkErrHttp),
            (410, Some("link_error.deleted"), MkErrLinkDeleted),
            (422, Some("link_error.bad_state"), MkErrLinkBadState),
            (422, Some("api_error.request.validation_failed"), MkErrHttp),
            (429, None, MkErrRateLimited),
            (500, None, MkErrServer),
            (503, Some("x"), MkErrServer),
            (599, None, MkErrServer),
            (400, None, MkErrHttp),
            (418, None, MkErrHttp),
            (304, None, MkErrHttp),
        ];
        for (http, code, want) in cases {
            assert_eq!(status_for_http(http, code), want, "{http} {code:?}");
        }
    }

    #[test]
    fn error_bodies_are_parsed_tolerantly() {
        let b = ErrorBody::parse(
            br#"{"error_code":"link_error.bad_state","error_message":"m","documentation_url":null,"link_error_code":"auth_expired","x":1}"#,
        );
        assert_eq!(b.error_code.as_deref(), Some("link_error.bad_state"));
        assert_eq!(b.link_error_code.as_deref(), Some("auth_expired"));
        assert!(b.documentation_url.is_none());
        for junk in [&b"<html>"[..], b"", b"[1]", br#"{"error_code": 5}"#] {
            assert!(ErrorBody::parse(junk).error_code.is_none());
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("HTTP://LocalHost:80/x?y").as_deref(),
            Some("http://localhost:80")
        );
        assert_eq!(origin_of("https://a.b").as_deref(), Some("https://a.b"));
        assert_eq!(origin_of("/relative"), None);
    }
}
