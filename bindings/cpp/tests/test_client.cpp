// The Client against the sandbox: every status, the options, move semantics.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

using moneykit::Client;
using moneykit::Options;
using moneykit::Status;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

/// Runs `call`, expecting an exception of class T with `status`; returns it for more checks.
template <class T>
T expect_error(Status status, const std::function<void()>& call) {
    try {
        call();
    } catch (const T& e) {
        EXPECT_EQ(e.status(), status) << e.json();
        EXPECT_EQ(e.name(), moneykit::status_name(status));
        EXPECT_FALSE(std::string(e.what()).empty());
        EXPECT_TRUE(nlohmann::json::parse(e.json()).is_object()) << e.json();
        return e;
    } catch (const moneykit::Error& e) {
        ADD_FAILURE() << "wrong error class or status: " << e.json();
        throw;
    }
    ADD_FAILURE() << "no exception; expected " << moneykit::status_name(status);
    throw std::logic_error("no exception");
}

struct StatusCase {
    const char* link_id;
    Status status;
    int http_status;  // 0: none expected
    const char* error_code;  // nullptr: none expected
    std::function<bool(const moneykit::Error&)> is_class;
};

template <class T>
std::function<bool(const moneykit::Error&)> is_a() {
    return [](const moneykit::Error& e) { return dynamic_cast<const T*>(&e) != nullptr; };
}

std::string sandbox_token() { return "sandbox-access-token"; }

}  // namespace

// --- every status ---------------------------------------------------------------------------

TEST(ClientStatus, OkForTheDefaultLink) {
    const Client client(mktest::fast());
    const auto identity = client.get_identity("mk_sandbox_ok");
    EXPECT_EQ(identity.link.link_id, "mk_sandbox_ok");
    EXPECT_EQ(identity.accounts.size(), 2u);
}

class ClientStatusByLink : public ::testing::TestWithParam<StatusCase> {};

