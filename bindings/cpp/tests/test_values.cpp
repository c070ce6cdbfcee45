// Offline tests: Decimal, timestamps, the options JSON and IdentityResponse::parse.
#include "moneykit.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>

using moneykit::Decimal;
using namespace std::chrono_literals;

TEST(Decimal, KeepsTheTextExactly) {
    for (const char* text : {"340.12", "0.00012345", "500", "-0.5", "1.50", "1e2", "2.5E-3", "0",
                             "12345678901234567890.123456789012345678901234567890"}) {
        EXPECT_EQ(Decimal(text).text(), text);
        std::ostringstream s;
        s << Decimal(text);
        EXPECT_EQ(s.str(), text);
    }
}

TEST(Decimal, ComparesByValue) {
    EXPECT_EQ(Decimal("500"), Decimal("500.0"));
    EXPECT_EQ(Decimal("500"), Decimal("5e2"));
    EXPECT_EQ(Decimal("0.1"), Decimal("1e-1"));
    EXPECT_EQ(Decimal("0"), Decimal("-0.000"));
    EXPECT_NE(Decimal("340.12"), Decimal("340.1200001"));
    EXPECT_LT(Decimal("340.12"), Decimal("445.89"));
    EXPECT_LT(Decimal("-2"), Decimal("-1.5"));
    EXPECT_LT(Decimal("-1"), Decimal("0"));
    EXPECT_LT(Decimal("0.099"), Decimal("0.1"));
    EXPECT_LT(Decimal("0.12"), Decimal("0.123"));
    EXPECT_GT(Decimal("1e300"), Decimal("99999999999999999999"));
    EXPECT_LE(Decimal("2.50"), Decimal("2.5"));
    EXPECT_GE(Decimal("2.5"), Decimal("2.50"));
    // Beyond double precision: the two differ in the 30th digit.
    EXPECT_NE(Decimal("0.100000000000000000000000000001"), Decimal("0.1"));
    EXPECT_EQ(Decimal("0.100000000000000000000000000001").to_double(), 0.1);
}

