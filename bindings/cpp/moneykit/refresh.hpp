// moneykit/refresh.hpp: what Client::refresh_identity and Client::wait_identity_newer need
// besides RefreshOptions (generated into options.hpp): the ISO-8601 text of a time point
// (part of moneykit.hpp).
#ifndef MONEYKIT_REFRESH_HPP
#define MONEYKIT_REFRESH_HPP

#include "options.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace moneykit {

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
