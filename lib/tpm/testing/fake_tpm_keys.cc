// FakeTpm: software EKs and AKs, and quotes signed like a TPM's.
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/ek_template.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/testing/fake_tpm.h"
#include "lib/tpm/tpm_marshal.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm::testing {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

constexpr absl::string_view kBlobMagic = "CANDOR-FAKE-AK";

absl::StatusOr<OsslPtr<EVP_PKEY>> Generate(bool rsa, const char* curve) {
  EVP_PKEY* key = rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  if (key == nullptr) return SslError(absl::StatusCode::kInternal, "keygen");
  return OsslPtr<EVP_PKEY>(key);
}

// Big-endian, left-padded to `size`.
absl::Status GetBn(const EVP_PKEY* key, const char* param, size_t size,
                   uint8_t* out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("EVP_PKEY_get_bn_param(", param, ")"));
  }
  OsslPtr<BIGNUM> bn(raw);
  if (BN_bn2binpad(bn.get(), out, static_cast<int>(size)) < 0) {
    return SslError(absl::StatusCode::kInternal, "BN_bn2binpad");
  }
  return absl::OkStatus();
}

// Fills `pub.unique` from `key` (RSA modulus or EC point).
absl::Status SetUnique(const EVP_PKEY* key, TPMT_PUBLIC& pub) {
  if (pub.type == TPM2_ALG_RSA) {
    pub.unique.rsa.size = 256;
    return GetBn(key, OSSL_PKEY_PARAM_RSA_N, 256, pub.unique.rsa.buffer);
  }
  const size_t n =
      pub.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384 ? 48 : 32;
  pub.unique.ecc.x.size = static_cast<UINT16>(n);
  pub.unique.ecc.y.size = static_cast<UINT16>(n);
  ABSL_RETURN_IF_ERROR(
      GetBn(key, OSSL_PKEY_PARAM_EC_PUB_X, n, pub.unique.ecc.x.buffer));
  return GetBn(key, OSSL_PKEY_PARAM_EC_PUB_Y, n, pub.unique.ecc.y.buffer);
}

TPM2B_PUBLIC AkPublicTemplate(AkType type) {
  TPM2B_PUBLIC t = {};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
                       TPMA_OBJECT_SIGN_ENCRYPT;
  if (type == AkType::kRsa2048) {
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    p.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.rsaDetail.keyBits = 2048;
  } else {
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  }
  return t;
}

}  // namespace

absl::StatusOr<const FakeTpm::Ek*> FakeTpm::GetEk(EkType type) {
  std::unique_ptr<Ek>& slot = ek_[static_cast<int>(type)];
  if (slot != nullptr) return slot.get();
  const bool rsa = type == EkType::kRsa;
  auto ek = std::make_unique<Ek>();
  ABSL_ASSIGN_OR_RETURN(ek->key, Generate(rsa, "P-384"));
  TPM2B_PUBLIC pub = rsa ? EkTemplateRsaL1() : EkTemplateEccP384H3();
  ABSL_RETURN_IF_ERROR(SetUnique(ek->key.get(), pub.publicArea));
  ek->public_area = MarshalTpm2bPublic(pub);
  slot = std::move(ek);
  return slot.get();
}

absl::StatusOr<std::string> FakeTpm::EkPublic(EkType type) {
  ABSL_RETURN_IF_ERROR(RequireStarted("ReadPublic"));
  ABSL_ASSIGN_OR_RETURN(const Ek* ek, GetEk(type));
  return ek->public_area;
}

absl::StatusOr<std::string> FakeTpm::EkCertificate(EkType type) {
  ABSL_RETURN_IF_ERROR(RequireStarted("NV_Read"));
  const std::string& der = type == EkType::kRsa ? options_.ek_certificate_rsa
                                                : options_.ek_certificate_ecc;
  if (der.empty()) {
    return absl::NotFoundError(
        absl::StrCat("FakeTpm has no ", EkTypeName(type), " EK certificate"));
  }
  return der;
}

absl::StatusOr<AkBlobs> FakeTpm::CreateAk(AkType type, EkType parent) {
  ABSL_RETURN_IF_ERROR(RequireStarted("Create"));
  ABSL_RETURN_IF_ERROR(GetEk(parent).status());
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key,
                        Generate(type == AkType::kRsa2048, "P-256"));
  TPM2B_PUBLIC pub = AkPublicTemplate(type);
  ABSL_RETURN_IF_ERROR(SetUnique(key.get(), pub.publicArea));
  unsigned char* der = nullptr;
  int len = i2d_PrivateKey(key.get(), &der);
  if (len <= 0) return SslError(absl::StatusCode::kInternal, "i2d_PrivateKey");
  std::string payload = absl::StrCat(
      kBlobMagic, instance_id_, std::string(1, static_cast<char>(parent)),
      absl::string_view(reinterpret_cast<const char*>(der), len));
  OPENSSL_clear_free(der, len);
  AkBlobs blobs;
  blobs.public_area = MarshalTpm2bPublic(pub);
  const char size[2] = {static_cast<char>(payload.size() >> 8),
                        static_cast<char>(payload.size())};
  blobs.private_area = absl::StrCat(absl::string_view(size, 2), payload);
  ABSL_ASSIGN_OR_RETURN(blobs.name, ComputeName(pub.publicArea));
  return blobs;
}

