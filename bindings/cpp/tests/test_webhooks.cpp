// Webhooks: a sandbox of the test's own delivering (signed, on loopback) to a small HTTP
// receiver here; WebhookVerifier's typed events, duplicates, the forged magic ids and the shared
// table of forged deliveries (tests/webhooks/forged.json) with their reasons; RefreshWaiter.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Received {
    std::string signature;  // empty: none
    bool has_signature = false;
    std::string body;
};

/// A one-thread HTTP server on 127.0.0.1: every request's MoneyKit-Signature and body go to
/// `handle`, whose return value is the status answered (default: queue it and answer 200).
class Receiver {
public:
    using Handler = std::function<int(const Received&)>;

    Receiver() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = 0;
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0) {
            throw std::runtime_error("receiver: cannot listen");
        }
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        url_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hooks/moneykit";
        thread_ = std::thread([this] { run(); });
    }
    ~Receiver() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        close(fd_);
        thread_.join();
    }
    const std::string& url() const { return url_; }

    /// Sets the handler; returns once a handler still running has returned.
    void set_handler(Handler h) {
        std::lock_guard<std::mutex> running(run_mu_);
        std::lock_guard<std::mutex> lock(mu_);
        handler_ = std::move(h);
    }

    /// The next request queued by the default handler.
    Received next(std::chrono::milliseconds wait = 10s) {
        std::unique_lock<std::mutex> lock(mu_);
        if (!cv_.wait_for(lock, wait, [&] { return !queue_.empty(); })) throw std::runtime_error("no delivery in time");
        Received r = std::move(queue_.front());
        queue_.pop_front();
        return r;
    }

private:
    void run() {
        while (!stop_) {
            const int c = accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            serve(c);
            close(c);
        }
    }

    void serve(int c) {
        std::string raw;
        char buf[65536];
        std::size_t head_end = std::string::npos, want = 0;
        for (;;) {
            const ssize_t n = recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            raw.append(buf, static_cast<std::size_t>(n));
            if (head_end == std::string::npos && (head_end = raw.find("\r\n\r\n")) != std::string::npos) {
                std::string head = raw.substr(0, head_end);
                std::string lower = head;
                for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                const auto cl = lower.find("\r\ncontent-length:");
                want = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 17));
            }
            if (head_end != std::string::npos && raw.size() >= head_end + 4 + want) break;
        }
        Received r;
        std::istringstream lines(raw.substr(0, head_end));
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (name == "moneykit-signature") {
                r.has_signature = true;
                r.signature = line.substr(line.find_first_not_of(' ', colon + 1));
            }
        }
        r.body = raw.substr(head_end + 4, want);
        std::unique_lock<std::mutex> running(run_mu_);
        Handler h;
        {
            std::lock_guard<std::mutex> lock(mu_);
            h = handler_;
        }
        int status = 200;
        if (h) {
            status = h(r);
        } else {
            std::lock_guard<std::mutex> lock(mu_);
            queue_.push_back(std::move(r));
            cv_.notify_all();
        }
        running.unlock();
        const std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
    }

    int fd_ = -1;
    std::string url_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::mutex run_mu_;  // held while a handler runs
    std::condition_variable cv_;
    std::deque<Received> queue_;
    Handler handler_;
};

/// Clears a receiver's handler when the test ends (the handler refers to the test's objects).
struct HandlerGuard {
    Receiver& r;
    ~HandlerGuard() { r.set_handler(nullptr); }
};

