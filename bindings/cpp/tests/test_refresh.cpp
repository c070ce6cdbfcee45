// Client::refresh_identity / wait_identity_newer / request_identity_refresh against the
// realistic sandbox (time scale 60: a poll every 340 ms, refreshed_at advances 167 ms after
// the request, one refresh per link per scaled day).
#include "realistic.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

using moneykit::RefreshOptions;

const RefreshOptions scaled = RefreshOptions().time_scale(mktest::kScale);

/// refreshed_at of every bulk link until it is refreshed.
std::chrono::system_clock::time_point fixture_time() {
    return moneykit::Timestamp::parse("2023-02-16T09:14:11Z")->time_point();
}

std::string link(int n) { return "mk_sandbox_bulk_" + std::to_string(5000 + n); }

TEST(Refresh, ReturnsANewerIdentityThenTheDailyLimit) {
    moneykit::Client client(mktest::realistic_options());
    const std::string id = link(0);
    const moneykit::IdentityResponse fresh = client.refresh_identity(id, 10s, {}, scaled);
    ASSERT_TRUE(fresh.refreshed_at());
    EXPECT_GT(*fresh.refreshed_at(), fixture_time());
    EXPECT_EQ(fresh.link.link_id, id);
    auto stats = mktest::realistic_link(id);
    EXPECT_LE(stats["max_in_window"].get<long>(), 3) << stats.dump();
    EXPECT_EQ(stats["refreshes_completed"].get<long>(), 1) << stats.dump();

    std::this_thread::sleep_for(1100ms);  // leave the link one scaled minute
    try {
        client.refresh_identity(id, 10s, {}, scaled);
        FAIL() << "a second refresh the same day was accepted";
    } catch (const moneykit::RateLimitedError& e) {
        EXPECT_NE(std::string(e.what()).find("daily refresh limit"), std::string::npos) << e.what();
        ASSERT_NE(e.stale(), nullptr);
        EXPECT_EQ(e.stale()->refreshed_at(), fresh.refreshed_at());
        ASSERT_NE(e.stale_json(), nullptr);
    }
    EXPECT_EQ(mktest::realistic_link(id)["refreshes_refused"].get<long>(), 1);
}

TEST(Refresh, TooShortAWaitThrowsWithTheStaleIdentity) {
    moneykit::Client client(mktest::realistic_options());
    const auto start = std::chrono::steady_clock::now();
    try {
        // The first poll after the request would come at 340 ms: it returns after the request.
        client.refresh_identity_json(link(1), 200ms, {}, scaled);
        FAIL() << "fresh data within 200 ms";
    } catch (const moneykit::TimeoutError& e) {
        EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
        EXPECT_NE(std::string(e.what()).find("not refreshed"), std::string::npos) << e.what();
        ASSERT_NE(e.stale(), nullptr);
        EXPECT_EQ(e.stale()->link.link_id, link(1));
        EXPECT_EQ(e.stale()->refreshed_at(), fixture_time());
        ASSERT_NE(e.stale_json(), nullptr);
        EXPECT_NE(e.stale_json()->find(link(1)), std::string::npos);
        // Copies share it.
        const moneykit::Error copy = e;
        EXPECT_EQ(copy.stale(), e.stale());
    }
    // Other errors carry none.
    try {
        client.get_identity("mk_missing_" + mktest::unique_tag());
        ADD_FAILURE() << "no exception for a missing link";
    } catch (const moneykit::NotFoundError& e) {
        EXPECT_EQ(e.stale(), nullptr);
        EXPECT_EQ(e.stale_json(), nullptr);
    }
}

TEST(Refresh, WaitNewerAfterARequestMadeElsewhere) {
    moneykit::Client client(mktest::realistic_options());
    const std::string id = link(2);
    client.request_identity_refresh(id);
    const moneykit::IdentityResponse fresh = client.wait_identity_newer(id, fixture_time(), 10s, {}, scaled);
    ASSERT_TRUE(fresh.refreshed_at());
    EXPECT_GT(*fresh.refreshed_at(), fixture_time());

    std::this_thread::sleep_for(1100ms);
    // Nothing newer than that comes: the Timestamp and the text forms time out with it as stale.
    const moneykit::Timestamp at = *fresh.link.products.at("identity").refreshed_at;
    try {
        client.wait_identity_newer(id, at, 200ms, {}, scaled);
        FAIL() << "newer than the newest";
    } catch (const moneykit::TimeoutError& e) {
        ASSERT_NE(e.stale(), nullptr);
        EXPECT_EQ(e.stale()->refreshed_at(), fresh.refreshed_at());
    }
    std::this_thread::sleep_for(1100ms);
    EXPECT_THROW(client.wait_identity_newer(id, fresh.refreshed_at(), 50ms, {}, scaled), moneykit::TimeoutError);
    std::this_thread::sleep_for(1100ms);
    // Any refreshed_at at all: the first poll has one.
    EXPECT_EQ(client.wait_identity_newer(id, std::nullopt, 5s, {}, scaled).refreshed_at(), fresh.refreshed_at());
    EXPECT_LE(mktest::realistic_link(id)["max_in_window"].get<long>(), 3);
}

TEST(Refresh, CancelAndCallBounds) {
    moneykit::Client client(mktest::realistic_options());
    moneykit::CancelToken token;
    std::thread canceller([token] {
        std::this_thread::sleep_for(50ms);
        token.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.refresh_identity(link(3), 30s, moneykit::CallOptions().cancel(token), scaled),
                 moneykit::CancelledError);
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    // The call's own timeout bounds the wait when earlier.
    std::this_thread::sleep_for(1100ms);
    EXPECT_THROW(client.wait_identity_newer(link(3), "2999-01-01T00:00:00Z", 30s,
                                            moneykit::CallOptions().timeout(100ms), scaled),
                 moneykit::TimeoutError);
}

TEST(Refresh, BadArguments) {
    moneykit::Client client(mktest::realistic_options());
    EXPECT_THROW(client.refresh_identity(link(4), 0ms, {}, scaled), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.refresh_identity(link(4), 1s, {}, RefreshOptions().link_per_minute(0)),
                 moneykit::InvalidArgumentError);
    EXPECT_THROW(client.wait_identity_newer(link(4), "not a time", 1s, {}, scaled), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.refresh_identity(std::string("a\0b", 3), 1s), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.request_identity_refresh(""), moneykit::InvalidArgumentError);
}

TEST(Refresh, IsoTextOfATimePoint) {
    EXPECT_EQ(moneykit::detail::iso_utc(fixture_time()), "2023-02-16T09:14:11.000000000Z");
    EXPECT_EQ(moneykit::detail::iso_utc(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000000000Z");
    const auto t = std::chrono::system_clock::time_point{} - std::chrono::microseconds(1);
    EXPECT_EQ(moneykit::detail::iso_utc(t), "1969-12-31T23:59:59.999999000Z");
}

}  // namespace
