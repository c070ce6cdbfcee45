// moneykit/match.hpp: owner match (mk_match_owners): does this bank account belong to the
// person the caller's user claims to be? Offline, no request (part of moneykit.hpp).
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
#include "status.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moneykit {

/// A claimed postal address; every part optional.
struct ClaimAddress {
    std::optional<std::string> street;
    std::optional<std::string> city;
    std::optional<std::string> region;       ///< state or province, name or code
    std::optional<std::string> postal_code;  ///< ZIP or ZIP+4 too
    std::optional<std::string> country;      ///< name or ISO code
};

/// What the caller's user typed. Every field optional (std::nullopt, "" or blank: not given);
/// at least one of the four must be given. Values are at most MK_MAX_CLAIM_VALUE_LEN bytes.
struct Claim {
    std::optional<std::string> name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<ClaimAddress> address;

    /// The claim JSON mk_match_owners takes (absent fields left out).
    std::string json() const {
        nlohmann::json j = nlohmann::json::object();
        if (name) j["name"] = *name;
        if (email) j["email"] = *email;
        if (phone) j["phone"] = *phone;
        if (address) {
            nlohmann::json a = nlohmann::json::object();
            if (address->street) a["street"] = *address->street;
            if (address->city) a["city"] = *address->city;
            if (address->region) a["region"] = *address->region;
            if (address->postal_code) a["postal_code"] = *address->postal_code;
            if (address->country) a["country"] = *address->country;
            j["address"] = std::move(a);
        }
        try {
            return j.dump();
        } catch (const nlohmann::json::type_error&) {  // never echo the value
            detail::fail(Status::invalid_argument, "a claim value is not UTF-8");
        }
    }
};

/// Scores are 0-100: at least 80 means the same value written differently, below 50 a
/// different value, 50-79 a partial match (the flags say why).
struct NameMatch {
    int score = 0;
    bool nickname = false;            ///< matched through a nickname (Bob / Robert)
    bool first_or_last_only = false;  ///< one side gives only a first or a last name
    bool business = false;            ///< compared as business names (Inc, LLC, ...)
};

struct FieldMatch {
    int score = 0;
};

struct AddressMatch {
    int score = 0;
    bool postal_code_match = false;  ///< both have a postal code and they agree (ZIP vs ZIP+4 too)
};

/// The owner of one account who matches the claim best. A field is std::nullopt when the
/// claim or that owner has no value for it.
struct AccountMatch {
    std::string account_id;
    /// The owner's index in the account's owners; std::nullopt for an account without owners.
    std::optional<std::size_t> owner_index;
    /// The weighted mean of the present fields (name 40, email 20, phone 20, address 20).
    int score = 0;
    std::optional<NameMatch> name;
    std::optional<FieldMatch> email;
    std::optional<FieldMatch> phone;
    std::optional<AddressMatch> address;
};

/// mk_match_owners's result.
struct OwnerMatch {
    /// The entry with the highest score (the first on ties); std::nullopt when no account has owners.
    std::optional<AccountMatch> best;
    /// One entry per account, in response order.
    std::vector<AccountMatch> accounts;
    /// The result JSON exactly as the library returned it.
    std::string json;
};

namespace detail {

inline int match_int(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

inline bool match_bool(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

inline const nlohmann::json* match_object(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? &*it : nullptr;
}

inline AccountMatch read_account_match(const nlohmann::json& j) {
    AccountMatch a;
    if (const auto it = j.find("account_id"); it != j.end() && it->is_string()) a.account_id = it->get<std::string>();
    if (const auto it = j.find("owner_index"); it != j.end() && it->is_number_unsigned()) {
        a.owner_index = it->get<std::size_t>();
    }
    a.score = match_int(j, "score");
    if (const nlohmann::json* n = match_object(j, "name")) {
        a.name = NameMatch{match_int(*n, "score"), match_bool(*n, "nickname"), match_bool(*n, "first_or_last_only"),
                           match_bool(*n, "business")};
    }
    if (const nlohmann::json* e = match_object(j, "email")) a.email = FieldMatch{match_int(*e, "score")};
    if (const nlohmann::json* p = match_object(j, "phone")) a.phone = FieldMatch{match_int(*p, "score")};
    if (const nlohmann::json* d = match_object(j, "address")) {
        a.address = AddressMatch{match_int(*d, "score"), match_bool(*d, "postal_code_match")};
    }
    return a;
}

/// A body the validator accepts with what matching reads (accounts and owners) from a decoded
/// identity: its canonical dump with the balances left out (decimals are strings there).
inline std::string identity_for_match(const IdentityResponse& identity) {
    nlohmann::json j = identity.canonical_dump();
    if (auto it = j.find("accounts"); it != j.end() && it->is_array()) {
        for (nlohmann::json& account : *it) {
            if (account.is_object()) account["balances"] = nlohmann::json::object();
        }
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
    m.json = json.get();
    const nlohmann::json j = nlohmann::json::parse(m.json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) detail::fail(Status::internal, "mk_match_owners returned a result that is not a JSON object");
    if (const nlohmann::json* best = detail::match_object(j, "best")) m.best = detail::read_account_match(*best);
    if (const auto it = j.find("accounts"); it != j.end() && it->is_array()) {
        m.accounts.reserve(it->size());
        for (const nlohmann::json& a : *it) m.accounts.push_back(detail::read_account_match(a));
    }
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
