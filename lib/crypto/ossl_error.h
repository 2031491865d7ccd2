// File: lib/crypto/ossl_error.h
//
// Turning OpenSSL's thread-local error queue into absl::Status (after Tink's
// internal/err_util.h).
//
//   if (EVP_DigestVerifyInit(...) != 1) {
//     return SslError(absl::StatusCode::kInvalidArgument,
//                     "EVP_DigestVerifyInit");
//   }
//   // -> "EVP_DigestVerifyInit: RSA routines:wrong signature length"
//
// Both functions empty the calling thread's error queue, so stale errors never
// leak into the next call's message. Call them right after the failing call,
// on the same thread. Thread-safe (the queue is per thread).
#ifndef CANDOR_LIB_CRYPTO_OSSL_ERROR_H_
#define CANDOR_LIB_CRYPTO_OSSL_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::crypto {

// Drains the error queue, oldest first, into "lib:reason; lib:reason (data)".
// Returns "" when the queue was empty.
std::string DrainSslErrors();

// A status with `code` and the message "<call>: <DrainSslErrors()>", or
// "<call>: failed (no OpenSSL error reported)" when the queue was empty.
// `code` must not be kOk.
absl::Status SslError(absl::StatusCode code, absl::string_view call);

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_OSSL_ERROR_H_
