// moneykit.hpp: header-only C++17 wrapper over moneykit.h, the C interface of
// moneykit-native (MoneyKit's Get Identity endpoint, GET /links/{id}/identity).
//
//   moneykit::Client client(moneykit::Options().timeout(std::chrono::seconds(10)));
//   moneykit::IdentityResponse identity = client.get_identity("mk_eqkWN34UEoa2NxyALG8pcV");
//   for (const moneykit::Account& account : identity.accounts) { ... }
//
// Needs nlohmann/json (>= 3.9; Debian `nlohmann-json3-dev`) and links with
// -lmoneykit (pkg-config `moneykit`, CMake `moneykit::moneykit`).
//
// - Errors are exceptions: moneykit::Error (a std::runtime_error) carries the
//   library's error JSON; there is one subclass per status (NotFoundError, ...).
// - Every string the library hands out is owned by a std::unique_ptr whose
//   deleter is mk_string_free, so nothing leaks on any path, exceptions included.
// - A Client is move-only and may be used from many threads at once (its
//   methods are const). Destroying it while another thread is inside a call on
//   it is a bug in the caller, as in C.
// - Money is exact: balances are moneykit::Decimal, which keeps the number's
//   text as MoneyKit sent it (no binary floating point on the way).
// - Decoding is tolerant: unknown fields are ignored and open enums (account
//   type, phone type, link state, product names) stay strings; missing and
//   null optional fields are both std::nullopt.

#ifndef MONEYKIT_HPP
#define MONEYKIT_HPP

#include "moneykit.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(NLOHMANN_JSON_VERSION_MAJOR) && \
    (NLOHMANN_JSON_VERSION_MAJOR < 3 || (NLOHMANN_JSON_VERSION_MAJOR == 3 && NLOHMANN_JSON_VERSION_MINOR < 9))
#error "moneykit.hpp needs nlohmann/json 3.9 or newer"
#endif

namespace moneykit {

// ---------------------------------------------------------------------------
// Versions and statuses
// ---------------------------------------------------------------------------

/// The version of the header (and of the library it was written for).
inline constexpr const char* header_version = MK_VERSION;

/// The version of the library actually loaded, e.g. "0.1.0".
inline std::string version() { return mk_version(); }

/// The library's status codes (enum mk_status). Numbers are stable.
enum class Status : std::int32_t {
    ok = 0,
    invalid_argument = 1,
    transport = 2,
    timeout = 3,
    decode = 4,
    unauthorized = 5,
    forbidden = 6,
    not_found = 7,
    link_deleted = 8,
    link_bad_state = 9,
    rate_limited = 10,
    server = 11,
    http = 12,
    internal = 13,
};

// The numbers above are written out so that a change in the C header is caught
// here, at compile time, in every program that includes this file.
static_assert(static_cast<std::int32_t>(Status::ok) == MK_OK, "MK_OK");
static_assert(static_cast<std::int32_t>(Status::invalid_argument) == MK_ERR_INVALID_ARGUMENT, "MK_ERR_INVALID_ARGUMENT");
static_assert(static_cast<std::int32_t>(Status::transport) == MK_ERR_TRANSPORT, "MK_ERR_TRANSPORT");
static_assert(static_cast<std::int32_t>(Status::timeout) == MK_ERR_TIMEOUT, "MK_ERR_TIMEOUT");
static_assert(static_cast<std::int32_t>(Status::decode) == MK_ERR_DECODE, "MK_ERR_DECODE");
static_assert(static_cast<std::int32_t>(Status::unauthorized) == MK_ERR_UNAUTHORIZED, "MK_ERR_UNAUTHORIZED");
static_assert(static_cast<std::int32_t>(Status::forbidden) == MK_ERR_FORBIDDEN, "MK_ERR_FORBIDDEN");
static_assert(static_cast<std::int32_t>(Status::not_found) == MK_ERR_NOT_FOUND, "MK_ERR_NOT_FOUND");
static_assert(static_cast<std::int32_t>(Status::link_deleted) == MK_ERR_LINK_DELETED, "MK_ERR_LINK_DELETED");
static_assert(static_cast<std::int32_t>(Status::link_bad_state) == MK_ERR_LINK_BAD_STATE, "MK_ERR_LINK_BAD_STATE");
static_assert(static_cast<std::int32_t>(Status::rate_limited) == MK_ERR_RATE_LIMITED, "MK_ERR_RATE_LIMITED");
static_assert(static_cast<std::int32_t>(Status::server) == MK_ERR_SERVER, "MK_ERR_SERVER");
static_assert(static_cast<std::int32_t>(Status::http) == MK_ERR_HTTP, "MK_ERR_HTTP");
static_assert(static_cast<std::int32_t>(Status::internal) == MK_ERR_INTERNAL, "MK_ERR_INTERNAL");

/// "MK_ERR_NOT_FOUND", ...; "unknown status" outside the table. Static, never null.
inline const char* status_name(Status status) noexcept {
    return mk_status_name(static_cast<std::int32_t>(status));
}

/// A one-line English description of a status. Static, never null.
inline const char* status_describe(Status status) noexcept {
    return mk_status_describe(static_cast<std::int32_t>(status));
}

inline std::ostream& operator<<(std::ostream& os, Status status) { return os << status_name(status); }

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A failed call. what() is the library's one-line message (never contains
/// secrets); the accessors mirror the keys of the error JSON (moneykit.h).
/// Copying is cheap and never throws (the details are shared).
class Error : public std::runtime_error {
public:
    /// Builds the error from a status and the library's error JSON. Unparsable
    /// JSON is tolerated: the status then supplies the name and the message.
    Error(Status status, std::string error_json) : Error(parse(status, std::move(error_json))) {}

