// The C++ status values, names and exception classes against the C header.
#include "moneykit.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>
#include <typeinfo>

using moneykit::Status;

namespace {

struct StatusRow {
    Status cpp;
    std::int32_t c;  // the header's enumerator
    const char* name;
};

const StatusRow kStatuses[] = {
    {Status::ok, MK_OK, "MK_OK"},
    {Status::invalid_argument, MK_ERR_INVALID_ARGUMENT, "MK_ERR_INVALID_ARGUMENT"},
    {Status::transport, MK_ERR_TRANSPORT, "MK_ERR_TRANSPORT"},
    {Status::timeout, MK_ERR_TIMEOUT, "MK_ERR_TIMEOUT"},
    {Status::decode, MK_ERR_DECODE, "MK_ERR_DECODE"},
    {Status::unauthorized, MK_ERR_UNAUTHORIZED, "MK_ERR_UNAUTHORIZED"},
    {Status::forbidden, MK_ERR_FORBIDDEN, "MK_ERR_FORBIDDEN"},
    {Status::not_found, MK_ERR_NOT_FOUND, "MK_ERR_NOT_FOUND"},
    {Status::link_deleted, MK_ERR_LINK_DELETED, "MK_ERR_LINK_DELETED"},
    {Status::link_bad_state, MK_ERR_LINK_BAD_STATE, "MK_ERR_LINK_BAD_STATE"},
    {Status::rate_limited, MK_ERR_RATE_LIMITED, "MK_ERR_RATE_LIMITED"},
    {Status::server, MK_ERR_SERVER, "MK_ERR_SERVER"},
    {Status::http, MK_ERR_HTTP, "MK_ERR_HTTP"},
    {Status::internal, MK_ERR_INTERNAL, "MK_ERR_INTERNAL"},
};

template <class T>
bool thrown_as(Status status) {
    try {
        moneykit::throw_error(status, moneykit::detail::local_error_json(status, "test"));
    } catch (const T& e) {
        return e.status() == status;
    } catch (...) {
        return false;
    }
    return false;
}

}  // namespace

TEST(Status, ValuesEqualTheHeader) {
    static_assert(std::is_same_v<std::underlying_type_t<Status>, std::int32_t>);
    for (const StatusRow& row : kStatuses) {
        EXPECT_EQ(static_cast<std::int32_t>(row.cpp), row.c) << row.name;
        EXPECT_STREQ(moneykit::status_name(row.cpp), row.name);
    }
    EXPECT_STREQ(moneykit::status_name(static_cast<Status>(-1)), "unknown status");
}

// The loaded library's whole status table (numbered from 0 without gaps) against the
// generated C++: same names and descriptions, and an exception class of its own for
// every error status, so a status added to the schema without `make gen` shows here.
TEST(Status, EveryStatusOfTheLibraryHasItsClass) {
    std::int32_t code = 0;
    for (; std::strcmp(mk_status_name(code), "unknown status") != 0; ++code) {
        const Status status = static_cast<Status>(code);
        EXPECT_STREQ(moneykit::status_name(status), mk_status_name(code));
        EXPECT_STREQ(moneykit::status_describe(status), mk_status_describe(code));
        if (status == Status::ok) continue;
        try {
            moneykit::throw_error(status, moneykit::detail::local_error_json(status, "test"));
            ADD_FAILURE() << "throw_error did not throw for " << mk_status_name(code);
        } catch (const moneykit::Error& e) {
            EXPECT_EQ(e.status(), status);
            EXPECT_NE(typeid(e), typeid(moneykit::Error)) << "no exception class for " << mk_status_name(code);
        }
    }
    EXPECT_GE(code, 14);
}

TEST(Status, StreamsItsName) {
    std::ostringstream s;
    s << Status::not_found;
    EXPECT_EQ(s.str(), "MK_ERR_NOT_FOUND");
}

TEST(Status, VersionsAgree) {
    EXPECT_EQ(moneykit::version(), MK_VERSION);
    EXPECT_STREQ(moneykit::header_version, MK_VERSION);
}

