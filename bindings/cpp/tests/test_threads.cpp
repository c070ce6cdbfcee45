// One Client shared by many threads; clients created and destroyed concurrently.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using moneykit::Client;

namespace {
constexpr int kThreads = 8;
constexpr int kCallsPerThread = 20;
}  // namespace

TEST(Threads, ManyThreadsShareOneClientAndOneToken) {
    const int tokens_before = mktest::stats()["token_requests"].get<int>();
    const Client client(mktest::fast());  // token auth: the token is fetched on first use
    std::atomic<int> ok{0}, not_found{0}, wrong{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();  // start together: all need the token at once
            for (int i = 0; i < kCallsPerThread; ++i) {
                try {
                    if ((t + i) % 3 == 0) {
                        client.get_identity("mk_thread_missing_" + std::to_string(t));
                        ++wrong;
                    } else {
                        const auto r = client.get_identity("mk_sandbox_ok");
                        const bool good = r.accounts.size() == 2 && r.accounts[0].balances.available &&
                                          r.accounts[0].balances.available->text() == "340.12" &&
                                          r.accounts[0].owners.at(0).names.at(0) == "José Álvarez";
                        ++(good ? ok : wrong);
                    }
                } catch (const moneykit::NotFoundError& e) {
                    ++(e.http_status() == 404 ? not_found : wrong);
                } catch (...) {
                    ++wrong;
                }
            }
        });
    }
    go = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(ok.load() + not_found.load(), kThreads * kCallsPerThread);
    EXPECT_GT(not_found.load(), 0);
    EXPECT_EQ(mktest::stats()["token_requests"].get<int>() - tokens_before, 1)
        << "one token fetch for all threads";
}

TEST(Threads, ClientsCreatedMovedAndDestroyedConcurrently) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                Client a(mktest::fast().access_token("sandbox-access-token"));
                Client b(std::move(a));
                if (b.get_identity("mk_sandbox_minimal").accounts.size() == 2) ++ok;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), kThreads * 5);
}

TEST(Threads, ErrorsCrossThreads) {
    const Client client(mktest::fast());
    std::exception_ptr error;
    std::thread th([&] {
        try {
            client.get_identity("mk_sandbox_deleted");
        } catch (...) {
            error = std::current_exception();
        }
    });
    th.join();
    ASSERT_TRUE(error);
    try {
        std::rethrow_exception(error);
    } catch (const moneykit::LinkDeletedError& e) {
        EXPECT_EQ(e.http_status(), 410);
        EXPECT_EQ(e.error_code(), "link_error.deleted");
    }
}
