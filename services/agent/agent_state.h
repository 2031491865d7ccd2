// File: services/agent/agent_state.h
//
// The agent's state directory (created mode 0700), which survives restarts:
//   transport.key        RSA-2048 transport key (PEM, 0600): U and V shares are
//                        encrypted to it; PCR 16 carries its hash
//   tls.key, tls.crt     the agent's TLS key (0600) and self-signed certificate
//                        (CN and DNS SAN = agent id), registered at the
//                        registrar and pinned by its callers
//   ak-<ek>.pub/.priv    the AK's TPM2B_PUBLIC and TPM2B_PRIVATE, loaded under
//                        the EK at every start (the TPM forgets loaded objects
//                        at reset)
// Every file is written atomically. Not thread-safe (used at start-up).
#ifndef CANDOR_SERVICES_AGENT_AGENT_STATE_H_
#define CANDOR_SERVICES_AGENT_AGENT_STATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/secret.h"

namespace candor::agent {

struct StoredAk {
  std::string public_area;   // marshalled TPM2B_PUBLIC
  std::string private_area;  // marshalled TPM2B_PRIVATE (TPM-wrapped)
};

struct TlsIdentity {
  std::string cert_pem;
  crypto::SecretBytes key_pem;
};

class AgentState {
 public:
  // Creates `dir` (0700) if missing. FAILED_PRECONDITION naming it if it is
  // not a directory or not writable.
  static absl::StatusOr<AgentState> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }

  // The transport key, created on first use.
  absl::StatusOr<crypto::OsslPtr<EVP_PKEY>> LoadOrCreateTransportKey();

  // The TLS identity for `agent_id`; a new key and certificate are made when
  // none exists, the certificate names another id, or it expires within a day.
  absl::StatusOr<TlsIdentity> LoadOrCreateTlsIdentity(
      const std::string& agent_id, absl::Duration validity);

  // The AK blobs for EK kind `ek` ("rsa", "ecc"), or nullopt if none saved.
  // INVALID_ARGUMENT if only one of the two files exists.
  absl::StatusOr<std::optional<StoredAk>> LoadAk(const std::string& ek);
  absl::Status SaveAk(const std::string& ek, const StoredAk& blobs);

 private:
  explicit AgentState(std::string dir) : dir_(std::move(dir)) {}
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_AGENT_STATE_H_
