// Per-call deadlines, cancellation, events and request ids (issue 12), against the sandbox.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using moneykit::CallOptions;
using moneykit::CancelToken;
using moneykit::Client;
using moneykit::Status;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

// --- cancellation ---------------------------------------------------------------------------

TEST(Cancel, FromAnotherThreadEndsASilentCallPromptly) {
    const Client client(mktest::fast());
    CancelToken token;
    std::atomic<long long> cancelled_at_ns{0};
    std::thread canceller([token, &cancelled_at_ns] {  // a copy: both share one handle
        std::this_thread::sleep_for(300ms);
        cancelled_at_ns = Clock::now().time_since_epoch().count();
        token.cancel();
    });
    const auto start = Clock::now();
    try {
        client.get_identity("mk_fault_silent", {}, CallOptions().cancel(token));
        ADD_FAILURE() << "no exception";
    } catch (const moneykit::CancelledError& e) {
        const auto now = Clock::now().time_since_epoch().count();
        EXPECT_EQ(e.status(), Status::cancelled) << e.json();
        EXPECT_EQ(e.name(), "MK_ERR_CANCELLED");
        const auto after_cancel_ms = (now - cancelled_at_ns.load()) / 1000000;
        EXPECT_LT(after_cancel_ms, 500) << "the library promises ~100 ms";
        EXPECT_GE(ms_since(start), 250) << "it waited for the cancel, not less";
    } catch (const moneykit::Error& e) {
        ADD_FAILURE() << "wrong error: " << e.json();
    }
    canceller.join();
    EXPECT_TRUE(token.cancelled());
}

TEST(Cancel, ATokenCancelledBeforehandStopsTheCallAtOnce) {
    const Client client(mktest::fast());
    CancelToken token;
    token.cancel();
    token.cancel();  // idempotent
    const auto start = Clock::now();
    EXPECT_THROW(client.get_identity("mk_fault_silent", {}, CallOptions().cancel(token)), moneykit::CancelledError);
    EXPECT_LT(ms_since(start), 500);
}

TEST(Cancel, OneTokenStopsManyCallsAndOutlivesItsCopies) {
    const Client client(mktest::fast());
    std::vector<std::thread> threads;
    std::atomic<int> cancelled{0}, other{0};
    std::optional<CancelToken> token{CancelToken()};
    const CallOptions call = CallOptions().cancel(*token);
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            try {
                client.get_identity_json("mk_fault_silent", {}, call);
                ++other;
            } catch (const moneykit::CancelledError&) {
                ++cancelled;
            } catch (...) {
                ++other;
            }
        });
    }
    std::this_thread::sleep_for(300ms);
    const CancelToken copy = *token;
    token.reset();  // the calls and `call` still hold the handle
    const auto start = Clock::now();
    copy.cancel();
    for (auto& t : threads) t.join();
    EXPECT_EQ(cancelled.load(), 4);
    EXPECT_EQ(other.load(), 0);
    EXPECT_LT(ms_since(start), 1000);
}

TEST(Cancel, AnUncancelledTokenChangesNothing) {
    const Client client(mktest::fast());
    const CancelToken token;
    EXPECT_FALSE(token.cancelled());
    EXPECT_NE(token.native_handle(), nullptr);
    EXPECT_EQ(client.get_identity("mk_sandbox_ok", {}, CallOptions().cancel(token)).accounts.size(), 2u);
}

// --- per-call deadlines ---------------------------------------------------------------------

TEST(Deadline, PerCallTimeoutOnASilentServer) {
    const Client client(mktest::fast());  // timeout_ms 10 s, deadline_ms 60 s: the call's own bound wins
    const auto start = Clock::now();
    try {
        client.get_identity("mk_fault_silent", {}, CallOptions().timeout(200ms));
        ADD_FAILURE() << "no exception";
    } catch (const moneykit::TimeoutError& e) {
        EXPECT_EQ(e.status(), Status::timeout) << e.json();
    }
    const auto took = ms_since(start);
    EXPECT_GE(took, 150);
    EXPECT_LT(took, 1000);
}

