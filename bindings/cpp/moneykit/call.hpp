// moneykit/call.hpp: per-call controls: moneykit::CancelToken (an mk_cancel handle)
// and moneykit::CallOptions (a per-call timeout or deadline, and a cancel token),
// plus the results that carry a request id (part of moneykit.hpp).
#ifndef MONEYKIT_CALL_HPP
#define MONEYKIT_CALL_HPP

#include "moneykit.h"

#include "exceptions.hpp"
#include "library.hpp"
#include "model.hpp"
#include "status.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace moneykit {

/// Cancels calls from another thread. Copies share one C handle (mk_cancel),
/// which is freed when the last copy goes; a call keeps its own copy while it
/// runs, so the handle always outlives the calls that use it. cancel() is safe
/// from any thread, any number of times: every call using the token, running or
/// started later, throws CancelledError (within about 100 ms for a running one).
/// A cancelled token stays cancelled; use a new one for new calls.
class CancelToken {
public:
    /// A fresh token (mk_cancel_new). Throws Error if the library refuses.
    CancelToken() {
        mk_cancel* handle = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_cancel_new(&handle, &out_error);
        detail::LibraryString error(out_error);
        std::unique_ptr<mk_cancel, Free> owned(handle);  // freed if anything below throws
        if (rc != MK_OK) detail::raise(rc, error.get());
        if (!owned) detail::fail(Status::internal, "mk_cancel_new returned MK_OK without a handle");
        state_ = std::make_shared<State>(std::move(owned));
    }

    /// Cancels every call using this token (mk_cancel_trigger). Never throws, never blocks.
    void cancel() const noexcept {
        state_->cancelled.store(true);
        mk_cancel_trigger(state_->handle.get());
    }

    /// True once cancel() was called on this token or a copy of it.
    bool cancelled() const noexcept { return state_->cancelled.load(); }

    /// The C handle, for mk_get_identity_ex. Owned by the token (and its copies).
    mk_cancel* native_handle() const noexcept { return state_->handle.get(); }

private:
    struct Free {
        void operator()(mk_cancel* c) const noexcept { mk_cancel_free(c); }
    };
    struct State {
        explicit State(std::unique_ptr<mk_cancel, Free> h) : handle(std::move(h)) {}
        std::unique_ptr<mk_cancel, Free> handle;
        std::atomic<bool> cancelled{false};
    };
    std::shared_ptr<State> state_;
};

/// Controls for one call, as fluent setters:
///
///   moneykit::CancelToken token;  // token.cancel() from another thread stops the call
///   client.get_identity(link_id, {}, moneykit::CallOptions().timeout(2s).cancel(token));
///
/// timeout() and deadline() bound this call on top of the client's deadline_ms (the earliest
/// bound wins; TimeoutError). A bound already passed when the call starts throws TimeoutError
/// without a request. Durations are rounded up to whole milliseconds.
class CallOptions {
public:
    using Clock = std::chrono::steady_clock;

    CallOptions() = default;

    /// The call ends within `value` (TimeoutError), counted from when the call starts.
    template <class Rep, class Period>
    CallOptions& timeout(std::chrono::duration<Rep, Period> value) & {
        timeout_ = to_millis(value);
        return *this;
    }
    template <class Rep, class Period>
    CallOptions timeout(std::chrono::duration<Rep, Period> value) && {
        return std::move(timeout(value));
    }

    /// The call ends by `when` (TimeoutError), a time point of any clock (e.g. a deadline
    /// shared by several calls). Other clocks than steady_clock are converted now.
    template <class C, class D>
    CallOptions& deadline(std::chrono::time_point<C, D> when) & {
        if constexpr (std::is_same_v<C, Clock>) {
            deadline_ = std::chrono::time_point_cast<Clock::duration>(when);
        } else {
            deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(when - C::now());
        }
        return *this;
    }
    template <class C, class D>
    CallOptions deadline(std::chrono::time_point<C, D> when) && {
        return std::move(deadline(when));
    }

    /// Cancels the call when `token.cancel()` is called (CancelledError).
    CallOptions& cancel(CancelToken token) & {
        cancel_ = std::move(token);
        return *this;
    }
    CallOptions cancel(CancelToken token) && { return std::move(cancel(std::move(token))); }

    const std::optional<std::chrono::milliseconds>& timeout() const noexcept { return timeout_; }
    const std::optional<Clock::time_point>& deadline() const noexcept { return deadline_; }
    const std::optional<CancelToken>& cancel_token() const noexcept { return cancel_; }

    /// The timeout_ms argument of mk_get_identity_ex as of now: 0 for none, else at
    /// least 1. Empty when a bound has already passed.
    std::optional<std::uint64_t> timeout_ms(Clock::time_point now = Clock::now()) const {
        std::optional<std::chrono::milliseconds> left = timeout_;
        if (deadline_) {
            const auto until = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - now);
            if (!left || until < *left) left = until;
        }
        if (!left) return std::uint64_t{0};
        if (left->count() <= 0) return std::nullopt;
        return static_cast<std::uint64_t>(left->count());
    }

private:
    /// Whole milliseconds, rounded up and clamped to what a call can use (any longer bound
    /// means "no bound of its own"; about 31 000 years).
    template <class Rep, class Period>
    static std::chrono::milliseconds to_millis(std::chrono::duration<Rep, Period> d) {
        constexpr std::int64_t cap = std::int64_t{1} << 50;
        const std::chrono::duration<double, std::milli> ms(d);  // no overflow for any duration
        if (!(ms.count() < static_cast<double>(cap))) return std::chrono::milliseconds(cap);
        if (ms.count() <= 0) return std::chrono::milliseconds(0);
        return std::chrono::ceil<std::chrono::milliseconds>(d);
    }

    std::optional<std::chrono::milliseconds> timeout_;
    std::optional<Clock::time_point> deadline_;
    std::optional<CancelToken> cancel_;
};

/// get_identity_result(): the decoded body and the response's request id.
struct IdentityResult {
    IdentityResponse identity;
    /// The response's x-request-id header, when the server sent one.
    std::optional<std::string> request_id;
};

/// get_identity_json_result(): the body as MoneyKit sent it and the response's request id.
struct IdentityJsonResult {
    std::string json;
    /// The response's x-request-id header, when the server sent one.
    std::optional<std::string> request_id;
};

}  // namespace moneykit

#endif  // MONEYKIT_CALL_HPP
