// Typed decoding of the sandbox's fixtures: every field, unicode, exact money,
// nulls, minimal and extra-field documents, the large body and refreshed_at.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using moneykit::Client;
using moneykit::Decimal;
using moneykit::IdentityResponse;
using namespace std::chrono_literals;

namespace {

const Client& client() {
    static const Client c(mktest::fast());
    return c;
}

/// Every string of the raw document must come out unchanged in the typed one.
void expect_same_strings(const nlohmann::json& raw, const IdentityResponse& r) {
    ASSERT_EQ(raw["accounts"].size(), r.accounts.size());
    for (std::size_t i = 0; i < r.accounts.size(); ++i) {
        const auto& ja = raw["accounts"][i];
        const auto& a = r.accounts[i];
        EXPECT_EQ(ja["account_id"], a.account_id);
        EXPECT_EQ(ja["name"], a.name);
        if (ja.contains("nickname") && !ja["nickname"].is_null()) { EXPECT_EQ(ja["nickname"], *a.nickname); }
        if (ja.contains("original_id") && !ja["original_id"].is_null()) { EXPECT_EQ(ja["original_id"], *a.original_id); }
        ASSERT_EQ(ja["owners"].size(), a.owners.size());
        for (std::size_t k = 0; k < a.owners.size(); ++k) {
            const auto& jo = ja["owners"][k];
            const auto& o = a.owners[k];
            EXPECT_EQ(jo["names"].get<std::vector<std::string>>(), o.names);
            ASSERT_EQ(jo["addresses"].size(), o.addresses.size());
            for (std::size_t n = 0; n < o.addresses.size(); ++n) {
                const auto& jaddr = jo["addresses"][n];
                if (!jaddr["street"].is_null()) { EXPECT_EQ(jaddr["street"], *o.addresses[n].street); }
                if (!jaddr["city"].is_null()) { EXPECT_EQ(jaddr["city"], *o.addresses[n].city); }
                if (!jaddr["region"].is_null()) { EXPECT_EQ(jaddr["region"], *o.addresses[n].region); }
                if (!jaddr["postal_code"].is_null()) { EXPECT_EQ(jaddr["postal_code"], *o.addresses[n].postal_code); }
            }
            ASSERT_EQ(jo["emails"].size(), o.emails.size());
            for (std::size_t n = 0; n < o.emails.size(); ++n) EXPECT_EQ(jo["emails"][n]["address"], o.emails[n].address);
            ASSERT_EQ(jo["phone_numbers"].size(), o.phone_numbers.size());
            for (std::size_t n = 0; n < o.phone_numbers.size(); ++n)
                EXPECT_EQ(jo["phone_numbers"][n]["number"], o.phone_numbers[n].number);
        }
    }
    EXPECT_EQ(raw["link"]["institution_name"], r.link.institution_name);
}

}  // namespace

