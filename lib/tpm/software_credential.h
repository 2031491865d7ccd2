// File: lib/tpm/software_credential.h
//
// TPM2_ActivateCredential in software (TPM 2.0 Library Part 1 §24, Part 3
// §12.5) for software EKs (the agent simulator; the registrar's tests): the
// inverse of the registrar's MakeCredential (services/registrar/
// make_credential.h), written from the specification independently of it so
// each checks the other:
//
//   ECC EK: Z = ECDH(EK private, ephemeral point).x, seed = KDFe(nameAlg, Z,
//     "IDENTITY", eph.x, EK.x, digest bits); RSA EK: seed = RSA-OAEP
//     decrypt (label "IDENTITY\0", hash = MGF1 = nameAlg)
//   hmacKey = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits),
//   check HMAC(hmacKey, encIdentity || ak_name) in constant time,
//   symKey = KDFa(nameAlg, seed, "STORAGE", ak_name, "", keyBits),
//   credential = TPM2B_DIGEST contents of AES-CFB(symKey, IV 0)^-1(enc).
// (KDFs: lib/tpm/kdf.h.) Checked against the registrar's MakeCredential in
// services/registrar/make_credential_test.cc and tests/integration/agent_sim.
// Pure and thread-safe.
#ifndef CANDOR_LIB_TPM_SOFTWARE_CREDENTIAL_H_
#define CANDOR_LIB_TPM_SOFTWARE_CREDENTIAL_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::tpm {

// Recovers the credential from the registrar's challenge
// (RegisterResponse.credential_blob and .encrypted_secret, both with their
// TPM2B sizes) with the EK's private key `ek_private` (public area `ek`) for
// the object named `ak_name`. INVALID_ARGUMENT when a structure does not
// parse; PERMISSION_DENIED "integrity check failed" when the HMAC does not
// verify (another EK or AK name), as a TPM answers TPM_RC_INTEGRITY.
absl::StatusOr<crypto::SecretBytes> SoftwareActivateCredential(
    EVP_PKEY* ek_private, const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential_blob, absl::string_view encrypted_secret);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_SOFTWARE_CREDENTIAL_H_
