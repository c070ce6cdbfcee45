//! `mk_sandbox_bulk_<n>`: a distinct, deterministic identity for every n in
//! 0..=`BULK_MAX`, generated on the fly (no table), about the size of `mk_sandbox_ok`.
//!
//! Distinctness: link n has two owners, numbered 2n and 2n+1; an owner number is sent
//! through a bijection of 25-bit integers (2 × 10,000,001 < 2^25), and the owner's name,
//! email and phone number are each an injective function of the result. Account ids are
//! injective in (n, account) through SplitMix64, itself a bijection of u64.

use serde_json::{json, Value};

use crate::fixtures;
use crate::util::mix64;

/// The largest `<n>`.
pub const BULK_MAX: u64 = 10_000_000;

const BITS: u32 = 25;
const MASK: u64 = (1 << BITS) - 1;

const FIRST: [&str; 32] = [
    "Ada", "Ben", "Cara", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wen", "Ximena", "Yusuf", "Zara", "Amir", "Bea", "Caleb", "Dana", "Emil", "Fatima",
];
const CONSONANTS: [u8; 8] = *b"bdklmnrt";
const VOWELS: [u8; 4] = *b"aeio";
const STREETS: [&str; 8] = [
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Birch", "Willow", "Aspen",
];
const CITIES: [(&str, &str, &str); 4] = [
    ("Denver", "CO", "80202"),
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Madison", "WI", "53703"),
];

/// `<n>` → n, for canonical decimal numbers (no leading zeros) up to `BULK_MAX`.
pub fn parse(rest: &str) -> Option<u64> {
    if rest.is_empty() || (rest.len() > 1 && rest.starts_with('0')) {
        return None;
    }
    let n: u64 = rest.parse().ok()?;
    (n <= BULK_MAX).then_some(n)
}

/// The identity body of `mk_sandbox_bulk_<rest>`, or `None` when `rest` is not a valid n.
pub fn body(rest: &str) -> Option<Vec<u8>> {
    let n = parse(rest)?;
    Some(serde_json::to_vec(&identity(n)).expect("bulk identity serializes"))
}

/// A bijection of 25-bit integers (odd multiplications and xorshifts, all mod 2^25).
fn permute(x: u64) -> u64 {
    let mut x = x & MASK;
    x = x.wrapping_mul(0x2C1B_3C6D) & MASK;
    x ^= x >> 12;
    x = x.wrapping_mul(0x297A_2D39) & MASK;
    x ^= x >> 15;
    x
}

/// (given name, surname) of owner number `k`: 5 bits pick the given name, the other 20
/// bits spell a four-syllable surname (each syllable two letters, so it parses back).
fn owner_name(k: u64) -> (&'static str, String) {
    let p = permute(k);
    let first = FIRST[(p & 31) as usize];
    let mut last = String::with_capacity(8);
    for i in 0..4 {
        let s = (p >> (5 + 5 * i)) & 31;
        let c = CONSONANTS[(s >> 2) as usize];
        last.push(if i == 0 { c.to_ascii_uppercase() } else { c } as char);
        last.push(VOWELS[(s & 3) as usize] as char);
    }
    (first, last)
}

/// 22 base-62 characters, like MoneyKit's ids; the first 11 encode `mix64(x)` alone.
fn base62_id(x: u64) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(22);
    for mut v in [mix64(x), mix64(x ^ 0xA5A5_5A5A_F00D_BEEF)] {
        for _ in 0..11 {
            out.push(ALPHABET[(v % 62) as usize] as char);
            v /= 62;
        }
    }
    out
}

fn owner(k: u64, n: u64) -> Value {
    let (first, last) = owner_name(k);
    let (city, region, zip) = CITIES[(n % 4) as usize];
    json!({
        "names": [format!("{first} {last}")],
        "addresses": [{
            "city": city,
            "country": "US",
            "postal_code": zip,
            "region": region,
            "street": format!("{} {} St", 100 + n % 9900, STREETS[(n / 4 % 8) as usize]),
            "primary": true
        }],
        "phone_numbers": [
            {"number": format!("+1{}", 6_505_000_000 + permute(k)), "primary": true, "type": "mobile"}
        ],
        "emails": [
            {"address": format!("{}.{}@example.com", first.to_ascii_lowercase(), last.to_ascii_lowercase()), "primary": true}
        ]
    })
}

fn account(n: u64, which: u64, owners: Vec<Value>) -> Value {
    let checking = which == 0;
    let cents = mix64(n * 2 + which) % 5_000_000;
    let balance = cents as f64 / 100.0;
    json!({
        "account_id": format!("acc_{}", base62_id(n * 2 + which)),
        "account_type": if checking { "depository.checking" } else { "depository.savings" },
        "name": if checking { "Everyday Checking" } else { "High Yield Savings" },
        "nickname": null,
        "account_mask": format!("{:04}", (n * 2 + which) % 10_000),
        "balances": {
            "currency": "USD",
            "available": balance,
            "current": balance,
            "limit": null,
            "balance_date": fixtures::REFRESHED_AT
        },
        "original_id": null,
        "closed": false,
        "owners": owners
    })
}

/// The identity of link n (`n <= BULK_MAX`).
pub fn identity(n: u64) -> Value {
    let (a, b) = (owner(2 * n, n), owner(2 * n + 1, n));
    json!({
        "accounts": [account(n, 0, vec![a.clone(), b]), account(n, 1, vec![a])],
        "link": fixtures::link(&format!("mk_sandbox_bulk_{n}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Each step of `permute` is a bijection mod 2^25; this checks a slice (the whole
    /// domain takes too long in a debug build) for collisions and range.
    #[test]
    fn permute_is_injective() {
        let mut seen = vec![false; 1 << BITS];
        for x in (0..(1u64 << 20)).chain(MASK - 1000..=MASK) {
            let p = permute(x) as usize;
            assert!(!seen[p], "{x}");
            seen[p] = true;
        }
    }

    #[test]
    fn parse_is_canonical() {
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("10000000"), Some(BULK_MAX));
        assert_eq!(parse("10000001"), None);
        assert_eq!(parse("007"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("12a"), None);
    }

    #[test]
    fn identities_are_distinct_and_valid() {
        let mut names = HashSet::new();
        let mut accounts = HashSet::new();
        let mut phones = HashSet::new();
        let mut emails = HashSet::new();
        let ns = (0..2000).chain([BULK_MAX - 1, BULK_MAX, 4_194_303, 4_194_304]);
        for n in ns {
            let v = identity(n);
            let body = serde_json::to_vec(&v).unwrap();
            moneykit::core::validate_identity(&body).unwrap();
            assert_eq!(v["link"]["link_id"], format!("mk_sandbox_bulk_{n}"));
            for acc in v["accounts"].as_array().unwrap() {
                assert!(accounts.insert(acc["account_id"].as_str().unwrap().to_string()));
            }
            for owner in v["accounts"][0]["owners"].as_array().unwrap() {
                assert!(names.insert(owner["names"][0].as_str().unwrap().to_string()));
                let phone = owner["phone_numbers"][0]["number"].as_str().unwrap();
                assert!(phones.insert(phone.to_string()));
                let email = owner["emails"][0]["address"].as_str().unwrap();
                assert!(emails.insert(email.to_string()));
            }
        }
        let ok_len = crate::bodies::fixtures().ok.len();
        let len = serde_json::to_vec(&identity(BULK_MAX)).unwrap().len();
        assert!(len < ok_len * 3 / 2, "{len} vs ok {ok_len}");
    }
}
