// moneykit/timestamp.hpp: ISO-8601 timestamps as MoneyKit sends them (part of moneykit.hpp).
//
// The grammar is schema/README.md's: `YYYY-MM-DD`, optionally `T` (or `t` or a space),
// `HH:MM`, optional `:SS`, optional `.` and 1 or more fraction digits (after seconds only),
// then an optional offset `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH`. A bare date is midnight
// UTC; a time without an offset is read as UTC; date_only() / no_offset() say which.
#ifndef MONEYKIT_TIMESTAMP_HPP
#define MONEYKIT_TIMESTAMP_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace moneykit {

/// A timestamp: the text as sent, the UTC instant it names, and how it was written.
/// Compared by instant ("2023-02-16" == "2023-02-16T00:00:00Z").
class Timestamp {
public:
    /// 1970-01-01T00:00:00Z.
    Timestamp() = default;

    /// std::nullopt when `text` is not in the grammar above (or out of range).
    static std::optional<Timestamp> parse(std::string_view text) {
        Timestamp t;
        if (!t.read(text)) return std::nullopt;
        t.text_ = std::string(text);
        return t;
    }

    /// The text exactly as MoneyKit sent it.
    const std::string& text() const noexcept { return text_; }
    /// True for a bare date ("2023-02-16"), read as midnight UTC.
    bool date_only() const noexcept { return date_only_; }
    /// True when no `Z` or offset was written (a bare date included): the time was read as UTC.
    bool no_offset() const noexcept { return no_offset_; }

    /// Whole seconds since 1970-01-01T00:00:00Z (floor), and the nanoseconds past them
    /// (fraction digits beyond 9 are cut). Exact over the grammar's whole range (years 1-9999).
    std::int64_t unix_seconds() const noexcept { return seconds_; }
    std::uint32_t subsecond_nanos() const noexcept { return nanos_; }

    /// The instant on the system clock. Throws std::out_of_range when the clock cannot hold
    /// it (with a nanosecond clock: before 1677 or after 2262).
    std::chrono::system_clock::time_point time_point() const {
        using namespace std::chrono;
        using D = system_clock::duration;
        const auto limit = duration_cast<seconds>(D::max()).count() - 1;
        if (seconds_ >= limit || seconds_ <= -limit) {
            throw std::out_of_range("moneykit::Timestamp: outside the range of std::chrono::system_clock");
        }
        return system_clock::time_point(duration_cast<D>(seconds(seconds_)) + duration_cast<D>(nanoseconds(nanos_)));
    }

    /// The canonical form (schema/README.md): UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, 6 fraction
    /// digits, extra digits cut.
    std::string canonical() const {
        std::int64_t days = seconds_ / 86400, secs = seconds_ % 86400;
        if (secs < 0) {
            secs += 86400;
            days -= 1;
        }
        // Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days).
        const std::int64_t z = days + 719468;
        const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        const std::int64_t doe = z - era * 146097;
        const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const std::int64_t mp = (5 * doy + 2) / 153;
        const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
        const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
        const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        std::string out;
        put(out, year, 4);
        out += '-';
        put(out, month, 2);
        out += '-';
        put(out, day, 2);
        out += 'T';
        put(out, secs / 3600, 2);
        out += ':';
        put(out, secs / 60 % 60, 2);
        out += ':';
        put(out, secs % 60, 2);
        out += '.';
        put(out, nanos_ / 1000, 6);
        out += 'Z';
        return out;
    }

    friend bool operator==(const Timestamp& a, const Timestamp& b) noexcept { return a.key() == b.key(); }
    friend bool operator!=(const Timestamp& a, const Timestamp& b) noexcept { return a.key() != b.key(); }
    friend bool operator<(const Timestamp& a, const Timestamp& b) noexcept { return a.key() < b.key(); }
    friend bool operator<=(const Timestamp& a, const Timestamp& b) noexcept { return a.key() <= b.key(); }
    friend bool operator>(const Timestamp& a, const Timestamp& b) noexcept { return a.key() > b.key(); }
    friend bool operator>=(const Timestamp& a, const Timestamp& b) noexcept { return a.key() >= b.key(); }
    friend std::ostream& operator<<(std::ostream& os, const Timestamp& t) { return os << t.text_; }

private:
    std::pair<std::int64_t, std::uint32_t> key() const noexcept { return {seconds_, nanos_}; }

    static void put(std::string& out, std::int64_t v, int width) {
        std::string digits = std::to_string(v);
        if (static_cast<int>(digits.size()) < width) out.append(static_cast<std::size_t>(width) - digits.size(), '0');
        out += digits;
    }

    bool read(std::string_view s) {
        std::size_t i = 0;
        auto num = [&](std::size_t width, int& out) {
            if (i + width > s.size()) return false;
            int v = 0;
            for (std::size_t k = 0; k < width; ++k) {
                const char c = s[i + k];
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
        std::int64_t offset = 0;
        if (!num(4, year) || !lit('-') || !num(2, month) || !lit('-') || !num(2, day)) return false;
        if (year < 1 || month < 1 || month > 12) return false;
        static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (day < 1 || day > month_days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
        date_only_ = no_offset_ = i == s.size();
        if (!date_only_) {
            if (!(lit('T') || lit('t') || lit(' '))) return false;
            if (!num(2, hour) || !lit(':') || !num(2, minute)) return false;
            if (lit(':')) {
                if (!num(2, second)) return false;
                if (lit('.')) {
                    const std::size_t start = i;
                    std::uint32_t scale = 100000000;
                    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
                        nanos_ += static_cast<std::uint32_t>(s[i] - '0') * scale;
                        scale /= 10;
                    }
                    if (i == start) return false;
                }
            }
            if (hour > 23 || minute > 59 || second > 59) return false;
            no_offset_ = i == s.size();
            if (lit('Z') || lit('z')) {
            } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
                const int sign = s[i++] == '-' ? -1 : 1;
                int oh = 0, om = 0;
                if (!num(2, oh)) return false;
                if (i < s.size()) {
                    lit(':');  // ±HH:MM or ±HHMM
                    if (!num(2, om)) return false;
                }
                if (oh > 23 || om > 59) return false;
                offset = sign * (oh * 3600 + om * 60);
            }
            if (i != s.size()) return false;
        }
        // Days since 1970-01-01 (H. Hinnant's days_from_civil).
        const int y = year - (month <= 2 ? 1 : 0);
        const int era = y / 400;  // y >= 0: years start at 1
        const int yoe = y - era * 400;
        const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
        seconds_ = days * 86400 + hour * 3600 + minute * 60 + second - offset;
        return true;
    }

    std::string text_ = "1970-01-01T00:00:00Z";
    std::int64_t seconds_ = 0;
    std::uint32_t nanos_ = 0;
    bool date_only_ = false;
    bool no_offset_ = false;
};

/// The instant of an ISO-8601 date-time (the grammar above), or std::nullopt when
/// the text is not one or the system clock cannot hold it.
inline std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text) {
    const std::optional<Timestamp> t = Timestamp::parse(text);
    if (!t) return std::nullopt;
    try {
        return t->time_point();
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
}

}  // namespace moneykit

#endif  // MONEYKIT_TIMESTAMP_HPP