absl::Status FakeTpm::LoadAk(absl::string_view public_area,
                             absl::string_view private_area, EkType parent) {
  ABSL_RETURN_IF_ERROR(RequireStarted("Load"));
  ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC pub, ParseTpm2bPublic(public_area),
                        _ << "LoadAk: the AK public area");
  const std::string prefix = absl::StrCat(
      kBlobMagic, instance_id_, std::string(1, static_cast<char>(parent)));
  if (private_area.size() < 2 + prefix.size() ||
      private_area.substr(2, prefix.size()) != prefix ||
      ((size_t{uint8_t(private_area[0])} << 8) | uint8_t(private_area[1])) !=
          private_area.size() - 2) {
    return absl::InvalidArgumentError(
        "LoadAk: the private area was not made by this FakeTpm under this "
        "EK (a TPM would fail its integrity check)");
  }
  absl::string_view der = private_area.substr(2 + prefix.size());
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<EVP_PKEY> key(d2i_AutoPrivateKey(nullptr, &p, der.size()));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> pub_key,
                        PublicToEvpPkey(pub.publicArea));
  if (key == nullptr || !crypto::PublicKeysEqual(key.get(), pub_key.get())) {
    return absl::InvalidArgumentError(
        "LoadAk: the private area does not belong to the public area");
  }
  auto ak = std::make_unique<Ak>();
  ak->key = std::move(key);
  ak->pub = pub;
  ABSL_ASSIGN_OR_RETURN(ak->name, ComputeName(pub.publicArea));
  ak_ = std::move(ak);
  return absl::OkStatus();
}

absl::StatusOr<std::string> FakeTpm::Sign(absl::string_view attest) const {
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         ak_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(attest.data()),
                     attest.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSign");
  }
  std::string raw(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(raw.data()),
                     &len,
                     reinterpret_cast<const unsigned char*>(attest.data()),
                     attest.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSign");
  }
  raw.resize(len);
  TPMT_SIGNATURE sig = {};
  if (ak_->pub.publicArea.type == TPM2_ALG_RSA) {
    sig.sigAlg = TPM2_ALG_RSASSA;
    sig.signature.rsassa.hash = TPM2_ALG_SHA256;
    sig.signature.rsassa.sig.size = static_cast<UINT16>(raw.size());
    std::copy(raw.begin(), raw.end(), sig.signature.rsassa.sig.buffer);
    return MarshalSignature(sig);
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(raw.data());
  OsslPtr<ECDSA_SIG> ecdsa(d2i_ECDSA_SIG(nullptr, &p, raw.size()));
  if (ecdsa == nullptr) return SslError(absl::StatusCode::kInternal, "d2i");
  sig.sigAlg = TPM2_ALG_ECDSA;
  sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
  sig.signature.ecdsa.signatureR.size = 32;
  sig.signature.ecdsa.signatureS.size = 32;
  BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()),
               sig.signature.ecdsa.signatureR.buffer, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()),
               sig.signature.ecdsa.signatureS.buffer, 32);
  return MarshalSignature(sig);
}

absl::StatusOr<TpmQuote> FakeTpm::Quote(const PcrSelection& selection,
                                        absl::string_view nonce) {
  ABSL_RETURN_IF_ERROR(RequireStarted("Quote"));
  TPMS_ATTEST attest = {};
  if (nonce.size() > sizeof(attest.extraData.buffer)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Quote: the nonce is ", nonce.size(), " bytes; at most ",
                     sizeof(attest.extraData.buffer)));
  }
  if (ak_ == nullptr) {
    return absl::FailedPreconditionError("Quote: no AK is loaded");
  }
  TpmQuote out;
  ABSL_ASSIGN_OR_RETURN(out.pcrs, ReadPcrs(selection), _ << "Quote");
  ABSL_ASSIGN_OR_RETURN(TPML_PCR_SELECTION tpml, SelectionToTpml(selection));
  ABSL_ASSIGN_OR_RETURN(std::string digest,
                        QuotePcrDigest(TPM2_ALG_SHA256, selection, out.pcrs));
  attest.magic = TPM2_GENERATED_VALUE;
  attest.type = TPM2_ST_ATTEST_QUOTE;
  attest.qualifiedSigner.size = static_cast<UINT16>(ak_->name.size());
  std::copy(ak_->name.begin(), ak_->name.end(), attest.qualifiedSigner.name);
  attest.extraData.size = static_cast<UINT16>(nonce.size());
  std::copy(nonce.begin(), nonce.end(), attest.extraData.buffer);
  attest.clockInfo.clock =
      static_cast<UINT64>(absl::ToInt64Milliseconds(absl::Now() - created_));
  attest.clockInfo.resetCount = reset_count_;
  attest.clockInfo.restartCount = restart_count_;
  attest.clockInfo.safe = orderly_ ? TPM2_YES : TPM2_NO;
  attest.firmwareVersion = 0x2024000100000001;
  attest.attested.quote.pcrSelect = tpml;
  attest.attested.quote.pcrDigest.size = static_cast<UINT16>(digest.size());
  std::copy(digest.begin(), digest.end(),
            attest.attested.quote.pcrDigest.buffer);
  out.attest = MarshalAttest(attest);
  ABSL_ASSIGN_OR_RETURN(out.signature, Sign(out.attest));
  return out;
}

}  // namespace candor::tpm::testing
