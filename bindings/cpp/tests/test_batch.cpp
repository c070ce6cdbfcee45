// Client::identities(): the Batch range over mk_batch_* against the realistic sandbox.
#include "realistic.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace mktest {

SandboxProcess& realistic_sandbox() {
    static SandboxProcess sandbox({"--realistic", "--time-scale", "60", "--latency-ms", "60,30",
                                   "--refresh-delay-ms", "10000"});
    return sandbox;
}

moneykit::Options realistic_options() {
    return moneykit::Options().base_url(realistic_sandbox().url()).access_token("sandbox-access-token");
}

nlohmann::json realistic_stats() {
    return nlohmann::json::parse(http(realistic_sandbox().url(), "GET", "/_sandbox/stats").body);
}

nlohmann::json realistic_link(const std::string& link_id) {
    return nlohmann::json::parse(http(realistic_sandbox().url(), "GET", "/_sandbox/links/" + link_id).body);
}

}  // namespace mktest

namespace {

using moneykit::Batch;
using moneykit::BatchOptions;
using moneykit::BatchResult;

/// `n` bulk links no other test uses (each test takes its own range).
std::vector<std::string> bulk(std::size_t first, std::size_t n) {
    std::vector<std::string> links;
    for (std::size_t i = first; i < first + n; ++i) links.push_back("mk_sandbox_bulk_" + std::to_string(i));
    return links;
}

TEST(Batch, ThreeHundredLinksEachOnceWithoutRateLimits) {
    moneykit::Client client(mktest::realistic_options());
    const std::vector<std::string> links = bulk(1000, 300);
    const auto before = mktest::realistic_stats();

    Batch batch = client.identities(links, BatchOptions().time_scale(mktest::kScale));
    EXPECT_EQ(batch.size(), 300u);
    std::vector<int> seen(links.size(), 0);
    std::size_t ok = 0;
    for (const BatchResult& r : batch) {
        ASSERT_LT(r.index, links.size());
        ++seen[r.index];
        EXPECT_EQ(r.link_id, links[r.index]);
        ASSERT_TRUE(r.ok()) << r.link_id << ": " << (r.error ? r.error->what() : "");
        EXPECT_FALSE(r.error.has_value());
        EXPECT_EQ(r.identity->link.link_id, r.link_id);
        EXPECT_FALSE(r.json.empty());
        EXPECT_EQ(r.value().accounts.size(), 2u);
        ++ok;
    }
    EXPECT_TRUE(batch.done());
    EXPECT_EQ(ok, links.size());
    for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << links[i];

    const moneykit::BatchProgress p = batch.progress();
    EXPECT_EQ(p.total, 300u);
    EXPECT_EQ(p.done, 300u);
    EXPECT_EQ(p.ok, 300u);
    EXPECT_EQ(p.failed, 0u);
    EXPECT_EQ(p.rate_limited, 0u);
    EXPECT_FALSE(p.cancelled);
    EXPECT_DOUBLE_EQ(p.allowed_per_minute, 600 * mktest::kScale);

    const auto after = mktest::realistic_stats();
    EXPECT_EQ(after["rate_limited"].get<long>() - before["rate_limited"].get<long>(), 0) << after.dump();
    EXPECT_GE(after["identity_requests"].get<long>() - before["identity_requests"].get<long>(), 300);
    EXPECT_LE(mktest::realistic_link(links[0])["max_in_window"].get<long>(), 3);
    // The app limit allows 300 links in half a scaled minute (0.5 s): the batch must not beat
    // it (it would have been refused), and a loaded machine may take longer.
    EXPECT_GE(p.elapsed, 450ms);
}

TEST(Batch, CancelStopsIt) {
    moneykit::Client client(mktest::realistic_options());
    const std::vector<std::string> links = bulk(2000, 300);
    // Unscaled: 600 a minute is 10 a second, so 300 links would take 30 s.
    Batch batch = client.identities(links, BatchOptions().concurrency(4));
    std::size_t results = 0, cancelled = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const BatchResult& r : batch) {
        ++results;
        if (results == 3) batch.cancel();
        if (!r.ok() && r.error->status() == moneykit::Status::cancelled) ++cancelled;
    }
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(results, 3u);
    EXPECT_LT(results, 20u);
    EXPECT_LT(took, 5s);
    EXPECT_TRUE(batch.done());
    const moneykit::BatchProgress p = batch.progress();
    EXPECT_TRUE(p.cancelled);
    EXPECT_EQ(p.done, results);
    EXPECT_EQ(p.failed, cancelled);
    EXPECT_EQ(p.in_flight, 0u);
    batch.cancel();  // again: a no-op
}

