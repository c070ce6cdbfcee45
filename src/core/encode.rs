//! Percent-encoding of link ids (one path segment) and account ids (query values).

use std::fmt::Write;

/// Appends `value` percent-encoded so that it is exactly one path segment or one
/// query value: only RFC 3986 unreserved characters pass unchanged, so `/`, `?`,
/// `#`, `%`, `&`, `=`, `+`, spaces, controls and every non-ASCII byte are encoded,
/// and `.`/`..` cannot act as dot-segments (they are encoded when they form the
/// whole segment).
pub fn push_encoded(out: &mut String, value: &str) {
    if value == "." || value == ".." {
        // "." is unreserved, but a bare dot-segment would be resolved away by URL normalisers.
        for _ in 0..value.len() {
            out.push_str("%2E");
        }
        return;
    }
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// `value` percent-encoded as one path segment or query value.
pub fn encode(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    push_encoded(&mut s, value);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_pass_through() {
        assert_eq!(
            encode("mk_eqkWN34UEoa2NxyALG8pcV"),
            "mk_eqkWN34UEoa2NxyALG8pcV"
        );
        assert_eq!(encode("a-b.c_d~e"), "a-b.c_d~e");
    }

    #[test]
    fn reserved_and_hostile_inputs_are_encoded() {
        assert_eq!(encode("../admin"), "..%2Fadmin");
        assert_eq!(encode("a/b"), "a%2Fb");
        assert_eq!(encode("x?y=1"), "x%3Fy%3D1");
        assert_eq!(encode("x#f"), "x%23f");
        assert_eq!(encode("%2F"), "%252F");
        assert_eq!(encode(" "), "%20");
        assert_eq!(encode("\r\nX: y"), "%0D%0AX%3A%20y");
        assert_eq!(encode("a&b=c+d"), "a%26b%3Dc%2Bd");
        assert_eq!(encode(".."), "%2E%2E");
        assert_eq!(encode("."), "%2E");
    }

    #[test]
    fn unicode_is_utf8_percent_encoded() {
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("😀"), "%F0%9F%98%80");
    }

    #[test]
    fn output_never_contains_delimiters() {
        let all: String = (1u8..128).map(|b| b as char).collect();
        let e = encode(&all);
        for c in ['/', '?', '#', '&', '=', ' ', '\r', '\n', '+'] {
            assert!(!e.contains(c), "{c:?} leaked");
        }
    }
}
