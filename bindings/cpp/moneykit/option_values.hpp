// moneykit/option_values.hpp: the JSON object behind moneykit::Options (part of
// moneykit.hpp; the setters themselves are generated into options.hpp).
#ifndef MONEYKIT_OPTION_VALUES_HPP
#define MONEYKIT_OPTION_VALUES_HPP

#include "exceptions.hpp"
#include "status.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace moneykit {
namespace detail {

/// The options set so far, as the options JSON of mk_client_new.
class OptionValues {
public:
    template <class V>
    void put(const char* key, V&& value) {
        values_[key] = std::forward<V>(value);
    }

    void set(const std::string& key, nlohmann::json value) { values_[key] = std::move(value); }

    /// Throws InvalidArgumentError when a string is not valid UTF-8. The message names no
    /// byte of it: an access token may be among the strings.
    std::string json() const {
        try {
            return values_.dump();
        } catch (const nlohmann::json::exception&) {
            fail(Status::invalid_argument, "options: a string option is not valid UTF-8");
        }
    }

    /// A duration as whole milliseconds, rounded up.
    template <class Rep, class Period>
    static std::int64_t millis(std::chrono::duration<Rep, Period> d) {
        return static_cast<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
    }

private:
    nlohmann::json values_ = nlohmann::json::object();
};

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_OPTION_VALUES_HPP
