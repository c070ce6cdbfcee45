// IdentityResponse::parse, offline: the library decides (one validator), the
// wrapper maps. Error messages name the JSON path, never a value from the body.
#include "moneykit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <type_traits>
#include <utility>

// The canonical dump is JSON text: no JSON library's type in the public signature.
static_assert(std::is_same_v<decltype(std::declval<const moneykit::IdentityResponse&>().canonical_dump()), std::string>);
static_assert(std::is_same_v<decltype(moneykit::LinkProduct::settings), std::optional<std::string>>);

namespace {

const char* kMinimalDoc = R"({"accounts":[{"account_id":"a","account_type":"unknown","balances":{},"name":"n","owners":[]}],
  "link":{"link_id":"l","institution_id":"i","institution_name":"I","institution_avatar":"u","state":"connected",
          "provider":"moneykit","products":{},"available_products":[]}})";

/// kMinimalDoc with its first `from` replaced by `to`.
std::string doc_with(const std::string& from, const std::string& to) {
    std::string doc = kMinimalDoc;
    const auto at = doc.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) doc.replace(at, from.size(), to);
    return doc;
}

std::string decode_error_of(const std::string& doc) {
    try {
        moneykit::IdentityResponse::parse(doc);
    } catch (const moneykit::DecodeError& e) {
        EXPECT_EQ(e.status(), moneykit::Status::decode);
        return e.what();
    }
    ADD_FAILURE() << "no DecodeError for " << doc;
    return {};
}

}  // namespace

TEST(Parse, KeepsNumberTextThroughTheDocument) {
    const auto r = moneykit::IdentityResponse::parse(doc_with(
        "\"balances\":{}",
        R"("balances":{"available":0.1000000000000000000000000000001,"current":12345678901234567890123,"limit":-7,"currency":"USD"})"));
    ASSERT_EQ(r.accounts.size(), 1u);
    const auto& b = r.accounts[0].balances;
    EXPECT_EQ(b.available->text(), "0.1000000000000000000000000000001");
    EXPECT_EQ(b.current->text(), "12345678901234567890123");
    EXPECT_EQ(b.limit->text(), "-7");
    EXPECT_EQ(b.currency, "USD");
    EXPECT_FALSE(b.balance_date);
}

// The rows of issue 11's table: each used to fail a whole identity call somewhere.
TEST(Parse, NullProductEntryIsDropped) {
    const auto r = moneykit::IdentityResponse::parse(
        doc_with("\"products\":{}", R"("products":{"investments":null,"identity":{"refreshed_at":null}})"));
    EXPECT_EQ(r.link.products.count("investments"), 0u);
    ASSERT_EQ(r.link.products.count("identity"), 1u);
    EXPECT_FALSE(r.link.products.at("identity").refreshed_at);
    EXPECT_FALSE(r.refreshed_at());
}

TEST(Parse, BareBalanceDateIsMidnightUtc) {
    const auto r = moneykit::IdentityResponse::parse(doc_with("\"balances\":{}", R"("balances":{"balance_date":"2023-02-16"})"));
    const auto& date = r.accounts[0].balances.balance_date;
    ASSERT_TRUE(date);
    EXPECT_EQ(date->text(), "2023-02-16");
    EXPECT_TRUE(date->date_only());
    EXPECT_EQ(date->time_point(), std::chrono::system_clock::time_point(std::chrono::seconds(1676505600)));
}

TEST(Parse, NaiveAndFractionalTimestamps) {
    const auto r = moneykit::IdentityResponse::parse(doc_with(
        "\"products\":{}",
        R"("products":{"identity":{"refreshed_at":"2023-02-16T09:14:11.123456789","last_attempted_at":"2023-02-16 09:14"}})"));
    const moneykit::LinkProduct& p = r.link.products.at("identity");
    ASSERT_TRUE(p.refreshed_at && p.last_attempted_at);
    EXPECT_TRUE(p.refreshed_at->no_offset());
    EXPECT_EQ(p.refreshed_at->subsecond_nanos(), 123456000u);  // the view keeps microseconds
    EXPECT_EQ(p.refreshed_at->canonical(), "2023-02-16T09:14:11.123456Z");
    EXPECT_EQ(p.last_attempted_at->canonical(), "2023-02-16T09:14:00.000000Z");
}

TEST(Parse, OpaqueSettingsAreKeptAsSent) {
    const auto r = moneykit::IdentityResponse::parse(doc_with(
        "\"products\":{}",
        R"("products":{"identity":{"settings":{"required":true,"reason":"r","nested":{"n":[1,2.5,null]},"future":"x"}}})"));
    const auto& settings = r.link.products.at("identity").settings;
    ASSERT_TRUE(settings);
    EXPECT_EQ(*settings, R"({"required":true,"reason":"r","nested":{"n":[1,2.5,null]},"future":"x"})");  // the text as sent
    // And inside the canonical dump, as the JSON value it is.
    EXPECT_EQ(nlohmann::json::parse(r.canonical_dump())["link"]["products"]["identity"]["settings"]["nested"]["n"][1], 2.5);
}

