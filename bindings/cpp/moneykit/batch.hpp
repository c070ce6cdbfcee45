// moneykit/batch.hpp: moneykit::Batch, the identities of many links through one client
// at the speed MoneyKit allows (mk_batch_*), as a C++ input range (part of moneykit.hpp).
//
//   moneykit::Batch batch = client.identities(link_ids);  // BatchOptions() for the limits
//   for (const moneykit::BatchResult& r : batch) {        // in completion order
//       if (r.ok()) use(r.link_id, *r.identity);
//       else log(r.link_id, r.error->what());
//   }
#ifndef MONEYKIT_BATCH_HPP
#define MONEYKIT_BATCH_HPP

#include "moneykit.h"

#include "error.hpp"
#include "events.hpp"
#include "exceptions.hpp"
#include "identity.hpp"
#include "library.hpp"
#include "model.hpp"
#include "options.hpp"
#include "records.hpp"
#include "status.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moneykit {
namespace detail {

/// What a Client owns, shared with the Batches started from it: a batch's workers use the
/// C client (and report events to its sink) until the batch is freed, so the last owner
/// frees the client first, then the sink.
struct ClientState {
    std::unique_ptr<EventSink> events;
    std::unique_ptr<mk_client, ClientFree> handle;
    ClientState() = default;
    ClientState(const ClientState&) = delete;
    ClientState& operator=(const ClientState&) = delete;
    ~ClientState() { handle.reset(); }  // the client first: it holds a pointer to events
};

}  // namespace detail

/// One link's result: the identity or the error, never both.
struct BatchResult {
    /// The link's position in the list given to Client::identities().
    std::size_t index = 0;
    /// The link id, as given.
    std::string link_id;
    /// The decoded identity; std::nullopt when the call failed.
    std::optional<IdentityResponse> identity;
    /// The body exactly as MoneyKit sent it; empty when the call failed.
    std::string json;
    /// Why the call failed (status(), what(), request_id(), ...); std::nullopt on success.
    std::optional<Error> error;

    bool ok() const noexcept { return identity.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    /// The identity, or throws the error as its own subclass (NotFoundError, ...).
    const IdentityResponse& value() const {
        if (!identity) rethrow();
        return *identity;
    }
    /// Throws the error as its own subclass; InvalidArgumentError when there is none.
    [[noreturn]] void rethrow() const {
        if (!error) detail::fail(Status::invalid_argument, "this result is not an error");
        throw_error(error->status(), error->json());
    }
};

/// A running batch (mk_batch): results stream out as calls complete, at most
/// 2 × concurrency wait to be taken (not iterating stops the workers, so memory stays flat).
///
/// An input range: iterate it once, from one thread; each link gives exactly one
/// BatchResult (a link listed twice gives two). progress() and cancel() are safe from any
/// thread at any time. Move-only; the destructor cancels what still runs, waits for the
/// workers (about 100 ms) and drops results not taken.
///
/// Lifetime: the batch keeps its client's C handle (and event handler) alive, so the Client
/// may be destroyed or moved before the batch; the client's handler keeps receiving the
/// batch's events until the batch is destroyed.
class Batch {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = BatchResult;
        using difference_type = std::ptrdiff_t;
        using pointer = const BatchResult*;
        using reference = const BatchResult&;

        iterator() = default;
        reference operator*() const { return *batch_->current_; }
        pointer operator->() const { return &*batch_->current_; }
        /// Takes the next result, waiting as long as it takes (cancel() ends the wait).
        iterator& operator++() {
            batch_->advance();
            if (!batch_->current_) batch_ = nullptr;
            return *this;
        }
        /// `*it++`: the proxy keeps a copy of the result taken before advancing.
        struct proxy {
            BatchResult value;
            const BatchResult& operator*() const noexcept { return value; }
        };
        proxy operator++(int) {
            proxy old{**this};
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.batch_ == b.batch_; }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return a.batch_ != b.batch_; }

