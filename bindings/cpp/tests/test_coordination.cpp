// coordination_url (issue 28): the app's budget shared through Redis. The URL is a secret (it
// may hold Redis's password): kept like access_token, in a buffer wiped when freed, and never
// in an error's message or an event. An unreachable Redis fails no call: the event handler
// sees one REDIS event for the loss while the calls succeed.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace {

const std::string kPassword = "s3cret-redis-pw";

/// A loopback port nothing listens on (bound, then let go).
int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

/// A Redis URL with a password, on a port where nothing listens.
std::string dead_redis_url() {
    return "redis://:" + kPassword + "@127.0.0.1:" + std::to_string(free_port()) + "/0";
}

moneykit::Options coordinated(const std::string& url) {
    return mktest::fast().base_url(mktest::base_url()).coordination_url(url);
}

/// Unsets an environment variable for a scope, then puts it back.
class WithoutEnv {
public:
    explicit WithoutEnv(const char* name) : name_(name) {
        if (const char* v = std::getenv(name)) saved_ = v;
        unsetenv(name);
    }
    ~WithoutEnv() {
        if (saved_) setenv(name_, saved_->c_str(), 1);
    }
    WithoutEnv(const WithoutEnv&) = delete;
    WithoutEnv& operator=(const WithoutEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> saved_;
};

}  // namespace

TEST(Coordination, TheUrlIsASecretKeptLikeTheAccessToken) {
    using moneykit::Options;
    EXPECT_TRUE(Options::is_secret("coordination_url"));
    std::string url = "redis://:a-password-long-enough-for-the-heap@10.0.0.5:6379/0";
    Options o;
    o.coordination_url(std::move(url));
    EXPECT_EQ(nlohmann::json::parse(o.json())["coordination_url"],
              "redis://:a-password-long-enough-for-the-heap@10.0.0.5:6379/0");
    EXPECT_EQ(std::string(o.secret_json().view()), o.json());
    // set_json() keeps it as a secret too; the caller's text stays the caller's.
    const std::string text = R"("redis://:another-password-long-enough@10.0.0.5/1")";
    o.set_json("coordination_url", text);
    EXPECT_EQ(text, R"("redis://:another-password-long-enough@10.0.0.5/1")");
    EXPECT_EQ(nlohmann::json::parse(o.json())["coordination_url"], "redis://:another-password-long-enough@10.0.0.5/1");
    const Options copy = o;
    EXPECT_EQ(copy.json(), o.json());
}

TEST(Coordination, RefusedOptionsNeverQuoteTheUrl) {
    const std::string url = dead_redis_url();
    std::vector<std::string> messages;
    auto refused = [&](auto make) {
        try {
            make();
            ADD_FAILURE() << "not refused";
        } catch (const moneykit::InvalidArgumentError& e) {
            messages.emplace_back(e.what());
        }
    };
    {
        // No client id to name the app's keys (also with an access token).
        const WithoutEnv no_id("MONEYKIT_CLIENT_ID");
        refused([&] { moneykit::Client c(coordinated(url).access_token("sandbox-access-token")); });
    }
    refused([&] {
        moneykit::Client c("sandbox-client", "sandbox-secret", coordinated(url).coordination_reserve_per_minute(600));
    });
    refused([&] {
        moneykit::Client c("sandbox-client", "sandbox-secret", coordinated("http://:" + kPassword + "@127.0.0.1/0"));
    });
    ASSERT_EQ(messages.size(), 3u);
    for (const auto& m : messages) {
        EXPECT_NE(m.find("coordination"), std::string::npos) << m;
        EXPECT_EQ(m.find(kPassword), std::string::npos) << m;
    }
}

TEST(Coordination, AnUnreachableRedisFailsNoCallAndIsOneEvent) {
    moneykit::Client client("sandbox-client", "sandbox-secret", coordinated(dead_redis_url()));
    std::mutex mutex;
    std::vector<moneykit::Event> events;
    client.on_event([&](const moneykit::Event& e) {
        const std::lock_guard<std::mutex> lock(mutex);
        events.push_back(e);
    });
    // Distinct links: while Redis is lost this process allows itself one call per link a
    // minute (its share of MoneyKit's 3).
    for (const std::string link : {"mk_sandbox_ok", "mk_sandbox_bulk_9000001", "mk_sandbox_bulk_9000002"}) {
        EXPECT_EQ(client.get_identity(link).link.link_id, link);
    }
    std::vector<moneykit::Event> redis, gets;
    for (const auto& e : events) {
        (e.method == "REDIS" ? redis : gets).push_back(e);
        EXPECT_EQ(e.path.find(kPassword), std::string::npos);
    }
    ASSERT_EQ(redis.size(), 1u) << "one event for the loss";
    const auto& lost = redis[0];
    EXPECT_EQ(lost.path, "coordination");
    EXPECT_EQ(lost.http_status, std::nullopt);
    EXPECT_TRUE(lost.status == moneykit::Status::transport || lost.status == moneykit::Status::timeout)
        << static_cast<int>(lost.status);
    EXPECT_EQ(lost.retry_wait, std::chrono::milliseconds(1000)) << "when Redis is tried again";
    EXPECT_EQ(lost.request_id, std::nullopt);
    size_t ok = 0;
    for (const auto& e : gets) {
        if (e.method == "GET" && e.status == moneykit::Status::ok) ++ok;
    }
    EXPECT_EQ(ok, 3u);
}
