//! The connection to Redis: a few blocking connections reused across calls, every round
//! trip bounded by a timeout, and the URL's password never in a message or a log line.

use crate::core::{Error, Secret};
use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisResult};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Idle connections kept for reuse; a busier moment opens more and closes the extra.
const MAX_IDLE: usize = 8;

/// Why a round trip did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Down {
    /// The round trip ran out of time (else: refused, reset, or an error reply).
    pub timed_out: bool,
    /// What failed, without the URL (`ErrorKind` or I/O kind only).
    pub what: String,
}

pub struct Connection {
    client: redis::Client,
    /// Idle connections with the process id that opened them: a child of `fork()` must
    /// not talk on its parent's sockets (replies would go to whichever reads first).
    idle: Mutex<Vec<(u32, redis::Connection)>>,
    /// The URL as logs show it: scheme, host, port and database, no password.
    shown: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("redis", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Checks `url` (nothing is connected yet: a Redis that is down at start is the
    /// fallback's business, not an error). `ca_file`'s roots are trusted besides
    /// Mozilla's for `rediss://`, as for the client's HTTPS.
    pub fn new(url: &Secret, ca_pem: Option<&[u8]>) -> Result<Connection, Error> {
        let info: ConnectionInfo = url.expose().into_connection_info().map_err(|_| {
            Error::invalid(
                "coordination_url is not a Redis URL: redis://[:password@]host[:port][/db], rediss://... or unix:///path",
            )
        })?;
        let shown = show(&info);
        let client = match (&info.addr, ca_pem) {
            (ConnectionAddr::TcpTls { .. }, Some(extra)) => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(mozilla_roots_and(extra)),
                },
            ),
            _ => redis::Client::open(info),
        }
        .map_err(|_| Error::invalid("coordination_url: the Redis client cannot be set up"))?;
        Ok(Connection {
            client,
            idle: Mutex::new(Vec::new()),
            shown,
        })
    }

    /// `redis://host:port/db` (or `unix:///path`): what logs and events may show.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Runs `f` on a connection, within `timeout` for connecting and the reads and
    /// writes together. A connection that failed is dropped; the next call opens a new one.
    pub fn run<T>(
        &self,
        timeout: Duration,
        f: impl FnOnce(&mut redis::Connection) -> RedisResult<T>,
    ) -> Result<T, Down> {
        let timeout = timeout.max(Duration::from_millis(1));
        let started = Instant::now();
        let pid = std::process::id();
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            // After a fork the inherited connections are the parent's: never used here.
            idle.retain(|(owner, _)| *owner == pid);
            idle.pop().map(|(_, c)| c)
        };
        let attempt = || {
            let mut con = match idle {
                Some(c) => c,
                None => self.client.get_connection_with_timeout(timeout)?,
            };
            // What connecting left of the bound: it is for the whole round trip.
            let left = timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
                return Err(redis::RedisError::from(e));
            }
            con.set_read_timeout(Some(left))?;
            con.set_write_timeout(Some(left))?;
            let value = f(&mut con)?;
            Ok((con, value))
        };
        let (con, value) = attempt().map_err(|e| {
            // The idle connections went to the same server: after a restart or a network
            // break they are all dead, and each would fail (and be reported) in turn.
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
            down(e)
        })?;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push((pid, con));
        }
        Ok(value)
    }
}

fn down(e: redis::RedisError) -> Down {
    Down {
        timed_out: e.is_timeout(),
        // The kind only: a redis error's text can quote the server, which can quote us.
        what: match e.kind() {
            redis::ErrorKind::IoError => "I/O error".to_string(),
            redis::ErrorKind::AuthenticationFailed => "authentication failed".to_string(),
            kind => format!("{kind:?}"),
        },
    }
}

/// Mozilla's roots (as ureq trusts them) and `extra`, as one PEM bundle.
fn mozilla_roots_and(extra: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut pem = Vec::new();
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.extend_from_slice(line);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    pem.extend_from_slice(extra);
    pem
}

fn show(info: &ConnectionInfo) -> String {
    let db = info.redis.db;
    match &info.addr {
        ConnectionAddr::Tcp(host, port) => format!("redis://{host}:{port}/{db}"),
        ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{host}:{port}/{db}"),
        ConnectionAddr::Unix(path) => format!("unix://{}?db={db}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        for url in [
            "redis://:hunter2@127.0.0.1:6390/2",
            "redis://user:hunter2@localhost/0",
            "rediss://:hunter2@example.com:6380",
            "unix:///tmp/r.sock?db=3&pass=hunter2",
        ] {
            let c = Connection::new(&Secret::new(url.into()), None).unwrap();
            assert!(!c.shown().contains("hunter2"), "{}", c.shown());
            assert!(!format!("{c:?}").contains("hunter2"));
        }
        let c = Connection::new(&Secret::new("redis://:pw@127.0.0.1:6390/2".into()), None);
        assert_eq!(c.unwrap().shown(), "redis://127.0.0.1:6390/2");
    }

    #[test]
    fn a_bad_url_is_refused_without_echoing_it() {
        for url in ["http://:hunter2@x", "hunter2", "redis://:hunter2@[::1"] {
            let e = Connection::new(&Secret::new(url.into()), None).unwrap_err();
            assert_eq!(e.status, crate::core::Status::MkErrInvalidArgument);
            assert!(!e.message.contains("hunter2"), "{}", e.message);
        }
    }

    #[test]
    fn nothing_listening_is_down_not_an_error_at_creation() {
        let c = Connection::new(&Secret::new("redis://127.0.0.1:1/0".into()), None).unwrap();
        let r = c.run(Duration::from_millis(200), |con| {
            redis::cmd("PING").query::<String>(con)
        });
        let d = r.unwrap_err();
        assert!(!d.what.is_empty());
    }
}
