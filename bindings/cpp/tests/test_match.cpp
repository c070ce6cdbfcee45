// moneykit::match_owners (mk_match_owners): typed results, the sandbox's owners, the shared
// labelled pair table (tests/matching/pairs.json, the same one every language runs), errors.
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using moneykit::Claim;
using moneykit::ClaimAddress;
using moneykit::OwnerMatch;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sandbox_ok() { return read_file(std::string(MONEYKIT_TEST_CORPUS_DIR) + "/sandbox_ok.json"); }

Claim peggy() {
    Claim c;
    c.name = "Peggy OBrien";
    c.email = "M.OBrien@example.com";
    c.phone = "(617) 555-1212";
    c.address = ClaimAddress{"77 Beacon Street", "Boston", "Massachusetts", "02116-4501", "USA"};
    return c;
}

TEST(Match, SandboxOwnersSamePersonWrittenDifferently) {
    const OwnerMatch m = moneykit::match_owners(sandbox_ok(), peggy());
    ASSERT_TRUE(m.best);
    EXPECT_EQ(m.best->account_id, "acc_2Xq8PnL4cWd7RkYs9TbEhM");
    EXPECT_EQ(m.best->owner_index, 0);
    EXPECT_GE(m.best->score, 80);
    ASSERT_TRUE(m.best->name);
    EXPECT_GE(m.best->name->score, 80);
    EXPECT_TRUE(m.best->name->nickname);  // Peggy / Margaret
    EXPECT_FALSE(m.best->name->business);
    ASSERT_TRUE(m.best->email && m.best->phone && m.best->address);
    EXPECT_EQ(m.best->email->score, 100);
    EXPECT_EQ(m.best->phone->score, 100);
    EXPECT_GE(m.best->address->score, 80);
    EXPECT_TRUE(m.best->address->postal_code_match);
    ASSERT_EQ(m.accounts.size(), 2u);
    EXPECT_EQ(m.accounts[0].account_id, "acc_6Tef269B6ZArSVpYrxtjBV");
    EXPECT_LT(m.accounts[0].score, 50);
    // The typed result mirrors the JSON.
    const auto j = nlohmann::json::parse(m.json);
    EXPECT_EQ(j["best"]["score"].get<int>(), m.best->score);
    EXPECT_EQ(j["accounts"][1]["name"]["score"].get<int>(), m.accounts[1].name->score);
}

TEST(Match, AnotherPersonScoresBelowFifty) {
    Claim c;
    c.name = "Walter Kowalski";
    c.email = "wk@example.org";
    c.phone = "+1 212 555 0199";
    c.address = ClaimAddress{"12 Elm Road", "Springfield", "IL", "62701", "US"};
    const OwnerMatch m = moneykit::match_owners(sandbox_ok(), c);
    ASSERT_TRUE(m.best);
    EXPECT_LT(m.best->score, 50);
    ASSERT_EQ(m.accounts.size(), 2u) << m.json;  // the loop below must check something
    for (const auto& a : m.accounts) {
        EXPECT_LT(a.score, 50) << a.account_id;
        if (a.name) {
            EXPECT_LT(a.name->score, 50);
        }
    }
}

TEST(Match, OnlySomeFieldsGivenLeavesTheOthersNull) {
    Claim c;
    c.phone = "6175551212";
    const OwnerMatch m = moneykit::match_owners(sandbox_ok(), c);
    ASSERT_TRUE(m.best);
    EXPECT_FALSE(m.best->name);
    EXPECT_FALSE(m.best->email);
    EXPECT_FALSE(m.best->address);
    ASSERT_TRUE(m.best->phone);
    EXPECT_GE(m.best->phone->score, 80);
}

TEST(Match, DecodedIdentityAndFetchedIdentityScoreTheSame) {
    const OwnerMatch from_json = moneykit::match_owners(sandbox_ok(), peggy());
    const OwnerMatch from_typed = moneykit::match_owners(moneykit::IdentityResponse::parse(sandbox_ok()), peggy());
    EXPECT_EQ(from_typed.json, from_json.json);
    moneykit::Client client(mktest::fast());
    const OwnerMatch fetched = client.match_owners("mk_sandbox_ok", peggy());
    EXPECT_EQ(fetched.json, from_json.json);
}

TEST(Match, AccountsWithoutOwners) {
    const std::string body = R"({"accounts": [{"account_id": "acc_a", "account_type": "depository.checking",
        "name": "Checking", "balances": {}, "owners": []}], "link": {"link_id": "mk_x", "institution_id": "i",
        "institution_name": "Bank", "institution_avatar": "", "state": "connected", "provider": "p",
        "products": {}, "available_products": []}})";
    Claim c;
    c.name = "John Doe";
    const OwnerMatch m = moneykit::match_owners(body, c);
    EXPECT_FALSE(m.best);
    ASSERT_EQ(m.accounts.size(), 1u);
    EXPECT_FALSE(m.accounts[0].owner_index);
    EXPECT_EQ(m.accounts[0].score, 0);
    EXPECT_FALSE(m.accounts[0].name);
}