TEST_P(ClientStatusByLink, ThrowsTheRightError) {
    const StatusCase& c = GetParam();
    const Client client(mktest::fast());
    try {
        client.get_identity(c.link_id);
        FAIL() << c.link_id << ": no exception";
    } catch (const moneykit::Error& e) {
        EXPECT_EQ(e.status(), c.status) << e.json();
        EXPECT_TRUE(c.is_class(e)) << c.link_id << ": wrong class for " << e.json();
        EXPECT_EQ(e.name(), moneykit::status_name(c.status));
        if (c.http_status) {
            EXPECT_EQ(e.http_status(), c.http_status) << e.json();
            EXPECT_TRUE(e.request_id()) << "the sandbox always sends x-request-id: " << e.json();
            EXPECT_GE(e.attempts(), 1u);
        }
        if (c.error_code) {
            EXPECT_EQ(e.error_code(), c.error_code) << e.json();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    SandboxLinks, ClientStatusByLink,
    ::testing::Values(
        StatusCase{"mk_sandbox_forbidden", Status::forbidden, 403, "link_error.forbidden_action", is_a<moneykit::ForbiddenError>()},
        StatusCase{"mk_sandbox_deleted", Status::link_deleted, 410, "link_error.deleted", is_a<moneykit::LinkDeletedError>()},
        StatusCase{"mk_sandbox_bad_state", Status::link_bad_state, 422, "link_error.bad_state", is_a<moneykit::LinkBadStateError>()},
        StatusCase{"mk_sandbox_validation", Status::http, 422, "api_error.request.validation_failed", is_a<moneykit::HttpError>()},
        StatusCase{"mk_sandbox_bad_request", Status::http, 400, nullptr, is_a<moneykit::HttpError>()},
        StatusCase{"mk_sandbox_other_app", Status::unauthorized, 401, "link_error.unauthorized_access", is_a<moneykit::UnauthorizedError>()},
        StatusCase{"mk_sandbox_rate_limited_long", Status::rate_limited, 429, "api_error.rate_limit_exceeded", is_a<moneykit::RateLimitedError>()},
        StatusCase{"mk_no_such_link", Status::not_found, 404, "link_error.not_found", is_a<moneykit::NotFoundError>()},
        StatusCase{"mk_fault_500", Status::server, 500, nullptr, is_a<moneykit::ServerError>()},
        StatusCase{"mk_fault_503", Status::server, 503, nullptr, is_a<moneykit::ServerError>()},
        StatusCase{"mk_fault_html_502", Status::server, 502, nullptr, is_a<moneykit::ServerError>()},
        StatusCase{"mk_fault_malformed", Status::decode, 0, nullptr, is_a<moneykit::DecodeError>()},
        StatusCase{"mk_fault_wrong_shape", Status::decode, 0, nullptr, is_a<moneykit::DecodeError>()},
        StatusCase{"mk_fault_empty", Status::decode, 0, nullptr, is_a<moneykit::DecodeError>()},
        StatusCase{"mk_fault_deep", Status::decode, 0, nullptr, is_a<moneykit::DecodeError>()},
        StatusCase{"mk_fault_reset", Status::transport, 0, nullptr, is_a<moneykit::TransportError>()},
        StatusCase{"mk_fault_redirect_other_host", Status::transport, 0, nullptr, is_a<moneykit::TransportError>()},
        StatusCase{"mk_fault_redirect_loop", Status::transport, 0, nullptr, is_a<moneykit::TransportError>()}),
    [](const ::testing::TestParamInfo<StatusCase>& p) { return std::string(p.param.link_id); });

TEST(ClientStatus, NotFoundCarriesEveryDetail) {
    const Client client(mktest::fast());
    const auto e = expect_error<moneykit::NotFoundError>(Status::not_found, [&] { client.get_identity("mk_missing"); });
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_EQ(e.error_code(), "link_error.not_found");
    EXPECT_EQ(e.error_message(), "Link not found.");
    EXPECT_TRUE(e.documentation_url());
    EXPECT_EQ(e.request_id()->rfind("req_", 0), 0u) << *e.request_id();
    EXPECT_FALSE(e.link_error_code());
    EXPECT_FALSE(e.retry_after());
    EXPECT_EQ(e.attempts(), 1u);
}

TEST(ClientStatus, ValidationErrorsAreTyped) {  // issue 27
    const Client client(mktest::fast());
    const auto e = expect_error<moneykit::HttpError>(Status::http, [&] { client.get_identity("mk_sandbox_validation"); });
    ASSERT_EQ(e.validation_errors().size(), 1u) << e.json();
    const moneykit::ValidationError& v = e.validation_errors()[0];
    ASSERT_EQ(v.location.size(), 3u);
    EXPECT_EQ(std::get<std::string>(v.location[0]), "query");
    EXPECT_EQ(std::get<std::string>(v.location[1]), "account_ids");
    EXPECT_EQ(std::get<std::int64_t>(v.location[2]), 0);
    EXPECT_EQ(v.message, "account_ids must be MoneyKit account ids (acc_...)");
    EXPECT_EQ(v.type, "value_error");
    EXPECT_FALSE(e.retryable());
    ASSERT_NE(e.response(), nullptr);
    EXPECT_EQ(e.response()->status, 422);
    EXPECT_NE(e.response()->body.find("validation_errors"), std::string::npos);
    EXPECT_EQ(e.response()->headers.at("x-request-id"), *e.request_id());
}

TEST(ClientStatus, A503IsRetryableWithItsResponse) {  // issue 27
    const Client client(mktest::fast());
    const auto e = expect_error<moneykit::ServerError>(Status::server, [&] { client.get_identity("mk_fault_503"); });
    EXPECT_TRUE(e.retryable());
    EXPECT_TRUE(e.validation_errors().empty());
    ASSERT_NE(e.response(), nullptr);
    EXPECT_EQ(e.response()->status, 503);
    EXPECT_EQ(e.response()->headers.at("retry-after"), "1");
}

TEST(ClientStatus, BadStatePassesTheLinkErrorCodeOn) {
    const Client client(mktest::fast());
    const auto e = expect_error<moneykit::LinkBadStateError>(Status::link_bad_state,
                                                             [&] { client.get_identity("mk_sandbox_bad_state"); });
    EXPECT_EQ(e.link_error_code(), "auth_expired");
}

TEST(ClientStatus, LongRetryAfterIsNotWaitedFor) {
    const Client client(Options().max_retries(2).retry_base(10ms));
    const auto start = Clock::now();
    const auto e = expect_error<moneykit::RateLimitedError>(Status::rate_limited,
                                                            [&] { client.get_identity("mk_sandbox_rate_limited_long"); });
    EXPECT_LT(Clock::now() - start, 3s);
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(3600000));
    EXPECT_EQ(e.attempts(), 1u);
}

TEST(ClientStatus, RateLimitedAfterTheRetries) {
    const Client client(Options().max_retries(1).retry_base(10ms));
    const auto start = Clock::now();
    const auto e = expect_error<moneykit::RateLimitedError>(Status::rate_limited,
                                                            [&] { client.get_identity("mk_sandbox_rate_limited"); });
    EXPECT_GE(Clock::now() - start, 900ms) << "Retry-After: 1 is honoured";
    EXPECT_EQ(e.attempts(), 2u);
    EXPECT_EQ(e.retry_after(), 1s);
}

TEST(ClientStatus, RetriesThenSucceeds) {
    const Client client(Options().max_retries(2).retry_base(10ms));
    EXPECT_EQ(client.get_identity("mk_fault_500_once_" + mktest::unique_tag()).accounts.size(), 2u);
    EXPECT_EQ(client.get_identity("mk_fault_expired_once_" + mktest::unique_tag()).accounts.size(), 2u);
    EXPECT_EQ(client.get_identity("mk_fault_redirect_same_host").link.link_id, "mk_sandbox_ok");
    const auto start = Clock::now();
    EXPECT_EQ(client.get_identity("mk_fault_429_once_" + mktest::unique_tag()).accounts.size(), 2u);
    EXPECT_GE(Clock::now() - start, 900ms) << "Retry-After: 1 is honoured";
}

TEST(ClientStatus, Timeout) {
    const Client client(mktest::fast().timeout(300ms));
    const auto start = Clock::now();
    expect_error<moneykit::TimeoutError>(Status::timeout, [&] { client.get_identity("mk_fault_slow_5000"); });
    EXPECT_LT(Clock::now() - start, 4s);
    expect_error<moneykit::TimeoutError>(Status::timeout, [&] { client.get_identity("mk_fault_trickle"); });
    expect_error<moneykit::TimeoutError>(Status::timeout, [&] { client.get_identity("mk_fault_silent"); });
}

TEST(ClientStatus, TransportWhenNothingListens) {
    const Client client(mktest::fast().base_url("http://127.0.0.1:1"));
    expect_error<moneykit::TransportError>(Status::transport, [&] { client.get_identity("mk_sandbox_ok"); });
}

TEST(ClientStatus, DecodeWhenTheBodyIsTooLarge) {
    const Client client(mktest::fast().max_response_bytes(50000));
    expect_error<moneykit::DecodeError>(Status::decode, [&] { client.get_identity("mk_fault_oversized_200000"); });
    expect_error<moneykit::DecodeError>(Status::decode, [&] { client.get_identity("mk_fault_oversized_chunked_200000"); });
    // Under the limit the padded body decodes (the padding is an unknown field).
    EXPECT_EQ(client.get_identity("mk_fault_oversized_40000").accounts.size(), 2u);
}

TEST(ClientStatus, UnauthorizedWithWrongCredentials) {
    const Client wrong_secret("sandbox-client", "wrong-secret", mktest::fast());
    expect_error<moneykit::UnauthorizedError>(Status::unauthorized, [&] { wrong_secret.get_identity("mk_sandbox_ok"); });
    const Client wrong_token(mktest::fast().access_token("not-a-token"));
    const auto e = expect_error<moneykit::UnauthorizedError>(Status::unauthorized,
                                                             [&] { wrong_token.get_identity("mk_sandbox_ok"); });
    EXPECT_EQ(e.http_status(), 401);
    const Client wrong_headers("sandbox-client", "wrong-secret", mktest::fast().auth(moneykit::Auth::headers));
    expect_error<moneykit::UnauthorizedError>(Status::unauthorized, [&] { wrong_headers.get_identity("mk_sandbox_ok"); });
    // The secret never appears in the error (and there must be an error to look at).
    const auto err = expect_error<moneykit::UnauthorizedError>(Status::unauthorized,
                                                               [&] { wrong_secret.get_identity("mk_sandbox_ok"); });
    EXPECT_EQ(err.json().find("wrong-secret"), std::string::npos) << err.json();
    EXPECT_EQ(std::string(err.what()).find("wrong-secret"), std::string::npos) << err.what();
}

TEST(ClientStatus, ServerErrorFromTheTokenEndpoint) {
    const Client client("sandbox-token-500", "x", mktest::fast());
    expect_error<moneykit::ServerError>(Status::server, [&] { client.get_identity("mk_sandbox_ok"); });
    const Client garbage("sandbox-token-garbage", "x", mktest::fast());
    expect_error<moneykit::DecodeError>(Status::decode, [&] { garbage.get_identity("mk_sandbox_ok"); });
}

TEST(ClientStatus, HttpForAnUnknownApiVersion) {
    const Client client(mktest::fast().moneykit_version("1999-01-01"));
    const auto e = expect_error<moneykit::HttpError>(Status::http, [&] { client.get_identity("mk_sandbox_ok"); });
    EXPECT_EQ(e.http_status(), 422);
}

TEST(ClientStatus, InvalidArguments) {
    using moneykit::InvalidArgumentError;
    const auto invalid = Status::invalid_argument;
    // Refused by the library when the client is created.
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().set_json("bogus_key", "1")); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().base_url("http://example.com")); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().base_url("not a url")); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().timeout(-5ms)); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().max_retries(1000)); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().ca_file("/nonexistent/ca.pem")); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().proxy("::bad proxy::")); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(Options().set_json("log_level", R"("loud")")); });
    // Refused by the library per call, before any request.
    const Client client(mktest::fast());
    const auto before = mktest::stats()["requests"].get<int>();
    expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity(""); });
    expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity(std::string(MK_MAX_ID_LEN + 1, 'x')); });
    expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity("mk_sandbox_ok", {""}); });
    expect_error<InvalidArgumentError>(invalid, [&] {
        client.get_identity("mk_sandbox_ok", std::vector<std::string>(MK_MAX_ACCOUNT_IDS + 1, "acc"));
    });
    expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity("bad\xff utf8"); });
    // Refused in C++: C would silently cut the string at the NUL.
    const auto e = expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity(std::string("mk_sandbox_ok\0x", 15)); });
    EXPECT_EQ(e.attempts(), 0u);
    expect_error<InvalidArgumentError>(invalid, [&] { client.get_identity("mk_sandbox_ok", {std::string("a\0b", 3)}); });
    expect_error<InvalidArgumentError>(invalid, [] { Client c(std::string("id\0", 3), "secret"); });
    EXPECT_EQ(mktest::stats()["requests"].get<int>(), before) << "no request was sent";
}

