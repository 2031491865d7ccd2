#include "lib/tpm/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/ossl_error.h"
#include "lib/status/status_macros.h"

namespace candor::tpm {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

struct Curve {
  TPM2_ECC_CURVE id;
  const char* group;  // OpenSSL group name
  size_t field_bytes;
};
constexpr Curve kCurves[] = {
    {TPM2_ECC_NIST_P256, "prime256v1", 32},
    {TPM2_ECC_NIST_P384, "secp384r1", 48},
    {TPM2_ECC_NIST_P521, "secp521r1", 66},
};

absl::StatusOr<std::string> MarshalPublicArea(const TPMT_PUBLIC& pub) {
  uint8_t buf[sizeof(TPMT_PUBLIC)];
  size_t offset = 0;
  TSS2_RC rc = Tss2_MU_TPMT_PUBLIC_Marshal(&pub, buf, sizeof(buf), &offset);
  if (rc != TSS2_RC_SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("Tss2_MU_TPMT_PUBLIC_Marshal: ", Tss2_RC_Decode(rc),
                     " (type ", TpmAlgName(pub.type), ")"));
  }
  return std::string(reinterpret_cast<const char*>(buf), offset);
}

absl::StatusOr<OsslPtr<EVP_PKEY>> FromData(const char* type,
                                           OSSL_PARAM_BLD* bld) {
  OsslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_fromdata_init");
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) !=
      1) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("EVP_PKEY_fromdata(", type, ")"));
  }
  return OsslPtr<EVP_PKEY>(key);
}

absl::StatusOr<OsslPtr<EVP_PKEY>> RsaToEvp(const TPMT_PUBLIC& pub) {
  const TPMS_RSA_PARMS& parms = pub.parameters.rsaDetail;
  const TPM2B_PUBLIC_KEY_RSA& n = pub.unique.rsa;
  if (n.size == 0 || parms.keyBits == 0 || n.size * 8u != parms.keyBits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RSA modulus is ", n.size, " bytes but keyBits is ", parms.keyBits));
  }
  const uint32_t e = parms.exponent == 0 ? 65537 : parms.exponent;
  if (e < 3 || e % 2 == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("RSA public exponent ", e, " is invalid"));
  }
  OsslPtr<BIGNUM> bn_n(BN_bin2bn(n.buffer, n.size, nullptr));
  OsslPtr<BIGNUM> bn_e(BN_new());
  OsslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (bn_n == nullptr || bn_e == nullptr || bld == nullptr ||
      BN_set_word(bn_e.get(), e) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) !=
          1) {
    return SslError(absl::StatusCode::kInternal, "OSSL_PARAM_BLD_push_BN");
  }
  return FromData("RSA", bld.get());
}

absl::StatusOr<OsslPtr<EVP_PKEY>> EccToEvp(const TPMT_PUBLIC& pub) {
  const TPM2_ECC_CURVE id = pub.parameters.eccDetail.curveID;
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (c.id == id) curve = &c;
  }
  if (curve == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported ECC curve 0x", absl::Hex(id, absl::kZeroPad4),
                     " (supported: NIST P-256, P-384, P-521)"));
  }
  const TPM2B_ECC_PARAMETER& x = pub.unique.ecc.x;
  const TPM2B_ECC_PARAMETER& y = pub.unique.ecc.y;
  if (x.size == 0 || y.size == 0 || x.size > curve->field_bytes ||
      y.size > curve->field_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ECC point coordinates are ", x.size, " and ", y.size, " bytes; curve ",
        curve->group, " needs 1..", curve->field_bytes));
  }
  // Uncompressed SEC1 point: 04 || X || Y, each left-padded to field size.
  std::string point(1 + 2 * curve->field_bytes, '\0');
  point[0] = 0x04;
  const size_t fb = curve->field_bytes;
  std::copy(x.buffer, x.buffer + x.size, point.begin() + 1 + fb - x.size);
  std::copy(y.buffer, y.buffer + y.size, point.begin() + 1 + 2 * fb - y.size);
  OsslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      curve->group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "OSSL_PARAM_BLD_push");
  }
  return FromData("EC", bld.get());
}

}  // namespace

absl::StatusOr<TPM2B_PUBLIC> ParseTpm2bPublic(absl::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TPM2B_PUBLIC is truncated: ", bytes.size(), " bytes, no size field"));
  }
  const size_t declared = (size_t{data[0]} << 8) | data[1];
  if (declared == 0) {
    return absl::InvalidArgumentError("TPM2B_PUBLIC is empty (size 0)");
  }
  if (2 + declared != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TPM2B_PUBLIC size field says ", declared, " bytes but ",
                     bytes.size() - 2, " follow"));
  }
  TPM2B_PUBLIC out = {};
  size_t offset = 0;
  TSS2_RC rc =
      Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, bytes.size(), &offset, &out);
  if (rc != TSS2_RC_SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("Tss2_MU_TPM2B_PUBLIC_Unmarshal: ", Tss2_RC_Decode(rc)));
  }
  const TPMI_ALG_PUBLIC type = out.publicArea.type;
  if (type != TPM2_ALG_RSA && type != TPM2_ALG_ECC &&
      type != TPM2_ALG_KEYEDHASH && type != TPM2_ALG_SYMCIPHER) {
    return absl::InvalidArgumentError(
        absl::StrCat("TPM2B_PUBLIC has unknown type ", TpmAlgName(type)));
  }
  if (offset != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TPMT_PUBLIC uses ", offset - 2, " of the ", declared,
                     " bytes its size field declares"));
  }
  ABSL_ASSIGN_OR_RETURN(std::string again, MarshalPublicArea(out.publicArea));
  if (again != bytes.substr(2)) {
    return absl::InvalidArgumentError(
        "TPM2B_PUBLIC is not canonically encoded (re-marshalling differs)");
  }
  return out;
}