TEST(Match, BadInputIsAClearErrorWithoutValues) {
    EXPECT_THROW(moneykit::match_owners(sandbox_ok(), Claim{}), moneykit::InvalidArgumentError);
    Claim bad_phone;
    bad_phone.phone = "12";
    EXPECT_THROW(moneykit::match_owners(sandbox_ok(), bad_phone), moneykit::InvalidArgumentError);
    Claim long_name;
    long_name.name = std::string(MK_MAX_CLAIM_VALUE_LEN + 1, 'a');
    EXPECT_THROW(moneykit::match_owners(sandbox_ok(), long_name), moneykit::InvalidArgumentError);
    Claim not_utf8;
    not_utf8.name = "Jos\xE9 Secretname";
    try {
        moneykit::match_owners(sandbox_ok(), not_utf8);
        FAIL() << "non-UTF-8 claim accepted";
    } catch (const moneykit::InvalidArgumentError& e) {
        EXPECT_EQ(std::string(e.what()).find("Secretname"), std::string::npos) << e.what();
    }
    Claim c;
    c.name = "Secretname Doe";
    try {
        moneykit::match_owners("{\"accounts\": 1}", c);
        FAIL() << "bad identity accepted";
    } catch (const moneykit::DecodeError& e) {
        EXPECT_EQ(std::string(e.what()).find("Secretname"), std::string::npos) << e.what();
    }
    EXPECT_THROW(moneykit::match_owners("not json", c), moneykit::DecodeError);
    EXPECT_THROW(moneykit::match_owners(static_cast<const char*>(nullptr), c), moneykit::InvalidArgumentError);
    EXPECT_THROW(moneykit::match_owners(std::string("{}\0", 3), c), moneykit::InvalidArgumentError);
}

/// One owner with `value` in `field`, in a minimal identity (as tests/matching.rs builds it).
std::string identity_with(const std::string& field, const nlohmann::json& value) {
    nlohmann::json owner = {{"names", nlohmann::json::array()},
                            {"addresses", nlohmann::json::array()},
                            {"phone_numbers", nlohmann::json::array()},
                            {"emails", nlohmann::json::array()}};
    if (field == "name") owner["names"].push_back(value);
    if (field == "email") owner["emails"].push_back({{"address", value}});
    if (field == "phone") owner["phone_numbers"].push_back({{"number", value}, {"type", "mobile"}});
    if (field == "address") owner["addresses"].push_back(value);
    nlohmann::json account = {{"account_id", "acc_0"}, {"account_type", "depository.checking"},
                              {"name", "Checking"},     {"balances", nlohmann::json::object()},
                              {"owners", nlohmann::json::array({owner})}};
    nlohmann::json link = {{"link_id", "mk_x"},        {"institution_id", "i"}, {"institution_name", "Bank"},
                           {"institution_avatar", ""}, {"state", "connected"},  {"provider", "p"},
                           {"products", nlohmann::json::object()}, {"available_products", nlohmann::json::array()}};
    return nlohmann::json{{"accounts", nlohmann::json::array({account})}, {"link", link}}.dump();
}

std::optional<std::string> text(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return it->get<std::string>();
}

Claim claim_of(const std::string& field, const nlohmann::json& v) {
    Claim c;
    if (field == "name") c.name = v.get<std::string>();
    if (field == "email") c.email = v.get<std::string>();
    if (field == "phone") c.phone = v.get<std::string>();
    if (field == "address") {
        c.address = ClaimAddress{text(v, "street"), text(v, "city"), text(v, "region"), text(v, "postal_code"),
                                 text(v, "country")};
    }
    return c;
}

int field_score(const moneykit::AccountMatch& a, const std::string& field) {
    if (field == "name") return a.name ? a.name->score : -1;
    if (field == "email") return a.email ? a.email->score : -1;
    if (field == "phone") return a.phone ? a.phone->score : -1;
    return a.address ? a.address->score : -1;
}

TEST(Match, SharedLabelledPairTable) {
    const auto table = nlohmann::json::parse(read_file(std::string(MONEYKIT_TEST_MATCHING_DIR) + "/pairs.json"));
    const auto& pairs = table.at("pairs");
    ASSERT_GE(pairs.size(), 200u);
    std::vector<std::string> wrong;
    for (const auto& p : pairs) {
        const std::string field = p.at("field").get<std::string>();
        const std::string expect = p.at("expect").get<std::string>();
        const OwnerMatch m = moneykit::match_owners(identity_with(field, p.at("owner")), claim_of(field, p.at("claim")));
        ASSERT_EQ(m.accounts.size(), 1u);
        const int score = field_score(m.accounts[0], field);
        const bool ok = expect == "match" ? score >= 80 : expect == "different" ? score < 50 : (score >= 50 && score < 80);
        if (!ok) wrong.push_back(field + " " + p.at("claim").dump() + " / " + p.at("owner").dump() + " -> " +
                                 std::to_string(score) + ", want " + expect);
    }
    std::string all;
    for (const auto& w : wrong) all += w + "\n";
    EXPECT_TRUE(wrong.empty()) << wrong.size() << " of " << pairs.size() << " wrong:\n" << all;
}

}  // namespace