TEST(Decimal, ScalesExactly) {
    EXPECT_EQ(Decimal("340.12").scaled(2), 34012);
    EXPECT_EQ(Decimal("500").scaled(2), 50000);
    EXPECT_EQ(Decimal("-0.5").scaled(2), -50);
    EXPECT_EQ(Decimal("1.50").scaled(1), 15);
    EXPECT_EQ(Decimal("1e2").scaled(0), 100);
    EXPECT_EQ(Decimal("0.00012345").scaled(8), 12345);
    EXPECT_EQ(Decimal("0").scaled(5), 0);
    EXPECT_FALSE(Decimal("0.00012345").scaled(2));  // not whole cents
    EXPECT_FALSE(Decimal("340.125").scaled(2));
    EXPECT_EQ(Decimal("9223372036854775807").scaled(0), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(Decimal("-9223372036854775808").scaled(0), std::numeric_limits<std::int64_t>::min());
    EXPECT_FALSE(Decimal("9223372036854775808").scaled(0));  // overflow
    EXPECT_FALSE(Decimal("1e30").scaled(0));
    EXPECT_FALSE(Decimal("1e-999999999999999999999").scaled(2));
}

TEST(Decimal, ConvertsToDouble) {
    EXPECT_DOUBLE_EQ(Decimal("340.12").to_double(), 340.12);
    EXPECT_DOUBLE_EQ(Decimal("-2.5e-3").to_double(), -0.0025);
    EXPECT_DOUBLE_EQ(Decimal().to_double(), 0.0);
    EXPECT_EQ(Decimal("1e400").to_double(), std::numeric_limits<double>::infinity());
    EXPECT_EQ(Decimal("-1e400").to_double(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(Decimal("1e400").text(), "1e400");
    EXPECT_TRUE(Decimal().is_zero());
    EXPECT_TRUE(Decimal("-1").is_negative());
    EXPECT_FALSE(Decimal("-0").is_negative());
}

TEST(Decimal, RefusesWhatIsNotAJsonNumber) {
    for (const char* text : {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "NaN", "inf", " 1", "1 ", "1,5"}) {
        EXPECT_THROW(Decimal{std::string_view(text)}, std::invalid_argument) << '"' << text << '"';
    }
}

TEST(Timestamp, ParsesRfc3339) {
    using std::chrono::system_clock;
    const auto epoch = [](std::int64_t secs) { return system_clock::time_point(std::chrono::seconds(secs)); };
    EXPECT_EQ(moneykit::parse_timestamp("1970-01-01T00:00:00Z"), epoch(0));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T09:14:11Z"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T10:14:11+01:00"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T04:14:11-0500"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16 09:14:11"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16"), epoch(1676505600));
    EXPECT_EQ(moneykit::parse_timestamp("2024-02-29T00:00:00Z"), epoch(1709164800));
    EXPECT_EQ(moneykit::parse_timestamp("1969-12-31T23:59:59Z"), epoch(-1));
    const auto frac = moneykit::parse_timestamp("2023-02-16T09:14:11.250Z");
    ASSERT_TRUE(frac);
    EXPECT_EQ(*frac - epoch(1676538851), std::chrono::milliseconds(250));
    EXPECT_LT(*moneykit::parse_timestamp("2023-02-16T09:14:11Z"), *moneykit::parse_timestamp("2023-02-16T09:14:12Z"));
}

TEST(Timestamp, RefusesGarbage) {
    for (const char* text : {"", "yesterday", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-02-16T25:00:00Z",
                             "2023-02-16T09:14Z", "2023-02-16T09:14:11Zjunk", "2023-02-16T09:14:11.Z", "16/02/2023"}) {
        EXPECT_FALSE(moneykit::parse_timestamp(text)) << text;
    }
}

TEST(Options, BuildTheOptionsJson) {
    const std::string json = moneykit::Options()
                                 .base_url("http://127.0.0.1:1")
                                 .access_token("tok")
                                 .auth(moneykit::Auth::headers)
                                 .moneykit_version("2023-02-18")
                                 .timeout(2s)
                                 .connect_timeout(1500us)
                                 .max_retries(3)
                                 .retry_base(10ms)
                                 .max_retry_after(std::chrono::minutes(2))
                                 .max_response_bytes(1u << 20)
                                 .user_agent("app/1")
                                 .proxy("http://proxy:3128")
                                 .ca_file("/etc/ca.pem")
                                 .log_level(moneykit::LogLevel::debug)
                                 .json();
    EXPECT_EQ(nlohmann::json::parse(json), nlohmann::json::parse(R"({
        "base_url": "http://127.0.0.1:1", "access_token": "tok", "auth": "headers",
        "moneykit_version": "2023-02-18", "timeout_ms": 2000, "connect_timeout_ms": 2,
        "max_retries": 3, "retry_base_ms": 10, "max_retry_after_ms": 120000,
        "max_response_bytes": 1048576, "user_agent": "app/1", "proxy": "http://proxy:3128",
        "ca_file": "/etc/ca.pem", "log_level": "debug"})"));
    EXPECT_EQ(moneykit::Options().json(), "{}");
    EXPECT_EQ(nlohmann::json::parse(moneykit::Options().auth(moneykit::Auth::token).log_level(moneykit::LogLevel::off).json()),
              nlohmann::json::parse(R"({"auth":"token","log_level":"off"})"));
    EXPECT_EQ(moneykit::Options().timeout(std::chrono::duration<double>(0.25)).json(), R"({"timeout_ms":250})");
    EXPECT_EQ(moneykit::Options().set("future_key", {1, 2}).set("timeout_ms", nullptr).json(),
              R"({"future_key":[1,2],"timeout_ms":null})");
}

TEST(Options, LvalueAndRvalueChainsAgree) {
    moneykit::Options a;
    a.timeout(1s).max_retries(1);  // in place
    const moneykit::Options& b = moneykit::Options().timeout(1s).max_retries(1);  // a prvalue: no dangling
    EXPECT_EQ(a.json(), b.json());
}

TEST(Options, InvalidUtf8IsAnInvalidArgument) {
    EXPECT_THROW(moneykit::Options().user_agent("\xff\xfe").json(), moneykit::InvalidArgumentError);
}

// --- IdentityResponse::parse, offline -------------------------------------------------------

namespace {

const char* kMinimalDoc = R"({"accounts":[{"account_id":"a","account_type":"unknown","balances":{},"name":"n","owners":[]}],
  "link":{"link_id":"l","institution_id":"i","institution_name":"I","institution_avatar":"u","state":"connected",
          "provider":"moneykit","products":{},"available_products":[]}})";

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
    std::string doc = kMinimalDoc;
    doc.replace(doc.find("\"balances\":{}"), 13,
                R"("balances":{"available":0.1000000000000000000000000000001,"current":12345678901234567890123,"limit":-7,"currency":"USD"})");
    const auto r = moneykit::IdentityResponse::parse(doc);
    ASSERT_EQ(r.accounts.size(), 1u);
    const auto& b = r.accounts[0].balances;
    EXPECT_EQ(b.available->text(), "0.1000000000000000000000000000001");
    EXPECT_EQ(b.current->text(), "12345678901234567890123");
    EXPECT_EQ(b.limit->text(), "-7");
    EXPECT_EQ(b.currency, "USD");
    EXPECT_FALSE(b.balance_date);
}

TEST(Parse, ReportsWhereTheSchemaIsBroken) {
    EXPECT_NE(decode_error_of("{\"accounts\": [").find("not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("").find("not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("[]").find("expected an object"), std::string::npos);
    EXPECT_NE(decode_error_of(R"({"accounts":[]})").find("\"link\""), std::string::npos);
    std::string doc = kMinimalDoc;
    doc.replace(doc.find("\"owners\":[]"), 11, "\"owners\":[{\"names\":[1]}]");
    EXPECT_NE(decode_error_of(doc).find("accounts[0].owners[0].names[0]: expected a string"), std::string::npos)
        << decode_error_of(doc);
    doc = kMinimalDoc;
    doc.replace(doc.find("\"balances\":{}"), 13, "\"balances\":{\"available\":\"12\"}");
    EXPECT_NE(decode_error_of(doc).find("accounts[0].balances.available: expected a number"), std::string::npos);
    doc = kMinimalDoc;
    doc.replace(doc.find("\"products\":{}"), 13, "\"products\":{\"identity\":5}");
    EXPECT_NE(decode_error_of(doc).find("link.products.identity: expected an object"), std::string::npos);
    EXPECT_NE(decode_error_of(std::string(kMinimalDoc) + "x").find("not valid JSON"), std::string::npos);
    EXPECT_NE(decode_error_of("{\"accounts\":\"\xff\"}").find("not valid JSON"), std::string::npos);
}

TEST(Parse, SurvivesDeepNestingInUnknownFields) {
    std::string doc = kMinimalDoc;
    doc.insert(1, "\"deep\":" + std::string(100000, '[') + std::string(100000, ']') + ",");
    const auto r = moneykit::IdentityResponse::parse(doc);
    EXPECT_EQ(r.link.link_id, "l");
}

TEST(Parse, NullAndAbsentAreBothNullopt) {
    std::string doc = kMinimalDoc;
    doc.replace(doc.find("\"owners\":[]"), 11,
                R"("owners":[],"nickname":null,"closed":null,"account_mask":null,"original_id":null)");
    const auto r = moneykit::IdentityResponse::parse(doc);
    EXPECT_FALSE(r.accounts[0].nickname);
    EXPECT_FALSE(r.accounts[0].closed);
    EXPECT_FALSE(r.accounts[0].account_mask);
    EXPECT_FALSE(r.link.webhook);
    EXPECT_FALSE(r.link.link_tags);
    EXPECT_FALSE(r.refreshed_at());
}
