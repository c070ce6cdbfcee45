// moneykit/identity.hpp: an IdentityResponse from the library's typed view (part of
// moneykit.hpp). One validator and one reader: the library decides whether a body is
// acceptable and reads every field (mk_identity_parse, mk_get_identity_view); this side
// copies the view's structs into the model's (view.hpp, generated).
#ifndef MONEYKIT_IDENTITY_HPP
#define MONEYKIT_IDENTITY_HPP

#include "moneykit.h"

#include "exceptions.hpp"
#include "library.hpp"
#include "model.hpp"
#include "status.hpp"
#include "view.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace moneykit {
namespace detail {

/// Frees an identity view with mk_identity_free.
struct IdentityFree {
    void operator()(mk_identity* i) const noexcept { mk_identity_free(i); }
};
using IdentityHandle = std::unique_ptr<mk_identity, IdentityFree>;

/// The view's root, copied.
inline IdentityResponse identity_of(const IdentityHandle& handle) {
    if (!handle) fail(Status::internal, "the library returned MK_OK without an identity");
    const mk_identity_response* root = nullptr;
    const std::int32_t rc = mk_identity_root(handle.get(), &root);
    if (rc != MK_OK || !root) fail(Status::internal, "mk_identity_root refused a live identity");
    return from_view(*root);
}

/// A body checked and read by the library (mk_identity_parse): DecodeError when refused.
inline IdentityResponse identity_from_json(std::string_view json) {
    mk_identity* out = nullptr;
    char* out_error = nullptr;
    const std::int32_t rc = mk_identity_parse(json.data() ? json.data() : "", json.size(), &out, &out_error);
    const IdentityHandle handle(out);       // freed on every path from here
    const LibraryString error(out_error);
    if (rc != MK_OK) raise(rc, error.get());
    return identity_of(handle);
}

}  // namespace detail

inline IdentityResponse IdentityResponse::parse(std::string_view json) { return detail::identity_from_json(json); }

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
