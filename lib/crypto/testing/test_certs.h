// File: lib/crypto/testing/test_certs.h  (testonly)
//
// Keys and certificates made on the fly for tests: a self-signed CA, an
// intermediate, and leaves, optionally shaped like a TPM EK certificate
// (critical SAN directoryName with the TCG TPM manufacturer/model/version
// attributes, EKU 2.23.133.8.1). Also a temp-dir helper under TEST_TMPDIR.
//
//   ABSL_ASSIGN_OR_RETURN(TestChain chain, MakeChain("Test",
//   /*ek_leaf=*/true)); WriteFile(dir + "/root.pem",
//   *CertificateToPem(chain.root.get()));
//
// Every certificate is signed with SHA-256. Nothing here is secret.
#ifndef CANDOR_LIB_CRYPTO_TESTING_TEST_CERTS_H_
#define CANDOR_LIB_CRYPTO_TESTING_TEST_CERTS_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::crypto::test_certs {

enum class KeyType { kEcP256, kEcP384, kRsa2048 };

absl::StatusOr<OsslPtr<EVP_PKEY>> MakeKey(KeyType type);

struct CertOptions {
  std::string common_name;
  bool is_ca = false;
  // Critical SAN directoryName (2.23.133.2.1/2/3) and EKU 2.23.133.8.1.
  bool ek_extensions = false;
  // Validity relative to now, in seconds.
  long not_before_offset = -3600;            // NOLINT(runtime/int)
  long not_after_offset = 365L * 24 * 3600;  // NOLINT(runtime/int)
};

// A certificate for `subject_key`, issued by `issuer` and signed with
// `issuer_key`; self-signed (with subject_key) when issuer is null.
absl::StatusOr<OsslPtr<X509>> MakeCertificate(const CertOptions& options,
                                              EVP_PKEY* subject_key,
                                              const X509* issuer,
                                              EVP_PKEY* issuer_key);

// root (self-signed CA) -> intermediate (CA) -> leaf, all EC P-256, with
// common names "<prefix> Root CA", "<prefix> Intermediate CA", "<prefix> Leaf".
struct TestChain {
  OsslPtr<EVP_PKEY> root_key, intermediate_key, leaf_key;
  OsslPtr<X509> root, intermediate, leaf;
};
absl::StatusOr<TestChain> MakeChain(const std::string& prefix, bool ek_leaf);

// A fresh, empty directory under $TEST_TMPDIR (or /tmp), named after `name`.
std::string NewTempDir(absl::string_view name);

absl::Status WriteFile(const std::string& path, absl::string_view contents);

}  // namespace candor::crypto::test_certs

#endif  // CANDOR_LIB_CRYPTO_TESTING_TEST_CERTS_H_
