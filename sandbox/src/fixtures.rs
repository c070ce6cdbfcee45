//! The identity fixtures, built once at start-up.

use serde_json::{json, Value};

/// `products.identity.refreshed_at` of the fixtures, as Unix seconds (2023-02-16T09:14:11Z).
pub const REFRESHED_AT_UNIX: i64 = 1_676_538_851;
pub const REFRESHED_AT: &str = "2023-02-16T09:14:11Z";

/// Account ids of `mk_sandbox_ok` (checking, savings), handy for `account_ids` tests.
pub const OK_CHECKING_ID: &str = "acc_6Tef269B6ZArSVpYrxtjBV";
pub const OK_SAVINGS_ID: &str = "acc_2Xq8PnL4cWd7RkYs9TbEhM";

pub(crate) fn link(link_id: &str) -> Value {
    json!({
        "link_id": link_id,
        "institution_id": "chase",
        "institution_name": "Chase",
        "institution_avatar": "https://example.com/institutions/chase/avatar.png",
        "state": "connected",
        "error_code": null,
        "last_synced_at": "2023-02-16T09:14:11Z",
        "provider": "moneykit",
        "link_tags": ["sandbox", "user_type:admin"],
        "webhook": null,
        "products": {
            "accounts": {
                "refreshed_at": "2023-02-16T09:14:09Z",
                "last_attempted_at": "2023-02-16T09:14:09Z",
                "error_code": null,
                "error_message": null,
                "unavailable": null,
                "settings": {
                    "required": true,
                    "require_permission": false,
                    "prefetch": true,
                    "reason": "List your accounts"
                }
            },
            "identity": {
                "refreshed_at": REFRESHED_AT,
                "last_attempted_at": REFRESHED_AT,
                "error_code": null,
                "error_message": null,
                "unavailable": null,
                "settings": {
                    "required": true,
                    "require_permission": false,
                    "prefetch": true,
                    "reason": "Verify that you own this account"
                }
            },
            "transactions": {
                "refreshed_at": null,
                "last_attempted_at": null,
                "error_code": null,
                "error_message": null,
                "unavailable": null,
                "settings": null,
                "has_history": false
            }
        },
        "available_products": ["accounts", "identity", "transactions"]
    })
}

