// moneykit/webhooks.hpp: moneykit::WebhookVerifier, verification of MoneyKit's webhook
// deliveries (mk_webhook_*; docs/C-API.md "Webhooks"), and what it hands out (part of
// moneykit.hpp; the typed events are generated into webhook_events.hpp). Make one with
// Client::webhook_verifier().
#ifndef MONEYKIT_WEBHOOKS_HPP
#define MONEYKIT_WEBHOOKS_HPP

#include "moneykit.h"

#include "batch.hpp"
#include "call.hpp"
#include "error_json.hpp"
#include "exceptions.hpp"
#include "library.hpp"
#include "options.hpp"
#include "status.hpp"
#include "webhook_events.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace moneykit {

/// What to do with a genuine delivery.
enum class DeliveryStatus {
    /// Seen for the first time and now claimed by this caller (MK_OK): handle the event, then
    /// call done(key, ok) / WebhookDelivery::done.
    fresh,
    /// Handled before (MK_WEBHOOK_DUPLICATE): answer 2xx and do not handle it again.
    duplicate,
    /// A copy of a delivery being handled right now (MK_WEBHOOK_IN_FLIGHT): answer 409;
    /// MoneyKit retries later.
    in_flight,
};

/// "new", "duplicate" or "in_flight".
inline const char* to_string(DeliveryStatus s) noexcept {
    switch (s) {
    case DeliveryStatus::fresh: return "new";
    case DeliveryStatus::duplicate: return "duplicate";
    case DeliveryStatus::in_flight: return "in_flight";
    }
    return "unknown";
}

/// A genuine delivery: its typed event and what to do with it.
struct WebhookDelivery {
    DeliveryStatus status = DeliveryStatus::fresh;
    /// LinkProductRefresh, LinkStateChanged, TransactionsUpdatesAvailable or UnknownEvent.
    WebhookEvent event;
    /// The event's `webhook_event`.
    std::string type;
    /// The event's `webhook_idempotency_key` (done() takes it).
    std::string idempotency_key;
    /// The request body exactly as sent.
    std::string body;
};

/// The HTTP status to answer a delivery with, by what verify() did: 200 for a fresh delivery
/// handled (handled_ok) or a duplicate, 500 for a fresh one whose handling failed, 409 in flight.
inline int webhook_http_status(DeliveryStatus s, bool handled_ok = true) noexcept {
    switch (s) {
    case DeliveryStatus::fresh: return handled_ok ? 200 : 500;
    case DeliveryStatus::duplicate: return 200;
    case DeliveryStatus::in_flight: return 409;
    }
    return 500;
}

/// The HTTP status to answer a delivery whose verify() threw `e`: 400 for SignatureError (not
/// genuine: MoneyKit drops it), 503 for anything else (the keys could not be fetched, ...:
/// MoneyKit retries).
inline int webhook_http_status(const Error& e) noexcept { return e.status() == Status::signature ? 400 : 503; }

/// Verifies MoneyKit's webhook deliveries for a Client's app (mk_webhook_verifier_new). Safe
/// to use from many threads at once (the cached keys and the duplicate check are shared);
/// move-only. It keeps its client's C handle alive (like a Batch): destroy it when done.
///
///   moneykit::WebhookVerifier verifier = client.webhook_verifier();
///   // in the HTTP handler of POST /webhooks/moneykit:
///   try {
///       moneykit::WebhookDelivery d = verifier.verify(signature_header_or_nullopt, body);
///       if (d.status != moneykit::DeliveryStatus::fresh) return answer(moneykit::webhook_http_status(d.status));
///       bool ok = handle(d.event);
///       verifier.done(d.idempotency_key, ok);
///       return answer(ok ? 200 : 500);
///   } catch (const moneykit::SignatureError& e) {  // not genuine: e.reason()
///       return answer(400);
///   } catch (const moneykit::Error& e) {           // keys not fetched, ...: MoneyKit retries
///       return answer(503);
///   }
class WebhookVerifier {
public:
    /// Use Client::webhook_verifier(). Nothing is fetched yet: the keys come with the first
    /// delivery, through the client. InvalidArgumentError for bad options, or a client made
    /// with access_token only and no WebhookOptions::client_id.
    WebhookVerifier(std::shared_ptr<detail::ClientState> client, const WebhookOptions& options)
        : client_(std::move(client)) {
        if (!client_) detail::fail(Status::invalid_argument, "this Client was moved from");
        const std::string opts = options.json();
        mk_webhook_verifier* v = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_webhook_verifier_new(client_->handle.get(), opts.c_str(), &v, &out_error);
        handle_.reset(v);  // owned before anything can throw
        detail::LibraryString error(out_error);
        if (rc != MK_OK) {
            handle_.reset();
            detail::raise(rc, error.get());
        }
        if (!handle_) detail::fail(Status::internal, "mk_webhook_verifier_new returned MK_OK without a verifier");
    }