TEST(Decode, OkFixtureEveryField) {
    const IdentityResponse r = client().get_identity("mk_sandbox_ok");
    ASSERT_EQ(r.accounts.size(), 2u);

    const moneykit::Account& checking = r.accounts[0];
    EXPECT_EQ(checking.account_id, "acc_6Tef269B6ZArSVpYrxtjBV");
    EXPECT_EQ(checking.account_type, "depository.checking");
    EXPECT_EQ(checking.name, "Premier Checking");
    EXPECT_EQ(checking.account_mask, "3748");
    EXPECT_FALSE(checking.nickname);
    EXPECT_FALSE(checking.original_id);
    EXPECT_EQ(checking.closed, false);
    EXPECT_EQ(checking.balances.currency, "USD");
    ASSERT_TRUE(checking.balances.available && checking.balances.current);
    EXPECT_EQ(checking.balances.available->text(), "340.12");
    EXPECT_EQ(checking.balances.available->scaled(2), 34012);
    EXPECT_EQ(checking.balances.current->text(), "445.89");
    EXPECT_EQ(*checking.balances.current, Decimal("445.89"));
    EXPECT_FALSE(checking.balances.limit);
    ASSERT_TRUE(checking.balances.balance_date);
    EXPECT_EQ(checking.balances.balance_date->text(), "2023-02-16T09:14:11Z");
    EXPECT_EQ(checking.balances.balance_date->unix_seconds(), 1676538851);
    EXPECT_FALSE(checking.balances.balance_date->date_only() || checking.balances.balance_date->no_offset());

    ASSERT_EQ(checking.owners.size(), 2u);
    const moneykit::Owner& jose = checking.owners[0];
    EXPECT_EQ(jose.names, std::vector<std::string>{"José Álvarez"});
    ASSERT_EQ(jose.addresses.size(), 1u);
    EXPECT_EQ(jose.addresses[0].street, "1234 Valencia St Apt 5");
    EXPECT_EQ(jose.addresses[0].city, "San Francisco");
    EXPECT_EQ(jose.addresses[0].region, "CA");
    EXPECT_EQ(jose.addresses[0].postal_code, "94110");
    EXPECT_EQ(jose.addresses[0].country, "US");
    EXPECT_EQ(jose.addresses[0].primary, true);
    ASSERT_EQ(jose.phone_numbers.size(), 2u);
    EXPECT_EQ(jose.phone_numbers[0].number, "+14155550123");
    EXPECT_EQ(jose.phone_numbers[0].type, "mobile");
    EXPECT_EQ(jose.phone_numbers[0].kind(), moneykit::PhoneType::mobile);
    EXPECT_EQ(jose.phone_numbers[1].kind(), moneykit::PhoneType::home);
    EXPECT_EQ(jose.phone_numbers[1].primary, false);
    ASSERT_EQ(jose.emails.size(), 1u);
    EXPECT_EQ(jose.emails[0].address, "jose.alvarez@example.com");
    EXPECT_EQ(jose.emails[0].primary, true);

    const moneykit::Owner& zoe = checking.owners[1];
    EXPECT_EQ(zoe.names, (std::vector<std::string>{"Zoë Łukasiewicz", "Zoe Lukasiewicz"}));
    EXPECT_EQ(zoe.addresses.at(1).city, "Kraków");
    EXPECT_FALSE(zoe.addresses.at(1).region);  // null
    EXPECT_FALSE(zoe.emails.at(1).primary);    // null
    EXPECT_FALSE(zoe.phone_numbers.at(0).primary);
    EXPECT_EQ(zoe.phone_numbers.at(0).kind(), moneykit::PhoneType::work);

    const moneykit::Account& savings = r.accounts[1];
    EXPECT_EQ(savings.account_type, "depository.savings");
    EXPECT_EQ(savings.nickname, "Rainy day fund");
    EXPECT_EQ(savings.balances.available->text(), "500");
    EXPECT_EQ(*savings.balances.available, Decimal("500.00"));
    EXPECT_EQ(savings.owners.size(), 1u);
    EXPECT_EQ(savings.owners[0].names.at(0), "Margaret O'Brien");
    EXPECT_EQ(savings.owners[0].phone_numbers.at(1).kind(), moneykit::PhoneType::other);

    const moneykit::Link& link = r.link;
    EXPECT_EQ(link.link_id, "mk_sandbox_ok");
    EXPECT_EQ(link.institution_id, "chase");
    EXPECT_EQ(link.institution_name, "Chase");
    EXPECT_EQ(link.institution_avatar, "https://example.com/institutions/chase/avatar.png");
    EXPECT_EQ(link.state, "connected");
    EXPECT_EQ(link.state_kind(), moneykit::LinkState::connected);
    EXPECT_FALSE(link.error_code);
    EXPECT_EQ(link.last_synced_at, moneykit::Timestamp::parse("2023-02-16T09:14:11Z"));
    EXPECT_EQ(link.provider, "moneykit");
    EXPECT_EQ(link.link_tags, (std::vector<std::string>{"sandbox", "user_type:admin"}));
    EXPECT_FALSE(link.tags);
    EXPECT_FALSE(link.webhook);
    EXPECT_EQ(link.available_products, (std::vector<std::string>{"accounts", "identity", "transactions"}));
    ASSERT_EQ(link.products.size(), 3u);
    const moneykit::LinkProduct& identity = link.products.at("identity");
    EXPECT_EQ(identity.refreshed_at->text(), "2023-02-16T09:14:11Z");
    EXPECT_EQ(identity.last_attempted_at->canonical(), "2023-02-16T09:14:11.000000Z");
    EXPECT_FALSE(identity.error_code);
    EXPECT_FALSE(identity.error_message);
    EXPECT_FALSE(identity.unavailable);
    ASSERT_TRUE(identity.settings);
    // settings is opaque in the schema: the JSON text as sent.
    const auto settings = nlohmann::json::parse(*identity.settings);
    EXPECT_EQ(settings.at("required"), true);
    EXPECT_EQ(settings.at("require_permission"), false);
    EXPECT_EQ(settings.at("prefetch"), true);
    EXPECT_EQ(settings.at("reason"), "Verify that you own this account");
    const moneykit::LinkProduct& transactions = link.products.at("transactions");
    EXPECT_EQ(transactions.has_history, false);
    EXPECT_FALSE(transactions.settings);
    EXPECT_FALSE(transactions.refreshed_at);

    EXPECT_EQ(r.refreshed_at(), moneykit::parse_timestamp("2023-02-16T09:14:11Z"));
    EXPECT_EQ(r.refreshed_at(), std::chrono::system_clock::time_point(std::chrono::seconds(1676538851)));
}

