// moneykit/refresh_waiter.hpp: moneykit::RefreshWaiter, identity refreshes without polling:
// the refresh returns when the link's verified `completed` event arrives, which the
// application's webhook handler hands over; polling is the fallback (part of moneykit.hpp).
#ifndef MONEYKIT_REFRESH_WAITER_HPP
#define MONEYKIT_REFRESH_WAITER_HPP

#include "call.hpp"
#include "client.hpp"
#include "error.hpp"
#include "exceptions.hpp"
#include "identity.hpp"
#include "options.hpp"
#include "webhook_events.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace moneykit {

/// MoneyKit reported the identity refresh failed (a `link.product_refresh` event with state
/// `failed`): what() has the event's error_message; stale() is the identity read before.
class RefreshFailedError : public ServerError {
public:
    using ServerError::ServerError;
};

/// Refreshes identities without polling. refresh_identity() requests the refresh and returns
/// the new identity as soon as the link's identity refresh event (link.product_refresh,
/// product identity, state completed) arrives: the application's webhook handler hands every
/// verified event to deliver(). When no such event came within the fallback bound it polls
/// Get Identity as Client::wait_identity_newer does. Thread-safe; one waiter serves any number
/// of refreshes and links. It refers to `client`, which must outlive it.
///
///   moneykit::RefreshWaiter waiter(client);
///   // webhook handler, after verify(): waiter.deliver(delivery.event);
///   moneykit::IdentityResponse fresh = waiter.refresh_identity(link, 10min, 1min);
class RefreshWaiter {
public:
    explicit RefreshWaiter(const Client& client) : client_(&client) {}
    RefreshWaiter(const RefreshWaiter&) = delete;
    RefreshWaiter& operator=(const RefreshWaiter&) = delete;

    /// Hands over a verified event; any event but an identity refresh's completed or failed is
    /// ignored. True when a refresh_identity() was waiting for it. Never blocks for long.
    bool deliver(const WebhookEvent& event) {
        const auto* e = std::get_if<LinkProductRefresh>(&event);
        if (!e || e->product_kind() != WebhookProduct::identity) return false;
        const ProductRefreshState s = e->state_kind();
        if (s != ProductRefreshState::completed && s != ProductRefreshState::failed) return false;
        std::lock_guard<std::mutex> lock(mu_);
        bool taken = false;
        for (auto [it, end] = waiting_.equal_range(e->link_id); it != end; ++it) {
            it->second->events.push_back(*e);
            taken = true;
        }
        if (taken) cv_.notify_all();
        return taken;
    }

    /// Reads the link's identity, requests a refresh (Client::request_identity_refresh), waits
    /// for the link's identity refresh event and returns the identity read right after it, newer
    /// than the one before. An event older than that first identity (a previous refresh's) is
    /// ignored. When no event came within `fallback`, or the identity after it is not newer yet,
    /// polls (Client::wait_identity_newer with `refresh`) for the rest of `wait`, which bounds the
    /// whole call. Throws the errors of those calls (RateLimitedError for the daily limit and
    /// TimeoutError carry stale()), or RefreshFailedError when MoneyKit's event says the refresh
    /// failed.
    template <class Rep, class Period, class Rep2, class Period2>
    IdentityResponse refresh_identity(std::string_view link_id, std::chrono::duration<Rep, Period> wait,
                                      std::chrono::duration<Rep2, Period2> fallback,
                                      const RefreshOptions& refresh = RefreshOptions()) {
        using Clock = std::chrono::steady_clock;
        const Clock::time_point deadline = Clock::now() + std::chrono::ceil<Clock::duration>(wait);
        const Clock::time_point fall_back_at = Clock::now() + std::chrono::ceil<Clock::duration>(fallback);
        const std::string link(link_id);
        Slot slot;
        Registration reg(*this, link, slot);  // before the request: no event is missed

        const std::string before_json = client_->get_identity_json(link, {}, CallOptions().deadline(deadline));
        const auto before = std::make_shared<const IdentityResponse>(detail::identity_from_json(before_json));
        const std::optional<Timestamp> after = refreshed_at(*before);
        try {
            client_->request_identity_refresh(link, CallOptions().deadline(deadline));
        } catch (Error& e) {
            detail::StaleAttach::attach(e, before_json, before);
            throw;
        }
        bool poll = false;
        {
            std::unique_lock<std::mutex> lock(mu_);
            while (!poll) {
                if (slot.events.empty()) {
                    if (cv_.wait_until(lock, std::min(fall_back_at, deadline)) == std::cv_status::timeout &&
                        slot.events.empty()) {
                        poll = true;
                        break;
                    }
                    continue;
                }
                LinkProductRefresh ev = std::move(slot.events.front());
                slot.events.pop_front();
                if (after && !(ev.state_changed_at > *after)) continue;  // a previous refresh's
                if (ev.state_kind() == ProductRefreshState::failed) {
                    nlohmann::json j = nlohmann::json::parse(detail::local_error_json(
                        Status::server, "identity refresh failed: " + ev.error_message.value_or("no message")));
                    RefreshFailedError err(Status::server, j.dump());
                    detail::StaleAttach::attach(err, before_json, before);
                    throw err;
                }
                lock.unlock();
                IdentityResponse fresh = client_->get_identity(link, {}, CallOptions().deadline(deadline));
                const std::optional<Timestamp> now = refreshed_at(fresh);
                if (now && (!after || *now > *after)) return fresh;
                lock.lock();
                poll = true;  // not visible yet
            }
        }
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero()) {
            TimeoutError err(Status::timeout, detail::local_error_json(Status::timeout, "identity not refreshed in time"));
            detail::StaleAttach::attach(err, before_json, before);
            throw err;
        }
        if (after) return client_->wait_identity_newer(link, *after, left, CallOptions(), refresh);
        return client_->wait_identity_newer(link, std::nullopt, left, CallOptions(), refresh);
    }

private:
    struct Slot {
        std::deque<LinkProductRefresh> events;
    };

    /// Registers a slot for a link for the life of a refresh_identity() call.
    struct Registration {
        Registration(RefreshWaiter& w, const std::string& link, Slot& slot) : w_(w) {
            std::lock_guard<std::mutex> lock(w_.mu_);
            it_ = w_.waiting_.emplace(link, &slot);
        }
        ~Registration() {
            std::lock_guard<std::mutex> lock(w_.mu_);
            w_.waiting_.erase(it_);
        }
        Registration(const Registration&) = delete;
        Registration& operator=(const Registration&) = delete;

    private:
        RefreshWaiter& w_;
        std::multimap<std::string, Slot*>::iterator it_;
    };

    static std::optional<Timestamp> refreshed_at(const IdentityResponse& r) {
        const auto it = r.link.products.find("identity");
        if (it == r.link.products.end()) return std::nullopt;
        return it->second.refreshed_at;
    }

    const Client* client_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::multimap<std::string, Slot*> waiting_;
};

}  // namespace moneykit

#endif  // MONEYKIT_REFRESH_WAITER_HPP
