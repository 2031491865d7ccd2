#include "lib/tpm/ek_template.h"

#include <algorithm>
#include <string>

#include "lib/tpm/ek_policy.h"

namespace candor::tpm {
namespace {

constexpr TPMA_OBJECT kEkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;

void SetPolicy(TPMT_PUBLIC& pub, const std::string& digest) {
  pub.authPolicy.size = static_cast<UINT16>(digest.size());
  std::copy(digest.begin(), digest.end(), pub.authPolicy.buffer);
}

TPM2B_PUBLIC EccTemplate(TPMI_ALG_HASH name_alg, TPM2_ECC_CURVE curve,
                         UINT16 aes_bits) {
  TPM2B_PUBLIC t = {};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = name_alg;
  p.objectAttributes = kEkAttributes;
  TPMS_ECC_PARMS& e = p.parameters.eccDetail;
  e.symmetric.algorithm = TPM2_ALG_AES;
  e.symmetric.keyBits.aes = aes_bits;
  e.symmetric.mode.aes = TPM2_ALG_CFB;
  e.scheme.scheme = TPM2_ALG_NULL;
  e.curveID = curve;
  e.kdf.scheme = TPM2_ALG_NULL;
  return t;
}

}  // namespace

TPM2B_PUBLIC EkTemplateRsaL1() {
  TPM2B_PUBLIC t = {};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_RSA;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = kEkAttributes;
  SetPolicy(p, EkPolicyA(TPM2_ALG_SHA256).value());
  TPMS_RSA_PARMS& r = p.parameters.rsaDetail;
  r.symmetric.algorithm = TPM2_ALG_AES;
  r.symmetric.keyBits.aes = 128;
  r.symmetric.mode.aes = TPM2_ALG_CFB;
  r.scheme.scheme = TPM2_ALG_NULL;
  r.keyBits = 2048;
  r.exponent = 0;
  p.unique.rsa.size = 256;  // zeros
  return t;
}

TPM2B_PUBLIC EkTemplateEccP256L2() {
  TPM2B_PUBLIC t = EccTemplate(TPM2_ALG_SHA256, TPM2_ECC_NIST_P256, 128);
  SetPolicy(t.publicArea, EkPolicyA(TPM2_ALG_SHA256).value());
  t.publicArea.unique.ecc.x.size = 32;  // zeros
  t.publicArea.unique.ecc.y.size = 32;
  return t;
}

TPM2B_PUBLIC EkTemplateEccP384H3() {
  TPM2B_PUBLIC t = EccTemplate(TPM2_ALG_SHA384, TPM2_ECC_NIST_P384, 256);
  t.publicArea.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
  SetPolicy(t.publicArea, EkPolicyB(TPM2_ALG_SHA384).value());
  return t;  // unique: empty
}

}  // namespace candor::tpm