TEST(Deadline, SteadyAndSystemClockDeadlines) {
    const Client client(mktest::fast());
    auto start = Clock::now();
    EXPECT_THROW(client.get_identity("mk_fault_silent", {}, CallOptions().deadline(Clock::now() + 200ms)),
                 moneykit::TimeoutError);
    EXPECT_LT(ms_since(start), 1000);
    start = Clock::now();
    EXPECT_THROW(client.get_identity_json("mk_fault_silent", {},
                                          CallOptions().deadline(std::chrono::system_clock::now() + 200ms)),
                 moneykit::TimeoutError);
    EXPECT_LT(ms_since(start), 1000);
    // The earlier of timeout and deadline wins.
    start = Clock::now();
    EXPECT_THROW(client.get_identity("mk_fault_silent", {},
                                     CallOptions().deadline(Clock::now() + 1h).timeout(200ms)),
                 moneykit::TimeoutError);
    EXPECT_LT(ms_since(start), 1000);
}

TEST(Deadline, APassedDeadlineSendsNothing) {
    const Client client(mktest::fast());
    const auto before = mktest::stats()["requests"].get<int>();
    try {
        client.get_identity("mk_sandbox_ok", {}, CallOptions().deadline(Clock::now() - 1s));
        ADD_FAILURE() << "no exception";
    } catch (const moneykit::TimeoutError& e) {
        EXPECT_EQ(e.attempts(), 0u);
    }
    EXPECT_THROW(client.get_identity("mk_sandbox_ok", {}, CallOptions().timeout(0ms)), moneykit::TimeoutError);
    EXPECT_THROW(client.get_identity("mk_sandbox_ok", {}, CallOptions().timeout(-5s)), moneykit::TimeoutError);
    EXPECT_EQ(mktest::stats()["requests"].get<int>(), before);
}

TEST(Deadline, TimeoutMsArgument) {
    const auto now = Clock::now();
    EXPECT_EQ(CallOptions().timeout_ms(now), 0u) << "no bound: only the client's deadline_ms";
    EXPECT_EQ(CallOptions().timeout(1500us).timeout_ms(now), 2u) << "rounded up";
    EXPECT_EQ(CallOptions().deadline(now + 250ms).timeout_ms(now), 250u);
    EXPECT_EQ(CallOptions().deadline(now + 250ms).timeout(100ms).timeout_ms(now), 100u);
    EXPECT_EQ(CallOptions().deadline(now + 50ms).timeout(100ms).timeout_ms(now), 50u);
    EXPECT_EQ(CallOptions().deadline(now).timeout_ms(now), std::nullopt);
    EXPECT_GT(*CallOptions().timeout(std::chrono::hours::max()).timeout_ms(now), 1000000000000u)
        << "huge durations do not overflow";
}

TEST(Deadline, GenerousBoundsLetTheCallSucceed) {
    const Client client(mktest::fast());
    const auto r = client.get_identity("mk_sandbox_ok", {}, CallOptions().timeout(5s).deadline(Clock::now() + 5s));
    EXPECT_EQ(r.accounts.size(), 2u);
}

// --- request ids ----------------------------------------------------------------------------

TEST(RequestId, SuccessfulCallsExposeIt) {
    const Client client(mktest::fast());
    const moneykit::IdentityResult r = client.get_identity_result("mk_sandbox_ok");
    EXPECT_EQ(r.identity.accounts.size(), 2u);
    ASSERT_TRUE(r.request_id);
    EXPECT_EQ(r.request_id->rfind("req_", 0), 0u) << *r.request_id;
    const moneykit::IdentityJsonResult j = client.get_identity_json_result("mk_sandbox_ok", {}, CallOptions().timeout(5s));
    EXPECT_TRUE(nlohmann::json::parse(j.json).is_object());
    ASSERT_TRUE(j.request_id);
    EXPECT_NE(*j.request_id, *r.request_id) << "one id per response";
}

// --- events ---------------------------------------------------------------------------------

