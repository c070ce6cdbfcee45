// moneykit/client.hpp: moneykit::Client, the RAII owner of an mk_client (part of moneykit.hpp).
#ifndef MONEYKIT_CLIENT_HPP
#define MONEYKIT_CLIENT_HPP

#include "moneykit.h"

#include "exceptions.hpp"
#include "identity.hpp"
#include "library.hpp"
#include "model.hpp"
#include "options.hpp"
#include "status.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace moneykit {

/// A MoneyKit client: one connection pool and one cached access token, safe
/// to share between threads. Move-only; a moved-from Client is empty and its
/// calls throw InvalidArgumentError.
class Client {
public:
    /// Credentials from MONEYKIT_CLIENT_ID / MONEYKIT_CLIENT_SECRET (not needed
    /// with Options::access_token).
    explicit Client(const Options& options = Options()) { create(nullptr, nullptr, options); }

    Client(std::string_view client_id, std::string_view client_secret, const Options& options = Options()) {
        std::string id = detail::c_string(client_id, "client_id");
        std::string secret = detail::c_string(client_secret, "client_secret");
        create(id.c_str(), secret.c_str(), options);
        // The library keeps its own (zeroized) copy; wipe ours.
        volatile char* p = secret.data();
        for (std::size_t i = 0; i < secret.size(); ++i) p[i] = '\0';
    }

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) noexcept = default;
    Client& operator=(Client&&) noexcept = default;
    ~Client() = default;

    /// GET /links/{link_id}/identity, decoded. account_ids filters the accounts.
    /// The library has checked the body (DecodeError otherwise); it is only mapped here.
    IdentityResponse get_identity(std::string_view link_id, const std::vector<std::string>& account_ids = {}) const {
        return detail::map_identity(get_identity_json(link_id, account_ids));
    }

    /// GET /links/{link_id}/identity: the body exactly as MoneyKit sent it
    /// (already checked against the schema by the library).
    std::string get_identity_json(std::string_view link_id, const std::vector<std::string>& account_ids = {}) const {
        if (!handle_) detail::fail(Status::invalid_argument, "this Client was moved from");
        const std::string id = detail::c_string(link_id, "link_id");
        std::vector<const char*> ids;
        ids.reserve(account_ids.size());
        for (const std::string& a : account_ids) {
            if (a.find('\0') != std::string::npos) detail::fail(Status::invalid_argument, "an account id contains a NUL byte");
            ids.push_back(a.c_str());
        }
        char* out_json = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_get_identity(handle_.get(), id.c_str(), ids.empty() ? nullptr : ids.data(),
                                                ids.size(), &out_json, &out_error);
        detail::LibraryString body(out_json), error(out_error);  // freed on every path from here
        if (rc != MK_OK) detail::raise(rc, error.get());
        if (!body) detail::fail(Status::internal, "mk_get_identity returned MK_OK without a body");
        return std::string(body.get());
    }

    /// The C handle, for calling the C interface directly. Still owned by this Client.
    mk_client* native_handle() const noexcept { return handle_.get(); }

    /// False for a moved-from Client.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    void create(const char* id, const char* secret, const Options& options) {
        const std::string opts = options.json();
        mk_client* client = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_client_new(id, secret, opts.c_str(), &client, &out_error);
        handle_.reset(client);  // owned before anything can throw
        detail::LibraryString error(out_error);
        if (rc != MK_OK) {
            handle_.reset();
            detail::raise(rc, error.get());
        }
        if (!handle_) detail::fail(Status::internal, "mk_client_new returned MK_OK without a client");
    }

    std::unique_ptr<mk_client, detail::ClientFree> handle_;
};

}  // namespace moneykit

#endif  // MONEYKIT_CLIENT_HPP
