// moneykit/decimal.hpp: exact amounts (part of moneykit.hpp).
#ifndef MONEYKIT_DECIMAL_HPP
#define MONEYKIT_DECIMAL_HPP

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace moneykit {

/// An exact decimal number, kept as the text MoneyKit sent ("340.12", "500",
/// "1.5e3"). Comparison is by value (500 == 500.0 == 5e2); text() is verbatim.
class Decimal {
public:
    /// Zero.
    Decimal() : Decimal(std::string_view("0")) {}

    /// From JSON number text; throws std::invalid_argument for anything else.
    explicit Decimal(std::string_view text) : text_(text) {
        if (!parse()) throw std::invalid_argument("moneykit::Decimal: not a JSON number");  // the text itself stays out of messages
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

    /// The canonical text (schema/README.md): plain notation, no exponent, no
    /// trailing fraction zeros, "-0" as "0" ("1e3" -> "1000", "1.50" -> "1.5").
    /// A huge exponent makes a correspondingly long string.
    std::string canonical() const {
        if (digits_.empty()) return "0";
        std::string out = negative_ ? "-" : "";
        const std::int64_t size = static_cast<std::int64_t>(digits_.size());
        const std::int64_t point = size + exponent_;  // digits before the decimal point
        if (exponent_ >= 0) {
            out += digits_;
            out.append(static_cast<std::size_t>(exponent_), '0');
        } else if (point <= 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-point), '0');
            out += digits_;
        } else {
            out.append(digits_, 0, static_cast<std::size_t>(point));
            out += '.';
            out.append(digits_, static_cast<std::size_t>(point), std::string::npos);
        }
        return out;
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

}  // namespace moneykit

#endif  // MONEYKIT_DECIMAL_HPP
