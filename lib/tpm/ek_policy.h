// File: lib/tpm/ek_policy.h
//
// How to authorize the EK in the USER role (TPM2_Create/Load with the EK as
// parent, the EK in TPM2_ActivateCredential), derived from the EK's public
// area alone (TCG EK Credential Profile 2.0 §B.6, "EK policies"):
//   - PolicyA = PolicySecret(TPM_RH_ENDORSEMENT): the low-range templates
//     (L-1 RSA, L-2 ECC P-256; userWithAuth clear). A policy session with
//     the EK's nameAlg and one TPM2_PolicySecret satisfies it.
//   - PolicyB = PolicyOR(PolicyA, PolicyC), PolicyC = PolicyAuthorizeNV of
//     the EK policy NV index: the high-range templates (H-1…, e.g. swtpm's
//     P-384 ECC EK). PolicySecret alone fails (TPM_RC_POLICY_FAIL); it needs
//     PolicySecret then TPM2_PolicyOR({PolicyA, PolicyC}).
//   - Otherwise, with userWithAuth set, the (empty) authValue in a password
//     session.
// Pure functions (OpenSSL digests only, no TPM access); thread-safe.
#ifndef CANDOR_LIB_TPM_EK_POLICY_H_
#define CANDOR_LIB_TPM_EK_POLICY_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace candor::tpm {

struct EkAuth {
  enum class Kind { kPolicySecret, kPolicySecretThenOr, kPassword };
  Kind kind = Kind::kPassword;
  TPMI_ALG_HASH session_hash = TPM2_ALG_SHA256;  // the EK's nameAlg
  std::vector<std::string> or_branches;  // {PolicyA, PolicyC} for ...ThenOr
};

// PolicyA for `hash` (sha256/384/512): H(H(0…0 || TPM_CC_PolicySecret ||
// TPM_RH_ENDORSEMENT) || ""). INVALID_ARGUMENT for other hashes.
absl::StatusOr<std::string> EkPolicyA(TPMI_ALG_HASH hash);
// PolicyC for `hash` (constants from the profile; sha256/384/512).
absl::StatusOr<std::string> EkPolicyC(TPMI_ALG_HASH hash);
// PolicyOR digest: H(0…0 || TPM_CC_PolicyOR || branch_1 || … || branch_n).
absl::StatusOr<std::string> PolicyOrDigest(
    TPMI_ALG_HASH hash, const std::vector<std::string>& branches);
// PolicyB = PolicyOrDigest(hash, {PolicyA, PolicyC}).
absl::StatusOr<std::string> EkPolicyB(TPMI_ALG_HASH hash);

// The way to authorize `ek` as above. FAILED_PRECONDITION for an EK whose
// authPolicy is neither A nor B and whose userWithAuth is clear.
absl::StatusOr<EkAuth> EkAuthFor(const TPMT_PUBLIC& ek);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_EK_POLICY_H_
