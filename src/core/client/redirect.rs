//! Redirects, followed only within the base URL's origin so credentials never
//! reach another host.

use super::failure::{Failure, Retry};
use super::response::header_text;
use crate::core::Status;
use ureq::http::Response;
use ureq::Body;

/// Same-origin redirects followed per request before giving up.
const MAX_REDIRECTS: u32 = 5;

/// Sends the request with `send`, then follows redirects whose target is a
/// relative path or lies within `origin` (`scheme://authority`, lowercased).
pub(super) fn send_following_redirects(
    origin: &str,
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
            format!("{origin}{location}")
        } else if origin_of(&location).as_deref() == Some(origin) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
