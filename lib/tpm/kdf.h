// File: lib/tpm/kdf.h
//
// The TPM 2.0 key derivation functions (TPM 2.0 Library Part 1, §11.4.10),
// as software TPM2_MakeCredential / TPM2_ActivateCredential need them
// (the registrar, the agent simulator):
//
//   KDFa (§11.4.10.2, SP 800-108 counter mode with HMAC):
//     K(i) = HMAC_hash(key, be32(i) || label || 00 || contextU || contextV ||
//                      be32(bits))
//   KDFe (§11.4.10.3, SP 800-56A concatenation KDF):
//     K(i) = H_hash(be32(i) || Z || label || 00 || partyUInfo || partyVInfo)
//
// K(1) || K(2) || ... is cut to ceil(bits / 8) bytes; when `bits` is not a
// multiple of 8 the unused high bits of the first byte are cleared, as the
// TPM does. `label` is given without its terminating NUL ("STORAGE"); one is
// appended unless the label already ends in NUL.
//
// Results are key material (SecretBytes). `hash` is a TPM_ALG_ID: SHA-1,
// SHA-256, SHA-384 or SHA-512. Errors: INVALID_ARGUMENT for another hash or
// for bits outside 1..65536; INTERNAL when OpenSSL fails. Pure and
// thread-safe.
#ifndef CANDOR_LIB_TPM_KDF_H_
#define CANDOR_LIB_TPM_KDF_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"

namespace candor::tpm {

absl::StatusOr<crypto::SecretBytes> KdfA(
    TPMI_ALG_HASH hash, absl::string_view key, absl::string_view label,
    absl::string_view context_u, absl::string_view context_v, uint32_t bits);

absl::StatusOr<crypto::SecretBytes> KdfE(TPMI_ALG_HASH hash,
                                         absl::string_view z,
                                         absl::string_view label,
                                         absl::string_view party_u_info,
                                         absl::string_view party_v_info,
                                         uint32_t bits);

// HMAC_md(key, data) in one call (OpenSSL EVP_MAC). INTERNAL on failure.
absl::StatusOr<std::string> Hmac(const EVP_MD* md, absl::string_view key,
                                 absl::string_view data);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_KDF_H_
