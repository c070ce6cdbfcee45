// moneykit/events.hpp: the client's event sink: one moneykit::Event (records.hpp, generated)
// per HTTP attempt, for the caller's own logging (mk_client_set_event_callback; part of
// moneykit.hpp).
#ifndef MONEYKIT_EVENTS_HPP
#define MONEYKIT_EVENTS_HPP

#include "moneykit.h"

#include "records.hpp"
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
            const Event event = from_c(*e);
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
