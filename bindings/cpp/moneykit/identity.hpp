// moneykit/identity.hpp: turning a Get Identity body into an IdentityResponse (part
// of moneykit.hpp). One validator: the library decides whether a body is acceptable
// (mk_validate_identity, or mk_get_identity on the way in); this side only maps.
#ifndef MONEYKIT_IDENTITY_HPP
#define MONEYKIT_IDENTITY_HPP

#include "moneykit.h"

#include "dom.hpp"
#include "exceptions.hpp"
#include "library.hpp"
#include "mapping.hpp"
#include "model.hpp"
#include "status.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace moneykit {
namespace detail {

/// Maps a body the library has accepted; rejects nothing the library accepted.
inline IdentityResponse map_identity(std::string_view body) {
    const std::optional<Json> dom = parse_exact(body);
    if (!dom) fail(Status::internal, "the library accepted an identity body that nlohmann/json cannot parse");
    IdentityResponse r;
    Reader<IdentityResponse>::read(*dom, r);
    return r;
}

}  // namespace detail

inline IdentityResponse IdentityResponse::parse(std::string_view json) {
    char* out_error = nullptr;
    const std::int32_t rc = mk_validate_identity(json.data() ? json.data() : "", json.size(), &out_error);
    detail::LibraryString error(out_error);  // freed on every path from here
    if (rc != MK_OK) detail::raise(rc, error.get());
    return detail::map_identity(json);
}

inline std::optional<std::chrono::system_clock::time_point> IdentityResponse::refreshed_at() const {
    const auto it = link.products.find("identity");
    if (it == link.products.end() || !it->second.refreshed_at) return std::nullopt;
    try {
        return it->second.refreshed_at->time_point();
    } catch (const std::out_of_range&) {  // a year the system clock cannot hold
        return std::nullopt;
    }
}

}  // namespace moneykit

#endif  // MONEYKIT_IDENTITY_HPP
