// moneykit/client.hpp: moneykit::Client, the RAII owner of an mk_client (part of moneykit.hpp).
#ifndef MONEYKIT_CLIENT_HPP
#define MONEYKIT_CLIENT_HPP

#include "moneykit.h"

#include "batch.hpp"
#include "call.hpp"
#include "error.hpp"
#include "events.hpp"
#include "exceptions.hpp"
#include "identity.hpp"
#include "library.hpp"
#include "match.hpp"
#include "model.hpp"
#include "options.hpp"
#include "refresh.hpp"
#include "secret.hpp"
#include "status.hpp"
#include "webhooks.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
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
    /// Our old client is freed (before its event sink) unless a Batch still uses it.
    Client& operator=(Client&& other) noexcept = default;
    /// Frees the C client, unless a Batch started from it still runs: the batch keeps it
    /// (and its event handler) alive until the batch is destroyed.
    ~Client() = default;

    /// GET /links/{link_id}/identity, decoded. account_ids filters the accounts; `call` adds a
    /// per-call timeout or deadline (TimeoutError) and a cancel token (CancelledError).
    /// The library checks the body (DecodeError otherwise) and reads it into its typed view
    /// (mk_get_identity_view), which is copied here.
    IdentityResponse get_identity(std::string_view link_id, const std::vector<std::string>& account_ids = {},
                                  const CallOptions& call = CallOptions()) const {
        return fetch_view(link_id, account_ids, call, nullptr);
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
        result.identity = fetch_view(link_id, account_ids, call, &result.request_id);
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

    /// Fetches the identities of many links at the speed MoneyKit allows (mk_batch_start):
    /// at most `concurrency` calls at once, never over the app and per-link limits, the whole
    /// batch paused on a 429 for its Retry-After. Iterate the Batch for one BatchResult per
    /// link, in completion order. The link ids are copied; a NUL in one, an empty or too long
    /// one, or bad options throw InvalidArgumentError and nothing starts. The Batch keeps this
    /// client's C handle alive while it exists.
    Batch identities(const std::vector<std::string>& link_ids, const BatchOptions& options = BatchOptions()) const {
        live();
        std::vector<const char*> ids;
        ids.reserve(link_ids.size());
        for (std::size_t i = 0; i < link_ids.size(); ++i) {
            if (link_ids[i].find('\0') != std::string::npos) {
                detail::fail(Status::invalid_argument, "link_ids[" + std::to_string(i) + "] contains a NUL byte");
            }
            ids.push_back(link_ids[i].c_str());
        }
        return Batch(state_, ids, options);
    }

    /// As above, for any range of strings (std::string_view, const char*, std::set, ...).
    template <class Range, class = decltype(std::begin(std::declval<const Range&>()))>
    Batch identities(const Range& link_ids, const BatchOptions& options = BatchOptions()) const {
        std::vector<std::string> ids;
        for (const auto& id : link_ids) ids.emplace_back(std::string_view(id));
        return identities(ids, options);
    }

    /// Asks MoneyKit to refresh the link's identity (POST /links/{id}/products), then polls Get
    /// Identity within the per-link limit until link.products.identity.refreshed_at is later
    /// than before, and returns that fresh identity (mk_refresh_identity). `wait` bounds the
    /// whole call (and `call`'s timeout or deadline, when earlier; its cancel token cancels).
    /// Throws TimeoutError when no fresh data came in time, RateLimitedError when MoneyKit
    /// refused the refresh (its daily limit per link; retry_after() when sent), CancelledError,
    /// or the error of a call that failed for good; stale() on the error is the last
    /// (stale) identity seen, when one was.
    template <class Rep, class Period>
    IdentityResponse refresh_identity(std::string_view link_id, std::chrono::duration<Rep, Period> wait,
                                      const CallOptions& call = CallOptions(),
                                      const RefreshOptions& refresh = RefreshOptions()) const {
        return detail::identity_from_json(refresh_identity_json(link_id, wait, call, refresh));
    }

    /// As refresh_identity(), the fresh body exactly as MoneyKit sent it.
    template <class Rep, class Period>
    std::string refresh_identity_json(std::string_view link_id, std::chrono::duration<Rep, Period> wait,
                                      const CallOptions& call = CallOptions(),
                                      const RefreshOptions& refresh = RefreshOptions()) const {
        return poll(true, link_id, nullptr, wait_ms(wait, call), call, refresh);
    }

    /// For a refresh requested elsewhere (request_identity_refresh(), a webhook, another
    /// process): polls Get Identity within the per-link limit, the first poll at once, until
    /// refreshed_at is later than `after` (e.g. an earlier response's refreshed_at();
    /// std::nullopt: until there is any refreshed_at) (mk_wait_identity_newer). Errors as
    /// refresh_identity(), without the daily-limit one.
    template <class Rep, class Period>
    IdentityResponse wait_identity_newer(std::string_view link_id,
                                         std::optional<std::chrono::system_clock::time_point> after,
                                         std::chrono::duration<Rep, Period> wait,
                                         const CallOptions& call = CallOptions(),
                                         const RefreshOptions& refresh = RefreshOptions()) const {
        const std::string text = after ? detail::iso_utc(*after) : std::string();
        return detail::identity_from_json(
            poll(false, link_id, after ? &text : nullptr, wait_ms(wait, call), call, refresh));
    }

    /// As above, `after` a Timestamp (e.g. `*identity.link.products.at("identity").refreshed_at`).
    template <class Rep, class Period>
    IdentityResponse wait_identity_newer(std::string_view link_id, const Timestamp& after,
                                         std::chrono::duration<Rep, Period> wait,
                                         const CallOptions& call = CallOptions(),
                                         const RefreshOptions& refresh = RefreshOptions()) const {
        const std::string text = detail::c_string(after.text(), "after");
        return detail::identity_from_json(poll(false, link_id, &text, wait_ms(wait, call), call, refresh));
    }

    /// As above, `after` ISO-8601 text in any form the library accepts
    /// (InvalidArgumentError otherwise).
    template <class Rep, class Period>
    IdentityResponse wait_identity_newer(std::string_view link_id, std::string_view after,
                                         std::chrono::duration<Rep, Period> wait,
                                         const CallOptions& call = CallOptions(),
                                         const RefreshOptions& refresh = RefreshOptions()) const {
        const std::string text = detail::c_string(after, "after");
        return detail::identity_from_json(poll(false, link_id, &text, wait_ms(wait, call), call, refresh));
    }

    /// Only requests an identity refresh (POST /links/{id}/products, answered 202) and returns;
    /// wait for it with wait_identity_newer(). RateLimitedError (never retried) when MoneyKit's
    /// daily refresh limit for the link is reached.
    void request_identity_refresh(std::string_view link_id, const CallOptions& call = CallOptions()) const {
        mk_client* const client = live();
        const std::string id = detail::c_string(link_id, "link_id");
        const std::optional<CancelToken> cancel = call.cancel_token();
        const std::optional<std::uint64_t> timeout_ms = call.timeout_ms();
        if (!timeout_ms) detail::fail(Status::timeout, "the call's deadline passed before it started");
        char* out_error = nullptr;
        const std::int32_t rc = mk_request_identity_refresh(client, id.c_str(), *timeout_ms,
                                                            cancel ? cancel->native_handle() : nullptr, &out_error);
        detail::LibraryString error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
    }

    /// A verifier of this app's webhook deliveries (mk_webhook_verifier_new; see
    /// WebhookVerifier). It fetches the signing keys through this client (with X-Client-Id:
    /// `options.client_id(...)`, else this client's client id) and keeps its C handle alive.
    /// Make one and share it: duplicates are recognised across the calls of one verifier.
    WebhookVerifier webhook_verifier(const WebhookOptions& options = WebhookOptions()) const {
        live();
        return WebhookVerifier(state_, options);
    }

    /// Fetches the link's identity, then matches `claim` against its owners (match_owners()).
    OwnerMatch match_owners(std::string_view link_id, const Claim& claim, const CallOptions& call = CallOptions()) const {
        return moneykit::match_owners(fetch(link_id, {}, call, nullptr), claim);
    }

    /// Sets the function that receives one Event per HTTP attempt (an empty function removes
    /// it). It runs on the calling thread before the call returns, possibly on several threads
    /// at once; exceptions it throws are caught and dropped. Safe at any time, also while other
    /// threads make calls or set handlers (events already being delivered finish with the old one).
    void on_event(EventHandler handler) {
        if (!state_) detail::fail(Status::invalid_argument, "this Client was moved from");
        state_->events->set(std::move(handler));
    }

    /// The C handle, for calling the C interface directly. Still owned by this Client.
    mk_client* native_handle() const noexcept { return state_ ? state_->handle.get() : nullptr; }

    /// False for a moved-from Client.
    explicit operator bool() const noexcept { return static_cast<bool>(state_); }

private:
    void create(const char* id, const char* secret, const Options& options) {
        const detail::SecretString opts = options.secret_json();  // may hold access_token: wiped
        auto state = std::make_shared<detail::ClientState>();
        mk_client* client = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_client_new(id, secret, opts.c_str(), &client, &out_error);
        state->handle.reset(client);  // owned before anything can throw
        detail::LibraryString error(out_error);
        if (rc != MK_OK) {
            state->handle.reset();
            detail::raise(rc, error.get());
        }
        if (!state->handle) detail::fail(Status::internal, "mk_client_new returned MK_OK without a client");
        // The sink is registered once, for the client's life; on_event() only swaps its handler.
        state->events = std::make_unique<detail::EventSink>();
        out_error = nullptr;
        const std::int32_t set = mk_client_set_event_callback(state->handle.get(), &detail::EventSink::trampoline,
                                                              state->events.get(), &out_error);
        detail::LibraryString set_error(out_error);
        if (set != MK_OK) {
            state->handle.reset();
            detail::raise(set, set_error.get());
        }
        state_ = std::move(state);
    }

    /// The live C client, or InvalidArgumentError for a moved-from Client.
    mk_client* live() const {
        if (!state_) detail::fail(Status::invalid_argument, "this Client was moved from");
        return state_->handle.get();
    }

    /// The wait_ms argument of the refresh functions: `wait` rounded up, or the call's own
    /// bound when earlier (TimeoutError when that has passed). 0 (refused by the library) for
    /// a wait that is not positive.
    template <class Rep, class Period>
    static std::uint64_t wait_ms(std::chrono::duration<Rep, Period> wait, const CallOptions& call) {
        const std::optional<std::uint64_t> bound = call.timeout_ms();
        if (!bound) detail::fail(Status::timeout, "the call's deadline passed before it started");
        constexpr double cap = static_cast<double>(std::uint64_t{1} << 50);
        const double ms = std::chrono::duration<double, std::milli>(wait).count();
        std::uint64_t w = 0;
        if (ms >= cap) {
            w = std::uint64_t{1} << 50;
        } else if (ms > 0) {
            w = static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
            if (w == 0) w = 1;
        }
        if (*bound != 0 && w != 0 && *bound < w) w = *bound;
        return w;
    }

    /// mk_refresh_identity (refresh) or mk_wait_identity_newer: the fresh body, or the error
    /// with the stale identity attached.
    std::string poll(bool refresh, std::string_view link_id, const std::string* after, std::uint64_t wait,
                     const CallOptions& call, const RefreshOptions& options) const {
        mk_client* const client = live();
        const std::string id = detail::c_string(link_id, "link_id");
        const std::string opts = options.json();
        const std::optional<CancelToken> cancel = call.cancel_token();  // alive for the call
        mk_cancel* const c = cancel ? cancel->native_handle() : nullptr;
        char* out_json = nullptr;
        char* out_stale = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc =
            refresh ? mk_refresh_identity(client, id.c_str(), wait, opts.c_str(), c, &out_json, &out_stale, &out_error)
                    : mk_wait_identity_newer(client, id.c_str(), after ? after->c_str() : nullptr, wait, opts.c_str(),
                                             c, &out_json, &out_stale, &out_error);
        detail::LibraryString body(out_json), stale(out_stale), error(out_error);  // freed on every path
        if (rc != MK_OK) {
            std::string stale_text;
            std::shared_ptr<const IdentityResponse> stale_identity;
            if (stale) {
                stale_text = stale.get();
                try {
                    stale_identity = std::make_shared<const IdentityResponse>(detail::identity_from_json(stale_text));
                } catch (const Error&) {  // the library checked it; keep the text alone if not
                }
            }
            try {
                detail::raise(rc, error.get());
            } catch (Error& e) {
                if (stale) detail::StaleAttach::attach(e, std::move(stale_text), std::move(stale_identity));
                throw;
            }
        }
        if (!body) detail::fail(Status::internal, "the refresh returned MK_OK without a body");
        return std::string(body.get());
    }

    /// The arguments of mk_get_identity_ex / mk_get_identity_view, checked.
    struct CallArgs {
        std::string id;
        std::vector<const char*> account_ids;
        std::optional<CancelToken> cancel;  // our own reference: the handle outlives the call
        std::uint64_t timeout_ms = 0;

        CallArgs(std::string_view link_id, const std::vector<std::string>& ids, const CallOptions& call)
            : id(detail::c_string(link_id, "link_id")), cancel(call.cancel_token()) {
            account_ids.reserve(ids.size());
            for (const std::string& a : ids) {
                if (a.find('\0') != std::string::npos) {
                    detail::fail(Status::invalid_argument, "an account id contains a NUL byte");
                }
                account_ids.push_back(a.c_str());
            }
            const std::optional<std::uint64_t> left = call.timeout_ms();
            if (!left) detail::fail(Status::timeout, "the call's deadline passed before it started");
            timeout_ms = *left;
        }
        const char* const* ids() const noexcept { return account_ids.empty() ? nullptr : account_ids.data(); }
        mk_cancel* cancel_handle() const noexcept { return cancel ? cancel->native_handle() : nullptr; }
    };

    /// The call itself (mk_get_identity_ex): the body, and the request id into *request_id.
    std::string fetch(std::string_view link_id, const std::vector<std::string>& account_ids,
                      const CallOptions& call, std::optional<std::string>* request_id) const {
        mk_client* const client = live();
        const CallArgs args(link_id, account_ids, call);
        char* out_json = nullptr;
        char* out_request_id = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_get_identity_ex(client, args.id.c_str(), args.ids(), args.account_ids.size(),
                                                   args.timeout_ms, args.cancel_handle(), &out_json,
                                                   request_id ? &out_request_id : nullptr, &out_error);
        // freed on every path from here
        detail::LibraryString body(out_json), rid(out_request_id), error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
        if (!body) detail::fail(Status::internal, "mk_get_identity_ex returned MK_OK without a body");
        if (request_id && rid) *request_id = std::string(rid.get());
        return std::string(body.get());
    }

    /// The call with the typed view (mk_get_identity_view): the identity, copied from the view,
    /// and the request id into *request_id.
    IdentityResponse fetch_view(std::string_view link_id, const std::vector<std::string>& account_ids,
                                const CallOptions& call, std::optional<std::string>* request_id) const {
        mk_client* const client = live();
        const CallArgs args(link_id, account_ids, call);
        mk_identity* out_identity = nullptr;
        char* out_request_id = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_get_identity_view(client, args.id.c_str(), args.ids(), args.account_ids.size(),
                                                     args.timeout_ms, args.cancel_handle(), &out_identity,
                                                     request_id ? &out_request_id : nullptr, &out_error);
        // freed on every path from here
        const detail::IdentityHandle identity(out_identity);
        detail::LibraryString rid(out_request_id), error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
        IdentityResponse r = detail::identity_of(identity);
        if (request_id && rid) *request_id = std::string(rid.get());
        return r;
    }

    /// The C client and its event sink, shared with the Batches started from this client.
    std::shared_ptr<detail::ClientState> state_;
};

}  // namespace moneykit

#endif  // MONEYKIT_CLIENT_HPP
