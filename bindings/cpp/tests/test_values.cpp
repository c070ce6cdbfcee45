// Offline tests: Decimal, Timestamp and the options JSON.
#include "moneykit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

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

TEST(Decimal, CanonicalTextIsPlainAndMinimal) {
    const std::pair<const char*, const char*> cases[] = {
        {"1e3", "1000"},     {"1.50", "1.5"},         {"-0.0", "0"},        {"1E-3", "0.001"},
        {"0", "0"},          {"-0", "0"},             {"340.12", "340.12"}, {"-12.5", "-12.5"},
        {"2.5E3", "2500"},   {"1e+2", "100"},         {"0.000", "0"},       {"-0.000001", "-0.000001"},
        {"100", "100"},      {"12.3400e1", "123.4"},  {"1234.5e-2", "12.345"},
        {"12345678901234567890.12345678901234567890", "12345678901234567890.1234567890123456789"},
    };
    for (const auto& [text, canonical] : cases) EXPECT_EQ(Decimal(text).canonical(), canonical) << text;
}

TEST(Timestamp, ParsesTheWholeGrammar) {
    using std::chrono::system_clock;
    const auto epoch = [](std::int64_t secs) { return system_clock::time_point(std::chrono::seconds(secs)); };
    EXPECT_EQ(moneykit::parse_timestamp("1970-01-01T00:00:00Z"), epoch(0));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T09:14:11Z"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16t09:14:11z"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T10:14:11+01:00"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T04:14:11-0500"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T14:14:11+05"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16 09:14:11"), epoch(1676538851));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T09:14"), epoch(1676538840));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16T09:14+00:30"), epoch(1676538840 - 1800));
    EXPECT_EQ(moneykit::parse_timestamp("2023-02-16"), epoch(1676505600));
    EXPECT_EQ(moneykit::parse_timestamp("2024-02-29T00:00:00Z"), epoch(1709164800));
    EXPECT_EQ(moneykit::parse_timestamp("1969-12-31T23:59:59Z"), epoch(-1));
    const auto frac = moneykit::parse_timestamp("2023-02-16T09:14:11.250Z");
    ASSERT_TRUE(frac);
    EXPECT_EQ(*frac - epoch(1676538851), std::chrono::milliseconds(250));
    EXPECT_LT(*moneykit::parse_timestamp("2023-02-16T09:14:11Z"), *moneykit::parse_timestamp("2023-02-16T09:14:12Z"));
}

TEST(Timestamp, KeepsTextAndHowItWasWritten) {
    const auto bare = moneykit::Timestamp::parse("2023-02-16");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->text(), "2023-02-16");
    EXPECT_TRUE(bare->date_only());
    EXPECT_TRUE(bare->no_offset());
    EXPECT_EQ(bare->canonical(), "2023-02-16T00:00:00.000000Z");
    const auto naive = moneykit::Timestamp::parse("2023-02-16T09:14:11");
    ASSERT_TRUE(naive);
    EXPECT_FALSE(naive->date_only());
    EXPECT_TRUE(naive->no_offset());
    const auto zoned = moneykit::Timestamp::parse("2023-02-16T09:14:11.5+02:00");
    ASSERT_TRUE(zoned);
    EXPECT_FALSE(zoned->date_only() || zoned->no_offset());
    EXPECT_EQ(zoned->canonical(), "2023-02-16T07:14:11.500000Z");
    EXPECT_EQ(zoned->unix_seconds(), 1676531651);
    EXPECT_EQ(zoned->subsecond_nanos(), 500000000u);
    EXPECT_EQ(*bare, *moneykit::Timestamp::parse("2023-02-16T02:00:00+02:00"));  // compared by instant
    EXPECT_EQ(moneykit::Timestamp().canonical(), "1970-01-01T00:00:00.000000Z");
}

