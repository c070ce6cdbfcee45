// moneykit/dom.hpp: the body as an nlohmann::json DOM that keeps every number's exact
// text (part of moneykit.hpp; used by the generated mapping in model.hpp).
#ifndef MONEYKIT_DOM_HPP
#define MONEYKIT_DOM_HPP

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moneykit {
namespace detail {

using Json = nlohmann::json;

/// Marks number texts in the DOM: non-integer numbers are kept as binary nodes
/// holding their text (a JSON parser never produces binary nodes itself).
inline constexpr auto number_text_subtype = static_cast<Json::binary_t::subtype_type>(0x6d);

/// The exact text of a number kept by ExactDomBuilder, or std::nullopt.
inline std::optional<std::string_view> number_text(const Json& v) {
    if (!v.is_binary()) return std::nullopt;
    const Json::binary_t& bytes = v.get_binary();
    if (!bytes.has_subtype() || bytes.subtype() != number_text_subtype) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

/// Builds a DOM like nlohmann::json::parse, except that non-integer numbers keep
/// their exact text. Iterative, so deep nesting cannot overflow the stack.
class ExactDomBuilder final : public nlohmann::json_sax<Json> {
public:
    Json root;
    bool failed = false;

    bool null() override { return put(Json(nullptr)); }
    bool boolean(bool v) override { return put(Json(v)); }
    bool number_integer(number_integer_t v) override { return put(Json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return put(Json(v)); }
    bool number_float(number_float_t, const string_t& text) override {
        return put(Json::binary(Json::binary_t::container_type(text.begin(), text.end()), number_text_subtype));
    }
    bool string(string_t& v) override { return put(Json(std::move(v))); }
    bool binary(binary_t& v) override { return put(Json::binary(std::move(v))); }
    bool start_object(std::size_t) override { return open(Json::object()); }
    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(Json::array()); }
    bool end_array() override { return close(); }
    // The parser's message quotes the input, so it is not kept (owner data stays out of errors).
    bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override {
        failed = true;
        return false;
    }

private:
    Json* insert(Json&& v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        Json& top = *stack_.back();
        if (top.is_array()) {
            auto& arr = top.get_ref<Json::array_t&>();
            arr.push_back(std::move(v));
            return &arr.back();
        }
        Json& slot = top[key_];
        slot = std::move(v);
        return &slot;
    }
    bool put(Json&& v) {
        insert(std::move(v));
        return true;
    }
    bool open(Json&& v) {
        stack_.push_back(insert(std::move(v)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    std::vector<Json*> stack_;
    std::string key_;
};

/// Parses `text` into an exact DOM; std::nullopt when it is not JSON.
inline std::optional<Json> parse_exact(std::string_view text) {
    if (text.empty()) return std::nullopt;
    ExactDomBuilder dom;
    bool ok = false;
    try {
        ok = Json::sax_parse(text.data(), text.data() + text.size(), &dom);
    } catch (const nlohmann::json::exception&) {
        ok = false;
    }
    if (!ok || dom.failed) return std::nullopt;
    return std::move(dom.root);
}

/// A copy of an exact DOM value with number texts turned back into ordinary JSON
/// numbers: opaque values (LinkProduct::settings) are handed out this way.
inline Json plain(const Json& v) {
    if (const auto text = number_text(v)) {
        return Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
    }
    if (v.is_object()) {
        Json out = Json::object();
        for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = plain(it.value());
        return out;
    }
    if (v.is_array()) {
        Json out = Json::array();
        for (const Json& e : v) out.push_back(plain(e));
        return out;
    }
    return v;
}

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_DOM_HPP
