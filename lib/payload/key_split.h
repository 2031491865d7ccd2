// File: lib/payload/key_split.h
//
// The tenant side of Candor's secure payload (DESIGN.md "Secure payload", as
// Keylime's U/V split): draw a payload key K, split it into two shares U and V
// (V = K xor U), authenticate K to the agent id with HMAC-SHA384, encrypt the
// payload under K with AES-256-GCM, and wrap each share to the agent's
// transport key with RSA-OAEP-SHA256. The agent side is lib/payload/unsplit.h.
//
//   ABSL_ASSIGN_OR_RETURN(std::string payload, ReadPayload(path));
//   ABSL_ASSIGN_OR_RETURN(KeySplit split, SplitKey(agent_id, payload));
//   ABSL_ASSIGN_OR_RETURN(std::string wrapped_u,
//                         WrapShare(identity.transport_public_key(), split.u));
//
// K itself never leaves SplitKey (it is wiped there). All functions are
// thread-safe (no shared state).
#ifndef CANDOR_LIB_PAYLOAD_KEY_SPLIT_H_
#define CANDOR_LIB_PAYLOAD_KEY_SPLIT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"
#include "lib/payload/payload_crypto.h"  // kKeySize, kMaxPayloadSize, ...

namespace candor::payload {

struct KeySplit {
  crypto::SecretBytes u;          // 32 bytes
  crypto::SecretBytes v;          // 32 bytes, V = K xor U
  std::string auth_tag;           // HMAC-SHA384(K, agent_id), 48 bytes
  std::string encrypted_payload;  // iv(12) || AES-256-GCM ciphertext ||
                                  // tag(16); empty when payload is empty
};

// Draws K and U (32 random bytes each, RAND_bytes), computes V, the tag and
// the encrypted payload. INVALID_ARGUMENT for an empty agent id or a payload
// over kMaxPayloadSize; INTERNAL if OpenSSL fails.
absl::StatusOr<KeySplit> SplitKey(absl::string_view agent_id,
                                  absl::string_view payload);

// RSA-OAEP (SHA-256, MGF1-SHA256, empty label) of `share` to a DER
// SubjectPublicKeyInfo RSA key (the agent's transport key,
// AgentIdentity.transport_public_key). INVALID_ARGUMENT for a key that is not
// RSA >= 2048 or does not parse.
absl::StatusOr<std::string> WrapShare(absl::string_view transport_spki_der,
                                      const crypto::SecretBytes& share);

// The tenant's --payload argument: a regular file is returned as is; a
// directory is packed into a tar archive (pax format) with relative paths and
// modes kept (so autorun.sh stays executable); symlinks are stored as
// symlinks, other special files are refused. At most kMaxPayloadSize bytes:
// RESOURCE_EXHAUSTED naming the path otherwise; NOT_FOUND / INVALID_ARGUMENT
// naming the path for a missing or unreadable path or special file.
absl::StatusOr<std::string> ReadPayload(const std::string& file_or_dir);

}  // namespace candor::payload

#endif  // CANDOR_LIB_PAYLOAD_KEY_SPLIT_H_
