// moneykit/client.hpp: moneykit::Client, the RAII owner of an mk_client (part of moneykit.hpp).
#ifndef MONEYKIT_CLIENT_HPP
#define MONEYKIT_CLIENT_HPP

#include "moneykit.h"

#include "call.hpp"
#include "events.hpp"
#include "exceptions.hpp"
#include "identity.hpp"
#include "library.hpp"
#include "model.hpp"
#include "options.hpp"
#include "secret.hpp"
#include "status.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

    /// The client secret is copied into a buffer that is wiped when freed (the
    /// library keeps its own zeroized copy); the argument is the caller's.
    Client(std::string_view client_id, std::string_view client_secret, const Options& options = Options()) {
        const std::string id = detail::c_string(client_id, "client_id");
        if (client_secret.find('\0') != std::string_view::npos) {
            detail::fail(Status::invalid_argument, "client_secret contains a NUL byte");
        }
        const detail::SecretString secret(client_secret);
        create(id.c_str(), secret.c_str(), options);
    }

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) noexcept = default;
    Client& operator=(Client&& other) noexcept {
        if (this != &other) {
            handle_ = std::move(other.handle_);  // frees our old client before its event sink
            events_ = std::move(other.events_);
        }
        return *this;
    }
    ~Client() { handle_.reset(); }  // the client first: it may hold a pointer to events_

    /// GET /links/{link_id}/identity, decoded. account_ids filters the accounts; `call` adds a
    /// per-call timeout or deadline (TimeoutError) and a cancel token (CancelledError).
    /// The library has checked the body (DecodeError otherwise); it is only mapped here.
    IdentityResponse get_identity(std::string_view link_id, const std::vector<std::string>& account_ids = {},
                                  const CallOptions& call = CallOptions()) const {
        return detail::map_identity(fetch(link_id, account_ids, call, nullptr));
    }

    /// GET /links/{link_id}/identity: the body exactly as MoneyKit sent it
    /// (already checked against the schema by the library).
    std::string get_identity_json(std::string_view link_id, const std::vector<std::string>& account_ids = {},
                                  const CallOptions& call = CallOptions()) const {
        return fetch(link_id, account_ids, call, nullptr);
    }

    /// As get_identity(), with the response's request id (x-request-id), e.g. for support tickets.
    IdentityResult get_identity_result(std::string_view link_id, const std::vector<std::string>& account_ids = {},
                                       const CallOptions& call = CallOptions()) const {
        IdentityResult result;
        result.identity = detail::map_identity(fetch(link_id, account_ids, call, &result.request_id));
        return result;
    }

    /// As get_identity_json(), with the response's request id.
    IdentityJsonResult get_identity_json_result(std::string_view link_id,
                                                const std::vector<std::string>& account_ids = {},
                                                const CallOptions& call = CallOptions()) const {
        IdentityJsonResult result;
        result.json = fetch(link_id, account_ids, call, &result.request_id);
        return result;
    }

    /// Sets the function that receives one Event per HTTP attempt (an empty function removes
    /// it). It runs on the calling thread before the call returns, possibly on several threads
    /// at once; exceptions it throws are caught and dropped. Safe at any time, also while other
    /// threads make calls or set handlers (events already being delivered finish with the old one).
    void on_event(EventHandler handler) {
        if (!events_) detail::fail(Status::invalid_argument, "this Client was moved from");
        events_->set(std::move(handler));
    }

    /// The C handle, for calling the C interface directly. Still owned by this Client.
    mk_client* native_handle() const noexcept { return handle_.get(); }

    /// False for a moved-from Client.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    void create(const char* id, const char* secret, const Options& options) {
        const detail::SecretString opts = options.secret_json();  // may hold access_token: wiped
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
        // The sink is registered once, for the client's life; on_event() only swaps its handler.
        events_ = std::make_unique<detail::EventSink>();
        out_error = nullptr;
        const std::int32_t set = mk_client_set_event_callback(handle_.get(), &detail::EventSink::trampoline,
                                                              events_.get(), &out_error);
        detail::LibraryString set_error(out_error);
        if (set != MK_OK) {
            handle_.reset();
            detail::raise(set, set_error.get());
        }
    }

    /// The call itself (mk_get_identity_ex): the body, and the request id into *request_id.
    std::string fetch(std::string_view link_id, const std::vector<std::string>& account_ids,
                      const CallOptions& call, std::optional<std::string>* request_id) const {
        if (!handle_) detail::fail(Status::invalid_argument, "this Client was moved from");
        const std::string id = detail::c_string(link_id, "link_id");
        std::vector<const char*> ids;
        ids.reserve(account_ids.size());
        for (const std::string& a : account_ids) {
            if (a.find('\0') != std::string::npos) detail::fail(Status::invalid_argument, "an account id contains a NUL byte");
            ids.push_back(a.c_str());
        }
        // Our own reference: the handle outlives this call whatever other copies do.
        const std::optional<CancelToken> cancel = call.cancel_token();
        const std::optional<std::uint64_t> timeout_ms = call.timeout_ms();
        if (!timeout_ms) detail::fail(Status::timeout, "the call's deadline passed before it started");
        char* out_json = nullptr;
        char* out_request_id = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_get_identity_ex(handle_.get(), id.c_str(), ids.empty() ? nullptr : ids.data(),
                                                   ids.size(), *timeout_ms, cancel ? cancel->native_handle() : nullptr,
                                                   &out_json, request_id ? &out_request_id : nullptr, &out_error);
        // freed on every path from here
        detail::LibraryString body(out_json), rid(out_request_id), error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
        if (!body) detail::fail(Status::internal, "mk_get_identity_ex returned MK_OK without a body");
        if (request_id && rid) *request_id = std::string(rid.get());
        return std::string(body.get());
    }

    std::unique_ptr<detail::EventSink> events_;  // declared first: destroyed after handle_
    std::unique_ptr<mk_client, detail::ClientFree> handle_;
};

}  // namespace moneykit

#endif  // MONEYKIT_CLIENT_HPP