/// A sandbox delivering to a receiver, 20 times faster, and a client of it.
struct Env {
    explicit Env(std::vector<std::string> extra = {})
        : sandbox([&] {
              std::vector<std::string> args = {"--webhook-url", receiver.url(), "--time-scale", "20"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()),
          client("sandbox-client", "sandbox-secret", mktest::fast().base_url(sandbox.url())) {}

    void trigger(const std::string& link, const std::string& event, const std::string& key) const {
        const nlohmann::json body = {{"webhook_event", event}, {"webhook_idempotency_key", key}};
        const mktest::HttpResponse r = mktest::http(
            sandbox.url(), "POST", "/webhooks/test/link/" + link,
            {"X-Client-Id: sandbox-client", "X-Client-Secret: sandbox-secret", "moneykit-version: 2023-02-18",
             "Content-Type: application/json"},
            body.dump());
        ASSERT_EQ(r.status, 200) << r.body;
    }

    nlohmann::json link_stats(const std::string& link) const {
        return nlohmann::json::parse(mktest::http(sandbox.url(), "GET", "/_sandbox/links/" + link).body);
    }

    Receiver receiver;  // first: the sandbox needs its URL
    mktest::SandboxProcess sandbox;
    moneykit::Client client;
};

std::optional<std::string_view> sig_of(const Received& r) {
    if (!r.has_signature) return std::nullopt;
    return std::string_view(r.signature);
}

}  // namespace

TEST(Webhooks, SandboxDeliveriesAreTypedEvents) {
    Env env;
    const moneykit::WebhookVerifier v = env.client.webhook_verifier();
    env.trigger("mk_sandbox_ok", "link.state_changed", "cpp-typed-1");
    Received r = env.receiver.next();
    moneykit::WebhookDelivery d = v.verify(sig_of(r), r.body);
    ASSERT_EQ(d.status, moneykit::DeliveryStatus::fresh);
    EXPECT_EQ(d.type, "link.state_changed");
    EXPECT_EQ(d.idempotency_key, "cpp-typed-1");
    EXPECT_EQ(d.body, r.body);
    const auto* sc = std::get_if<moneykit::LinkStateChanged>(&d.event);
    ASSERT_NE(sc, nullptr);
    EXPECT_EQ(sc->state_kind(), moneykit::LinkState::connected);
    EXPECT_EQ(sc->link_id, "mk_sandbox_ok");
    EXPECT_EQ(sc->webhook_major_version, 1);
    EXPECT_FALSE(sc->error.has_value());
    EXPECT_EQ(moneykit::common(d.event).webhook_event_kind(), moneykit::WebhookEventType::link_state_changed);
    EXPECT_GT(sc->webhook_timestamp.unix_seconds(), 1700000000);
    // A copy before done(): in flight (409); after done(true): a duplicate (2xx).
    EXPECT_EQ(v.verify(sig_of(r), r.body).status, moneykit::DeliveryStatus::in_flight);
    EXPECT_EQ(moneykit::webhook_http_status(moneykit::DeliveryStatus::in_flight), 409);
    v.done(d, true);
    const moneykit::WebhookDelivery dup = v.verify(sig_of(r), r.body);
    EXPECT_EQ(dup.status, moneykit::DeliveryStatus::duplicate);
    EXPECT_TRUE(std::holds_alternative<moneykit::LinkStateChanged>(dup.event));

    env.trigger("mk_sandbox_ok", "link.product_refresh", "cpp-typed-2");
    r = env.receiver.next();
    d = v.verify(sig_of(r), r.body);
    const auto* pr = std::get_if<moneykit::LinkProductRefresh>(&d.event);
    ASSERT_NE(pr, nullptr);
    EXPECT_EQ(pr->product_kind(), moneykit::WebhookProduct::identity);
    EXPECT_EQ(pr->state_kind(), moneykit::ProductRefreshState::completed);
    EXPECT_GT(pr->state_changed_at.unix_seconds(), 1700000000);
    v.done(d, true);

    env.trigger("mk_sandbox_ok", "transactions.updates_available", "cpp-typed-3");
    r = env.receiver.next();
    d = v.verify(sig_of(r), r.body);
    const auto* tu = std::get_if<moneykit::TransactionsUpdatesAvailable>(&d.event);
    ASSERT_NE(tu, nullptr);
    EXPECT_TRUE(tu->has_history);
    v.done(d, true);

    // An event newer than this header: UnknownEvent, never refused.
    env.trigger("mk_sandbox_ok", "product.state_changed", "cpp-typed-4");
    r = env.receiver.next();
    d = v.verify(sig_of(r), r.body);
    const auto* u = std::get_if<moneykit::UnknownEvent>(&d.event);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->webhook_event, "product.state_changed");
    EXPECT_EQ(u->webhook_event_kind(), moneykit::WebhookEventType::product_state_changed);
    EXPECT_EQ(u->json, r.body);
    v.done(d, false);  // released: the same event is fresh again
    EXPECT_EQ(v.verify(sig_of(r), r.body).status, moneykit::DeliveryStatus::fresh);
}