TEST(Parse, ErrorsNameThePathAndTheExpectedType) {
    EXPECT_NE(decode_error_of("{\"accounts\": [").find("body is not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("").find("body is not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("[]").find("body: expected object"), std::string::npos);
    EXPECT_NE(decode_error_of(R"({"accounts":[]})").find("link: required field missing"), std::string::npos);
    std::string message = decode_error_of(doc_with("\"owners\":[]", "\"owners\":[{\"names\":[1]}]"));
    EXPECT_NE(message.find("accounts[0].owners[0].names[0]: expected string"), std::string::npos) << message;
    message = decode_error_of(doc_with("\"balances\":{}", "\"balances\":{\"available\":\"12\"}"));
    EXPECT_NE(message.find("accounts[0].balances.available: expected number"), std::string::npos) << message;
    message = decode_error_of(doc_with("\"products\":{}", "\"products\":{\"identity\":5}"));
    EXPECT_NE(message.find("link.products.identity: expected object"), std::string::npos) << message;
    EXPECT_NE(decode_error_of(std::string(kMinimalDoc) + "x").find("body is not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("{\"accounts\":\"\xff\"}").find("body"), std::string::npos);
}

TEST(Parse, OwnerDataNeverAppearsInTheMessage) {
    const std::string email = "john.doe@example.com";
    const std::string doc = doc_with("\"owners\":[]", R"("owners":[{"names":[],"addresses":[],"phone_numbers":[],"emails":[")" +
                                                          email + R"("]}])");
    const std::string message = decode_error_of(doc);
    EXPECT_NE(message.find("accounts[0].owners[0].emails[0]: expected object"), std::string::npos) << message;
    EXPECT_EQ(message.find(email), std::string::npos) << message;
    EXPECT_EQ(message.find("john.doe"), std::string::npos) << message;
    // Nor in the error JSON the exception carries.
    try {
        moneykit::IdentityResponse::parse(doc);
        ADD_FAILURE() << "no DecodeError for " << doc;
    } catch (const moneykit::DecodeError& e) {
        EXPECT_EQ(e.json().find("john.doe"), std::string::npos) << e.json();
    }
    // A body that is not JSON: the parser's message would quote the input.
    const std::string broken = decode_error_of(R"({"accounts":[{"name":"john.doe@example.com" oops}]})");
    EXPECT_EQ(broken.find("john.doe"), std::string::npos) << broken;
}

TEST(Parse, DeepNestingInUnknownFieldsNeverCrashes) {
    std::string doc = kMinimalDoc;
    doc.insert(1, "\"deep\":" + std::string(100000, '[') + std::string(100000, ']') + ",");
    try {
        EXPECT_EQ(moneykit::IdentityResponse::parse(doc).link.link_id, "l");
    } catch (const moneykit::DecodeError&) {  // the library may refuse it: either is fine, a crash is not
    }
}

TEST(Parse, NullAndAbsentAreBothNullopt) {
    const auto r = moneykit::IdentityResponse::parse(
        doc_with("\"owners\":[]", R"("owners":[],"nickname":null,"closed":null,"account_mask":null,"original_id":null)"));
    EXPECT_FALSE(r.accounts[0].nickname);
    EXPECT_FALSE(r.accounts[0].closed);
    EXPECT_FALSE(r.accounts[0].account_mask);
    EXPECT_FALSE(r.link.webhook);
    EXPECT_FALSE(r.link.link_tags);
    EXPECT_FALSE(r.refreshed_at());
    const nlohmann::json dump = nlohmann::json::parse(r.canonical_dump());
    EXPECT_TRUE(dump["accounts"][0]["nickname"].is_null());
    EXPECT_TRUE(dump["link"]["link_tags"].is_null());  // an absent optional list dumps as null
    EXPECT_EQ(dump["link"]["available_products"], nlohmann::json::array());
}

TEST(Parse, EnumKindsForKnownAndNewerValues) {
    const auto r = moneykit::IdentityResponse::parse(doc_with("\"state\":\"connected\"", R"("state":"migrating","error_code":"auth_expired")"));
    EXPECT_EQ(r.link.state_kind(), moneykit::LinkState::unknown);
    EXPECT_EQ(r.link.error_code_kind(), moneykit::LinkErrorCode::auth_expired);
    EXPECT_EQ(r.link.provider_kind(), moneykit::Provider::moneykit);
    EXPECT_EQ(moneykit::product_error_code_of("brand_new"), moneykit::ProductErrorCode::unknown);
}