// --- options reach the wire -----------------------------------------------------------------

TEST(ClientOptions, EveryOptionIsAcceptedByTheLibrary) {
    const Client client(Options()
                            .base_url(mktest::base_url())
                            .access_token(sandbox_token())
                            .auth(moneykit::Auth::token)
                            .moneykit_version("2023-02-18")
                            .timeout(5s)
                            .connect_timeout(2s)
                            .max_retries(1)
                            .retry_base(10ms)
                            .max_retry_after(30s)
                            .max_response_bytes(1 << 20)
                            .user_agent("cpp-test/1.0")
                            .log_level(moneykit::LogLevel::off));
    EXPECT_EQ(client.get_identity("mk_sandbox_ok").accounts.size(), 2u);
    // proxy is checked at creation only here: a call would go through the proxy.
    EXPECT_TRUE(Client(Options().proxy("http://127.0.0.1:9")));
}

TEST(ClientOptions, UserAgentVersionAndAccessTokenOnTheWire) {
    const Client client(mktest::fast().access_token(sandbox_token()).user_agent("cpp-test/2.0"));
    const int tokens = mktest::stats()["token_requests"].get<int>();
    const std::string link = "mk_" + mktest::unique_tag();
    expect_error<moneykit::NotFoundError>(Status::not_found, [&] { client.get_identity(link); });
    EXPECT_EQ(mktest::stats()["token_requests"].get<int>(), tokens) << "access_token: no token round trip";
    bool seen = false;
    for (const auto& r : mktest::requests()) {
        if (r["target"].get<std::string>().find(link) == std::string::npos) continue;
        seen = true;
        EXPECT_NE(r["user_agent"].get<std::string>().find("moneykit-native/"), std::string::npos) << r;
        EXPECT_NE(r["user_agent"].get<std::string>().find("cpp-test/2.0"), std::string::npos) << r;
        EXPECT_EQ(r["moneykit_version"], "2023-02-18");
        EXPECT_EQ(r["authorization"], true);
    }
    EXPECT_TRUE(seen);
}