TEST(Webhooks, DuplicatedDeliveryIsHandledOnce) {
    Env env;
    const moneykit::WebhookVerifier v = env.client.webhook_verifier();
    env.trigger("mk_webhook_duplicate", "link.product_refresh", "cpp-dup-1");
    const Received first = env.receiver.next(), second = env.receiver.next();
    EXPECT_EQ(first.body, second.body);
    const moneykit::WebhookDelivery d = v.verify(sig_of(first), first.body);
    ASSERT_EQ(d.status, moneykit::DeliveryStatus::fresh);
    EXPECT_EQ(v.verify(sig_of(second), second.body).status, moneykit::DeliveryStatus::in_flight);
    v.done(d, true);
    EXPECT_EQ(v.verify(sig_of(second), second.body).status, moneykit::DeliveryStatus::duplicate);
}

TEST(Webhooks, ForgedMagicIdsThrowSignatureErrorWithTheReason) {
    Env env;
    const moneykit::WebhookVerifier v = env.client.webhook_verifier();
    const std::vector<std::pair<std::string, std::string>> forged = {
        {"mk_webhook_bad_signature", "signature"}, {"mk_webhook_stale_iat", "iat_too_old"},
        {"mk_webhook_future_iat", "iat_in_future"}, {"mk_webhook_unknown_kid", "kid_unknown"},
        {"mk_webhook_tampered_body", "body_hash"}, {"mk_webhook_alg_none", "alg"},
        {"mk_webhook_hs256", "alg"}};
    for (const auto& [link, reason] : forged) {
        env.trigger(link, "link.product_refresh", "cpp-" + link);
        const Received r = env.receiver.next();
        try {
            v.verify(sig_of(r), r.body);
            ADD_FAILURE() << link << ": accepted";
        } catch (const moneykit::SignatureError& e) {
            EXPECT_EQ(e.reason().value_or("<none>"), reason) << link << ": " << e.what();
            EXPECT_EQ(e.status(), moneykit::Status::signature);
            EXPECT_EQ(moneykit::webhook_http_status(e), 400);
            EXPECT_EQ(std::string(e.what()).find("cpp-mk_webhook"), std::string::npos) << e.what();
        }
    }
    // No header at all, or a NUL inside it: malformed.
    for (const std::optional<std::string_view> sig :
         {std::optional<std::string_view>(), std::optional<std::string_view>(std::string_view("a\0b", 3))}) {
        try {
            v.verify(sig, "{}");
            ADD_FAILURE() << "accepted";
        } catch (const moneykit::SignatureError& e) {
            EXPECT_EQ(e.reason().value_or("<none>"), "malformed");
        }
    }
}

TEST(Webhooks, SharedForgedTableIsRefusedWithEachReason) {
    std::ifstream in(std::string(MONEYKIT_TEST_WEBHOOKS_DIR) + "/forged.json");
    ASSERT_TRUE(in) << "tests/webhooks/forged.json";
    const nlohmann::json table = nlohmann::json::parse(in);
    ASSERT_GE(table["cases"].size(), 30u);
    // A sandbox signing with the table's key publishes it under the table's kid.
    mktest::SandboxProcess sandbox({"--webhook-key", std::string(MONEYKIT_TEST_WEBHOOKS_DIR) + "/forged_key.pem"});
    const nlohmann::json keys = nlohmann::json::parse(
        mktest::http(sandbox.url(), "GET", "/.well-known/jwks.json", {"X-Client-Id: sandbox-client"}).body);
    ASSERT_EQ(keys["keys"][0]["kid"], table["kid"]);
    const moneykit::Client client("sandbox-client", "sandbox-secret", mktest::fast().base_url(sandbox.url()));
    const moneykit::WebhookVerifier v =
        client.webhook_verifier(moneykit::WebhookOptions().max_body_bytes(table["max_body_bytes"].get<std::uint64_t>()));
    std::set<std::string> reasons;
    for (const nlohmann::json& c : table["cases"]) {
        const std::string name = c["name"].get<std::string>();
        std::string body = c["body"].get<std::string>();
        if (c.contains("repeat")) {
            std::string rep;
            for (int i = 0; i < c["repeat"].get<int>(); ++i) rep += body;
            body = rep;
        }
        std::optional<std::string> sig;
        if (!c["signature"].is_null()) sig = c["signature"].get<std::string>();
        try {
            v.verify(sig ? std::optional<std::string_view>(*sig) : std::nullopt, body);
            ADD_FAILURE() << name << ": accepted";
        } catch (const moneykit::SignatureError& e) {
            EXPECT_EQ(e.reason().value_or("<none>"), c["reason"].get<std::string>()) << name << ": " << e.what();
            reasons.insert(*e.reason());
        }
    }
    EXPECT_GE(reasons.size(), 7u);
}

