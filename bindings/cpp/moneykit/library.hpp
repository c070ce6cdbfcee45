// moneykit/library.hpp: versions and ownership of what the C library hands out
// (part of moneykit.hpp).
#ifndef MONEYKIT_LIBRARY_HPP
#define MONEYKIT_LIBRARY_HPP

#include "moneykit.h"

#include "exceptions.hpp"
#include "status.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace moneykit {

/// The version of the header (and of the library it was written for).
inline constexpr const char* header_version = MK_VERSION;

/// The version of the library actually loaded, e.g. "0.1.0".
inline std::string version() { return mk_version(); }

namespace detail {

/// Frees library strings with mk_string_free.
struct StringFree {
    void operator()(char* s) const noexcept { mk_string_free(s); }
};
using LibraryString = std::unique_ptr<char, StringFree>;

/// Frees a client with mk_client_free.
struct ClientFree {
    void operator()(mk_client* c) const noexcept { mk_client_free(c); }
};

/// Copies a string for the C interface, refusing embedded NULs (C would cut the string there).
inline std::string c_string(std::string_view s, const char* what) {
    if (s.find('\0') != std::string_view::npos) {
        fail(Status::invalid_argument, std::string(what) + " contains a NUL byte");
    }
    return std::string(s);
}

/// Throws the exception for a library status and its error JSON (which may be null).
[[noreturn]] inline void raise(std::int32_t rc, const char* error_json) {
    const Status status = static_cast<Status>(rc);
    if (!error_json) fail(status, std::string(status_name(status)) + ": " + status_describe(status));
    throw_error(status, error_json);
}

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_LIBRARY_HPP