TEST(Error, EachStatusThrowsItsOwnClass) {
    EXPECT_TRUE(thrown_as<moneykit::InvalidArgumentError>(Status::invalid_argument));
    EXPECT_TRUE(thrown_as<moneykit::TransportError>(Status::transport));
    EXPECT_TRUE(thrown_as<moneykit::TimeoutError>(Status::timeout));
    EXPECT_TRUE(thrown_as<moneykit::DecodeError>(Status::decode));
    EXPECT_TRUE(thrown_as<moneykit::UnauthorizedError>(Status::unauthorized));
    EXPECT_TRUE(thrown_as<moneykit::ForbiddenError>(Status::forbidden));
    EXPECT_TRUE(thrown_as<moneykit::NotFoundError>(Status::not_found));
    EXPECT_TRUE(thrown_as<moneykit::LinkDeletedError>(Status::link_deleted));
    EXPECT_TRUE(thrown_as<moneykit::LinkBadStateError>(Status::link_bad_state));
    EXPECT_TRUE(thrown_as<moneykit::RateLimitedError>(Status::rate_limited));
    EXPECT_TRUE(thrown_as<moneykit::ServerError>(Status::server));
    EXPECT_TRUE(thrown_as<moneykit::HttpError>(Status::http));
    EXPECT_TRUE(thrown_as<moneykit::InternalError>(Status::internal));
    // Every class is a moneykit::Error, itself a std::runtime_error.
    static_assert(std::is_base_of_v<std::runtime_error, moneykit::Error>);
    static_assert(std::is_base_of_v<moneykit::Error, moneykit::NotFoundError>);
    for (const StatusRow& row : kStatuses) {
        if (row.cpp == Status::ok) continue;
        EXPECT_TRUE(thrown_as<moneykit::Error>(row.cpp)) << row.name;
    }
    // A status newer than the header is still an Error.
    EXPECT_TRUE(thrown_as<moneykit::Error>(static_cast<Status>(99)));
}

TEST(Error, ReadsEveryKeyOfTheErrorJson) {
    const std::string json = R"({"status":9,"name":"MK_ERR_LINK_BAD_STATE","message":"MoneyKit answered HTTP 422",
        "http_status":422,"error_code":"link_error.bad_state","error_message":"Reconnect",
        "documentation_url":"https://docs.moneykit.com/x","link_error_code":"auth_expired",
        "request_id":"req_1","retry_after_ms":1500,"attempts":3})";
    const moneykit::LinkBadStateError e(Status::link_bad_state, json);
    EXPECT_EQ(e.status(), Status::link_bad_state);
    EXPECT_EQ(e.name(), "MK_ERR_LINK_BAD_STATE");
    EXPECT_STREQ(e.what(), "MoneyKit answered HTTP 422");
    EXPECT_EQ(e.http_status(), 422);
    EXPECT_EQ(e.error_code(), "link_error.bad_state");
    EXPECT_EQ(e.error_message(), "Reconnect");
    EXPECT_EQ(e.documentation_url(), "https://docs.moneykit.com/x");
    EXPECT_EQ(e.link_error_code(), "auth_expired");
    EXPECT_EQ(e.request_id(), "req_1");
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(1500));
    EXPECT_EQ(e.attempts(), 3u);
    EXPECT_EQ(e.json(), json);

    // Copies share the details and do not throw.
    static_assert(std::is_nothrow_copy_constructible_v<moneykit::Error>);
    const moneykit::Error copy = e;
    EXPECT_EQ(copy.request_id(), "req_1");
    EXPECT_STREQ(copy.what(), e.what());
}

TEST(Error, NullsAreEmptyOptionals) {
    const moneykit::Error e(Status::transport, moneykit::detail::local_error_json(Status::transport, "refused"));
    EXPECT_EQ(e.name(), "MK_ERR_TRANSPORT");
    EXPECT_STREQ(e.what(), "refused");
    EXPECT_FALSE(e.http_status());
    EXPECT_FALSE(e.error_code());
    EXPECT_FALSE(e.error_message());
    EXPECT_FALSE(e.documentation_url());
    EXPECT_FALSE(e.link_error_code());
    EXPECT_FALSE(e.request_id());
    EXPECT_FALSE(e.retry_after());
    EXPECT_EQ(e.attempts(), 0u);
    const auto parsed = nlohmann::json::parse(e.json());
    for (const char* key : {"status", "name", "message", "http_status", "error_code", "error_message",
                            "documentation_url", "link_error_code", "request_id", "retry_after_ms", "attempts"}) {
        EXPECT_TRUE(parsed.contains(key)) << key;
    }
}

TEST(Error, ToleratesUnparsableJson) {
    const moneykit::Error e(Status::server, "<html>not json</html>");
    EXPECT_EQ(e.status(), Status::server);
    EXPECT_EQ(e.name(), "MK_ERR_SERVER");
    EXPECT_NE(std::string(e.what()).find("MK_ERR_SERVER"), std::string::npos);
    EXPECT_EQ(e.json(), "<html>not json</html>");
}
