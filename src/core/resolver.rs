//! Name resolution for the agent. ureq's default resolver runs every lookup on a
//! new thread when a timeout is set (ours always are), before every request,
//! pooled connection or not: measured as the largest per-call cost (bench/RESULTS.md).
//! This one answers IP literals directly and caches host names briefly.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up address is reused. Short, so DNS changes are seen quickly.
const TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct CachingResolver<R = DefaultResolver> {
    /// The system's resolver (a stand-in in tests).
    inner: R,
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl<R: Resolver> Resolver for CachingResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.inner.resolve(uri, config, timeout);
        };
        let port = authority.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        // RFC 6761 6.3: `localhost` is loopback, answered here rather than by the system
        // resolver. Plain http is allowed only to loopback (config.rs): a hosts file or
        // DNS answer mapping it elsewhere would carry credentials in clear to another host.
        if let (Some(port), true) = (port, host.eq_ignore_ascii_case("localhost")) {
            let mut out = self.empty();
            out.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
            out.push(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port));
            return Ok(out);
        }
        if let (Some(port), Ok(ip)) = (port, host.parse::<IpAddr>()) {
            let mut out = self.empty();
            out.push(SocketAddr::new(ip, port));
            return Ok(out);
        }
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            authority.as_str()
        )
        .to_ascii_lowercase();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, addrs)) = cache.get(&key) {
                if at.elapsed() < TTL {
                    return Ok(addrs.clone());
                }
            }
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (Instant::now(), addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A system resolver whose answer for every name is another machine, as a hosts
    /// file or a DNS server mapping `localhost` elsewhere would give.
    #[derive(Debug)]
    struct Hijacked;

    impl Resolver for Hijacked {
        fn resolve(
            &self,
            _: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let mut out = self.empty();
            out.push("10.9.9.9:80".parse().unwrap());
            Ok(out)
        }
    }

    #[test]
    fn localhost_is_loopback_whatever_the_system_resolver_says() {
        let r = CachingResolver {
            inner: Hijacked,
            cache: Mutex::default(),
        };
        let timeout = NextTimeout::default();
        for url in ["http://localhost:8080/x", "http://LocalHost:8080"] {
            let uri: Uri = url.parse().unwrap();
            let got: Vec<SocketAddr> = r
                .resolve(&uri, &Config::default(), timeout)
                .unwrap()
                .iter()
                .copied()
                .collect();
            assert_eq!(
                got,
                [
                    "127.0.0.1:8080".parse().unwrap(),
                    "[::1]:8080".parse().unwrap()
                ],
                "{url}"
            );
        }
        // Other names still go to the system resolver.
        let uri: Uri = "https://api.example:443".parse().unwrap();
        let got = r.resolve(&uri, &Config::default(), timeout).unwrap();
        assert_eq!(got[0], "10.9.9.9:80".parse::<SocketAddr>().unwrap());
    }
}