TEST(Decode, JsonIsTheBodyByteForByte) {
    const std::string json = client().get_identity_json("mk_sandbox_ok");
    const auto direct = mktest::http(mktest::base_url(), "GET", "/links/mk_sandbox_ok/identity",
                                     {"Authorization: Bearer sandbox-access-token", "moneykit-version: 2023-02-18"});
    ASSERT_EQ(direct.status, 200);
    EXPECT_EQ(json, direct.body);
    expect_same_strings(nlohmann::json::parse(json), IdentityResponse::parse(json));
}

TEST(Decode, Unicode) {
    const std::string json = client().get_identity_json("mk_sandbox_unicode");
    const IdentityResponse r = IdentityResponse::parse(json);
    expect_same_strings(nlohmann::json::parse(json), r);
    ASSERT_EQ(r.accounts.size(), 2u);
    EXPECT_EQ(r.accounts[0].owners[0].names.at(0), "山田 太郎");
    EXPECT_EQ(r.accounts[0].owners[1].names.at(0), "محمد عبد الله");
    EXPECT_EQ(r.accounts[0].owners[1].names.at(1), "אברהם כהן");
    EXPECT_EQ(r.accounts[0].nickname, "家族の口座 👨‍👩‍👧");
    EXPECT_EQ(r.accounts[1].name, "Épargne 🐷💰");
    EXPECT_EQ(r.accounts[1].owners[0].addresses.at(0).street, "Bahnhofstraße 1 🇨🇭");
    EXPECT_EQ(r.accounts[1].owners[0].names.at(1), "🧑🏽‍💻 Dev \"Quote\" O\\Slash");
    EXPECT_EQ(r.link.institution_name, "Chase 銀行 🏦");
    EXPECT_EQ(r.accounts[0].balances.available->text(), "1234567");
    EXPECT_EQ(r.accounts[1].balances.available->text(), "0.01");
    EXPECT_EQ(r.accounts[1].balances.available->scaled(2), 1);
    EXPECT_FALSE(r.accounts[1].account_mask);
    EXPECT_FALSE(r.accounts[1].closed);
    bool line_separator = false;  // U+2028, escaped or not, decodes to E2 80 A8
    for (const auto& n : r.accounts[1].owners[0].names) line_separator |= n.find("\xE2\x80\xA8") != std::string::npos;
    EXPECT_TRUE(line_separator);
}

TEST(Decode, MinimalDocument) {
    const IdentityResponse r = client().get_identity("mk_sandbox_minimal");
    ASSERT_EQ(r.accounts.size(), 2u);
    const moneykit::Account& a = r.accounts[0];
    EXPECT_EQ(a.account_type, "unknown");
    EXPECT_FALSE(a.nickname);
    EXPECT_FALSE(a.account_mask);
    EXPECT_FALSE(a.original_id);
    EXPECT_FALSE(a.closed);
    EXPECT_FALSE(a.balances.currency);
    EXPECT_FALSE(a.balances.available);
    EXPECT_FALSE(a.balances.current);
    EXPECT_FALSE(a.balances.limit);
    EXPECT_FALSE(a.balances.balance_date);
    EXPECT_TRUE(a.owners.empty());
    ASSERT_EQ(r.accounts[1].owners.size(), 1u);
    const moneykit::Owner& empty = r.accounts[1].owners[0];
    EXPECT_TRUE(empty.names.empty() && empty.addresses.empty() && empty.phone_numbers.empty() && empty.emails.empty());
    EXPECT_FALSE(r.link.error_code);
    EXPECT_FALSE(r.link.last_synced_at);
    EXPECT_FALSE(r.link.link_tags);
    EXPECT_FALSE(r.link.webhook);
    EXPECT_TRUE(r.link.available_products.empty());
    ASSERT_EQ(r.link.products.count("identity"), 1u);
    const moneykit::LinkProduct& p = r.link.products.at("identity");
    EXPECT_FALSE(p.refreshed_at || p.last_attempted_at || p.error_code || p.error_message || p.unavailable ||
                 p.settings || p.has_history);
    EXPECT_FALSE(r.refreshed_at());
}