TEST(ClientOptions, HeadersAuth) {
    const Client client(mktest::fast().auth(moneykit::Auth::headers));
    const std::string link = "mk_" + mktest::unique_tag();
    expect_error<moneykit::NotFoundError>(Status::not_found, [&] { client.get_identity(link); });
    bool seen = false;
    for (const auto& r : mktest::requests()) {
        if (r["target"].get<std::string>().find(link) == std::string::npos) continue;
        seen = true;
        EXPECT_EQ(r["x_client_id"], "sandbox-client");
        EXPECT_EQ(r["x_client_secret"], true);
        EXPECT_EQ(r["authorization"], false);
    }
    EXPECT_TRUE(seen);
}

TEST(ClientOptions, IdsAreOnePathSegmentAndRepeatedQueryPairs) {
    const Client client(mktest::fast());
    // A link id is never a path: these reach the identity endpoint and are not found.
    for (const char* id : {"../auth/token", "a/b", "x?account_ids=y", "#frag", "50%", "with space"}) {
        expect_error<moneykit::NotFoundError>(Status::not_found, [&] { client.get_identity(id); });
    }
    const std::string tag = mktest::unique_tag();
    expect_error<moneykit::NotFoundError>(Status::not_found, [&] {
        client.get_identity("mk_" + tag, {"acc 1", "acc&2", "ünï"});
    });
    bool seen = false;
    for (const auto& r : mktest::requests()) {
        const auto target = r["target"].get<std::string>();
        if (target.find(tag) == std::string::npos) continue;
        seen = true;
        EXPECT_EQ(target, "/links/mk_" + tag + "/identity?account_ids=acc%201&account_ids=acc%262&account_ids=%C3%BCn%C3%AF");
    }
    EXPECT_TRUE(seen) << "no request for mk_" << tag << " in the sandbox's request log";
}

