// File: lib/crypto/keys.h
//
// Public keys as EVP_PKEY: comparison and SubjectPublicKeyInfo (DER) encoding.
// Only the public part of a key is ever compared or encoded here. Thread-safe.
#ifndef CANDOR_LIB_CRYPTO_KEYS_H_
#define CANDOR_LIB_CRYPTO_KEYS_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::crypto {

// True iff both keys are non-null and have the same type, parameters and
// public component (EVP_PKEY_eq). An RSA key never equals an EC key.
bool PublicKeysEqual(const EVP_PKEY* a, const EVP_PKEY* b);

// The DER SubjectPublicKeyInfo of `key` (i2d_PUBKEY). INVALID_ARGUMENT for a
// null key, INTERNAL with the OpenSSL reason if encoding fails.
absl::StatusOr<std::string> PublicKeyToDer(const EVP_PKEY* key);

// Parses a DER SubjectPublicKeyInfo. INVALID_ARGUMENT when it does not parse,
// or when bytes follow it. The caller owns the result.
absl::StatusOr<OsslPtr<EVP_PKEY>> PublicKeyFromDer(absl::string_view der);

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_KEYS_H_
