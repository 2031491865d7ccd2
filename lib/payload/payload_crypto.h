// File: lib/payload/payload_crypto.h
//
// The symmetric primitives of the secure payload, shared by the tenant side
// (key_split.h) and the agent side (unsplit.h):
//   - the auth tag: HMAC-SHA384(K, agent_id), 48 bytes;
//   - the payload envelope: iv(12) || AES-256-GCM ciphertext || tag(16), no
//     associated data, K (32 bytes) as the key.
// Thread-safe (no shared state). Errors: INVALID_ARGUMENT for a key of the
// wrong size or a malformed envelope; PERMISSION_DENIED when the GCM tag does
// not verify (wrong key or tampered bytes); INTERNAL if OpenSSL fails.
#ifndef CANDOR_LIB_PAYLOAD_PAYLOAD_CRYPTO_H_
#define CANDOR_LIB_PAYLOAD_PAYLOAD_CRYPTO_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::payload {

inline constexpr std::size_t kKeySize = 32;      // K, U and V
inline constexpr std::size_t kAuthTagSize = 48;  // HMAC-SHA384
inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kMaxPayloadSize = 100u << 20;  // 100 MiB

// HMAC-SHA384(key, agent_id).
absl::StatusOr<std::string> ComputeAuthTag(const crypto::SecretBytes& key,
                                           absl::string_view agent_id);

// Encrypts `plaintext` under the 32-byte `key` with a fresh random IV.
absl::StatusOr<std::string> GcmSeal(const crypto::SecretBytes& key,
                                    absl::string_view plaintext);

// Opens an envelope made by GcmSeal. The plaintext is returned in a
// SecretBytes (wiped when released).
absl::StatusOr<crypto::SecretBytes> GcmOpen(const crypto::SecretBytes& key,
                                            absl::string_view envelope);

}  // namespace candor::payload

#endif  // CANDOR_LIB_PAYLOAD_PAYLOAD_CRYPTO_H_
