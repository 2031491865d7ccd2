// File: lib/ima/hasher.h
//
// A reusable digest context for the IMA hot path: the EVP_MD is fetched once
// and one EVP_MD_CTX is reused, so hashing an entry costs no lookups and no
// allocations (OpenSSL 3's one-shot SHA256() fetches the algorithm on every
// call). Not thread-safe: one Hasher per thread or per replay. Move-only.
//
//   ABSL_ASSIGN_OR_RETURN(Hasher h, Hasher::Create(HashAlgo::kSha256));
//   uint8_t d[kMaxDigestSize];
//   if (!h.Hash(data, d)) return absl::InternalError(...);
#ifndef CANDOR_LIB_IMA_HASHER_H_
#define CANDOR_LIB_IMA_HASHER_H_

#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/ima/hash_algo.h"

namespace candor::ima {

class Hasher {
 public:
  // INVALID_ARGUMENT for kUnknown; INTERNAL (OpenSSL's reason) when the
  // provider lacks the algorithm.
  static absl::StatusOr<Hasher> Create(HashAlgo algo);

  HashAlgo algo() const { return algo_; }
  size_t size() const { return size_; }

  // out[0 .. size()) = H(data), or H(a || b). False only when OpenSSL fails
  // (out of memory); the error queue then says why.
  bool Hash(absl::string_view data, uint8_t* out);
  bool Hash2(absl::string_view a, absl::string_view b, uint8_t* out);

  // H(data) as a std::string; INTERNAL on an OpenSSL failure.
  absl::StatusOr<std::string> Digest(absl::string_view data);

 private:
  Hasher(HashAlgo algo, size_t size, crypto::OsslPtr<EVP_MD> md,
         crypto::OsslPtr<EVP_MD_CTX> ctx)
      : algo_(algo), size_(size), md_(std::move(md)), ctx_(std::move(ctx)) {}

  HashAlgo algo_;
  size_t size_;
  crypto::OsslPtr<EVP_MD> md_;
  crypto::OsslPtr<EVP_MD_CTX> ctx_;
};

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_HASHER_H_