    WebhookVerifier(const WebhookVerifier&) = delete;
    WebhookVerifier& operator=(const WebhookVerifier&) = delete;
    WebhookVerifier(WebhookVerifier&&) noexcept = default;
    /// Our old verifier is freed before the client it kept.
    WebhookVerifier& operator=(WebhookVerifier&& other) noexcept {
        if (this != &other) {
            handle_.reset();
            client_ = std::move(other.client_);
            handle_ = std::move(other.handle_);
        }
        return *this;
    }
    /// Frees the verifier, then (unless others hold it) the client. No call may be running.
    ~WebhookVerifier() = default;

    /// Verifies one delivery (mk_webhook_verify): `signature` is the MoneyKit-Signature header's
    /// value (std::nullopt when the request has none), `body` the raw request body as received.
    /// A genuine delivery gives its typed event and status; a fresh one must be settled with
    /// done(). Throws SignatureError when it is not genuine (reason() says which check failed:
    /// answer 400), another Error when it could not be verified (the keys could not be fetched:
    /// TransportError, TimeoutError, ...; DecodeError for a signed body that is not an event:
    /// answer 5xx). `call`'s cancel token and bounds stop a key fetch.
    WebhookDelivery verify(std::optional<std::string_view> signature, std::string_view body,
                           const CallOptions& call = CallOptions()) const {
        mk_webhook_verifier* const v = live();
        std::string sig;
        if (signature) {
            if (signature->find('\0') != std::string_view::npos) {
                refuse("the signature header contains a NUL byte");
            }
            sig.assign(signature->data(), signature->size());
        }
        const std::optional<CancelToken> cancel = call.cancel_token();  // alive for the call
        char* out_event = nullptr;
        char* out_type = nullptr;
        char* out_key = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc =
            mk_webhook_verify(v, signature ? sig.c_str() : nullptr, body.empty() ? nullptr : body.data(), body.size(),
                              cancel ? cancel->native_handle() : nullptr, &out_event, &out_type, &out_key, &out_error);
        detail::LibraryString event(out_event), type(out_type), key(out_key), error(out_error);  // freed on every path
        WebhookDelivery d;
        if (rc == MK_OK) {
            d.status = DeliveryStatus::fresh;
        } else if (rc == MK_WEBHOOK_DUPLICATE) {
            d.status = DeliveryStatus::duplicate;
        } else if (rc == MK_WEBHOOK_IN_FLIGHT) {
            d.status = DeliveryStatus::in_flight;
        } else {
            detail::raise(rc, error.get());
        }
        if (!event || !key) detail::fail(Status::internal, "mk_webhook_verify returned no event for a genuine delivery");
        d.body.assign(body.data(), body.size());
        if (type) d.type = type.get();
        d.idempotency_key = key.get();
        d.event = detail::read_webhook_event(d.body);
        return d;
    }

    /// Settles a fresh delivery's claim (mk_webhook_done): handled_ok marks its key handled
    /// (a repeat is DeliveryStatus::duplicate for seen_ttl), false releases it so MoneyKit's
    /// retry is handled again. A key that is not claimed is ignored.
    void done(std::string_view idempotency_key, bool handled_ok) const {
        mk_webhook_verifier* const v = live();
        const std::string key = detail::c_string(idempotency_key, "idempotency_key");
        char* out_error = nullptr;
        const std::int32_t rc = mk_webhook_done(v, key.c_str(), handled_ok ? 1 : 0, &out_error);
        detail::LibraryString error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
    }

    /// done(d.idempotency_key, handled_ok) for a fresh delivery; nothing for the others.
    void done(const WebhookDelivery& d, bool handled_ok) const {
        if (d.status == DeliveryStatus::fresh) done(d.idempotency_key, handled_ok);
    }

    /// The C handle. Still owned by this verifier.
    mk_webhook_verifier* native_handle() const noexcept { return handle_.get(); }

    /// False for a moved-from verifier.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    struct Free {
        void operator()(mk_webhook_verifier* v) const noexcept { mk_webhook_verifier_free(v); }
    };

    mk_webhook_verifier* live() const {
        if (!handle_) detail::fail(Status::invalid_argument, "this WebhookVerifier was moved from");
        return handle_.get();
    }

    /// A SignatureError with reason `malformed`, for a header C cannot be given.
    [[noreturn]] static void refuse(const std::string& message) {
        nlohmann::json j = nlohmann::json::parse(detail::local_error_json(Status::signature, message));
        j["reason"] = "malformed";
        throw_error(Status::signature, j.dump());
    }

    std::shared_ptr<detail::ClientState> client_;  // declared first: released after the verifier
    std::unique_ptr<mk_webhook_verifier, Free> handle_;
};

}  // namespace moneykit

#endif  // MONEYKIT_WEBHOOKS_HPP