    private:
        friend class Batch;
        explicit iterator(Batch* batch) : batch_(batch) {}
        Batch* batch_ = nullptr;  // nullptr: the end
    };

    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    Batch(Batch&&) noexcept = default;
    Batch& operator=(Batch&& other) noexcept {
        if (this != &other) {
            handle_.reset();  // ours first: frees the batch before its client
            handle_ = std::move(other.handle_);
            client_ = std::move(other.client_);
            current_ = std::move(other.current_);
            started_ = other.started_;
            done_ = other.done_;
        }
        return *this;
    }
    /// Cancels, waits for the workers (about 100 ms), drops results not taken, then lets go
    /// of the client.
    ~Batch() { handle_.reset(); }

    /// Takes the first result (waiting for it) and returns the position; an input range is
    /// walked once: begin() again continues where the walk is.
    iterator begin() {
        live();
        if (!started_) {
            started_ = true;
            advance();
        }
        return current_ ? iterator(this) : iterator();
    }
    iterator end() noexcept { return iterator(); }

    /// The next result, waiting at most `timeout` (zero: do not wait): std::nullopt when none
    /// came in time or the batch is over (done() tells which). For callers that draw progress
    /// between results; do not mix with an iteration in progress.
    template <class Rep, class Period>
    std::optional<BatchResult> next(std::chrono::duration<Rep, Period> timeout) {
        live();
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
        return take(ms > 0 ? static_cast<std::uint64_t>(ms) : 0);
    }
    /// The next result, waiting as long as it takes; std::nullopt once the batch is over.
    std::optional<BatchResult> next() {
        live();
        for (;;) {
            std::optional<BatchResult> r = take(kPoll);
            if (r || done_) return r;
        }
    }

    /// True once every result was taken (or the batch was cancelled and what it made was taken).
    bool done() const noexcept { return done_; }

    /// The batch's progress now. Any thread.
    BatchProgress progress() const {
        mk_batch_progress p{};
        char* out_error = nullptr;
        const std::int32_t rc = mk_batch_get_progress(live(), &p, &out_error);
        detail::LibraryString error(out_error);
        if (rc != MK_OK) detail::raise(rc, error.get());
        return detail::from_c(p);
    }

    /// Links in the batch (for a progress bar's total).
    std::size_t size() const { return static_cast<std::size_t>(progress().total); }

    /// Starts nothing new; calls in flight end as CancelledError results within about 100 ms,
    /// then the iteration ends (links never started give no result). Any thread, any number of
    /// times; a no-op on a moved-from batch. Never throws.
    void cancel() const noexcept { mk_batch_cancel(handle_.get()); }

    /// The C handle, for the mk_batch_* functions. Still owned by this Batch.
    mk_batch* native_handle() const noexcept { return handle_.get(); }
    /// False for a moved-from Batch.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    friend class Client;
    struct Free {
        void operator()(mk_batch* b) const noexcept { mk_batch_free(b); }
    };
    /// How long one mk_batch_next waits in a blocking loop (a cancel ends it sooner anyway).
    static constexpr std::uint64_t kPoll = 1000;

    /// Starts mk_batch_start on the client (whose state the batch keeps).
    Batch(std::shared_ptr<detail::ClientState> client, const std::vector<const char*>& ids,
          const BatchOptions& options)
        : client_(std::move(client)) {
        const std::string opts = options.json();
        mk_batch* batch = nullptr;
        char* out_error = nullptr;
        const std::int32_t rc = mk_batch_start(client_->handle.get(), ids.empty() ? nullptr : ids.data(), ids.size(),
                                               opts.c_str(), &batch, &out_error);
        handle_.reset(batch);  // owned before anything can throw
        detail::LibraryString error(out_error);
        if (rc != MK_OK) {
            handle_.reset();
            detail::raise(rc, error.get());
        }
        if (!handle_) detail::fail(Status::internal, "mk_batch_start returned MK_OK without a batch");
    }

    mk_batch* live() const {
        if (!handle_) detail::fail(Status::invalid_argument, "this Batch was moved from");
        return handle_.get();
    }

    void advance() {
        current_.reset();
        while (!current_ && !done_) current_ = take(kPoll);
    }

    /// One mk_batch_next: a result, or nothing (pending, or done_ set).
    std::optional<BatchResult> take(std::uint64_t timeout_ms) {
        if (done_) return std::nullopt;
        mk_batch_item item{};
        char* out_error = nullptr;
        const std::int32_t rc = mk_batch_next(handle_.get(), timeout_ms, &item, &out_error);
        // every string is ours, on every path
        detail::LibraryString error(out_error), link(item.link_id), body(item.json), item_error(item.error);
        if (rc == MK_BATCH_PENDING) return std::nullopt;
        if (rc == MK_BATCH_DONE) {
            done_ = true;
            return std::nullopt;
        }
        if (rc != MK_OK) detail::raise(rc, error.get());
        BatchItem copy = detail::from_c(item);
        BatchResult r;
        r.index = static_cast<std::size_t>(copy.index);
        r.link_id = std::move(copy.link_id);
        if (copy.status == Status::ok) {
            if (!copy.json) detail::fail(Status::internal, "mk_batch_next gave an MK_OK item without a body");
            r.json = std::move(*copy.json);
            r.identity = detail::identity_from_json(r.json);
        } else {
            r.error = Error(copy.status, copy.error ? std::move(*copy.error)
                                                    : detail::local_error_json(copy.status, status_name(copy.status)));
        }
        return r;
    }

    std::shared_ptr<detail::ClientState> client_;  // declared first: released after the batch
    std::unique_ptr<mk_batch, Free> handle_;
    std::optional<BatchResult> current_;
    bool started_ = false;
    bool done_ = false;
};

}  // namespace moneykit

#endif  // MONEYKIT_BATCH_HPP