TEST(Webhooks, OptionsAreChecked) {
    Env env;
    EXPECT_THROW(env.client.webhook_verifier(moneykit::WebhookOptions().tolerance(2h)), moneykit::InvalidArgumentError);
    EXPECT_THROW(env.client.webhook_verifier(moneykit::WebhookOptions().set_json("no_such_key", "1")),
                 moneykit::InvalidArgumentError);
    const moneykit::Client token_only(mktest::fast().base_url(env.sandbox.url()).access_token("sandbox-access-token"));
    EXPECT_THROW(token_only.webhook_verifier(), moneykit::InvalidArgumentError);
    // With a client_id it works; seen_max 0 turns the duplicate check off.
    moneykit::WebhookVerifier v =
        token_only.webhook_verifier(moneykit::WebhookOptions().client_id("sandbox-client").seen_max(0));
    env.trigger("mk_sandbox_ok", "link.state_changed", "cpp-opt-1");
    const Received r = env.receiver.next();
    EXPECT_EQ(v.verify(sig_of(r), r.body).status, moneykit::DeliveryStatus::fresh);
    EXPECT_EQ(v.verify(sig_of(r), r.body).status, moneykit::DeliveryStatus::fresh);
    // The verifier outlives a moved-from client handle: it keeps the C client alive.
    moneykit::WebhookVerifier moved = std::move(v);
    EXPECT_FALSE(static_cast<bool>(v));  // NOLINT(bugprone-use-after-move): checked on purpose
    EXPECT_THROW(v.verify(sig_of(r), r.body), moneykit::InvalidArgumentError);
    EXPECT_EQ(moved.verify(sig_of(r), r.body).status, moneykit::DeliveryStatus::fresh);
}

TEST(RefreshWaiter, ReturnsOnTheCompletedEvent) {
    Env env;
    const moneykit::WebhookVerifier v = env.client.webhook_verifier();
    moneykit::RefreshWaiter waiter(env.client);
    std::atomic<int> taken{0};
    const HandlerGuard guard{env.receiver};
    env.receiver.set_handler([&](const Received& r) {
        try {
            const moneykit::WebhookDelivery d = v.verify(sig_of(r), r.body);
            if (d.status != moneykit::DeliveryStatus::fresh) return moneykit::webhook_http_status(d.status);
            if (waiter.deliver(d.event)) ++taken;
            v.done(d, true);
            return 200;
        } catch (const moneykit::Error& e) {
            return moneykit::webhook_http_status(e);
        }
    });
    const auto start = std::chrono::steady_clock::now();
    const moneykit::IdentityResponse fresh = waiter.refresh_identity("mk_sandbox_ok", 30s, 60s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_TRUE(fresh.refreshed_at().has_value());
    // deliver() returned true on the receiver's thread, which counts it just after.
    for (int i = 0; i < 200 && taken.load() == 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(taken.load(), 1);
    // One Get Identity before, one after the event: no polling.
    const nlohmann::json stats = env.link_stats("mk_sandbox_ok");
    EXPECT_EQ(stats["identity_requests"], 2);
    EXPECT_EQ(stats["refresh_requests"], 1);
}

TEST(RefreshWaiter, FallsBackToPollingWithoutEvents) {
    Env env;
    moneykit::RefreshWaiter waiter(env.client);
    const HandlerGuard guard{env.receiver};
    env.receiver.set_handler([](const Received&) { return 200; });  // answered, never delivered
    const auto start = std::chrono::steady_clock::now();
    const moneykit::IdentityResponse fresh =
        waiter.refresh_identity("mk_sandbox_ok", 20s, 300ms, moneykit::RefreshOptions().time_scale(20));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
    EXPECT_TRUE(fresh.refreshed_at().has_value());
    EXPECT_GE(env.link_stats("mk_sandbox_ok")["identity_requests"].get<int>(), 2);
}
