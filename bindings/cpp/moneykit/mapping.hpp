// moneykit/mapping.hpp: the C++ side of the schema's types (part of moneykit.hpp).
// Reader<T> maps a DOM value onto a field; Dump<T> writes a field's canonical dump
// (schema/README.md). model.hpp specialises both for every object of the schema.
//
// One validator: the library (mk_validate_identity) has accepted the body before any
// Reader runs, so a Reader never rejects anything. A value of an unexpected shape
// (which the library would have refused) leaves the field as it was: empty or default.
#ifndef MONEYKIT_MAPPING_HPP
#define MONEYKIT_MAPPING_HPP

#include "decimal.hpp"
#include "dom.hpp"
#include "timestamp.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace moneykit {
namespace detail {

/// read(v, out): maps `v` onto `out`; false (out unchanged) when `v` has another shape.
/// Specialised below for scalars and containers, in model.hpp for objects.
template <class T>
struct Reader;

/// dump(v): the canonical dump of a field. Objects use their canonical_dump() member.
template <class T>
struct Dump {
    static Json dump(const T& v) { return v.canonical_dump(); }
};

template <class T>
Json dump(const T& v) {
    return Dump<T>::dump(v);
}

/// Maps object[key] onto `out` when the key is present.
template <class T>
void field(const Json& object, const char* key, T& out) {
    const auto it = object.find(key);
    if (it != object.end()) Reader<T>::read(*it, out);
}

template <>
struct Reader<std::string> {
    static bool read(const Json& v, std::string& out) {
        if (!v.is_string()) return false;
        out = v.get_ref<const std::string&>();
        return true;
    }
};

template <>
struct Reader<bool> {
    static bool read(const Json& v, bool& out) {
        if (!v.is_boolean()) return false;
        out = v.get<bool>();
        return true;
    }
};

template <>
struct Reader<Decimal> {
    static bool read(const Json& v, Decimal& out) {
        try {
            if (const auto text = number_text(v)) {
                out = Decimal(*text);
                return true;
            }
            if (v.is_number_integer()) {  // integers print exactly
                out = Decimal(v.dump());
                return true;
            }
        } catch (const std::invalid_argument&) {  // not a JSON number: cannot come from the parser
        }
        return false;
    }
};

template <>
struct Reader<Timestamp> {
    static bool read(const Json& v, Timestamp& out) {
        if (!v.is_string()) return false;
        std::optional<Timestamp> t = Timestamp::parse(v.get_ref<const std::string&>());
        if (!t) return false;
        out = std::move(*t);
        return true;
    }
};

/// Opaque values: the JSON as sent, numbers as ordinary JSON numbers.
template <>
struct Reader<Json> {
    static bool read(const Json& v, Json& out) {
        out = plain(v);
        return true;
    }
};

/// Optional fields: absent and null are both std::nullopt.
template <class T>
struct Reader<std::optional<T>> {
    static bool read(const Json& v, std::optional<T>& out) {
        out.reset();
        if (v.is_null()) return true;
        T value{};
        if (!Reader<T>::read(v, value)) return false;
        out = std::move(value);
        return true;
    }
};

template <class T>
struct Reader<std::vector<T>> {
    static bool read(const Json& v, std::vector<T>& out) {
        if (!v.is_array()) return false;
        out.clear();
        out.reserve(v.size());
        for (const Json& element : v) {
            T value{};
            if (Reader<T>::read(element, value)) out.push_back(std::move(value));
        }
        return true;
    }
};

/// Maps: null entries are dropped.
template <class T>
struct Reader<std::map<std::string, T>> {
    static bool read(const Json& v, std::map<std::string, T>& out) {
        if (!v.is_object()) return false;
        out.clear();
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (it.value().is_null()) continue;
            T value{};
            if (Reader<T>::read(it.value(), value)) out.emplace(it.key(), std::move(value));
        }
        return true;
    }
};

template <>
struct Dump<std::string> {
    static Json dump(const std::string& v) { return v; }
};

template <>
struct Dump<bool> {
    static Json dump(bool v) { return v; }
};

template <>
struct Dump<Decimal> {
    static Json dump(const Decimal& v) { return v.canonical(); }
};

template <>
struct Dump<Timestamp> {
    static Json dump(const Timestamp& v) { return v.canonical(); }
};

template <>
struct Dump<Json> {
    static Json dump(const Json& v) { return v; }
};

template <class T>
struct Dump<std::optional<T>> {
    static Json dump(const std::optional<T>& v) { return v ? Dump<T>::dump(*v) : Json(nullptr); }
};

template <class T>
struct Dump<std::vector<T>> {
    static Json dump(const std::vector<T>& v) {
        Json out = Json::array();
        for (const T& element : v) out.push_back(Dump<T>::dump(element));
        return out;
    }
};

template <class T>
struct Dump<std::map<std::string, T>> {
    static Json dump(const std::map<std::string, T>& v) {
        Json out = Json::object();
        for (const auto& entry : v) out[entry.first] = Dump<T>::dump(entry.second);
        return out;
    }
};

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_MAPPING_HPP
