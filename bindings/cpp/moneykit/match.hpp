// moneykit/match.hpp: owner match (mk_match_owners): does this bank account belong to the
// person the caller's user claims to be? Offline, no request (part of moneykit.hpp). Claim,
// OwnerMatch and the scores are generated from the schema's records (records.hpp).
//
//   moneykit::Claim claim;
//   claim.name = "Peggy OBrien";
//   claim.phone = "(617) 555-1212";
//   moneykit::OwnerMatch m = moneykit::match_owners(identity_json, claim);
//   if (m.best && m.best->score >= 80) { /* the same person, written differently */ }
#ifndef MONEYKIT_MATCH_HPP
#define MONEYKIT_MATCH_HPP

#include "moneykit.h"

#include "exceptions.hpp"
#include "identity.hpp"
#include "library.hpp"
#include "model.hpp"
#include "records.hpp"
#include "status.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moneykit {

/// The names these types had before the schema named them (records.hpp).
using NameMatch = NameScore;
using FieldMatch = FieldScore;
using AddressMatch = AddressScore;

namespace detail {

/// A body the validator accepts from a decoded identity: its canonical dump with the
/// decimals as JSON numbers (every field matching reads is there, as sent).
inline std::string identity_for_match(const IdentityResponse& identity) {
    std::string out;
    write_canonical(out, identity, /*numbers=*/true);
    return out;
}

}  // namespace detail

/// Matches `claim` against every owner of a Get Identity body (JSON text, e.g.
/// Client::get_identity_json() or BatchResult::json), offline. Throws InvalidArgumentError
/// for an unusable claim (nothing given, an unknown key, a value too long, a name without
/// letters, a phone without 7 digits) and DecodeError for a body the validator refuses;
/// messages never hold a claimed or owner value.
inline OwnerMatch match_owners(std::string_view identity_json, const Claim& claim) {
    const std::string body = detail::c_string(identity_json, "identity_json");
    const std::string claim_json = claim.json();
    char* out_json = nullptr;
    char* out_error = nullptr;
    const std::int32_t rc = mk_match_owners(body.c_str(), claim_json.c_str(), &out_json, &out_error);
    detail::LibraryString json(out_json), error(out_error);  // freed on every path from here
    if (rc != MK_OK) detail::raise(rc, error.get());
    if (!json) detail::fail(Status::internal, "mk_match_owners returned MK_OK without a result");
    OwnerMatch m;
    const nlohmann::json j = nlohmann::json::parse(json.get(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) detail::fail(Status::internal, "mk_match_owners returned a result that is not a JSON object");
    detail::read_value(j, m);
    m.json = json.get();
    return m;
}

/// As above, for a decoded identity (its accounts and owners are what is compared).
inline OwnerMatch match_owners(const IdentityResponse& identity, const Claim& claim) {
    return match_owners(detail::identity_for_match(identity), claim);
}

/// As above; the text overload for string literals and std::string.
inline OwnerMatch match_owners(const char* identity_json, const Claim& claim) {
    if (!identity_json) detail::fail(Status::invalid_argument, "identity_json is NULL");
    return match_owners(std::string_view(identity_json), claim);
}
inline OwnerMatch match_owners(const std::string& identity_json, const Claim& claim) {
    return match_owners(std::string_view(identity_json), claim);
}

}  // namespace moneykit

#endif  // MONEYKIT_MATCH_HPP
