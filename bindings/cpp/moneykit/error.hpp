// moneykit/error.hpp: moneykit::Error, the base of every exception the wrapper
// throws (part of moneykit.hpp; the per-status subclasses are in exceptions.hpp).
#ifndef MONEYKIT_ERROR_HPP
#define MONEYKIT_ERROR_HPP

#include "error_json.hpp"
#include "status.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace moneykit {

struct IdentityResponse;  // model.hpp

namespace detail {
struct StaleAttach;
}  // namespace detail

/// A failed call. what() is the library's one-line message (never contains
/// secrets or values from a response body); the accessors mirror the keys of the
/// error JSON (moneykit.h). Copying is cheap and never throws (the details are shared).
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
    const std::optional<std::string>& error_code() const noexcept { return data_->keys.error_code; }
    /// MoneyKit's error_message, e.g. "Link not found.".
    const std::optional<std::string>& error_message() const noexcept { return data_->keys.error_message; }
    const std::optional<std::string>& documentation_url() const noexcept { return data_->keys.documentation_url; }
    /// For Status::link_bad_state: why the link is unusable, e.g. "auth_expired".
    const std::optional<std::string>& link_error_code() const noexcept { return data_->keys.link_error_code; }
    /// The response's x-request-id header, when the server sent one.
    const std::optional<std::string>& request_id() const noexcept { return data_->keys.request_id; }
    /// How long the server asked to wait (Retry-After), when it did.
    std::optional<std::chrono::milliseconds> retry_after() const noexcept { return data_->retry_after; }
    /// With SignatureError only: which check refused the webhook delivery (`malformed`, `alg`,
    /// `kid_unknown`, `signature`, `body_hash`, `iat_too_old`, `iat_in_future`, `expired`,
    /// `body_too_large`; docs/C-API.md "Webhooks"); std::nullopt otherwise.
    const std::optional<std::string>& reason() const noexcept { return data_->keys.reason; }
    /// Attempts the call made (0 when it failed before sending anything).
    std::uint32_t attempts() const noexcept { return data_->attempts; }
    /// With a 422 api_error.request.validation_failed: the server's validation_errors
    /// (redacted); empty otherwise.
    const std::vector<ValidationError>& validation_errors() const noexcept { return data_->validation_errors; }
    /// Whether a later retry of the same call can help: timeouts, transport errors (not TLS
    /// or redirect failures), HTTP 429, 500, 502, 503, 504 (docs/C-API.md "Error JSON").
    bool retryable() const noexcept { return data_->keys.retryable.value_or(false); }
    /// The last HTTP error response (status, headers, body; redacted, never a 2xx body), or
    /// nullptr when none was received (e.g. a transport error).
    const RawResponse* response() const noexcept { return data_->keys.response ? &*data_->keys.response : nullptr; }
    /// The error JSON exactly as the library returned it.
    const std::string& json() const noexcept { return data_->json; }

    /// From Client::refresh_identity / wait_identity_newer (TimeoutError, the daily-limit
    /// RateLimitedError, CancelledError, ...): the last identity seen, which is stale (its
    /// refreshed_at did not advance). nullptr when none was seen and for every other call.
    /// Needs moneykit/model.hpp to be used (moneykit.hpp includes it).
    const IdentityResponse* stale() const noexcept { return stale_ ? stale_->identity.get() : nullptr; }
    /// The stale body exactly as MoneyKit sent it; nullptr when stale() is.
    const std::string* stale_json() const noexcept { return stale_ ? &stale_->json : nullptr; }

private:
    friend struct detail::StaleAttach;
    struct Stale {
        std::string json;
        std::shared_ptr<const IdentityResponse> identity;
    };

    struct Data {
        Status status = Status::internal;
        std::string name;
        std::string message;
        detail::ErrorJson keys;
        std::optional<int> http_status;
        std::optional<std::chrono::milliseconds> retry_after;
        std::uint32_t attempts = 0;
        std::vector<ValidationError> validation_errors;
        std::string json;
    };

    explicit Error(std::shared_ptr<const Data> data) : std::runtime_error(data->message), data_(std::move(data)) {}

    static std::shared_ptr<const Data> parse(Status status, std::string error_json) {
        auto data = std::make_shared<Data>();
        data->status = status;
        data->keys = detail::ErrorJson::read(nlohmann::json::parse(error_json, nullptr, /*allow_exceptions=*/false));
        const detail::ErrorJson& k = data->keys;
        data->name = k.name.value_or("");
        data->message = k.message.value_or("");
        if (k.http_status && *k.http_status >= 0 && *k.http_status <= 999) {
            data->http_status = static_cast<int>(*k.http_status);
        }
        if (k.retry_after_ms && *k.retry_after_ms >= 0) {
            data->retry_after = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*k.retry_after_ms));
        }
        if (k.attempts && *k.attempts >= 0) {
            data->attempts = static_cast<std::uint32_t>(
                std::min<std::int64_t>(*k.attempts, std::numeric_limits<std::uint32_t>::max()));
        }
        if (k.validation_errors) data->validation_errors = *k.validation_errors;
        if (data->name.empty()) data->name = status_name(status);
        if (data->message.empty()) data->message = data->name + ": " + status_describe(status);
        data->json = std::move(error_json);
        return data;
    }

    std::shared_ptr<const Data> data_;
    std::shared_ptr<const Stale> stale_;
};

namespace detail {

/// Gives a caught Error its stale identity (refresh and wait), before it is rethrown.
struct StaleAttach {
    static void attach(Error& e, std::string json, std::shared_ptr<const IdentityResponse> identity) {
        auto stale = std::make_shared<Error::Stale>();
        stale->json = std::move(json);
        stale->identity = std::move(identity);
        e.stale_ = std::move(stale);
    }
};

}  // namespace detail

}  // namespace moneykit

#endif  // MONEYKIT_ERROR_HPP
