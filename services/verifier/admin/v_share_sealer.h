// File: services/verifier/admin/v_share_sealer.h
//
// Seals the V key share (verifier.proto AddAgentRequest.v_share) for the
// agents table (DESIGN.md "State": "V share (encrypted)"): AES-256-GCM under
// a 32-byte sealing key, a fresh random 12-byte nonce per seal, associated
// data "candor.verifier.v_share.v1". Sealed form (opaque to the store):
//   0x01 (format version) || nonce (12) || ciphertext || tag (16).
//
// The key comes from:
//   - FromKeyFile: a file holding the 32 raw bytes, or 64 hex digits
//     (surrounding whitespace ignored). Every replica of a deployment must
//     use the same file, since any replica may deliver a V sealed by another.
//   - FromTlsKeyPem: HKDF-SHA256 of the verifier's TLS private key PEM (salt
//     "candor.verifier", info "v_share sealing key v1"). Only consistent
//     across replicas that share one TLS key, and a TLS key rotation makes
//     stored V shares unopenable: the key file is the production setting.
//   - FromKey: the raw key (tests).
//
// Errors: INVALID_ARGUMENT for a key of the wrong size or a malformed file
// (naming the file and the flag), NOT_FOUND for a missing file; Open answers
// INVALID_ARGUMENT for bytes that are not a sealed value (too short, unknown
// version) and DATA_LOSS when the tag does not verify (tampered, or sealed
// under another key); INTERNAL for OpenSSL failures. Neither the key nor V
// appears in any message or log. Thread-safe (const after construction).
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_V_SHARE_SEALER_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_V_SHARE_SEALER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::verifier {

class VShareSealer {
 public:
  static constexpr size_t kKeyBytes = 32;

  static absl::StatusOr<VShareSealer> FromKey(crypto::SecretBytes key);
  // `flag` names the flag the path came from, for error messages
  // ("v_share_key_file" or "--v_share_key_file").
  static absl::StatusOr<VShareSealer> FromKeyFile(const std::string& path,
                                                  absl::string_view flag);
  static absl::StatusOr<VShareSealer> FromTlsKeyPem(
      const crypto::SecretBytes& key_pem);

  VShareSealer(VShareSealer&&) = default;
  VShareSealer& operator=(VShareSealer&&) = default;

  // The sealed form of `v` (any length; V shares are 32 bytes).
  absl::StatusOr<std::string> Seal(const crypto::SecretBytes& v) const;
  // `v` back from Seal's output.
  absl::StatusOr<crypto::SecretBytes> Open(absl::string_view sealed) const;

 private:
  explicit VShareSealer(crypto::SecretBytes key) : key_(std::move(key)) {}
  crypto::SecretBytes key_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_V_SHARE_SEALER_H_
