// moneykit/option_values.hpp: the JSON object behind moneykit::Options, BatchOptions and
// RefreshOptions (part of moneykit.hpp; the setters themselves are generated into
// options.hpp). nlohmann/json writes it; no nlohmann type appears in a public signature.
#ifndef MONEYKIT_OPTION_VALUES_HPP
#define MONEYKIT_OPTION_VALUES_HPP

#include "exceptions.hpp"
#include "json_text.hpp"
#include "secret.hpp"
#include "status.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace moneykit {
namespace detail {

/// The options set so far, as the options JSON of mk_client_new. Secret options
/// (the schema's type "secret", e.g. access_token) are kept apart, each in a
/// SecretString, and only ever serialised into a SecretString: no copy of a
/// secret is left behind in memory this class freed.
class OptionValues {
public:
    template <class V>
    void put(const char* key, V&& value) {
        secrets_.erase(key);
        values_[key] = std::forward<V>(value);
    }

    /// A secret option: copied once into a SecretString, then `value` is wiped.
    void put_secret(const char* key, std::string value) {
        secrets_[key].assign(value);
        secure_wipe(value);
        values_.erase(key);
    }

    /// Any key to a JSON value given as text; a string for a secret key is kept as a secret
    /// (and the parsed copy wiped). InvalidArgumentError when `text` is not one JSON value
    /// (the message quotes none of it: it may be a token).
    void set_json(std::string_view key, std::string_view text, bool secret = false) {
        nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
        if (value.is_discarded()) {
            fail(Status::invalid_argument, "options: the value given by set_json() is not one JSON value");
        }
        const std::string name(key);
        if (secret && value.is_string()) {
            std::string& s = value.get_ref<std::string&>();
            secrets_[name].assign(s);
            secure_wipe(s);
            values_.erase(name);
        } else {
            secrets_.erase(name);
            values_[name] = std::move(value);
        }
    }

    /// Throws InvalidArgumentError when a string is not valid UTF-8. The message names no
    /// byte of it: an access token may be among the strings.
    std::string json() const { return std::string(secret_json().view()); }

    /// The options JSON in a buffer that is wiped when freed: public keys first as
    /// nlohmann/json writes them, then the secrets, escaped by hand straight into a
    /// buffer of the final size (no reallocation leaves a partial copy behind).
    SecretString secret_json() const {
        std::string plain;
        try {
            plain = values_.dump();
        } catch (const nlohmann::json::exception&) {
            invalid_utf8();
        }
        if (secrets_.empty()) return SecretString(plain);
        std::size_t size = plain.size() + (plain == "{}" ? 0 : 1);  // the comma before the public part
        bool first = true;
        for (const auto& entry : secrets_) {
            if (!valid_utf8(entry.second.view())) invalid_utf8();
            size += (first ? 0 : 1) + escaped_size(entry.first) + 1 + escaped_size(entry.second.view());
            first = false;
        }
        SecretString out = SecretString::with_size(size);
        char* p = out.data();
        *p++ = '{';
        first = true;
        for (const auto& entry : secrets_) {
            if (!first) *p++ = ',';
            p = escape(entry.first, p);
            *p++ = ':';
            p = escape(entry.second.view(), p);
            first = false;
        }
        if (plain != "{}") {
            *p++ = ',';
            plain.copy(p, plain.size() - 1, 1);  // without the public part's '{'
            p += plain.size() - 1;
        } else {
            *p++ = '}';
        }
        (void)p;  // p == out.data() + size
        return out;
    }

    /// A duration as whole milliseconds, rounded up.
    template <class Rep, class Period>
    static std::int64_t millis(std::chrono::duration<Rep, Period> d) {
        return static_cast<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
    }

private:
    [[noreturn]] static void invalid_utf8() {
        fail(Status::invalid_argument, "options: a string option is not valid UTF-8");
    }

    /// Escaped length of a JSON string, quotes included.
    static std::size_t escaped_size(std::string_view s) noexcept {
        std::size_t n = 2;
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            n += (c == '"' || c == '\\') ? 2 : (u < 0x20 ? 6 : 1);
        }
        return n;
    }

    /// Writes s as a JSON string at p; returns the end.
    static char* escape(std::string_view s, char* p) noexcept {
        static const char hex[] = "0123456789abcdef";
        *p++ = '"';
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                *p++ = '\\';
                *p++ = c;
            } else if (u < 0x20) {
                *p++ = '\\';
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[u >> 4];
                *p++ = hex[u & 0xf];
            } else {
                *p++ = c;
            }
        }
        *p++ = '"';
        return p;
    }

    nlohmann::json values_ = nlohmann::json::object();
    std::map<std::string, SecretString> secrets_;
};

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_OPTION_VALUES_HPP
