// moneykit/refresh.hpp: moneykit::RefreshOptions, the pace of Client::refresh_identity and
// Client::wait_identity_newer (mk_refresh_identity, mk_wait_identity_newer; part of
// moneykit.hpp).
#ifndef MONEYKIT_REFRESH_HPP
#define MONEYKIT_REFRESH_HPP

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace moneykit {

/// How often refresh_identity / wait_identity_newer poll Get Identity, as fluent setters
/// (unset: the library's defaults, MoneyKit's per-link limit). Checked by the library
/// (InvalidArgumentError).
class RefreshOptions {
public:
    /// Get Identity calls per minute on the link, 1 .. 1000; default 3. Polls are
    /// 60 s / value apart (plus 2 %).
    RefreshOptions& link_per_minute(std::uint32_t value) & {
        json_["link_per_minute"] = value;
        return *this;
    }
    RefreshOptions link_per_minute(std::uint32_t value) && { return std::move(link_per_minute(value)); }
    /// A minute lasts 60 / value seconds (1 .. 10000; default 1), to match a sandbox started
    /// with `--time-scale`.
    RefreshOptions& time_scale(double value) & {
        json_["time_scale"] = value;
        return *this;
    }
    RefreshOptions time_scale(double value) && { return std::move(time_scale(value)); }

    /// The options JSON given to the library.
    std::string json() const { return json_.dump(); }

private:
    nlohmann::json json_ = nlohmann::json::object();
};

namespace detail {

/// A time point as ISO-8601 UTC with nanoseconds (`YYYY-MM-DDTHH:MM:SS.fffffffffZ`), for
/// mk_wait_identity_newer's `after`.
inline std::string iso_utc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ns = duration_cast<nanoseconds>(t.time_since_epoch()).count();
    std::int64_t secs = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        secs -= 1;
    }
    std::int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
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
    const auto put = [](std::string& out, std::int64_t v, std::size_t width) {
        const std::string digits = std::to_string(v);
        if (digits.size() < width) out.append(width - digits.size(), '0');
        out += digits;
    };
    std::string out;
    put(out, year, 4);
    out += '-';
    put(out, month, 2);
    out += '-';
    put(out, day, 2);
    out += 'T';
    put(out, sod / 3600, 2);
    out += ':';
    put(out, sod / 60 % 60, 2);
    out += ':';
    put(out, sod % 60, 2);
    out += '.';
    put(out, frac, 9);
    out += 'Z';
    return out;
}

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_REFRESH_HPP
