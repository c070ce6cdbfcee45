//! Email normalisation and scoring.
//!
//! Addresses are taken out of a pasted display name ("Ann Lee <ann@example.com>"), put in
//! Unicode NFC (a local part typed in NFD is the same address), and an internationalised
//! domain is compared in its ASCII form (UTS #46 / punycode, `idna`: "bücher.de" =
//! "xn--bcher-kva.de"). Addresses are trimmed and compared case-insensitively (the local part is case-sensitive in
//! theory, never in practice). Provider rules are applied only where the provider documents
//! them: Gmail (gmail.com, googlemail.com) ignores dots in the local part and everything from
//! a `+`; Outlook/Hotmail/Live, iCloud, Fastmail and Proton deliver `local+tag` to `local`, so
//! the `+tag` is dropped for them. Other domains are compared as written (their dots and
//! pluses may name other mailboxes).
//!
//! Scores: 100 same mailbox; 60 same local part at another domain (partial); 40 the same
//! local part once dots and `+tag` are ignored at a domain where that is not documented
//! (likely, not certain: kept below 50); otherwise at most 30 (20 for the same domain).

use super::text::MAX_VALUE_LEN;
use unicode_normalization::UnicodeNormalization;

/// An email folded once: (local part, domain), both canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedEmail {
    local: String,
    domain: String,
    /// The local part as written (lower case).
    raw_local: String,
    /// The local part with dots and `+tag` removed whatever the domain.
    loose_local: String,
}

const GMAIL: &[&str] = &["gmail.com", "googlemail.com"];
const PLUS_TAG: &[&str] = &[
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "fastmail.fm",
    "proton.me",
    "protonmail.com",
    "pm.me",
];

fn strip_tag(local: &str) -> &str {
    match local.split_once('+') {
        Some((head, _)) if !head.is_empty() => head,
        _ => local,
    }
}

/// Prepares a raw address; `None` when empty (or too long).
pub fn prepare(raw: &str) -> Option<PreparedEmail> {
    let s = raw.trim();
    if s.is_empty() || s.len() > MAX_VALUE_LEN {
        return None;
    }
    // "Name <addr>": the address between the last angle brackets.
    let s = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b && s[a + 1..b].contains('@') => s[a + 1..b].trim(),
        _ => s,
    };
    let s: String = if s.is_ascii() {
        s.to_lowercase()
    } else {
        s.nfc().collect::<String>().to_lowercase()
    };
    let s = s.strip_prefix("mailto:").unwrap_or(&s);
    let (local, domain) = match s.rsplit_once('@') {
        Some((l, d)) => (l, d.trim_end_matches('.')),
        None => (s, ""),
    };
    // An internationalised domain (or its punycode written in other case) in ASCII.
    let ascii_domain;
    let domain = if domain.is_ascii() && !domain.contains("xn--") {
        domain
    } else {
        ascii_domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_string());
        ascii_domain.as_str()
    };
    let raw_local = local.to_string();
    let loose_local: String = strip_tag(local).chars().filter(|c| *c != '.').collect();
    let (local, domain) = if GMAIL.contains(&domain) {
        (loose_local.clone(), "gmail.com".to_string())
    } else if PLUS_TAG.contains(&domain) {
        (strip_tag(local).to_string(), domain.to_string())
    } else {
        (local.to_string(), domain.to_string())
    };
    Some(PreparedEmail {
        raw_local,
        local,
        domain,
        loose_local,
    })
}

/// Scores a claimed email against one owner email.
pub fn score(claim: &PreparedEmail, owner: &PreparedEmail) -> u8 {
    if claim.local == owner.local && claim.domain == owner.domain {
        100
    } else if claim.domain != owner.domain
        && ((claim.local == owner.local && !claim.local.is_empty())
            || claim.raw_local == owner.raw_local)
    {
        60
    } else if claim.loose_local == owner.loose_local && !claim.loose_local.is_empty() {
        40
    } else if claim.domain == owner.domain {
        20
    } else {
        0
    }
}

/// The best score over an owner's prepared emails; `None` when the owner has none usable.
pub fn best(claim: &PreparedEmail, emails: &[PreparedEmail]) -> Option<u8> {
    emails.iter().map(|o| score(claim, o)).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let s = |a: &str, b: &str| score(&prepare(a).unwrap(), &prepare(b).unwrap());
        assert_eq!(
            s("Ann Lee <ann.lee@example.com>", "ann.lee@example.com"),
            100
        );
        assert_eq!(s("ann@bücher.de", "ann@xn--bcher-kva.de"), 100);
        assert_eq!(s("ann@bu\u{0308}cher.de", "ann@bücher.de"), 100);
        assert_eq!(s("jose\u{0301}@example.com", "josé@example.com"), 100);
    }
}
