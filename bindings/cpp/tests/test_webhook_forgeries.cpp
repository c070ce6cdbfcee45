// The sandbox's shared table of forged or damaged deliveries (GET /_sandbox/webhooks/forgeries,
// made with its current key and clock): each refused by WebhookVerifier::verify with
// SignatureError and exactly the entry's reason; none accepted. The Rust core, Python and Go
// check the same table.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

TEST(WebhookForgeries, EveryForgeryOfTheSandboxIsRefusedWithItsReason) {
    mktest::SandboxProcess sandbox;
    const mktest::HttpResponse r = mktest::http(sandbox.url(), "GET", "/_sandbox/webhooks/forgeries");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 200);
    const nlohmann::json table = nlohmann::json::parse(r.body)["forgeries"];
    ASSERT_GE(table.size(), 30u);
    const moneykit::Client client("sandbox-client", "sandbox-secret", mktest::fast().base_url(sandbox.url()));
    const moneykit::WebhookVerifier v = client.webhook_verifier();
    std::set<std::string> reasons;
    for (const nlohmann::json& f : table) {
        const std::string name = f["name"].get<std::string>();
        const std::string want = f["reason"].get<std::string>();
        const std::string body = f["body"].get<std::string>();
        std::optional<std::string> sig;
        if (!f["signature"].is_null()) sig = f["signature"].get<std::string>();
        try {
            v.verify(sig ? std::optional<std::string_view>(*sig) : std::nullopt, body);
            ADD_FAILURE() << name << ": accepted, want " << want;
        } catch (const moneykit::SignatureError& e) {
            EXPECT_EQ(e.reason().value_or("<none>"), want) << name << ": " << e.what();
            if (e.reason() == want) reasons.insert(want);
        } catch (const moneykit::Error& e) {
            ADD_FAILURE() << name << ": " << e.what() << ", want " << want;
        }
    }
    EXPECT_EQ(reasons.size(), 9u);
}
