// moneykit/secret.hpp: a string holder that wipes its buffer before freeing it,
// for the access token and the client secret (part of moneykit.hpp).
//
// std::string cannot promise this: it frees (or reuses) its buffer when it grows,
// shrinks or dies, and short strings live inside the object itself. The holder
// owns exactly one heap buffer per value, allocated once at the final size, and
// overwrites it with zeros through a volatile pointer (which the optimiser may not
// drop) before giving it back. Copies are wiped the same way.
#ifndef MONEYKIT_SECRET_HPP
#define MONEYKIT_SECRET_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace moneykit {
namespace detail {

/// Overwrites n bytes with zeros; volatile stores are never elided as dead.
inline void secure_wipe(void* p, std::size_t n) noexcept {
    volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0;
}

/// Wipes a std::string's characters and empties it (its buffer stays with it).
inline void secure_wipe(std::string& s) noexcept {
    if (!s.empty()) secure_wipe(&s[0], s.size());
    s.clear();
}

/// A NUL-terminated byte string in one heap buffer that is zeroed before it is freed:
/// on destruction, on assignment and on clear(). Alloc is the allocator of that
/// buffer (std::allocator<char>; the tests use one that checks what it gets back).
template <class Alloc = std::allocator<char>>
class BasicSecretString {
    using Traits = std::allocator_traits<Alloc>;

public:
    BasicSecretString() noexcept(noexcept(Alloc())) = default;
    explicit BasicSecretString(std::string_view value, const Alloc& alloc = Alloc()) : alloc_(alloc) {
        assign(value);
    }
    BasicSecretString(const BasicSecretString& other) : alloc_(other.alloc_) { assign(other.view()); }
    BasicSecretString(BasicSecretString&& other) noexcept
        : alloc_(other.alloc_), data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    BasicSecretString& operator=(const BasicSecretString& other) {
        if (this != &other) assign(other.view());
        return *this;
    }
    BasicSecretString& operator=(BasicSecretString&& other) noexcept {
        if (this != &other) {
            clear();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~BasicSecretString() { clear(); }

    /// A buffer of n bytes (plus the NUL) for the caller to fill through data().
    static BasicSecretString with_size(std::size_t n, const Alloc& alloc = Alloc()) {
        BasicSecretString s(alloc, 0);
        s.data_ = s.allocate(n);
        s.size_ = n;
        return s;
    }

    /// Replaces the value; the old buffer is wiped and freed.
    void assign(std::string_view value) {
        char* fresh = allocate(value.size());
        if (!value.empty()) value.copy(fresh, value.size());
        clear();
        data_ = fresh;
        size_ = value.size();
    }

    /// Wipes and frees the buffer; the value becomes empty.
    void clear() noexcept {
        if (!data_) return;
        secure_wipe(data_, size_ + 1);
        Traits::deallocate(alloc_, data_, size_ + 1);
        data_ = nullptr;
        size_ = 0;
    }

    std::string_view view() const noexcept { return data_ ? std::string_view(data_, size_) : std::string_view(); }
    /// NUL-terminated; "" when empty.
    const char* c_str() const noexcept { return data_ ? data_ : ""; }
    char* data() noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

private:
    BasicSecretString(const Alloc& alloc, int) : alloc_(alloc) {}

    char* allocate(std::size_t n) {
        char* p = Traits::allocate(alloc_, n + 1);
        p[n] = '\0';
        return p;
    }

    Alloc alloc_{};
    char* data_ = nullptr;
    std::size_t size_ = 0;
};

using SecretString = BasicSecretString<>;

}  // namespace detail
}  // namespace moneykit

#endif  // MONEYKIT_SECRET_HPP
