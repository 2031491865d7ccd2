// File: tools/agent_sim/sim_keys.h
//
// The software "TPM keys" of a virtual agent and the simulator's EK CA:
//   - SimEk: an ECC NIST P-256 key with the TCG EK template L-2 public area
//     (nameAlg SHA-256, AES-128-CFB, PolicyA; EK Credential Profile 2.0
//     §B.3.4) and the real point as `unique`: what the registrar accepts for
//     MakeCredential (CheckCredentialEk). ECC because key generation and
//     ECDH cost ~0.1 ms where RSA-2048 generation costs ~50 ms.
//   - SimAk: an ECC NIST P-256 restricted signing key (ECDSA-SHA256,
//     fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth), its
//     TPM2B_PUBLIC and Name; Sign() returns a marshalled TPMT_SIGNATURE.
//   - SimCa: an EC P-256 CA ("CN=Candor agent simulator EK CA") that issues
//     the EK certificates; written as PEM for the registrar's --ek_ca_dir.
// Nothing here protects anything: these are load-test keys. Thread-safe
// after creation (OpenSSL keys are only read).
#ifndef CANDOR_TOOLS_AGENT_SIM_SIM_KEYS_H_
#define CANDOR_TOOLS_AGENT_SIM_SIM_KEYS_H_

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::agent_sim {

struct SimEk {
  crypto::OsslPtr<EVP_PKEY> key;  // private
  TPMT_PUBLIC pub = {};
  std::string tpm2b_public;  // marshalled TPM2B_PUBLIC with its size

  static absl::StatusOr<SimEk> Generate();
};

struct SimAk {
  crypto::OsslPtr<EVP_PKEY> key;  // private
  std::string tpm2b_public;       // marshalled TPM2B_PUBLIC with its size
  std::string name;               // nameAlg || SHA-256(TPMT_PUBLIC)

  static absl::StatusOr<SimAk> Generate();

  // TPMT_SIGNATURE (ECDSA, SHA-256, r and s padded to 32 bytes) over
  // SHA-256(data). INTERNAL when OpenSSL fails.
  absl::StatusOr<std::string> Sign(absl::string_view data) const;
};

class SimCa {
 public:
  static absl::StatusOr<SimCa> Generate();

  // Writes the CA certificate as `dir`/agent-sim-ek-ca.pem (creating `dir`),
  // atomically. Returns the path. Errors name the path.
  absl::StatusOr<std::string> WritePem(const std::string& dir) const;

  // A DER EK certificate for `ek` (CN = `agent_id`), valid for 10 years.
  absl::StatusOr<std::string> IssueEkCertificate(
      EVP_PKEY* ek, const std::string& agent_id) const;

  const X509* cert() const { return cert_.get(); }

 private:
  crypto::OsslPtr<EVP_PKEY> key_;
  crypto::OsslPtr<X509> cert_;
};

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_SIM_KEYS_H_