    Status status() const noexcept { return data_->status; }
    /// The status name, e.g. "MK_ERR_NOT_FOUND".
    const std::string& name() const noexcept { return data_->name; }
    /// The HTTP status of the last response, if one arrived.
    std::optional<int> http_status() const noexcept { return data_->http_status; }
    /// MoneyKit's error_code, e.g. "link_error.not_found".
    const std::optional<std::string>& error_code() const noexcept { return data_->error_code; }
    /// MoneyKit's error_message, e.g. "Link not found.".
    const std::optional<std::string>& error_message() const noexcept { return data_->error_message; }
    const std::optional<std::string>& documentation_url() const noexcept { return data_->documentation_url; }
    /// For Status::link_bad_state: why the link is unusable, e.g. "auth_expired".
    const std::optional<std::string>& link_error_code() const noexcept { return data_->link_error_code; }
    /// The response's x-request-id header, when the server sent one.
    const std::optional<std::string>& request_id() const noexcept { return data_->request_id; }
    /// How long the server asked to wait (Retry-After), when it did.
    std::optional<std::chrono::milliseconds> retry_after() const noexcept { return data_->retry_after; }
    /// Attempts the call made (0 when it failed before sending anything).
    std::uint32_t attempts() const noexcept { return data_->attempts; }
    /// The error JSON exactly as the library returned it.
    const std::string& json() const noexcept { return data_->json; }

private:
    struct Data {
        Status status = Status::internal;
        std::string name;
        std::string message;
        std::optional<int> http_status;
        std::optional<std::string> error_code, error_message, documentation_url, link_error_code, request_id;
        std::optional<std::chrono::milliseconds> retry_after;
        std::uint32_t attempts = 0;
        std::string json;
    };

    explicit Error(std::shared_ptr<const Data> data) : std::runtime_error(data->message), data_(std::move(data)) {}

    static std::optional<std::string> text_of(const nlohmann::json& j, const char* key) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    }

    static std::shared_ptr<const Data> parse(Status status, std::string error_json) {
        auto data = std::make_shared<Data>();
        data->status = status;
        nlohmann::json j = nlohmann::json::parse(error_json, nullptr, /*allow_exceptions=*/false);
        if (j.is_object()) {
            data->name = text_of(j, "name").value_or("");
            data->message = text_of(j, "message").value_or("");
            data->error_code = text_of(j, "error_code");
            data->error_message = text_of(j, "error_message");
            data->documentation_url = text_of(j, "documentation_url");
            data->link_error_code = text_of(j, "link_error_code");
            data->request_id = text_of(j, "request_id");
            auto http = j.find("http_status");
            if (http != j.end() && http->is_number_integer()) {
                auto v = http->get<std::int64_t>();
                if (v >= 0 && v <= 999) data->http_status = static_cast<int>(v);
            }
            auto retry = j.find("retry_after_ms");
            if (retry != j.end() && retry->is_number_unsigned()) {
                auto v = retry->get<std::uint64_t>();
                using rep = std::chrono::milliseconds::rep;
                data->retry_after = std::chrono::milliseconds(
                    static_cast<rep>(std::min<std::uint64_t>(v, static_cast<std::uint64_t>(std::numeric_limits<rep>::max()))));
            }
            auto attempts = j.find("attempts");
            if (attempts != j.end() && attempts->is_number_unsigned()) {
                data->attempts = static_cast<std::uint32_t>(
                    std::min<std::uint64_t>(attempts->get<std::uint64_t>(), std::numeric_limits<std::uint32_t>::max()));
            }
        }
        if (data->name.empty()) data->name = status_name(status);
        if (data->message.empty()) data->message = data->name + ": " + status_describe(status);
        data->json = std::move(error_json);
        return data;
    }

    std::shared_ptr<const Data> data_;
};

/// One subclass per status, so callers can catch just the case they handle.
class InvalidArgumentError : public Error { public: using Error::Error; };
class TransportError : public Error { public: using Error::Error; };
class TimeoutError : public Error { public: using Error::Error; };
class DecodeError : public Error { public: using Error::Error; };
class UnauthorizedError : public Error { public: using Error::Error; };
class ForbiddenError : public Error { public: using Error::Error; };
class NotFoundError : public Error { public: using Error::Error; };
class LinkDeletedError : public Error { public: using Error::Error; };
class LinkBadStateError : public Error { public: using Error::Error; };
class RateLimitedError : public Error { public: using Error::Error; };
class ServerError : public Error { public: using Error::Error; };
class HttpError : public Error { public: using Error::Error; };
class InternalError : public Error { public: using Error::Error; };

