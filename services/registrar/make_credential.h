// File: services/registrar/make_credential.h
//
// TPM2_MakeCredential in software (TPM 2.0 Library Part 1 §24 "Credential
// Protection", Part 3 §12.6): wraps a credential so that only the TPM holding
// the EK's private key, and only for an object whose Name is `ak_name`, can
// recover it with TPM2_ActivateCredential.
//
//   seed, secret  = RSA EK: seed = random(digest size of EK nameAlg),
//                   secret = RSA-OAEP(hash = MGF1 hash = nameAlg,
//                                     label "IDENTITY\0")(seed);
//                   ECC EK: ephemeral key on the EK's curve, Z = ECDH(eph,
//                   EK).x, seed = KDFe(nameAlg, Z, "IDENTITY", eph.x, EK.x,
//                               digest bits), secret = TPMS_ECC_POINT(eph)
//   symKey        = KDFa(nameAlg, seed, "STORAGE", ak_name, "", EK sym keyBits)
//   encIdentity   = AES-CFB(symKey, IV = 0)(TPM2B_DIGEST(credential))
//   hmacKey       = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits)
//   outerHMAC     = HMAC_nameAlg(hmacKey, encIdentity || ak_name)
//   credentialBlob = TPM2B_DIGEST(outerHMAC) || encIdentity
//
// The EK's own name algorithm and symmetric parameters are used (TCG template
// L-1: SHA-256 / AES-128-CFB; swtpm's P-384 EK: SHA-384 / AES-256-CFB), as
// the TPM does. Verified against swtpm by tests/integration/registrar.
//
// Thread-safe (uses OpenSSL's thread-safe DRBG).
#ifndef CANDOR_SERVICES_REGISTRAR_MAKE_CREDENTIAL_H_
#define CANDOR_SERVICES_REGISTRAR_MAKE_CREDENTIAL_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::registrar {

struct MakeCredentialResult {
  // TPM2B_ID_OBJECT as marshalled, including its 2-byte size.
  std::string credential_blob;
  // TPM2B_ENCRYPTED_SECRET as marshalled, including its 2-byte size.
  std::string encrypted_secret;
};

// OK when `ek` can protect a credential: an RSA (2048..4096 bits) or ECC
// (NIST P-256/P-384/P-521) key with restricted and decrypt set and sign
// clear, nameAlg SHA-256/384/512, symmetric AES-128/192/256 in CFB mode.
// INVALID_ARGUMENT naming the first property that is missing.
absl::Status CheckCredentialEk(const TPMT_PUBLIC& ek);

// Runs MakeCredential for `credential` (1..digest size of the EK's nameAlg
// bytes) bound to `ak_name` (TPM2B_NAME contents: nameAlg || digest).
// INVALID_ARGUMENT for an unusable EK (see above), an EK key that does not
// parse, or bad sizes; INTERNAL when OpenSSL fails.
absl::StatusOr<MakeCredentialResult> MakeCredential(
    const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_MAKE_CREDENTIAL_H_
