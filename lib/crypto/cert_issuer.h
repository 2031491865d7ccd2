// File: lib/crypto/cert_issuer.h
//
// Making keys and X.509 certificates for Candor's own PKI: the Candor CA and
// the certificates `tenant certs init` issues (registrar, verifier, tenant,
// revocation signer), and the agent's self-signed TLS certificate whose SAN is
// its agent id. Roles are carried in the subject's OU (admin, verifier,
// revocation; see protos/candor/v1/README.md). Thread-safe (no shared state).
//
//   ABSL_ASSIGN_OR_RETURN(auto key, GenerateKey(KeyAlgorithm::kEcP256));
//   CertificateSpec spec;
//   spec.common_name = "candor-registrar";
//   spec.server_auth = true;
//   ABSL_ASSIGN_OR_RETURN(auto cert, IssueCertificate(spec, key.get(), ca, ca_key));
#ifndef CANDOR_LIB_CRYPTO_CERT_ISSUER_H_
#define CANDOR_LIB_CRYPTO_CERT_ISSUER_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/secret.h"

namespace candor::crypto {

enum class KeyAlgorithm { kEcP256, kEcP384, kRsa2048, kRsa3072 };

// A fresh private key. INTERNAL (with OpenSSL's reason) on failure.
absl::StatusOr<OsslPtr<EVP_PKEY>> GenerateKey(KeyAlgorithm algorithm);

struct CertificateSpec {
  std::string common_name;
  std::string organization = "Candor";
  std::string organizational_unit;  // the role; empty for none
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
  bool server_auth = false;  // extendedKeyUsage serverAuth
  bool client_auth = false;  // extendedKeyUsage clientAuth
  absl::Duration validity = absl::Hours(24 * 365);  // notAfter = now + validity
  absl::Duration backdate = absl::Hours(1);  // notBefore = now - backdate
  // Called after the standard extensions, before signing (e.g. to add the
  // TCG extensions of an EK certificate in tests).
  std::function<absl::Status(X509*)> customize;
};

// Issues a certificate for `subject_key` signed by `issuer_key` under
// `issuer` (self-signed with `subject_key` when issuer is null). SHA-256
// signatures; a random 16-byte serial; subject and authority key ids.
// INVALID_ARGUMENT for a malformed IP address or empty common name.
absl::StatusOr<OsslPtr<X509>> IssueCertificate(const CertificateSpec& spec,
                                              EVP_PKEY* subject_key,
                                              const X509* issuer,
                                              EVP_PKEY* issuer_key);

// PKCS#8 PEM of a private key (secret: wiped on destruction, never log it).
absl::StatusOr<SecretBytes> PrivateKeyToPem(EVP_PKEY* key);
// Parses a PEM private key (PKCS#8 or traditional). INVALID_ARGUMENT if not.
absl::StatusOr<OsslPtr<EVP_PKEY>> PrivateKeyFromPem(absl::string_view pem);

// The subject's OU values, in order ("" entries skipped).
std::vector<std::string> OrganizationalUnits(const X509* cert);

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_CERT_ISSUER_H_
