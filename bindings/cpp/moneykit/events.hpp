// moneykit/events.hpp: moneykit::Event, one per HTTP attempt, for the caller's own
// logging (mk_client_set_event_callback; part of moneykit.hpp).
#ifndef MONEYKIT_EVENTS_HPP
#define MONEYKIT_EVENTS_HPP

#include "moneykit.h"

#include "status.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace moneykit {

/// One HTTP attempt (a token request or an identity request). Never holds owner
/// data or secrets: the path is a template, never the link id.
struct Event {
    /// "GET" (identity) or "POST" (token).
    std::string method;
    /// "/links/{id}/identity" or "/auth/token".
    std::string path;
    /// The HTTP status, when a response arrived.
    std::optional<int> http_status;
    /// The attempt's outcome (Status::ok on success).
    Status status = Status::ok;
    /// 1 for a call's first attempt.
    std::uint32_t attempt = 0;
    /// How long the attempt took.
    std::chrono::milliseconds elapsed{0};
    /// The response's x-request-id, when the server sent one.
    std::optional<std::string> request_id;
    /// How long the call waits before trying again; empty when no retry follows.
    std::optional<std::chrono::milliseconds> retry_wait;
};

/// Receives events. Called on the thread that makes the call, before the call
/// returns, possibly on several threads at once. Exceptions it throws are caught
/// and dropped (they must not unwind through the C library).
using EventHandler = std::function<void(const Event&)>;

namespace detail {

/// The client's event handler, at a stable address (the C library's user_data).
/// The handler can be replaced while calls run: each event uses a snapshot.
class EventSink {
public:
    void set(EventHandler handler) {
        auto next = handler ? std::make_shared<const EventHandler>(std::move(handler)) : nullptr;
        const std::lock_guard<std::mutex> lock(mutex_);
        handler_.swap(next);
    }  // the old handler is released here, outside the lock

    /// The mk_event_fn; user_data is an EventSink. Never lets an exception out.
    static void trampoline(void* user_data, const mk_event* e) noexcept {
        try {
            const auto* sink = static_cast<const EventSink*>(user_data);
            std::shared_ptr<const EventHandler> handler;
            {
                const std::lock_guard<std::mutex> lock(sink->mutex_);
                handler = sink->handler_;
            }
            if (!handler || !e) return;
            Event event;
            event.method = e->method ? e->method : "";
            event.path = e->path ? e->path : "";
            if (e->http_status > 0) event.http_status = static_cast<int>(e->http_status);
            event.status = static_cast<Status>(e->status);
            event.attempt = e->attempt;
            event.elapsed = std::chrono::milliseconds(
                static_cast<std::chrono::milliseconds::rep>(std::min<std::uint64_t>(e->elapsed_ms, std::numeric_limits<std::int64_t>::max())));
            if (e->request_id) event.request_id = std::string(e->request_id);
            if (e->retry_wait_ms >= 0) {
                event.retry_wait = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(e->retry_wait_ms));
            }
            (*handler)(event);
        } catch (...) {
            // Dropped: an exception must not unwind into the C library (see EventHandler).
        }
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const EventHandler> handler_;
};

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_EVENTS_HPP