TEST(Timestamp, CanonicalFormCutsToMicroseconds) {
    const std::pair<const char*, const char*> cases[] = {
        {"2023-12-31T23:59:59.999999999-01:00", "2024-01-01T00:59:59.999999Z"},
        {"2020-02-29T00:00:00-00:30", "2020-02-29T00:30:00.000000Z"},
        {"2023-02-16T09:14:11.1Z", "2023-02-16T09:14:11.100000Z"},
        {"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"},
        {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"},
        {"0001-01-01T01:30:00+01:00", "0001-01-01T00:30:00.000000Z"},
        {"9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999999Z"},
    };
    for (const auto& [text, canonical] : cases) {
        const auto t = moneykit::Timestamp::parse(text);
        ASSERT_TRUE(t) << text;
        EXPECT_EQ(t->canonical(), canonical) << text;
    }
}

TEST(Timestamp, FromTheTypedView) {
    // What mk_identity_parse gives for "1969-12-31T23:59:59.999999Z": floor seconds, micros past them.
    const char text[] = "1969-12-31T23:59:59.999999Z";
    mk_timestamp v{};
    v.text.ptr = text;
    v.text.len = sizeof text - 1;
    v.unix_micros = -1;
    v.unix_seconds = -1;
    v.kind = MK_TIMESTAMP_OFFSET;
    const moneykit::Timestamp t = moneykit::Timestamp::from_view(v);
    EXPECT_EQ(t.text(), text);
    EXPECT_EQ(t.unix_seconds(), -1);
    EXPECT_EQ(t.subsecond_nanos(), 999999000u);
    EXPECT_EQ(t.canonical(), "1969-12-31T23:59:59.999999Z");
    EXPECT_FALSE(t.date_only() || t.no_offset());
    EXPECT_EQ(t, *moneykit::Timestamp::parse(text));
    v.kind = MK_TIMESTAMP_DATE_ONLY;
    EXPECT_TRUE(moneykit::Timestamp::from_view(v).date_only() && moneykit::Timestamp::from_view(v).no_offset());
    v.kind = MK_TIMESTAMP_NO_OFFSET;
    EXPECT_TRUE(!moneykit::Timestamp::from_view(v).date_only() && moneykit::Timestamp::from_view(v).no_offset());
    const mk_timestamp absent{};  // text.ptr NULL, MK_TIMESTAMP_ABSENT
    EXPECT_EQ(moneykit::Timestamp::from_view(absent).canonical(), "1970-01-01T00:00:00.000000Z");
}

TEST(Timestamp, FarYearsAreExactButNotOnTheSystemClock) {
    const auto first = moneykit::Timestamp::parse("0001-01-01");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->unix_seconds(), -62135596800);
    EXPECT_THROW(first->time_point(), std::out_of_range);
    EXPECT_FALSE(moneykit::parse_timestamp("9999-12-31T23:59:59Z"));
}

TEST(Timestamp, RefusesWhatIsNotInTheGrammar) {
    for (const char* text : {"", "yesterday", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-02-16T25:00:00Z",
                             "2023-02-16T09:14:11Zjunk", "2023-02-16T09:14:11.Z", "16/02/2023", "0000-01-01",
                             "2023-02-16T09:14:60Z", "2023-02-16T23:59:60Z", "2023-02-16T09:60", "2023-02-16T09",
                             "2023-02-16T09:14:11+24:00", "2023-02-16T09:14:11+01:60", "2023-02-16T09:14:11+1",
                             "2023-02-16T09:14.5Z", "2023-02-16T09:14:11,5Z", "2023-02-16T", "2023-2-16",
                             "2023-02-16x09:14:11", "+2023-02-16",
                             // an instant before year 1 (UTC) is out of range, as in the library
                             "0001-01-01T00:30:00+01:00", "2023-02-16\"", "2023-02-16\\", "2023-02-16\n",
                             "2023-02-16\xc3\xa9"}) {
        EXPECT_FALSE(moneykit::Timestamp::parse(text)) << text;
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
    EXPECT_EQ(moneykit::Options().set_json("future_key", "[1, 2]").set_json("timeout_ms", "null").json(),
              R"({"future_key":[1,2],"timeout_ms":null})");
    EXPECT_THROW(moneykit::Options().set_json("future_key", "[1, 2"), moneykit::InvalidArgumentError);
    EXPECT_THROW(moneykit::Options().set_json("future_key", "1 2"), moneykit::InvalidArgumentError);
    EXPECT_THROW(moneykit::Options().set_json("future_key", ""), moneykit::InvalidArgumentError);
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
