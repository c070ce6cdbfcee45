//! The ureq agent a client sends everything through: TLS roots (plus `ca_file`),
//! proxy, timeouts, pool sizes and the caching resolver. Redirects and HTTP
//! error statuses are handled by the client itself, so both are off here.

use super::cancellable::CancelConnector;
use crate::core::config::Config;
use crate::core::resolver::CachingResolver;
use crate::core::Error;
use once_cell::sync::Lazy;
use std::sync::Arc;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    ConnectProxyConnector, Connector, RustlsConnector, SocksConnector, TcpConnector,
};
use ureq::Agent;

/// Mozilla's roots as DER certificates, built once per process and only when a
/// `ca_file` has to be added to them.
static WEBPKI_ROOTS: Lazy<Vec<Certificate<'static>>> = Lazy::new(|| {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect()
});

/// Largest `ca_file` read: a bundle of every public root is about 200 KiB.
const MAX_CA_FILE: u64 = 1024 * 1024;

/// Reads `ca_file`: a regular file of at most 1 MiB. `/dev/zero` would be read until
/// memory ran out and a FIFO would block `mk_client_new` forever: the file is opened
/// non-blocking and checked (fstat, after open, so it cannot be swapped in between)
/// before a byte is read, and the read stops past the limit anyway.
pub(crate) fn read_ca_file(path: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let unreadable =
        |e: std::io::Error| Error::invalid(format!("ca_file cannot be read: {}", e.kind()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::invalid("ca_file is not a regular file"));
    }
    if meta.len() > MAX_CA_FILE {
        return Err(Error::invalid("ca_file is larger than 1 MiB"));
    }
    let mut pem = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut pem)
        .map_err(unreadable)?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(Error::invalid("ca_file is larger than 1 MiB"));
    }
    Ok(pem)
}

pub(super) fn build_agent(config: &Config) -> Result<Agent, Error> {
    let mut tls = TlsConfig::builder();
    if let Some(path) = &config.ca_file {
        let pem = read_ca_file(path)?;
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
            ureq::Proxy::new(&p.0).map_err(|_| Error::invalid("proxy is not a valid proxy URL"))?,
        ),
        // Loopback traffic (the sandbox) never goes through an environment proxy:
        // it would carry the credentials, in clear text over plain http.
        None if config.base.loopback => None,
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
        connector_chain(),
        CachingResolver::<DefaultResolver>::default(),
    ))
}

/// ureq's default chain (SOCKS proxy, CONNECT proxy, TCP, rustls) with the
/// cancellable layer between the socket and TLS, so every blocking read of a
/// call can be cut short by its cancel handle.
fn connector_chain() -> impl Connector {
    ().chain(SocksConnector::default())
        .chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(CancelConnector)
        .chain(RustlsConnector::default())
}