TEST(Decode, ExtraFieldsAndUnknownEnumValues) {
    const IdentityResponse r = client().get_identity("mk_sandbox_extra_fields");
    ASSERT_EQ(r.accounts.size(), 2u);
    EXPECT_EQ(r.accounts[1].account_type, "other.crypto_wallet");
    EXPECT_EQ(r.accounts[1].balances.currency, "BTC");
    EXPECT_EQ(r.accounts[1].balances.available->text(), "0.00012345");
    EXPECT_EQ(r.accounts[1].balances.available->scaled(8), 12345);
    EXPECT_FALSE(r.accounts[1].balances.available->scaled(2));
    const auto& phones = r.accounts[0].owners[0].phone_numbers;
    ASSERT_EQ(phones.size(), 2u);
    EXPECT_EQ(phones[1].type, "pager");
    EXPECT_EQ(phones[1].kind(), moneykit::PhoneType::unknown);
    EXPECT_EQ(r.link.state, "migrating");
    EXPECT_EQ(r.link.state_kind(), moneykit::LinkState::unknown);
    EXPECT_EQ(r.link.tags, (std::vector<std::string>{"sandbox", "user_type:admin"}));
    EXPECT_EQ(r.link.link_tags, r.link.tags);
    ASSERT_EQ(r.link.products.count("future_product"), 1u);
    EXPECT_EQ(r.link.products.at("future_product").error_code, "future_error");
    EXPECT_EQ(r.link.available_products.back(), "future_product");
    EXPECT_EQ(nlohmann::json::parse(*r.link.products.at("identity").settings).at("reason"),
              "Verify that you own this account");
    EXPECT_EQ(r.refreshed_at(), moneykit::parse_timestamp("2023-02-16T09:14:11Z"));
}

TEST(Decode, LargeBody) {
    const std::string json = client().get_identity_json("mk_sandbox_large");
    EXPECT_EQ(json.size(), 3545125u);
    const IdentityResponse r = IdentityResponse::parse(json);
    ASSERT_EQ(r.accounts.size(), 1000u);
    for (const auto& a : r.accounts) {
        ASSERT_EQ(a.owners.size(), 2u);
        EXPECT_EQ(a.owners[0].names.size(), 2u);
        EXPECT_EQ(a.owners[0].addresses.size(), 8u);
        EXPECT_EQ(a.owners[0].phone_numbers.size(), 5u);
        EXPECT_EQ(a.owners[0].emails.size(), 5u);
    }
}

TEST(Decode, RefreshedAtGrowsWhileRefreshing) {
    const auto first = client().get_identity("mk_sandbox_refreshing").refreshed_at();
    const auto second = client().get_identity("mk_sandbox_refreshing").refreshed_at();
    ASSERT_TRUE(first && second);
    EXPECT_GE(*second - *first, 1s);
    EXPECT_GE(*first, *moneykit::parse_timestamp("2023-02-16T09:14:11Z"));
}

TEST(Decode, AccountIdsFilter) {
    const auto one = client().get_identity("mk_sandbox_ok", {"acc_2Xq8PnL4cWd7RkYs9TbEhM"});
    ASSERT_EQ(one.accounts.size(), 1u);
    EXPECT_EQ(one.accounts[0].account_id, "acc_2Xq8PnL4cWd7RkYs9TbEhM");
    const auto both = client().get_identity("mk_sandbox_ok", {"acc_2Xq8PnL4cWd7RkYs9TbEhM", "acc_6Tef269B6ZArSVpYrxtjBV"});
    EXPECT_EQ(both.accounts.size(), 2u);
    EXPECT_TRUE(client().get_identity("mk_sandbox_ok", {"acc_nope"}).accounts.empty());
}
