// File: lib/crypto/secret.h
//
// SecretBytes: owned bytes for key material (HMAC keys, K/U/V shares, seeds).
// Every buffer it ever held is wiped with OPENSSL_cleanse before it is freed:
// on destruction, on growth (the old buffer), on clear(), and on move (the
// moved-from object keeps no buffer, it is left empty). It is move-only: copy
// deliberately with Clone(). It has no operator<<, no implicit conversion to a
// string and no operator==, so it cannot be logged or compared in variable time
// by accident; compare with ConstantTimeEquals(a.view(), b.view()).
//
// Thread-safety: like std::string (const methods may be called concurrently).
#ifndef CANDOR_LIB_CRYPTO_SECRET_H_
#define CANDOR_LIB_CRYPTO_SECRET_H_

#include <openssl/crypto.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace candor::crypto {
namespace internal {

// std::allocator that wipes memory before giving it back.
template <typename T>
struct CleansingAllocator {
  using value_type = T;
  CleansingAllocator() = default;
  template <typename U>
  CleansingAllocator(const CleansingAllocator<U>&) {}  // NOLINT: rebind
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const CleansingAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const CleansingAllocator<U>&) const {
    return false;
  }
};

}  // namespace internal

class SecretBytes {
 public:
  SecretBytes() = default;
  // Copies `bytes`; wiping the source is the caller's business.
  explicit SecretBytes(absl::string_view bytes)
      : bytes_(bytes.begin(), bytes.end()) {}
  // `size` zero bytes, to be filled through data()/u8data() (RAND_bytes, ...).
  explicit SecretBytes(std::size_t size) : bytes_(size, '\0') {}

  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() = default;  // the allocator wipes

  SecretBytes Clone() const { return SecretBytes(view()); }

  const char* data() const { return bytes_.data(); }
  char* data() { return bytes_.data(); }
  const unsigned char* u8data() const {
    return reinterpret_cast<const unsigned char*>(bytes_.data());
  }
  unsigned char* u8data() { return reinterpret_cast<unsigned char*>(data()); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  // A view for passing the bytes to a crypto call. Never log it.
  absl::string_view view() const {
    return absl::string_view(bytes_.data(), bytes_.size());
  }

  // New bytes are zero. Shrinking wipes the dropped tail.
  void resize(std::size_t size) {
    if (size < bytes_.size()) {
      OPENSSL_cleanse(bytes_.data() + size, bytes_.size() - size);
    }
    bytes_.resize(size, '\0');
  }
  void append(absl::string_view more) {
    bytes_.insert(bytes_.end(), more.begin(), more.end());
  }
  // Wipes and releases the buffer.
  void clear() {
    std::vector<char, internal::CleansingAllocator<char>>().swap(bytes_);
  }

 private:
  std::vector<char, internal::CleansingAllocator<char>> bytes_;
};

// True iff a and b have the same length and the same bytes. For equal
// lengths the time taken does not depend on the contents (CRYPTO_memcmp);
// the lengths themselves are not treated as secret.
inline bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_SECRET_H_