/// Throws the Error subclass that matches a (non-OK) status.
[[noreturn]] inline void throw_error(Status status, std::string error_json) {
    switch (status) {
    case Status::invalid_argument: throw InvalidArgumentError(status, std::move(error_json));
    case Status::transport: throw TransportError(status, std::move(error_json));
    case Status::timeout: throw TimeoutError(status, std::move(error_json));
    case Status::decode: throw DecodeError(status, std::move(error_json));
    case Status::unauthorized: throw UnauthorizedError(status, std::move(error_json));
    case Status::forbidden: throw ForbiddenError(status, std::move(error_json));
    case Status::not_found: throw NotFoundError(status, std::move(error_json));
    case Status::link_deleted: throw LinkDeletedError(status, std::move(error_json));
    case Status::link_bad_state: throw LinkBadStateError(status, std::move(error_json));
    case Status::rate_limited: throw RateLimitedError(status, std::move(error_json));
    case Status::server: throw ServerError(status, std::move(error_json));
    case Status::http: throw HttpError(status, std::move(error_json));
    case Status::internal: throw InternalError(status, std::move(error_json));
    case Status::ok: break;  // not an error: reported as a library bug below
    }
    throw Error(status, std::move(error_json));  // a status newer than this header
}

namespace detail {

/// An error JSON in the library's shape, for failures detected in C++.
inline std::string local_error_json(Status status, const std::string& message) {
    nlohmann::json j = {
        {"status", static_cast<std::int32_t>(status)},
        {"name", status_name(status)},
        {"message", message},
        {"http_status", nullptr},
        {"error_code", nullptr},
        {"error_message", nullptr},
        {"documentation_url", nullptr},
        {"link_error_code", nullptr},
        {"request_id", nullptr},
        {"retry_after_ms", nullptr},
        {"attempts", 0},
    };
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

[[noreturn]] inline void fail(Status status, const std::string& message) {
    throw_error(status, local_error_json(status, message));
}

/// Frees library strings with mk_string_free.
struct StringFree {
    void operator()(char* s) const noexcept { mk_string_free(s); }
};
using LibraryString = std::unique_ptr<char, StringFree>;

/// Frees a client with mk_client_free.
struct ClientFree {
    void operator()(mk_client* c) const noexcept { mk_client_free(c); }
};

/// Copies a string for the C interface, refusing embedded NULs (C would cut the string there).
inline std::string c_string(std::string_view s, const char* what) {
    if (s.find('\0') != std::string_view::npos) {
        fail(Status::invalid_argument, std::string(what) + " contains a NUL byte");
    }
    return std::string(s);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Decimal: exact amounts
// ---------------------------------------------------------------------------

/// An exact decimal number, kept as the text MoneyKit sent ("340.12", "500",
/// "1.5e3"). Comparison is by value (500 == 500.0 == 5e2); text() is verbatim.
class Decimal {
public:
    /// Zero.
    Decimal() : Decimal(std::string_view("0")) {}

    /// From JSON number text; throws std::invalid_argument for anything else.
    explicit Decimal(std::string_view text) : text_(text) {
        if (!parse()) throw std::invalid_argument("not a JSON number: \"" + text_ + "\"");
    }

    /// The number exactly as written.
    const std::string& text() const noexcept { return text_; }
    std::string to_string() const { return text_; }

    bool is_zero() const noexcept { return digits_.empty(); }
    bool is_negative() const noexcept { return negative_ && !digits_.empty(); }

    /// The value in units of 10^-decimals, e.g. Decimal("340.12").scaled(2) == 34012
    /// (cents). std::nullopt when that is not exact or does not fit in int64.
    std::optional<std::int64_t> scaled(int decimals) const {
        if (digits_.empty()) return 0;
        const std::int64_t e = exponent_ + decimals;
        if (e < 0) return std::nullopt;  // the last significant digit is not zero
        if (static_cast<std::int64_t>(digits_.size()) + e > 19) return std::nullopt;
        std::uint64_t v = 0;
        const std::uint64_t limit = negative_ ? std::uint64_t(1) << 63 : (std::uint64_t(1) << 63) - 1;
        auto push = [&](unsigned d) {
            if (v > (limit - d) / 10) return false;
            v = v * 10 + d;
            return true;
        };
        for (char c : digits_)
            if (!push(static_cast<unsigned>(c - '0'))) return std::nullopt;
        for (std::int64_t i = 0; i < e; ++i)
            if (!push(0)) return std::nullopt;
        if (!negative_) return static_cast<std::int64_t>(v);
        if (v == (std::uint64_t(1) << 63)) return std::numeric_limits<std::int64_t>::min();
        return -static_cast<std::int64_t>(v);
    }

    /// The nearest double: for display or statistics, not for money arithmetic.
    double to_double() const {
        // nlohmann's number parser is independent of the C locale's decimal point.
        try {
            return nlohmann::json::parse(text_).get<double>();
        } catch (const nlohmann::json::exception&) {  // beyond the range of double
            return is_negative() ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        }
    }

    friend bool operator==(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) == 0; }
    friend bool operator!=(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) != 0; }
    friend bool operator<(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) < 0; }
    friend bool operator<=(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) <= 0; }
    friend bool operator>(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) > 0; }
    friend bool operator>=(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) >= 0; }
    friend std::ostream& operator<<(std::ostream& os, const Decimal& d) { return os << d.text_; }