TEST(Events, OnePerAttemptWithRetryWaitAndRequestId) {
    Client client(mktest::fast().max_retries(1));  // a fresh client: its first call fetches a token
    std::mutex mutex;
    std::vector<moneykit::Event> events;
    client.on_event([&](const moneykit::Event& e) {
        const std::lock_guard<std::mutex> lock(mutex);
        events.push_back(e);
    });
    const std::string link = "mk_fault_503_once_cpp_" + mktest::unique_tag();
    const auto r = client.get_identity_result(link);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].method, "POST");
    EXPECT_EQ(events[0].path, "/auth/token");
    EXPECT_EQ(events[0].http_status, 201);
    EXPECT_EQ(events[0].status, Status::ok);
    EXPECT_EQ(events[0].attempt, 1u);
    EXPECT_EQ(events[0].retry_wait, std::nullopt);

    EXPECT_EQ(events[1].method, "GET");
    EXPECT_EQ(events[1].path, "/links/{id}/identity");
    EXPECT_EQ(events[1].http_status, 503);
    EXPECT_EQ(events[1].status, Status::server);
    EXPECT_EQ(events[1].attempt, 1u);
    EXPECT_EQ(events[1].retry_wait, std::chrono::milliseconds(1000)) << "Retry-After: 1";
    EXPECT_TRUE(events[1].request_id);

    EXPECT_EQ(events[2].http_status, 200);
    EXPECT_EQ(events[2].status, Status::ok);
    EXPECT_EQ(events[2].attempt, 2u);
    EXPECT_EQ(events[2].retry_wait, std::nullopt);
    ASSERT_TRUE(events[2].request_id);
    EXPECT_EQ(events[2].request_id, r.request_id) << "the event and the result agree";
    EXPECT_GE(events[2].elapsed.count(), 0);
    for (const auto& e : events) {
        EXPECT_EQ(e.path.find("mk_fault"), std::string::npos) << "the link id stays out of events";
        EXPECT_EQ(e.request_id.value_or("").find("mk_fault"), std::string::npos);
    }

    // Removing the handler stops the events.
    client.on_event(nullptr);
    client.get_identity("mk_sandbox_ok");
    EXPECT_EQ(events.size(), 3u);
}

TEST(Events, AThrowingHandlerDoesNotBreakTheCall) {
    Client client(mktest::fast());
    std::atomic<int> calls{0};
    client.on_event([&](const moneykit::Event&) {
        ++calls;
        throw std::runtime_error("the handler fails");
    });
    EXPECT_EQ(client.get_identity("mk_sandbox_ok").accounts.size(), 2u);
    EXPECT_EQ(calls.load(), 2) << "token and identity, both delivered";
    EXPECT_THROW(client.get_identity("mk_no_such_link_cpp"), moneykit::NotFoundError)
        << "errors still come from the library, not from the handler";
}

TEST(Events, HandlerReplacedWhileCallsRunAndClientMoved) {
    Client client(mktest::fast());
    std::atomic<int> first{0}, second{0};
    client.on_event([&](const moneykit::Event&) { ++first; });
    std::atomic<bool> stop{false};
    std::thread caller([&] {
        while (!stop) client.get_identity_json("mk_sandbox_ok");
    });
    std::thread setter([&] {  // a second thread setting handlers at the same time
        for (int i = 0; i < 20; ++i) {
            client.on_event([&](const moneykit::Event&) { ++second; });
            std::this_thread::sleep_for(1ms);
        }
    });
    for (int i = 0; i < 20; ++i) {
        client.on_event([&](const moneykit::Event&) { ++second; });
        client.on_event([&](const moneykit::Event&) { ++first; });
        std::this_thread::sleep_for(2ms);
    }
    setter.join();
    client.on_event([&](const moneykit::Event&) { ++first; });
    stop = true;
    caller.join();
    EXPECT_GT(first.load() + second.load(), 0);
    // The sink moves with the client; the moved-from client refuses a handler.
    Client moved(std::move(client));
    const int before = first.load();
    moved.get_identity("mk_sandbox_ok");
    EXPECT_EQ(first.load(), before + 1);
    EXPECT_THROW(client.on_event(nullptr), moneykit::InvalidArgumentError);  // NOLINT(bugprone-use-after-move)
}
