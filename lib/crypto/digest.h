// File: lib/crypto/digest.h
//
// One-shot message digests. Results are raw digest bytes in a std::string
// (not hex). Thread-safe; no state is kept between calls.
//
//   std::string d = Sha256("abc");  // 32 bytes, ba7816bf...
//   ABSL_ASSIGN_OR_RETURN(std::string h, Digest(EVP_sha384(), data));
#ifndef CANDOR_LIB_CRYPTO_DIGEST_H_
#define CANDOR_LIB_CRYPTO_DIGEST_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::crypto {

// H_md(data). `md` is not owned (EVP_sha256() or a fetched EVP_MD). Errors:
// INVALID_ARGUMENT when md is null, INTERNAL (with the OpenSSL reason) when
// EVP_Digest fails, e.g. for an XOF or a digest the provider lacks.
absl::StatusOr<std::string> Digest(const EVP_MD* md, absl::string_view data);

// Fixed algorithms; these cannot fail. 20, 32, 48 and 64 bytes.
std::string Sha1(absl::string_view data);
std::string Sha256(absl::string_view data);
std::string Sha384(absl::string_view data);
std::string Sha512(absl::string_view data);

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_DIGEST_H_