TEST(Batch, CancelFromAnotherThreadWhileProgressIsRead) {
    moneykit::Client client(mktest::realistic_options());
    Batch batch = client.identities(bulk(3000, 200), BatchOptions().concurrency(2));
    std::atomic<bool> stop{false};
    std::thread watcher([&] {
        while (!stop.load()) {
            const auto p = batch.progress();
            if (p.done >= 2) batch.cancel();
            std::this_thread::sleep_for(5ms);
        }
    });
    std::size_t n = 0;
    for (const BatchResult& r : batch) {
        (void)r;
        ++n;
    }
    stop = true;
    watcher.join();
    EXPECT_LT(n, 200u);
    EXPECT_TRUE(batch.progress().cancelled);
}

TEST(Batch, DestroyedUndrainedAndOutlivingItsClient) {
    std::optional<Batch> batch;
    auto events = std::make_shared<std::atomic<int>>(0);
    {
        moneykit::Client client(mktest::realistic_options());
        client.on_event([events](const moneykit::Event&) { ++*events; });
        batch.emplace(client.identities(bulk(4000, 20), BatchOptions().time_scale(mktest::kScale)));
        Batch other = client.identities(bulk(4100, 50));
        // `other` is destroyed here with results not taken, then `client`, while `batch` runs.
    }
    // The batch keeps the C client and its event handler alive.
    std::set<std::size_t> seen;
    while (std::optional<BatchResult> r = batch->next()) {
        EXPECT_TRUE(r->ok()) << r->link_id;
        EXPECT_TRUE(seen.insert(r->index).second);
    }
    EXPECT_EQ(seen.size(), 20u);
    EXPECT_TRUE(batch->done());
    EXPECT_FALSE(batch->next(0ms).has_value());  // and for ever after
    EXPECT_GE(events->load(), 20);
    batch.reset();  // frees the batch, then the client
}

TEST(Batch, ErrorsAreResults) {
    moneykit::Client client(mktest::fast());  // the shared sandbox: magic ids, no limits
    const std::string missing = "mk_missing_" + mktest::unique_tag();
    Batch batch = client.identities(std::vector<std::string>{"mk_sandbox_ok", missing, "mk_sandbox_forbidden"},
                                    BatchOptions().time_scale(1000).link_per_minute(1000).app_per_minute(100000));
    std::map<std::string, BatchResult> by_link;
    for (auto it = batch.begin(); it != batch.end(); ++it) by_link.emplace(it->link_id, *it);
    ASSERT_EQ(by_link.size(), 3u);
    EXPECT_TRUE(by_link.at("mk_sandbox_ok").ok());
    const BatchResult& nf = by_link.at(missing);
    ASSERT_FALSE(nf.ok());
    EXPECT_TRUE(nf.json.empty());
    EXPECT_EQ(nf.error->status(), moneykit::Status::not_found);
    EXPECT_THROW(nf.value(), moneykit::NotFoundError);
    EXPECT_THROW(nf.rethrow(), moneykit::NotFoundError);
    EXPECT_THROW(by_link.at("mk_sandbox_forbidden").value(), moneykit::ForbiddenError);
    EXPECT_THROW(by_link.at("mk_sandbox_ok").rethrow(), moneykit::InvalidArgumentError);
}

TEST(Batch, AnyRangeOfStringsAndPolling) {
    moneykit::Client client(mktest::fast());
    const std::vector<std::string_view> links = {"mk_sandbox_ok", "mk_sandbox_unicode"};
    Batch batch = client.identities(links, BatchOptions().time_scale(1000));
    std::size_t n = 0;
    while (!batch.done()) {
        if (auto r = batch.next(10ms)) {
            EXPECT_TRUE(r->ok());
            ++n;
        }
    }
    EXPECT_EQ(n, 2u);
    // An empty batch is done at once.
    Batch empty = client.identities(std::vector<std::string>{});
    EXPECT_EQ(empty.begin(), empty.end());
}

TEST(Batch, BadArgumentsStartNothing) {
    moneykit::Client client(mktest::fast());
    EXPECT_THROW(client.identities({"mk_sandbox_ok"}, BatchOptions().concurrency(0)), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.identities({"mk_sandbox_ok"}, BatchOptions().set_json("bogus", "1")), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.identities({"mk_sandbox_ok", ""}), moneykit::InvalidArgumentError);
    EXPECT_THROW(client.identities({std::string("a\0b", 3)}), moneykit::InvalidArgumentError);
    moneykit::Client moved(std::move(client));
    EXPECT_THROW(client.identities({"mk_sandbox_ok"}), moneykit::InvalidArgumentError);  // NOLINT(bugprone-use-after-move)
    Batch batch = moved.identities({"mk_sandbox_ok"});
    Batch taken(std::move(batch));
    EXPECT_FALSE(batch);  // NOLINT(bugprone-use-after-move)
    EXPECT_THROW(batch.progress(), moneykit::InvalidArgumentError);
    batch.cancel();  // a no-op on a moved-from batch
    EXPECT_TRUE(taken);
    std::size_t n = 0;
    for (const auto& r : taken) n += r.ok() ? 1 : 0;
    EXPECT_EQ(n, 1u);
}

}  // namespace
