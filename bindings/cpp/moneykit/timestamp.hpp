// moneykit/timestamp.hpp: ISO-8601 timestamps as MoneyKit sends them (part of moneykit.hpp).
//
// The library reads every timestamp (its one grammar, schema/README.md: `YYYY-MM-DD`,
// optionally `T` (or `t` or a space), `HH:MM`, optional `:SS` and fraction, then an optional
// offset `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH`); a Timestamp holds what its typed view
// (mk_timestamp) gives: the text, the instant in microseconds and how it was written. A bare
// date is midnight UTC; a time without an offset is read as UTC; date_only() / no_offset()
// say which.
#ifndef MONEYKIT_TIMESTAMP_HPP
#define MONEYKIT_TIMESTAMP_HPP

#include "moneykit.h"

#include "probe.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
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

    /// A timestamp of the typed view (include/moneykit.h): its text, instant and kind. An
    /// absent one (MK_TIMESTAMP_ABSENT) gives Timestamp().
    static Timestamp from_view(const mk_timestamp& v) {
        Timestamp t;
        if (v.kind == MK_TIMESTAMP_ABSENT || !v.text.ptr) return t;
        t.text_.assign(v.text.ptr, v.text.len);
        // Whole seconds (floor) and the microseconds past them.
        std::int64_t secs = v.unix_micros / 1000000, micros = v.unix_micros % 1000000;
        if (micros < 0) {
            micros += 1000000;
            secs -= 1;
        }
        t.seconds_ = secs;
        t.nanos_ = static_cast<std::uint32_t>(micros) * 1000u;
        t.date_only_ = v.kind == MK_TIMESTAMP_DATE_ONLY;
        t.no_offset_ = v.kind == MK_TIMESTAMP_DATE_ONLY || v.kind == MK_TIMESTAMP_NO_OFFSET;
        return t;
    }

    /// `text` read by the library (the grammar above, years 1-9999 as UTC instants);
    /// std::nullopt when it is not a timestamp. The library's reader is the only one: the text
    /// goes through mk_identity_parse in the smallest body that has a timestamp field.
    static std::optional<Timestamp> parse(std::string_view text) {
        for (const char c : text) {  // JSON-string-safe as is; anything else is no timestamp
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return std::nullopt;
        }
        std::string body = detail::timestamp_probe_head;
        body += '"';
        body.append(text.data(), text.size());
        body += '"';
        body += detail::timestamp_probe_tail;
        mk_identity* handle = nullptr;
        const std::int32_t rc = mk_identity_parse(body.data(), body.size(), &handle, nullptr);
        const std::unique_ptr<mk_identity, Free> owned(handle);  // freed on every path
        if (rc != MK_OK || !owned) return std::nullopt;
        const mk_identity_response* root = nullptr;
        if (mk_identity_root(owned.get(), &root) != MK_OK || !root) return std::nullopt;
        const mk_timestamp& v = detail::timestamp_probe_field(*root);
        if (v.kind == MK_TIMESTAMP_ABSENT) return std::nullopt;
        return from_view(v);
    }

    /// The text exactly as MoneyKit sent it.
    const std::string& text() const noexcept { return text_; }
    /// True for a bare date ("2023-02-16"), read as midnight UTC.
    bool date_only() const noexcept { return date_only_; }
    /// True when no `Z` or offset was written (a bare date included): the time was read as UTC.
    bool no_offset() const noexcept { return no_offset_; }

    /// Whole seconds since 1970-01-01T00:00:00Z (floor), and the nanoseconds past them: a
    /// multiple of 1000 (the library keeps microseconds; fraction digits past 6 are cut).
    /// Exact over the grammar's whole range (years 1-9999).
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
    struct Free {
        void operator()(mk_identity* i) const noexcept { mk_identity_free(i); }
    };

    std::pair<std::int64_t, std::uint32_t> key() const noexcept { return {seconds_, nanos_}; }

    static void put(std::string& out, std::int64_t v, int width) {
        std::string digits = std::to_string(v);
        if (static_cast<int>(digits.size()) < width) out.append(static_cast<std::size_t>(width) - digits.size(), '0');
        out += digits;
    }

    std::string text_ = "1970-01-01T00:00:00Z";
    std::int64_t seconds_ = 0;
    std::uint32_t nanos_ = 0;
    bool date_only_ = false;
    bool no_offset_ = false;
};

/// The instant of an ISO-8601 date-time (Timestamp::parse), or std::nullopt when the text
/// is not one or the system clock cannot hold it.
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