private:
    // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool parse() {
        const std::string& s = text_;
        std::size_t i = 0, n = s.size();
        auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
        if (i < n && s[i] == '-') {
            negative_ = true;
            ++i;
        }
        std::string all;  // integer and fraction digits
        std::int64_t frac = 0;
        if (!digit(i)) return false;
        if (s[i] == '0') {
            all.push_back('0');
            ++i;
        } else {
            while (digit(i)) all.push_back(s[i++]);
        }
        if (i < n && s[i] == '.') {
            ++i;
            if (!digit(i)) return false;
            while (digit(i)) {
                all.push_back(s[i++]);
                ++frac;
            }
        }
        std::int64_t exp = 0;
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            ++i;
            bool neg = false;
            if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
            if (!digit(i)) return false;
            constexpr std::int64_t cap = std::int64_t(1) << 48;  // saturate absurd exponents
            while (digit(i)) {
                exp = std::min<std::int64_t>(cap, exp * 10 + (s[i++] - '0'));
            }
            if (neg) exp = -exp;
        }
        if (i != n) return false;
        std::size_t first = all.find_first_not_of('0');
        if (first == std::string::npos) {  // zero
            digits_.clear();
            exponent_ = 0;
            return true;
        }
        std::size_t last = all.find_last_not_of('0');
        digits_ = all.substr(first, last - first + 1);
        exponent_ = exp - frac + static_cast<std::int64_t>(all.size() - 1 - last);
        return true;
    }

    static int compare(const Decimal& a, const Decimal& b) noexcept {
        const int sa = a.digits_.empty() ? 0 : (a.negative_ ? -1 : 1);
        const int sb = b.digits_.empty() ? 0 : (b.negative_ ? -1 : 1);
        if (sa != sb) return sa < sb ? -1 : 1;
        if (sa == 0) return 0;
        // Magnitudes: first by the position of the leading digit, then digit by digit.
        int mag;
        const std::int64_t pa = static_cast<std::int64_t>(a.digits_.size()) + a.exponent_;
        const std::int64_t pb = static_cast<std::int64_t>(b.digits_.size()) + b.exponent_;
        if (pa != pb) {
            mag = pa < pb ? -1 : 1;
        } else {
            const int c = a.digits_.compare(b.digits_);
            mag = c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        return sa * mag;
    }

    std::string text_;
    bool negative_ = false;
    std::string digits_;         // significant digits, no leading or trailing zeros; empty = 0
    std::int64_t exponent_ = 0;  // value = digits_ x 10^exponent_
};

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

/// Parses an ISO-8601 / RFC 3339 date-time as MoneyKit sends it
/// ("2023-02-16T09:14:11Z", "...11.123456+02:00"; no offset means UTC; a date
/// alone means midnight UTC). std::nullopt if the text is not such a date-time.
inline std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view s) {
    std::size_t i = 0;
    auto num = [&](std::size_t width, int& out) {
        if (i + width > s.size()) return false;
        int v = 0;
        for (std::size_t k = 0; k < width; ++k) {
            char c = s[i + k];
            if (c < '0' || c > '9') return false;
            v = v * 10 + (c - '0');
        }
        out = v;
        i += width;
        return true;
    };
    auto lit = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::int64_t nanos = 0, offset = 0;
    if (!num(4, year) || !lit('-') || !num(2, month) || !lit('-') || !num(2, day)) return std::nullopt;
    if (month < 1 || month > 12) return std::nullopt;
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day < 1 || day > month_days[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
    if (i < s.size()) {
        if (!(lit('T') || lit('t') || lit(' '))) return std::nullopt;
        if (!num(2, hour) || !lit(':') || !num(2, minute) || !lit(':') || !num(2, second)) return std::nullopt;
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
        if (second == 60) second = 59;  // a leap second: the system clock has none
        if (lit('.') || lit(',')) {
            std::size_t start = i;
            std::int64_t scale = 100000000;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                nanos += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == start) return std::nullopt;
        }
        if (lit('Z') || lit('z')) {
        } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            const int sign = s[i++] == '-' ? -1 : 1;
            int oh = 0, om = 0;
            if (!num(2, oh)) return std::nullopt;
            if (i < s.size()) {
                lit(':');
                if (!num(2, om)) return std::nullopt;
            }
            if (oh > 23 || om > 59) return std::nullopt;
            offset = sign * (oh * 3600 + om * 60);
        }
        if (i != s.size()) return std::nullopt;
    }
    // Days since 1970-01-01 (H. Hinnant's days_from_civil).
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset;
    using namespace std::chrono;
    return system_clock::time_point(duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(nanos)));
}

// ---------------------------------------------------------------------------
// The Get Identity response
// ---------------------------------------------------------------------------

struct Balances {
    std::optional<std::string> currency;  ///< ISO 4217, e.g. "USD"
    std::optional<Decimal> available;
    std::optional<Decimal> current;
    std::optional<Decimal> limit;
    std::optional<std::string> balance_date;  ///< ISO-8601 date-time, as sent
};

struct Address {
    std::optional<std::string> city;
    std::optional<std::string> country;
    std::optional<std::string> postal_code;
    std::optional<std::string> region;
    std::optional<std::string> street;
    std::optional<bool> primary;
};

enum class PhoneType { home, work, mobile, other, unknown };

struct PhoneNumber {
    std::string number;
    std::optional<bool> primary;
    std::string type;  ///< "home", "work", "mobile", "other", or a value newer than this header
    /// type as an enum; PhoneType::unknown for values this header does not know.
    PhoneType kind() const noexcept {
        if (type == "home") return PhoneType::home;
        if (type == "work") return PhoneType::work;
        if (type == "mobile") return PhoneType::mobile;
        if (type == "other") return PhoneType::other;
        return PhoneType::unknown;
    }
};