/// `mk_sandbox_ok` (also the base of `mk_sandbox_refreshing` and of every fault's "then OK").
pub fn ok(link_id: &str) -> Value {
    json!({
        "accounts": [
            {
                "account_id": OK_CHECKING_ID,
                "account_type": "depository.checking",
                "name": "Premier Checking",
                "nickname": null,
                "account_mask": "3748",
                "balances": {
                    "currency": "USD",
                    "available": 340.12,
                    "current": 445.89,
                    "limit": null,
                    "balance_date": "2023-02-16T09:14:11Z"
                },
                "original_id": null,
                "closed": false,
                "owners": [
                    {
                        "names": ["José Álvarez"],
                        "addresses": [
                            {
                                "city": "San Francisco",
                                "country": "US",
                                "postal_code": "94110",
                                "region": "CA",
                                "street": "1234 Valencia St Apt 5",
                                "primary": true
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+14155550123", "primary": true, "type": "mobile"},
                            {"number": "+14155550188", "primary": false, "type": "home"}
                        ],
                        "emails": [
                            {"address": "jose.alvarez@example.com", "primary": true}
                        ]
                    },
                    {
                        "names": ["Zoë Łukasiewicz", "Zoe Lukasiewicz"],
                        "addresses": [
                            {
                                "city": "San Francisco",
                                "country": "US",
                                "postal_code": "94110",
                                "region": "CA",
                                "street": "1234 Valencia St Apt 5",
                                "primary": true
                            },
                            {
                                "city": "Kraków",
                                "country": "PL",
                                "postal_code": "31-008",
                                "region": null,
                                "street": "ul. Floriańska 14",
                                "primary": false
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+14155550142", "primary": null, "type": "work"}
                        ],
                        "emails": [
                            {"address": "zoe.lukasiewicz@example.org", "primary": true},
                            {"address": "zoe@example.net", "primary": null}
                        ]
                    }
                ]
            },
            {
                "account_id": OK_SAVINGS_ID,
                "account_type": "depository.savings",
                "name": "Premier Savings",
                "nickname": "Rainy day fund",
                "account_mask": "9021",
                "balances": {
                    "currency": "USD",
                    "available": 500,
                    "current": 500,
                    "limit": null,
                    "balance_date": "2023-02-16T09:14:11Z"
                },
                "original_id": null,
                "closed": false,
                "owners": [
                    {
                        "names": ["Margaret O'Brien"],
                        "addresses": [
                            {
                                "city": "Boston",
                                "country": "US",
                                "postal_code": "02116",
                                "region": "MA",
                                "street": "77 Beacon St",
                                "primary": true
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+16175551212", "primary": true, "type": "home"},
                            {"number": "+16175550199", "primary": false, "type": "other"}
                        ],
                        "emails": [
                            {"address": "m.obrien@example.com", "primary": true}
                        ]
                    }
                ]
            }
        ],
        "link": link(link_id)
    })
}

/// `mk_sandbox_unicode`: CJK, Arabic, emoji and combining characters (plus JSON escapes).
pub fn unicode() -> Value {
    let mut v = json!({
        "accounts": [
            {
                "account_id": "acc_Un1c0deChkAccount0001",
                "account_type": "depository.checking",
                "name": "普通預金 (Futsū yokin) — 口座",
                "nickname": "家族の口座 👨‍👩‍👧",
                "account_mask": "0042",
                "balances": {
                    "currency": "JPY",
                    "available": 1234567,
                    "current": 1234567,
                    "limit": null,
                    "balance_date": "2023-02-16T09:14:11Z"
                },
                "original_id": "원본-ID-７７",
                "closed": false,
                "owners": [
                    {
                        "names": ["山田 太郎", "ヤマダ タロウ", "王小明"],
                        "addresses": [
                            {
                                "city": "千代田区",
                                "country": "JP",
                                "postal_code": "100-0001",
                                "region": "東京都",
                                "street": "千代田１−１",
                                "primary": true
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+81-3-1234-5678", "primary": true, "type": "home"}
                        ],
                        "emails": [
                            {"address": "山田@例え.jp", "primary": true}
                        ]
                    },
                    {
                        "names": ["محمد عبد الله", "אברהם כהן"],
                        "addresses": [
                            {
                                "city": "الرياض",
                                "country": "SA",
                                "postal_code": "١٢٣٤٥",
                                "region": "منطقة الرياض",
                                "street": "شارع الملك فهد ٤٢",
                                "primary": true
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+966 11 555 0123", "primary": null, "type": "mobile"}
                        ],
                        "emails": []
                    }
                ]
            },
            {
                "account_id": "acc_Un1c0deSavAccount0002",
                "account_type": "depository.savings",
                "name": "Épargne 🐷💰",
                "nickname": null,
                "account_mask": null,
                "balances": {
                    "currency": "EUR",
                    "available": 0.01,
                    "current": 0.01,
                    "limit": null,
                    "balance_date": null
                },
                "original_id": null,
                "closed": null,
                "owners": [
                    {
                        // "Zoë" and "Ångström" with combining marks (NFD), a ZWJ sequence,
                        // a flag, and characters that JSON must escape.
                        "names": [
                            "Zoe\u{0308} A\u{030A}ngstro\u{0308}m",
                            "🧑🏽‍💻 Dev \"Quote\" O\\Slash",
                            "Ｆｕｌｌｗｉｄｔｈ　Ｎａｍｅ",
                            "tab\there\u{2028}line-sep"
                        ],
                        "addresses": [
                            {
                                "city": "Zu\u{0308}rich",
                                "country": "CH",
                                "postal_code": "8001",
                                "region": "ZH",
                                "street": "Bahnhofstraße 1 🇨🇭",
                                "primary": true
                            }
                        ],
                        "phone_numbers": [
                            {"number": "+41 44 555 01 23", "primary": true, "type": "other"}
                        ],
                        "emails": [
                            {"address": "zoe+ångström@exämple.ch", "primary": true}
                        ]
                    }
                ]
            }
        ],
        "link": link("mk_sandbox_unicode")
    });
    v["link"]["institution_name"] = json!("Chase 銀行 🏦");
    v
}

/// `mk_sandbox_minimal`: every optional field absent.
pub fn minimal() -> Value {
    json!({
        "accounts": [
            {
                "account_id": "acc_MinimalAccountNoOwner",
                "account_type": "unknown",
                "name": "Minimal account without owners",
                "balances": {},
                "owners": []
            },
            {
                "account_id": "acc_MinimalAccountEmptyOwn",
                "account_type": "depository.checking",
                "name": "Minimal account with an empty owner",
                "balances": {},
                "owners": [
                    {"names": [], "addresses": [], "phone_numbers": [], "emails": []}
                ]
            }
        ],
        "link": {
            "link_id": "mk_sandbox_minimal",
            "institution_id": "chase",
            "institution_name": "Chase",
            "institution_avatar": "https://example.com/institutions/chase/avatar.png",
            "state": "connected",
            "provider": "moneykit",
            "products": {"identity": {}},
            "available_products": []
        }
    })
}

/// `mk_sandbox_extra_fields`: unknown fields at every level and unknown enum values.
pub fn extra_fields() -> Value {
    let mut v = ok("mk_sandbox_extra_fields");
    v["request_id"] = json!("req_future_0001");
    v["pagination"] = json!({"cursor": null, "has_more": false});
    v["x_future"] = json!({"nested": {"deeper": [1, 2.5, "three", null, true]}});
    let accounts = v["accounts"].as_array_mut().expect("accounts");
    accounts[0]["account_subtype"] = json!("checking");
    accounts[0]["extra_info"] = json!({"opened_on": "2011-05-04", "flags": ["a", "b"]});
    accounts[0]["balances"]["pending"] = json!(12.5);
    accounts[0]["balances"]["iso_currency_code"] = json!("USD");
    for acc in accounts.iter_mut() {
        for owner in acc["owners"].as_array_mut().expect("owners") {
            owner["date_of_birth"] = json!("1980-01-01");
            owner["tax_ids"] = json!([{"type": "ssn_last4", "value": "1234"}]);
            for a in owner["addresses"].as_array_mut().expect("addresses") {
                a["latitude"] = json!(37.7599);
                a["longitude"] = json!(-122.4148);
                a["country_name"] = json!("United States");
            }
            for p in owner["phone_numbers"].as_array_mut().expect("phones") {
                p["extension"] = json!("12");
                p["verified"] = json!(true);
            }
            for e in owner["emails"].as_array_mut().expect("emails") {
                e["type"] = json!("personal");
                e["verified"] = json!(false);
            }
        }
        acc["future_field"] = json!({"a": 1});
    }
    accounts[0]["owners"][0]["phone_numbers"][1]["type"] = json!("pager");
    accounts[1]["account_type"] = json!("other.crypto_wallet");
    accounts[1]["balances"]["currency"] = json!("BTC");
    accounts[1]["balances"]["available"] = json!(0.00012345);
    accounts[1]["balances"]["current"] = json!(0.00012345);
    let link = &mut v["link"];
    link["state"] = json!("migrating");
    link["tags"] = json!(["sandbox", "user_type:admin"]);
    link["institution"] = json!({"id": "chase", "country": "US", "logo": {"svg": null}});
    link["new_top_level_thing"] = json!([{"k": "v"}]);
    link["products"]["identity"]["next_refresh_at"] = json!("2023-02-17T09:14:11Z");
    link["products"]["identity"]["settings"]["future_setting"] = json!(42);
    link["products"]["future_product"] = json!({
        "refreshed_at": "2023-02-16T09:14:11Z",
        "last_attempted_at": null,
        "error_code": "future_error",
        "error_message": null,
        "unavailable": null,
        "settings": null,
        "shiny": true
    });
    link["available_products"] = json!(["accounts", "identity", "transactions", "future_product"]);
    v
}

/// `mk_sandbox_large`: 1,000 accounts, 2 owners each, generated deterministically.
pub fn large() -> Value {
    const FIRST: [&str; 16] = [
        "Ana",
        "Björn",
        "Chloé",
        "Dmitri",
        "Émile",
        "Fatima",
        "Grace",
        "Hiro",
        "Ingrid",
        "Jamal",
        "Kateřina",
        "Luis",
        "Mei",
        "Nikos",
        "Olúwaseun",
        "Priya",
    ];
    const LAST: [&str; 16] = [
        "Andersson",
        "Brontë",
        "Castañeda",
        "Dąbrowski",
        "Eriksen",
        "Fernández",
        "García",
        "Hernández",
        "Ishikawa",
        "Jönsson",
        "Kowalczyk",
        "López",
        "Müller",
        "Nakamura",
        "O'Connor",
        "Petrović",
    ];
    const CITIES: [(&str, &str, &str); 8] = [
        ("San Francisco", "CA", "94110"),
        ("New York", "NY", "10001"),
        ("Chicago", "IL", "60601"),
        ("Austin", "TX", "78701"),
        ("Seattle", "WA", "98101"),
        ("Boston", "MA", "02116"),
        ("Denver", "CO", "80202"),
        ("Miami", "FL", "33101"),
    ];
    const STREETS: [&str; 8] = [
        "Main St",
        "Oak Ave",
        "Pine Rd",
        "Maple Dr",
        "Cedar Ln",
        "Elm St",
        "Washington Blvd",
        "Lake Shore Dr",
    ];
    const TYPES: [&str; 4] = [
        "depository.checking",
        "depository.savings",
        "liability.credit_card",
        "investment.brokerage",
    ];
    const PHONE_TYPES: [&str; 4] = ["home", "work", "mobile", "other"];
    let mut seed = 0x5EED_u64;
    let mut next = move || {
        seed = seed.wrapping_add(1);
        crate::util::mix64(seed)
    };
    let mut accounts = Vec::with_capacity(1000);
    for i in 0..1000u32 {
        let mut owners = Vec::with_capacity(2);
        for j in 0..2u32 {
            let first = FIRST[(next() % 16) as usize];
            let last = LAST[(next() % 16) as usize];
            let addresses: Vec<Value> = (0..8)
                .map(|k| {
                    let (city, region, zip) = CITIES[(next() % 8) as usize];
                    json!({
                        "city": city,
                        "country": "US",
                        "postal_code": zip,
                        "region": region,
                        "street": format!("{} {} Unit {}", 100 + next() % 9900, STREETS[(next() % 8) as usize], k + 1),
                        "primary": k == 0
                    })
                })
                .collect();
            let phones: Vec<Value> = (0..5)
                .map(|k| {
                    json!({
                        "number": format!("+1{:03}555{:04}", 200 + next() % 700, next() % 10000),
                        "primary": k == 0,
                        "type": PHONE_TYPES[(next() % 4) as usize]
                    })
                })
                .collect();
            let emails: Vec<Value> = (0..5)
                .map(|k| {
                    json!({
                        "address": format!("{}.{}{}@example{}.com", ascii_slug(first), ascii_slug(last), i * 2 + j, k),
                        "primary": if k == 0 { Value::Bool(true) } else { Value::Null }
                    })
                })
                .collect();
            owners.push(json!({
                "names": [format!("{first} {last}"), format!("{} {last}", &first[..first.char_indices().nth(1).map_or(first.len(), |c| c.0)])],
                "addresses": addresses,
                "phone_numbers": phones,
                "emails": emails
            }));
        }
        let ty = TYPES[(i % 4) as usize];
        let cents = next() % 10_000_000;
        let current = cents as f64 / 100.0;
        let limit = if ty == "liability.credit_card" {
            json!(10000)
        } else {
            Value::Null
        };
        accounts.push(json!({
            "account_id": format!("acc_Large{i:05}{:012x}", next() & 0xFFFF_FFFF_FFFF),
            "account_type": ty,
            "name": format!("Account {}", i + 1),
            "nickname": if i % 3 == 0 { json!(format!("Nickname {i}")) } else { Value::Null },
            "account_mask": format!("{:04}", next() % 10000),
            "balances": {
                "currency": "USD",
                "available": current,
                "current": current,
                "limit": limit,
                "balance_date": "2023-02-16T09:14:11Z"
            },
            "original_id": null,
            "closed": i % 50 == 49,
            "owners": owners
        }));
    }
    json!({"accounts": accounts, "link": link("mk_sandbox_large")})
}

fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Filters `accounts` to those whose `account_id` is in `ids` (fixture order kept).
pub fn filter_accounts(v: &Value, ids: &[String]) -> Value {
    let mut out = Value::Object(serde_json::Map::new());
    if let Value::Object(map) = v {
        for (k, val) in map {
            if k == "accounts" {
                let filtered: Vec<Value> = val
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|acc| {
                                acc.get("account_id")
                                    .and_then(Value::as_str)
                                    .is_some_and(|id| ids.iter().any(|x| x == id))
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                out[k.as_str()] = Value::Array(filtered);
            } else {
                out[k.as_str()] = val.clone();
            }
        }
    }
    out
}
