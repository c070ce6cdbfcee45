// moneykit/json_text.hpp: writing JSON strings by hand (part of moneykit.hpp): the
// canonical dump and the claim are written with these, without a JSON library.
#ifndef MONEYKIT_JSON_TEXT_HPP
#define MONEYKIT_JSON_TEXT_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace moneykit {
namespace detail {

/// The length of the well-formed UTF-8 sequence at s[i] (no overlongs, surrogates or code
/// points above U+10FFFF), or 0 when there is none.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b < 0x80) {
        return 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
        len = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 2;
        if (b == 0xe0) lo = 0xa0;
        if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 3;
        if (b == 0xf0) lo = 0x90;
        if (b == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (s.size() - i - 1 < len) return 0;
    for (std::size_t k = 1; k <= len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf)) return 0;
    }
    return len + 1;
}

/// Well-formed UTF-8.
inline bool valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

/// Appends `s` to `out` as a JSON string (quotes included): `"` and `\` escaped, control
/// characters as \u00XX, everything else as is. Returns false when `s` is not valid UTF-8;
/// each byte that starts no valid sequence is then written as U+FFFD.
inline bool append_json_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    bool ok = true;
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) {
                out += "\xef\xbf\xbd";
                ok = false;
                ++i;
            } else {
                out.append(s, i, n);
                i += n;
            }
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        } else {
            out += c;
        }
        ++i;
    }
    out += '"';
    return ok;
}

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_JSON_TEXT_HPP
