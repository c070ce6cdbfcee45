//! `--coordination URL` (the client's `coordination_url`, README "Scaling"): the Redis URL
//! may hold a password, and a password never goes in a flag, since every user of the
//! machine sees a process's arguments in `ps` (and the shell keeps them in its history).
//! A URL with one is refused; `MONEYKIT_COORDINATION_URL` in the environment, which the
//! library reads when the option is absent, takes it instead.

/// Whether `url` holds a password as the Redis client reads one: after the user name in
/// `scheme://user:password@host` (also `:password@`), or as a `pass`/`password` query
/// parameter (`unix:///path?pass=...`). It errs on the side of "yes": every `@` counts,
/// also one after a `/`, `?` or `#` that a password written without percent-encoding
/// holds. Never says what the password is.
pub fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    if let Some((userinfo, _)) = rest.rsplit_once('@') {
        if userinfo
            .split_once(':')
            .is_some_and(|(_, password)| !password.is_empty())
        {
            return true;
        }
    }
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    query.split(['&', '#']).any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decoded(key).to_ascii_lowercase();
        matches!(key.as_str(), "pass" | "password") && !value.is_empty()
    })
}

/// `%XX` decoded (a query key as the URL parser reads it); anything else kept.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_wherever_the_redis_client_reads_them() {
        for with in [
            "redis://:s3cret@10.0.0.5:6379/0",
            "redis://app:s3cret@10.0.0.5/0",
            "rediss://app:s3cret@redis.example.com:6380",
            "valkey://:s3cret@host",
            "redis://:s3%40cret@host",
            "redis://:s3/cr?et@host",
            "redis://:s3#cret@host",
            "unix:///run/redis.sock?db=1&pass=s3cret",
            "redis+unix:///run/redis.sock?PASSWORD=s3cret",
            "unix:///run/redis.sock?p%61ss=s3cret",
            "unix:///run/redis.sock?user=app&pass=s3cret#x",
        ] {
            assert!(url_has_password(with), "{with}");
        }
        for without in [
            "redis://127.0.0.1:6379/0",
            "redis://10.0.0.5",
            "rediss://redis.example.com:6380/2",
            "redis://app@10.0.0.5/0",
            "redis://:@10.0.0.5/0",
            "redis://[::1]:6379/0",
            "unix:///run/redis.sock",
            "unix:///run/redis.sock?db=2&user=app",
            "unix:///run/redis.sock?pass=",
            "redis-host:6379",
            "",
        ] {
            assert!(!url_has_password(without), "{without}");
        }
    }
}
