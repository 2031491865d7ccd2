// File: tools/agent_sim/software_credential.h
//
// TPM2_ActivateCredential in software (TPM 2.0 Library Part 1 §24, Part 3
// §12.5) for the agent simulator's software EKs: the inverse of the
// registrar's MakeCredential (services/registrar/make_credential.h). The
// registrar's helpers are not visible to tools/, and its test helper
// (services/registrar/testing/software_activate) is testonly, so the KDFs
// are written here again from the specification:
//
//   KDFa(hash, key, label, U, V, bits): K(i) = HMAC_hash(key, be32(i) ||
//     label || 00 || U || V || be32(bits))
//   KDFe(hash, Z, label, U, V, bits):   K(i) = H_hash(be32(i) || Z || label
//     || 00 || U || V)
//   ECC EK: Z = ECDH(EK private, ephemeral point).x, seed = KDFe(nameAlg, Z,
//     "IDENTITY", eph.x, EK.x, digest bits); RSA EK: seed = RSA-OAEP
//     decrypt (label "IDENTITY\0", hash = MGF1 = nameAlg)
//   hmacKey = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits),
//   check HMAC(hmacKey, encIdentity || ak_name) in constant time,
//   symKey = KDFa(nameAlg, seed, "STORAGE", ak_name, "", keyBits),
//   credential = TPM2B_DIGEST contents of AES-CFB(symKey, IV 0)^-1(enc).
//
// tests/integration/agent_sim/software_credential_test.cc checks it against
// the registrar's MakeCredential. Pure and thread-safe.
#ifndef CANDOR_TOOLS_AGENT_SIM_SOFTWARE_CREDENTIAL_H_
#define CANDOR_TOOLS_AGENT_SIM_SOFTWARE_CREDENTIAL_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::agent_sim {

// Recovers the credential from the registrar's challenge
// (RegisterResponse.credential_blob and .encrypted_secret, both with their
// TPM2B sizes) with the EK's private key `ek_private` (public area `ek`) for
// the object named `ak_name`. INVALID_ARGUMENT when a structure does not
// parse; PERMISSION_DENIED "integrity check failed" when the HMAC does not
// verify (another EK or AK name), as a TPM answers TPM_RC_INTEGRITY.
absl::StatusOr<crypto::SecretBytes> ActivateCredential(
    EVP_PKEY* ek_private, const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential_blob, absl::string_view encrypted_secret);

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_SOFTWARE_CREDENTIAL_H_