struct Email {
    std::string address;
    std::optional<bool> primary;
};

struct Owner {
    std::vector<std::string> names;
    std::vector<Address> addresses;
    std::vector<PhoneNumber> phone_numbers;
    std::vector<Email> emails;
};

struct Account {
    std::string account_id;
    std::string account_type;  ///< e.g. "depository.checking" (open set)
    std::string name;
    std::optional<std::string> nickname;
    std::optional<std::string> account_mask;
    Balances balances;
    std::optional<std::string> original_id;
    std::optional<bool> closed;
    std::vector<Owner> owners;
};

struct ProductSettings {
    std::optional<bool> required;
    std::optional<bool> require_permission;
    std::optional<bool> prefetch;
    std::optional<std::string> reason;
};

struct LinkProduct {
    std::optional<std::string> refreshed_at;       ///< ISO-8601, as sent
    std::optional<std::string> last_attempted_at;  ///< ISO-8601, as sent
    std::optional<std::string> error_code;
    std::optional<std::string> error_message;
    std::optional<std::string> unavailable;
    std::optional<ProductSettings> settings;
    std::optional<bool> has_history;  ///< transactions only
};

enum class LinkState { connecting, awaiting_token_exchange, connected, deleted, error, unknown };

struct Link {
    std::string link_id;
    std::string institution_id;
    std::string institution_name;
    std::string institution_avatar;
    std::string state;  ///< see state_kind()
    std::optional<std::string> error_code;
    std::optional<std::string> last_synced_at;  ///< deprecated by MoneyKit
    std::string provider;
    std::optional<std::vector<std::string>> link_tags;
    std::optional<std::vector<std::string>> tags;  ///< newer API versions' name for link_tags
    std::optional<std::string> webhook;
    std::map<std::string, LinkProduct> products;  ///< "identity", "accounts", ... (open set)
    std::vector<std::string> available_products;

    /// state as an enum; LinkState::unknown for values this header does not know.
    LinkState state_kind() const noexcept {
        if (state == "connecting") return LinkState::connecting;
        if (state == "awaiting_token_exchange") return LinkState::awaiting_token_exchange;
        if (state == "connected") return LinkState::connected;
        if (state == "deleted") return LinkState::deleted;
        if (state == "error") return LinkState::error;
        return LinkState::unknown;
    }
};

struct IdentityResponse {
    std::vector<Account> accounts;
    Link link;

    /// link.products["identity"].refreshed_at as a time point: poll by comparing
    /// it with an earlier response's (no increase = no new data). std::nullopt
    /// when absent, null or not a date-time.
    std::optional<std::chrono::system_clock::time_point> refreshed_at() const {
        auto it = link.products.find("identity");
        if (it == link.products.end() || !it->second.refreshed_at) return std::nullopt;
        return parse_timestamp(*it->second.refreshed_at);
    }

    /// Decodes an identity JSON document (e.g. from get_identity_json or a
    /// cache). Throws DecodeError if it is not JSON or does not fit the schema.
    static IdentityResponse parse(std::string_view json);
};

namespace detail {

using json = nlohmann::json;

/// Marks number texts in the DOM below: floats are kept as binary nodes
/// holding their text (a JSON parser never produces binary nodes itself).
inline constexpr auto number_text_subtype = static_cast<nlohmann::json::binary_t::subtype_type>(0x6d);

/// Builds a DOM like nlohmann::json::parse, except that non-integer numbers keep
/// their exact text. Iterative, so deep nesting cannot overflow the stack.
class ExactDomBuilder final : public nlohmann::json_sax<json> {
public:
    json root;
    std::string error;

