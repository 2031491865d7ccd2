// File: lib/payload/unsplit.h
//
// The agent side of the secure payload's key handling (DESIGN.md "Secure
// payload"; the tenant side is key_split.h):
//
//   ABSL_ASSIGN_OR_RETURN(SecretBytes u, UnwrapShare(transport_key,
//   wrapped_u)); ABSL_ASSIGN_OR_RETURN(SecretBytes v,
//   UnwrapShare(transport_key, wrapped_v)); ABSL_ASSIGN_OR_RETURN(SecretBytes
//   k, RecombineKey(u, v, agent_id, tag)); ABSL_ASSIGN_OR_RETURN(SecretBytes
//   plain, DecryptPayload(k, encrypted));
//
// Every key and share is a SecretBytes (wiped when released). Errors:
// INVALID_ARGUMENT for a share that does not decrypt or has the wrong size,
// or a malformed encrypted payload; PERMISSION_DENIED when the auth tag or the
// GCM tag does not verify. Thread-safe (no shared state; an EVP_PKEY may be
// used from several threads).
#ifndef CANDOR_LIB_PAYLOAD_UNSPLIT_H_
#define CANDOR_LIB_PAYLOAD_UNSPLIT_H_

#include <openssl/evp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::payload {

// RSA-OAEP (SHA-256, MGF1-SHA256, empty label) decryption of a share wrapped
// by WrapShare with the transport private key. The result must be kKeySize
// bytes (INVALID_ARGUMENT otherwise).
absl::StatusOr<crypto::SecretBytes> UnwrapShare(EVP_PKEY* transport_key,
                                                absl::string_view wrapped);

// K = U xor V, then checks auth_tag == HMAC-SHA384(K, agent_id) in constant
// time. INVALID_ARGUMENT for shares or a tag of the wrong size;
// PERMISSION_DENIED when the tag does not match (shares from different
// splits, or for another agent).
absl::StatusOr<crypto::SecretBytes> RecombineKey(const crypto::SecretBytes& u,
                                                 const crypto::SecretBytes& v,
                                                 absl::string_view agent_id,
                                                 absl::string_view auth_tag);

// Opens the iv || ciphertext || tag envelope under K (GcmOpen).
absl::StatusOr<crypto::SecretBytes> DecryptPayload(
    const crypto::SecretBytes& k, absl::string_view encrypted_payload);

}  // namespace candor::payload

#endif  // CANDOR_LIB_PAYLOAD_UNSPLIT_H_
