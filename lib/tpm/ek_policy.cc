#include "lib/tpm/ek_policy.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::tpm {
namespace {

std::string Be32(uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  return std::string(b, 4);
}

absl::StatusOr<std::string> Hash(TPMI_ALG_HASH hash, const std::string& data) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(hash));
  return crypto::Digest(md, data);
}

}  // namespace

absl::StatusOr<std::string> EkPolicyA(TPMI_ALG_HASH hash) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(hash));
  if (hash == TPM2_ALG_SHA1) {
    return absl::InvalidArgumentError("EK policies are not defined for SHA-1");
  }
  std::string zeros(EVP_MD_get_size(md), '\0');
  ABSL_ASSIGN_OR_RETURN(
      std::string inner,
      Hash(hash, absl::StrCat(zeros, Be32(TPM2_CC_PolicySecret),
                              Be32(TPM2_RH_ENDORSEMENT))));
  return Hash(hash, inner);  // policyRef is empty
}

absl::StatusOr<std::string> EkPolicyC(TPMI_ALG_HASH hash) {
  // PolicyAuthorizeNV(0x01c07f01 / 0x01c07f02 / 0x01c07f03), EK Credential
  // Profile 2.0 §B.6. Checked against PolicyB in ek_policy_test.
  switch (hash) {
    case TPM2_ALG_SHA256:
      return absl::HexStringToBytes(
          "3767e2edd43ff45a3a7e1eaefcef78643dca964632e7aad82c673a30d8633fde");
    case TPM2_ALG_SHA384:
      return absl::HexStringToBytes(
          "d6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5"
          "b4947c2d73e63005eed2dc2b3593d165");
    case TPM2_ALG_SHA512:
      return absl::HexStringToBytes(
          "589ee1e146544716e8deafe6db247b01b81e9f9c7dd16b814aa159138749105f"
          "ba5388dd1dea702f35240c184933121e2c61b8f50d3ef91393a49a38c3f73fc8");
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("no EK PolicyC for ", TpmAlgName(hash),
                       " (defined for sha256, sha384, sha512)"));
  }
}

absl::StatusOr<std::string> PolicyOrDigest(
    TPMI_ALG_HASH hash, const std::vector<std::string>& branches) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(hash));
  std::string data(EVP_MD_get_size(md), '\0');
  absl::StrAppend(&data, Be32(TPM2_CC_PolicyOR));
  for (const std::string& b : branches) absl::StrAppend(&data, b);
  return Hash(hash, data);
}

absl::StatusOr<std::string> EkPolicyB(TPMI_ALG_HASH hash) {
  ABSL_ASSIGN_OR_RETURN(std::string a, EkPolicyA(hash));
  ABSL_ASSIGN_OR_RETURN(std::string c, EkPolicyC(hash));
  return PolicyOrDigest(hash, {a, c});
}

absl::StatusOr<EkAuth> EkAuthFor(const TPMT_PUBLIC& ek) {
  const std::string policy(reinterpret_cast<const char*>(ek.authPolicy.buffer),
                           ek.authPolicy.size);
  EkAuth auth;
  auth.session_hash = ek.nameAlg;
  absl::StatusOr<std::string> a = EkPolicyA(ek.nameAlg);
  if (a.ok() && !policy.empty()) {
    if (policy == *a) {
      auth.kind = EkAuth::Kind::kPolicySecret;
      return auth;
    }
    ABSL_ASSIGN_OR_RETURN(std::string c, EkPolicyC(ek.nameAlg));
    ABSL_ASSIGN_OR_RETURN(std::string b, PolicyOrDigest(ek.nameAlg, {*a, c}));
    if (policy == b) {
      auth.kind = EkAuth::Kind::kPolicySecretThenOr;
      auth.or_branches = {*a, c};
      return auth;
    }
  }
  if ((ek.objectAttributes & TPMA_OBJECT_USERWITHAUTH) != 0) {
    auth.kind = EkAuth::Kind::kPassword;
    return auth;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "the EK's authPolicy (", absl::BytesToHexString(policy), ", nameAlg ",
      TpmAlgName(ek.nameAlg),
      ") is not a TCG EK policy and userWithAuth is clear: no known way to "
      "authorize it"));
}

}  // namespace candor::tpm