TEST(ClientOptions, HttpsWithCaFile) {
    char path[] = "/tmp/mk-cpp-ca-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    {
        mktest::SandboxProcess tls({"--tls", "--ca-out", path});
        ASSERT_EQ(tls.url().rfind("https://", 0), 0u) << tls.url();
        const Client trusted(mktest::fast().base_url(tls.url()).ca_file(path));
        EXPECT_EQ(trusted.get_identity("mk_sandbox_ok").accounts.size(), 2u);
        const Client untrusted(mktest::fast().base_url(tls.url()));
        expect_error<moneykit::TransportError>(Status::transport, [&] { untrusted.get_identity("mk_sandbox_ok"); });
    }
    unlink(path);
}

TEST(ClientOptions, CredentialsFromTheEnvironment) {
    // MONEYKIT_BASE_URL / _CLIENT_ID / _CLIENT_SECRET come from the sandbox runner.
    const Client client;
    EXPECT_EQ(client.get_identity("mk_sandbox_ok").accounts.size(), 2u);
}

// --- move semantics -------------------------------------------------------------------------

static_assert(!std::is_copy_constructible_v<Client>);
static_assert(!std::is_copy_assignable_v<Client>);
static_assert(std::is_nothrow_move_constructible_v<Client>);
static_assert(std::is_nothrow_move_assignable_v<Client>);
static_assert(std::is_nothrow_destructible_v<Client>);
static_assert(std::is_copy_constructible_v<moneykit::IdentityResponse>);
static_assert(std::is_copy_constructible_v<Options>);

TEST(ClientMove, MoveConstructionTransfersTheHandle) {
    Client a(mktest::fast());
    mk_client* handle = a.native_handle();
    ASSERT_NE(handle, nullptr);
    Client b(std::move(a));
    EXPECT_EQ(b.native_handle(), handle);
    EXPECT_TRUE(b);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_EQ(a.native_handle(), nullptr);
    EXPECT_EQ(b.get_identity("mk_sandbox_ok").accounts.size(), 2u);
    const auto e = expect_error<moneykit::InvalidArgumentError>(Status::invalid_argument,
                                                                [&] { a.get_identity("mk_sandbox_ok"); });
    EXPECT_NE(std::string(e.what()).find("moved"), std::string::npos);
}

TEST(ClientMove, MoveAssignmentFreesTheOldClient) {
    Client a(mktest::fast());
    Client b(mktest::fast().access_token(sandbox_token()));
    mk_client* b_handle = b.native_handle();
    a = std::move(b);  // a's old client is freed here (LeakSanitizer would report it otherwise)
    EXPECT_EQ(a.native_handle(), b_handle);
    EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(a.get_identity("mk_sandbox_ok").accounts.size(), 2u);
    b = std::move(a);  // and back, into a moved-from object
    EXPECT_TRUE(b);
    EXPECT_EQ(b.get_identity("mk_sandbox_ok").accounts.size(), 2u);
    Client& alias = b;
    b = std::move(alias);  // self-move leaves it usable
    EXPECT_TRUE(b);
}

TEST(ClientMove, ClientsLiveInContainers) {
    std::vector<Client> clients;
    for (int i = 0; i < 5; ++i) clients.emplace_back(mktest::fast());  // reallocations move them
    for (const Client& c : clients) EXPECT_EQ(c.get_identity("mk_sandbox_ok").accounts.size(), 2u);
}

TEST(ClientMove, ResultsOutliveTheClient) {
    moneykit::IdentityResponse r;
    std::string json;
    {
        const Client client(mktest::fast());
        r = client.get_identity("mk_sandbox_ok");
        json = client.get_identity_json("mk_sandbox_ok");
    }
    EXPECT_EQ(r.accounts.at(0).owners.at(0).names.at(0), "José Álvarez");
    EXPECT_EQ(moneykit::IdentityResponse::parse(json).accounts.size(), 2u);
}
