// File: lib/quote/hash.h
//
// Hashing for the quote hot path (package-internal). The EVP_MDs of the TPM
// hash algorithms are fetched once per process (no implicit fetch, no lock,
// per call), and a Hasher keeps one EVP_MD_CTX for several digests in a row.
//
// FetchedDigest() is thread-safe. A Hasher is used from one thread at a time;
// make one per verification (it is cheap) rather than sharing one.
#ifndef CANDOR_LIB_QUOTE_HASH_H_
#define CANDOR_LIB_QUOTE_HASH_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::quote {

// The fetched EVP_MD for sha1, sha256, sha384 and sha512 (static, not owned);
// nullptr for any other algorithm id or if OpenSSL has no implementation.
const EVP_MD* FetchedDigest(TPMI_ALG_HASH alg);

// Raw digest bytes; up to EVP_MAX_MD_SIZE.
struct DigestBuffer {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  absl::string_view view() const {
    return absl::string_view(reinterpret_cast<const char*>(bytes), size);
  }
};

class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()) {}

  // Starts a digest with `md` (from FetchedDigest). False if OpenSSL fails
  // (out of memory); the failure is left on OpenSSL's error queue.
  bool Begin(const EVP_MD* md) {
    return ctx_ != nullptr && md != nullptr &&
           EVP_DigestInit_ex2(ctx_.get(), md, nullptr) == 1;
  }
  bool Update(absl::string_view data) {
    return EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1;
  }
  bool Finish(DigestBuffer* out) {
    return EVP_DigestFinal_ex(ctx_.get(), out->bytes, &out->size) == 1;
  }

 private:
  crypto::OsslPtr<EVP_MD_CTX> ctx_;
};

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_HASH_H_