    bool null() override { return put(json(nullptr)); }
    bool boolean(bool v) override { return put(json(v)); }
    bool number_integer(number_integer_t v) override { return put(json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
    bool number_float(number_float_t, const string_t& text) override {
        return put(json::binary(json::binary_t::container_type(text.begin(), text.end()), number_text_subtype));
    }
    bool string(string_t& v) override { return put(json(std::move(v))); }
    bool binary(binary_t& v) override { return put(json::binary(std::move(v))); }
    bool start_object(std::size_t) override { return open(json::object()); }
    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception& e) override {
        error = e.what();
        return false;
    }

private:
    json* insert(json&& v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        json& top = *stack_.back();
        if (top.is_array()) {
            auto& arr = top.get_ref<json::array_t&>();
            arr.push_back(std::move(v));
            return &arr.back();
        }
        json& slot = top[key_];
        slot = std::move(v);
        return &slot;
    }
    bool put(json&& v) {
        insert(std::move(v));
        return true;
    }
    bool open(json&& v) {
        stack_.push_back(insert(std::move(v)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    std::vector<json*> stack_;
    std::string key_;
};

/// Where in the document a value is; printed only when decoding fails.
struct Path {
    const Path* parent = nullptr;
    const char* key = nullptr;  // null: an array index
    std::size_t index = 0;

    std::string str() const {
        std::string tail;
        if (key) {
            tail = parent && parent->parent ? std::string(".") + key : std::string(key);
        } else {
            tail = "[" + std::to_string(index) + "]";
        }
        return parent ? parent->str() + tail : tail;
    }
};

[[noreturn]] inline void schema_error(const Path& at, const std::string& what) {
    std::string where = at.str();
    fail(Status::decode, "identity JSON does not fit the schema: " + (where.empty() ? what : where + ": " + what));
}

inline const json& object_at(const json& v, const Path& at) {
    if (!v.is_object()) schema_error(at, "expected an object");
    return v;
}

/// The member `key` of `obj`, or null when it is absent.
inline const json* member(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

inline const json& required(const json& obj, const char* key, const Path& at) {
    const json* v = member(obj, key);
    if (!v) schema_error(at, std::string("missing required field \"") + key + "\"");
    return *v;
}

inline std::string as_string(const json& v, const Path& at) {
    if (!v.is_string()) schema_error(at, "expected a string");
    return v.get<std::string>();
}

inline bool as_bool(const json& v, const Path& at) {
    if (!v.is_boolean()) schema_error(at, "expected a boolean");
    return v.get<bool>();
}

inline Decimal as_decimal(const json& v, const Path& at) {
    if (v.is_binary() && v.get_binary().has_subtype() && v.get_binary().subtype() == number_text_subtype) {
        const auto& bytes = v.get_binary();
        return Decimal(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    if (v.is_number()) return Decimal(v.dump());  // integers exactly; doubles from a plain DOM, shortest form
    schema_error(at, "expected a number");
}

inline std::string req_string(const json& obj, const char* key, const Path& at) {
    return as_string(required(obj, key, at), Path{&at, key});
}

template <class T, class F>
std::optional<T> optional_of(const json& obj, const char* key, const Path& at, F convert) {
    const json* v = member(obj, key);
    if (!v || v->is_null()) return std::nullopt;
    return convert(*v, Path{&at, key});
}

inline std::optional<std::string> opt_string(const json& obj, const char* key, const Path& at) {
    return optional_of<std::string>(obj, key, at, as_string);
}

inline std::optional<bool> opt_bool(const json& obj, const char* key, const Path& at) {
    return optional_of<bool>(obj, key, at, as_bool);
}

inline std::optional<Decimal> opt_decimal(const json& obj, const char* key, const Path& at) {
    return optional_of<Decimal>(obj, key, at, as_decimal);
}

template <class F>
auto list_of(const json& v, const Path& at, F item) {
    if (!v.is_array()) schema_error(at, "expected an array");
    std::vector<decltype(item(v, at))> out;
    out.reserve(v.size());
    std::size_t i = 0;
    for (const json& element : v) {
        out.push_back(item(element, Path{&at, nullptr, i++}));
    }
    return out;
}

template <class F>
auto req_list(const json& obj, const char* key, const Path& at, F item) {
    return list_of(required(obj, key, at), Path{&at, key}, item);
}

inline std::vector<std::string> string_list(const json& v, const Path& at) { return list_of(v, at, as_string); }

inline Address decode_address(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Address a;
    a.city = opt_string(o, "city", at);
    a.country = opt_string(o, "country", at);
    a.postal_code = opt_string(o, "postal_code", at);
    a.region = opt_string(o, "region", at);
    a.street = opt_string(o, "street", at);
    a.primary = opt_bool(o, "primary", at);
    return a;
}

inline PhoneNumber decode_phone(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    PhoneNumber p;
    p.number = req_string(o, "number", at);
    p.primary = opt_bool(o, "primary", at);
    p.type = req_string(o, "type", at);
    return p;
}

inline Email decode_email(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Email e;
    e.address = req_string(o, "address", at);
    e.primary = opt_bool(o, "primary", at);
    return e;
}

inline Owner decode_owner(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Owner owner;
    owner.names = req_list(o, "names", at, as_string);
    owner.addresses = req_list(o, "addresses", at, decode_address);
    owner.phone_numbers = req_list(o, "phone_numbers", at, decode_phone);
    owner.emails = req_list(o, "emails", at, decode_email);
    return owner;
}

inline Balances decode_balances(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Balances b;
    b.currency = opt_string(o, "currency", at);
    b.available = opt_decimal(o, "available", at);
    b.current = opt_decimal(o, "current", at);
    b.limit = opt_decimal(o, "limit", at);
    b.balance_date = opt_string(o, "balance_date", at);
    return b;
}

inline Account decode_account(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Account a;
    a.account_id = req_string(o, "account_id", at);
    a.account_type = req_string(o, "account_type", at);
    a.name = req_string(o, "name", at);
    a.nickname = opt_string(o, "nickname", at);
    a.account_mask = opt_string(o, "account_mask", at);
    a.balances = decode_balances(required(o, "balances", at), Path{&at, "balances"});
    a.original_id = opt_string(o, "original_id", at);
    a.closed = opt_bool(o, "closed", at);
    a.owners = req_list(o, "owners", at, decode_owner);
    return a;
}

inline ProductSettings decode_settings(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    ProductSettings s;
    s.required = opt_bool(o, "required", at);
    s.require_permission = opt_bool(o, "require_permission", at);
    s.prefetch = opt_bool(o, "prefetch", at);
    s.reason = opt_string(o, "reason", at);
    return s;
}

inline LinkProduct decode_product(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    LinkProduct p;
    p.refreshed_at = opt_string(o, "refreshed_at", at);
    p.last_attempted_at = opt_string(o, "last_attempted_at", at);
    p.error_code = opt_string(o, "error_code", at);
    p.error_message = opt_string(o, "error_message", at);
    p.unavailable = opt_string(o, "unavailable", at);
    p.settings = optional_of<ProductSettings>(o, "settings", at, decode_settings);
    p.has_history = opt_bool(o, "has_history", at);
    return p;
}

inline Link decode_link(const json& v, const Path& at) {
    const json& o = object_at(v, at);
    Link l;
    l.link_id = req_string(o, "link_id", at);
    l.institution_id = req_string(o, "institution_id", at);
    l.institution_name = req_string(o, "institution_name", at);
    l.institution_avatar = req_string(o, "institution_avatar", at);
    l.state = req_string(o, "state", at);
    l.error_code = opt_string(o, "error_code", at);
    l.last_synced_at = opt_string(o, "last_synced_at", at);
    l.provider = req_string(o, "provider", at);
    l.link_tags = optional_of<std::vector<std::string>>(o, "link_tags", at, string_list);
    l.tags = optional_of<std::vector<std::string>>(o, "tags", at, string_list);
    l.webhook = opt_string(o, "webhook", at);
    const Path products_at{&at, "products"};
    const json& products = object_at(required(o, "products", at), products_at);
    for (auto it = products.begin(); it != products.end(); ++it) {
        const std::string& name = it.key();
        l.products.emplace(name, decode_product(it.value(), Path{&products_at, name.c_str()}));
    }
    l.available_products = req_list(o, "available_products", at, as_string);
    return l;
}

}  // namespace detail

inline IdentityResponse IdentityResponse::parse(std::string_view text) {
    detail::ExactDomBuilder dom;
    bool ok = false;
    try {
        ok = nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &dom);
    } catch (const nlohmann::json::exception& e) {
        dom.error = e.what();
    }
    if (!ok) detail::fail(Status::decode, "identity JSON is not valid JSON: " + dom.error);
    const detail::Path root{};
    const detail::json& o = detail::object_at(dom.root, root);
    IdentityResponse r;
    r.accounts = detail::req_list(o, "accounts", root, detail::decode_account);
    r.link = detail::decode_link(detail::required(o, "link", root), detail::Path{&root, "link"});
    return r;
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// How the client authenticates when no access token is set.
enum class Auth {
    token,    ///< OAuth2 client credentials via POST /auth/token, then Authorization: Bearer
    headers,  ///< X-Client-Id / X-Client-Secret on every request
};

/// Diagnostics on stderr, one line per attempt (never owner data or secrets).
enum class LogLevel { off, warn, info, debug };

/// The client's options: every key of the C options JSON, as fluent setters.
/// Unset keys keep the library's defaults (see the README's options table).
///
///   auto opts = moneykit::Options().timeout(std::chrono::seconds(5)).max_retries(1);
///
/// Durations are rounded up to whole milliseconds. Values are checked by the
/// library when the Client is created (InvalidArgumentError).
class Options {
public:
    Options() = default;

#define MONEYKIT_OPTION_SETTER(name, type, key, expr)           \
    Options& name(type value)& { return put(key, expr); }       \
    Options name(type value)&& {                                \
        put(key, expr);                                         \
        return std::move(*this);                                \
    }
    /// scheme://host[:port][/prefix]; default env MONEYKIT_BASE_URL, else https://api.moneykit.com.
    MONEYKIT_OPTION_SETTER(base_url, std::string, "base_url", std::move(value))
    /// A bearer token you already hold: no token requests are made.
    MONEYKIT_OPTION_SETTER(access_token, std::string, "access_token", std::move(value))
    MONEYKIT_OPTION_SETTER(auth, Auth, "auth", value == Auth::headers ? "headers" : "token")
    /// The moneykit-version header (default "2023-02-18").
    MONEYKIT_OPTION_SETTER(moneykit_version, std::string, "moneykit_version", std::move(value))
    /// Extra attempts for transport errors, timeouts, 429 and 5xx (default 2).
    MONEYKIT_OPTION_SETTER(max_retries, unsigned, "max_retries", value)
    /// Larger bodies are refused with DecodeError (default 16 MiB).
    MONEYKIT_OPTION_SETTER(max_response_bytes, std::uint64_t, "max_response_bytes", value)
    /// Appended to the library's own User-Agent.
    MONEYKIT_OPTION_SETTER(user_agent, std::string, "user_agent", std::move(value))
    /// Proxy URL (http:// or socks5://); default from ALL_PROXY / HTTPS_PROXY.
    MONEYKIT_OPTION_SETTER(proxy, std::string, "proxy", std::move(value))
    /// PEM file of extra root certificates to trust.
    MONEYKIT_OPTION_SETTER(ca_file, std::string, "ca_file", std::move(value))
    MONEYKIT_OPTION_SETTER(log_level, LogLevel, "log_level", level_name(value))
#undef MONEYKIT_OPTION_SETTER

#define MONEYKIT_DURATION_SETTER(name, key)                                      \
    template <class Rep, class Period>                                           \
    Options& name(std::chrono::duration<Rep, Period> value)& {                   \
        return put(key, millis(value));                                          \
    }                                                                            \
    template <class Rep, class Period>                                           \
    Options name(std::chrono::duration<Rep, Period> value)&& {                   \
        put(key, millis(value));                                                 \
        return std::move(*this);                                                 \
    }
    /// Whole-request deadline per attempt (key timeout_ms; default 30 s).
    MONEYKIT_DURATION_SETTER(timeout, "timeout_ms")
    /// Connect timeout (key connect_timeout_ms; default 10 s).
    MONEYKIT_DURATION_SETTER(connect_timeout, "connect_timeout_ms")
    /// Backoff base: base x 2^n with full jitter, capped at 8 s (key retry_base_ms; default 500 ms).
    MONEYKIT_DURATION_SETTER(retry_base, "retry_base_ms")
    /// A longer Retry-After is not waited for (key max_retry_after_ms; default 60 s).
    MONEYKIT_DURATION_SETTER(max_retry_after, "max_retry_after_ms")
#undef MONEYKIT_DURATION_SETTER

    /// Sets any key to any JSON value (null = the default): for keys newer than this header.
    Options& set(const std::string& key, nlohmann::json value) & {
        values_[key] = std::move(value);
        return *this;
    }
    Options set(const std::string& key, nlohmann::json value) && {
        set(key, std::move(value));
        return std::move(*this);
    }

    /// The options JSON handed to mk_client_new. Throws InvalidArgumentError if
    /// a string option is not valid UTF-8.
    std::string json() const {
        try {
            return values_.dump();
        } catch (const nlohmann::json::exception& e) {
            detail::fail(Status::invalid_argument, std::string("options: ") + e.what());
        }
    }

private:
    template <class V>
    Options& put(const char* key, V&& value) {
        values_[key] = std::forward<V>(value);
        return *this;
    }

    template <class Rep, class Period>
    static std::int64_t millis(std::chrono::duration<Rep, Period> d) {
        return static_cast<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
    }

    static const char* level_name(LogLevel level) {
        switch (level) {
        case LogLevel::warn: return "warn";
        case LogLevel::info: return "info";
        case LogLevel::debug: return "debug";
        case LogLevel::off: break;
        }
        return "off";
    }

    nlohmann::json values_ = nlohmann::json::object();
};

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/// A MoneyKit client: one connection pool and one cached access token, safe
/// to share between threads. Move-only; a moved-from Client is empty and its
/// calls throw InvalidArgumentError.
class Client {
public:
    /// Credentials from MONEYKIT_CLIENT_ID / MONEYKIT_CLIENT_SECRET (not needed
    /// with Options::access_token).
    explicit Client(const Options& options = Options()) { create(nullptr, nullptr, options); }

    Client(std::string_view client_id, std::string_view client_secret, const Options& options = Options()) {
        std::string id = detail::c_string(client_id, "client_id");
        std::string secret = detail::c_string(client_secret, "client_secret");
        create(id.c_str(), secret.c_str(), options);
        // The library keeps its own (zeroized) copy; wipe ours.
        volatile char* p = secret.data();
        for (std::size_t i = 0; i < secret.size(); ++i) p[i] = '\0';
    }

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) noexcept = default;
    Client& operator=(Client&&) noexcept = default;
    ~Client() = default;

    /// GET /links/{link_id}/identity, decoded. account_ids filters the accounts.
    IdentityResponse get_identity(std::string_view link_id, const std::vector<std::string>& account_ids = {}) const {
        return IdentityResponse::parse(get_identity_json(link_id, account_ids));
    }

    /// GET /links/{link_id}/identity: the body exactly as MoneyKit sent it
    /// (already checked against the schema by the library).
    std::string get_identity_json(std::string_view link_id, const std::vector<std::string>& account_ids = {}) const {
        if (!handle_) detail::fail(Status::invalid_argument, "this Client was moved from");
        const std::string id = detail::c_string(link_id, "link_id");
        std::vector<const char*> ids;
        ids.reserve(account_ids.size());
        for (const std::string& a : account_ids) {
            if (a.find('\0') != std::string::npos) detail::fail(Status::invalid_argument, "an account id contains a NUL byte");
            ids.push_back(a.c_str());
        }
        char* out_json = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_get_identity(handle_.get(), id.c_str(), ids.empty() ? nullptr : ids.data(),
                                                ids.size(), &out_json, &out_error);
        detail::LibraryString body(out_json), error(out_error);  // freed on every path from here
        if (rc != MK_OK) raise(rc, error.get());
        if (!body) detail::fail(Status::internal, "mk_get_identity returned MK_OK without a body");
        return std::string(body.get());
    }

    /// The C handle, for calling the C interface directly. Still owned by this Client.
    mk_client* native_handle() const noexcept { return handle_.get(); }

    /// False for a moved-from Client.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    void create(const char* id, const char* secret, const Options& options) {
        const std::string opts = options.json();
        mk_client* client = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_client_new(id, secret, opts.c_str(), &client, &out_error);
        handle_.reset(client);  // owned before anything can throw
        detail::LibraryString error(out_error);
        if (rc != MK_OK) {
            handle_.reset();
            raise(rc, error.get());
        }
        if (!handle_) detail::fail(Status::internal, "mk_client_new returned MK_OK without a client");
    }

    [[noreturn]] static void raise(std::int32_t rc, const char* error_json) {
        const Status status = static_cast<Status>(rc);
        if (!error_json) detail::fail(status, std::string(status_name(status)) + ": " + status_describe(status));
        throw_error(status, error_json);
    }

    std::unique_ptr<mk_client, detail::ClientFree> handle_;
};

}  // namespace moneykit

#endif  // MONEYKIT_HPP