std::string MarshalTpm2bPublic(const TPM2B_PUBLIC& pub) {
  absl::StatusOr<std::string> area = MarshalPublicArea(pub.publicArea);
  if (!area.ok() || area->size() > 0xFFFF) return "";
  const char size[2] = {static_cast<char>(area->size() >> 8),
                        static_cast<char>(area->size() & 0xFF)};
  return absl::StrCat(absl::string_view(size, 2), *area);
}

absl::StatusOr<OsslPtr<EVP_PKEY>> PublicToEvpPkey(const TPMT_PUBLIC& pub) {
  switch (pub.type) {
    case TPM2_ALG_RSA:
      return RsaToEvp(pub);
    case TPM2_ALG_ECC:
      return EccToEvp(pub);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("PublicToEvpPkey: object type ", TpmAlgName(pub.type),
                       " is not an RSA or ECC key"));
  }
}

absl::StatusOr<std::string> ComputeName(const TPMT_PUBLIC& pub) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(pub.nameAlg),
                        _ << "computing the object's Name");
  ABSL_ASSIGN_OR_RETURN(std::string area, MarshalPublicArea(pub));
  ABSL_ASSIGN_OR_RETURN(std::string digest, crypto::Digest(md, area));
  const char alg[2] = {static_cast<char>(pub.nameAlg >> 8),
                       static_cast<char>(pub.nameAlg & 0xFF)};
  return absl::StrCat(absl::string_view(alg, 2), digest);
}

absl::StatusOr<const EVP_MD*> TpmHashToEvp(TPMI_ALG_HASH alg) {
  switch (alg) {
    case TPM2_ALG_SHA1:
      return EVP_sha1();
    case TPM2_ALG_SHA256:
      return EVP_sha256();
    case TPM2_ALG_SHA384:
      return EVP_sha384();
    case TPM2_ALG_SHA512:
      return EVP_sha512();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported hash algorithm ", TpmAlgName(alg),
                       " (supported: sha1, sha256, sha384, sha512)"));
  }
}

std::string TpmAlgName(TPM2_ALG_ID alg) {
  static constexpr struct {
    TPM2_ALG_ID id;
    const char* name;
  } kNames[] = {
      {TPM2_ALG_RSA, "TPM2_ALG_RSA"},
      {TPM2_ALG_SHA1, "TPM2_ALG_SHA1"},
      {TPM2_ALG_HMAC, "TPM2_ALG_HMAC"},
      {TPM2_ALG_AES, "TPM2_ALG_AES"},
      {TPM2_ALG_KEYEDHASH, "TPM2_ALG_KEYEDHASH"},
      {TPM2_ALG_XOR, "TPM2_ALG_XOR"},
      {TPM2_ALG_SHA256, "TPM2_ALG_SHA256"},
      {TPM2_ALG_SHA384, "TPM2_ALG_SHA384"},
      {TPM2_ALG_SHA512, "TPM2_ALG_SHA512"},
      {TPM2_ALG_NULL, "TPM2_ALG_NULL"},
      {TPM2_ALG_SM3_256, "TPM2_ALG_SM3_256"},
      {TPM2_ALG_RSASSA, "TPM2_ALG_RSASSA"},
      {TPM2_ALG_RSAPSS, "TPM2_ALG_RSAPSS"},
      {TPM2_ALG_OAEP, "TPM2_ALG_OAEP"},
      {TPM2_ALG_ECDSA, "TPM2_ALG_ECDSA"},
      {TPM2_ALG_ECDAA, "TPM2_ALG_ECDAA"},
      {TPM2_ALG_SM2, "TPM2_ALG_SM2"},
      {TPM2_ALG_ECSCHNORR, "TPM2_ALG_ECSCHNORR"},
      {TPM2_ALG_ECC, "TPM2_ALG_ECC"},
      {TPM2_ALG_SYMCIPHER, "TPM2_ALG_SYMCIPHER"},
      {TPM2_ALG_CFB, "TPM2_ALG_CFB"},
  };
  absl::string_view name = "unknown algorithm";
  for (const auto& n : kNames) {
    if (n.id == alg) name = n.name;
  }
  return absl::StrCat(name, " (0x", absl::Hex(alg, absl::kZeroPad4), ")");
}

}  // namespace candor::tpm
