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
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// An email folded once: (local part, domain), both canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedEmail {
    /// The local part as written (lower case).
    raw_local: String,
    /// The local part with dots and `+tag` removed whatever the domain.
    loose_local: String,
    /// Which of those (or of what they start with) is the canonical local part.
    local: Local,
    domain: Cow<'static, str>,
}

/// The canonical local part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    /// `raw_local`, or its first bytes (the `+tag` dropped).
    Raw(usize),
    /// `loose_local` (Gmail).
    Loose,
}

impl PreparedEmail {
    fn local(&self) -> &str {
        match self.local {
            Local::Raw(n) => &self.raw_local[..n],
            Local::Loose => &self.loose_local,
        }
    }
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
    // Lower case (NFC first when not ASCII); ASCII is lowered part by part, the same text.
    let folded: Cow<str> = if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect::<String>().to_lowercase())
    };
    let s = match folded.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &folded[7..],
        _ => &folded,
    };
    let (local, domain) = match s.rsplit_once('@') {
        Some((l, d)) => (l, d.trim_end_matches('.')),
        None => (s, ""),
    };
    let raw_local = local.to_ascii_lowercase();
    let domain = domain.to_ascii_lowercase();
    // An internationalised domain (or its punycode written in other case) in ASCII.
    let domain = if domain.is_ascii() && !domain.contains("xn--") {
        domain
    } else {
        idna::domain_to_ascii(&domain).unwrap_or(domain)
    };
    let loose_local: String = strip_tag(&raw_local)
        .chars()
        .filter(|c| *c != '.')
        .collect();
    let (local, domain) = if GMAIL.contains(&domain.as_str()) {
        (Local::Loose, Cow::Borrowed("gmail.com"))
    } else if PLUS_TAG.contains(&domain.as_str()) {
        (Local::Raw(strip_tag(&raw_local).len()), Cow::Owned(domain))
    } else {
        (Local::Raw(raw_local.len()), Cow::Owned(domain))
    };
    Some(PreparedEmail {
        raw_local,
        loose_local,
        local,
        domain,
    })
}

/// Scores a claimed email against one owner email.
pub fn score(claim: &PreparedEmail, owner: &PreparedEmail) -> u8 {
    let (claim_local, owner_local) = (claim.local(), owner.local());
    if claim_local == owner_local && claim.domain == owner.domain {
        100
    } else if claim.domain != owner.domain
        && ((claim_local == owner_local && !claim_local.is_empty())
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
