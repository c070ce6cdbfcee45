// Secrets are kept in buffers that are wiped before they are freed (issue 12, finding 6).
#include "moneykit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace {

/// Counts what it frees and whether every freed byte was zero.
struct FreeLog {
    int freed = 0;
    int dirty = 0;
};
FreeLog free_log;

template <class T>
struct CheckingAllocator {
    using value_type = T;
    CheckingAllocator() = default;
    template <class U>
    CheckingAllocator(const CheckingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        ++free_log.freed;
        for (std::size_t i = 0; i < n; ++i) {
            if (p[i] != T()) {
                ++free_log.dirty;
                break;
            }
        }
        std::allocator<T>().deallocate(p, n);
    }
    friend bool operator==(const CheckingAllocator&, const CheckingAllocator&) { return true; }
    friend bool operator!=(const CheckingAllocator&, const CheckingAllocator&) { return false; }
};

using Secret = moneykit::detail::BasicSecretString<CheckingAllocator<char>>;

class SecretString : public ::testing::Test {
protected:
    void SetUp() override { free_log = FreeLog(); }
};

}  // namespace

TEST_F(SecretString, EveryBufferIsWipedBeforeItIsFreed) {
    {
        Secret s("sandbox-access-token");
        EXPECT_EQ(s.view(), "sandbox-access-token");
        EXPECT_STREQ(s.c_str(), "sandbox-access-token");
        s.assign("a-second-token");  // overwrite: the first buffer goes
        EXPECT_EQ(s.view(), "a-second-token");
        EXPECT_EQ(free_log.freed, 1);
        Secret copy(s);                  // a second buffer
        Secret moved(std::move(copy));   // moved, not copied
        EXPECT_EQ(moved.view(), "a-second-token");
        EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
        Secret assigned;
        assigned = s;  // a third
        assigned = std::move(moved);  // frees the third
        Secret short_one("x");
        short_one.clear();
        EXPECT_EQ(short_one.view(), "");
        EXPECT_STREQ(short_one.c_str(), "");
    }
    EXPECT_EQ(free_log.freed, 5) << "each buffer freed once";
    EXPECT_EQ(free_log.dirty, 0) << "no buffer was freed holding secret bytes";
}

TEST_F(SecretString, WithSizeIsFilledInPlace) {
    {
        Secret s = Secret::with_size(3);
        s.data()[0] = 'a';
        s.data()[1] = 'b';
        s.data()[2] = 'c';
        EXPECT_STREQ(s.c_str(), "abc");
    }
    EXPECT_EQ(free_log.freed, 1);
    EXPECT_EQ(free_log.dirty, 0);
}

TEST(SecureWipe, StdStringIsZeroedAndEmptied) {
    std::string s = "a-token-long-enough-for-the-heap";
    const char* buffer = s.data();
    const std::size_t n = s.size();
    moneykit::detail::secure_wipe(s);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.data(), buffer) << "the same buffer, still owned by s";
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(buffer[i], '\0') << i;
}

TEST(OptionsSecrets, TheAccessTokenReachesTheJsonIntact) {
    using moneykit::Options;
    const std::string tricky = "tok\"with\\quotes\x01and\tcontrol";
    const Options o = Options().timeout(std::chrono::seconds(1)).access_token(tricky);
    const auto parsed = nlohmann::json::parse(o.json());
    EXPECT_EQ(parsed["access_token"], tricky);
    EXPECT_EQ(parsed["timeout_ms"], 1000);
    EXPECT_EQ(std::string(o.secret_json().view()), o.json());
    // Alone, replaced, via set_json(), removed.
    EXPECT_EQ(Options().access_token("t").json(), R"({"access_token":"t"})");
    EXPECT_EQ(Options().access_token("t").access_token("u").json(), R"({"access_token":"u"})");
    EXPECT_EQ(Options().set_json("access_token", R"("v")").json(), R"({"access_token":"v"})");
    EXPECT_EQ(Options().access_token("t").set_json("access_token", "null").json(), R"({"access_token":null})");
    EXPECT_TRUE(Options::is_secret("access_token"));
    EXPECT_FALSE(Options::is_secret("base_url"));
    // Copies carry the secret too.
    const Options copy = o;
    EXPECT_EQ(copy.json(), o.json());
}

TEST(OptionsSecrets, TheArgumentIsWipedOnceCopied) {
    std::string token = "a-token-long-enough-for-the-heap";
    moneykit::Options o;
    o.access_token(std::move(token));
    EXPECT_EQ(nlohmann::json::parse(o.json())["access_token"], "a-token-long-enough-for-the-heap");
    const std::string value = R"("another-token-long-enough-for-the-heap")";
    o.set_json("access_token", value);  // parsed into a copy that is wiped; value stays the caller's
    EXPECT_EQ(value, R"("another-token-long-enough-for-the-heap")");
    EXPECT_EQ(nlohmann::json::parse(o.json())["access_token"], "another-token-long-enough-for-the-heap");
}

TEST(OptionsSecrets, InvalidUtf8InTheTokenIsAnInvalidArgument) {
    EXPECT_THROW(moneykit::Options().access_token("\xff\xfe").json(), moneykit::InvalidArgumentError);
    EXPECT_THROW(moneykit::Options().access_token("\xed\xa0\x80").secret_json(), moneykit::InvalidArgumentError);
    EXPECT_NO_THROW(moneykit::Options().access_token("caf\xc3\xa9").json());
}
