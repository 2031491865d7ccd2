// File: lib/pki/pki.h
//
// Candor's own PKI (DESIGN.md "Identity, mTLS and who may call what"):
//   ca.crt / ca.key                 the Candor CA (EC P-256, 10 years)
//   registrar.crt / .key            server (SANs from `server_names`)
//   verifier.crt / .key             server + client, OU=verifier
//   tenant.crt / .key               client, OU=admin
//   revocation.crt / .key           signs revocation notices, OU=revocation
// and the agent's self-signed server certificate (SAN = its agent id), which
// verifiers and the tenant pin exactly. Keys are written with mode 0600.
#ifndef CANDOR_LIB_PKI_PKI_H_
#define CANDOR_LIB_PKI_PKI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/secret.h"

namespace candor::pki {

struct InitOptions {
  std::string dir;  // created if missing
  // DNS names and IP addresses the registrar and verifiers are reached at.
  std::vector<std::string> server_names = {"localhost", "127.0.0.1", "::1"};
  absl::Duration validity = absl::Hours(24 * 365);
  bool overwrite = false;  // false: ALREADY_EXISTS if dir holds a CA
};

// What InitPki wrote (paths).
struct InitResult {
  std::vector<std::string> files;
};

// Creates the CA and every certificate. Each file is written to a temporary
// name and renamed, so a failure never leaves a half-written key.
absl::StatusOr<InitResult> InitPki(const InitOptions& options);

// File names inside an InitPki directory.
inline constexpr char kCaCert[] = "ca.crt";
std::string CertPath(const std::string& dir, const std::string& name);
std::string KeyPath(const std::string& dir, const std::string& name);

// An agent's self-signed TLS certificate (EC P-256 key): CN and DNS SAN =
// agent id, serverAuth + clientAuth. Returns {cert PEM, key PEM}.
struct PemPair {
  std::string cert_pem;
  crypto::SecretBytes key_pem;  // secret: never log
};
absl::StatusOr<PemPair> MakeAgentCertificate(const std::string& agent_id,
                                             absl::Duration validity);

}  // namespace candor::pki

#endif  // CANDOR_LIB_PKI_PKI_H_
