// File: services/registrar/testing/tpm_keys.h  (testonly)
//
// Software stand-ins for TPM keys: an OpenSSL key pair plus a TPM2B_PUBLIC
// for it shaped like the TPM's (EK templates L-1 / L-2 and swtpm's P-384 EK;
// restricted signing AKs), its marshalled bytes and Name. With the private
// key, tpm::SoftwareActivateCredential (lib/tpm/software_credential.h) plays the TPM's part
// of TPM2_ActivateCredential. Also the other pieces of an AgentIdentity:
// a transport key (RSA-2048 SPKI) and a self-signed TLS certificate with a
// SAN dNSName. Nothing here is secret. Thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_TESTING_TPM_KEYS_H_
#define CANDOR_SERVICES_REGISTRAR_TESTING_TPM_KEYS_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::registrar::testing {

struct SoftwareKey {
  crypto::OsslPtr<EVP_PKEY> key;  // the private key
  TPM2B_PUBLIC pub = {};
  std::string marshalled;  // TPM2B_PUBLIC with its size, as a TPM sends it
  std::string name;        // nameAlg || H(TPMT_PUBLIC)
};

enum class EkKind {
  kRsa2048,  // template L-1: SHA-256, AES-128-CFB
  kEccP256,  // template L-2: SHA-256, AES-128-CFB
  kEccP384,  // swtpm's ECC EK: SHA-384, AES-256-CFB
};
enum class AkKind {
  kRsa2048,  // RSASSA-SHA256
  kEccP256,  // ECDSA-SHA256
};

absl::StatusOr<SoftwareKey> MakeEk(EkKind kind);
absl::StatusOr<SoftwareKey> MakeAk(AkKind kind);

// A TPM2B_PUBLIC for `key` (RSA or EC P-256/P-384) with the given fields; the
// unique field comes from the key. Sets scheme/symmetric as passed.
struct PublicTemplate {
  TPMI_ALG_HASH name_alg = TPM2_ALG_SHA256;
  TPMA_OBJECT attributes = 0;
  TPMT_SYM_DEF_OBJECT symmetric = {TPM2_ALG_NULL, {0}, {0}};
  TPMI_ALG_ASYM_SCHEME scheme = TPM2_ALG_NULL;
  TPMI_ALG_HASH scheme_hash = TPM2_ALG_NULL;
};
absl::StatusOr<TPM2B_PUBLIC> PublicFor(EVP_PKEY* key, const PublicTemplate& t);

// Fills `out` from `pub` (marshalled and name). For hand-edited publics.
absl::Status Finish(SoftwareKey& out);

// DER SubjectPublicKeyInfo of a fresh RSA-2048 key (exponent 65537).
absl::StatusOr<std::string> MakeTransportKeyDer();

// A self-signed EC P-256 certificate (DER) with one SAN dNSName `dns_name`.
absl::StatusOr<std::string> MakeTlsCertificateDer(const std::string& dns_name);

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_TESTING_TPM_KEYS_H_
