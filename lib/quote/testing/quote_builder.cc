#include "lib/quote/testing/quote_builder.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include <utility>

#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/quote/hash.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::quote::testing {
namespace {

using crypto::OsslPtr;

constexpr TPMA_OBJECT kAkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

bool BnParam(const EVP_PKEY* key, const char* name, uint8_t* out, size_t size) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return false;
  const bool ok =
      BN_bn2binpad(bn, out, static_cast<int>(size)) == static_cast<int>(size);
  BN_free(bn);
  return ok;
}

size_t FieldBytes(SoftwareAk::Kind kind) {
  return kind == SoftwareAk::kEccP384 ? 48 : 32;
}

}  // namespace

absl::StatusOr<SoftwareAk> SoftwareAk::Generate(Kind kind, TPM2_ALG_ID scheme,
                                                TPM2_ALG_ID hash) {
  using crypto::test_certs::KeyType;
  SoftwareAk ak;
  ak.kind_ = kind;
  ak.scheme_ = scheme;
  ak.hash_ = hash;
  ABSL_ASSIGN_OR_RETURN(ak.key_, crypto::test_certs::MakeKey(
                                     kind == kRsa2048   ? KeyType::kRsa2048
                                     : kind == kEccP256 ? KeyType::kEcP256
                                                        : KeyType::kEcP384));
  TPM2B_PUBLIC pub = {};
  TPMT_PUBLIC& area = pub.publicArea;
  area.nameAlg = TPM2_ALG_SHA256;
  area.objectAttributes = kAkAttributes;
  if (kind == kRsa2048) {
    area.type = TPM2_ALG_RSA;
    area.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    area.parameters.rsaDetail.scheme.scheme = scheme;
    area.parameters.rsaDetail.scheme.details.anySig.hashAlg = hash;
    area.parameters.rsaDetail.keyBits = 2048;
    area.parameters.rsaDetail.exponent = 0;
    area.unique.rsa.size = 256;
    if (!BnParam(ak.key_.get(), OSSL_PKEY_PARAM_RSA_N, area.unique.rsa.buffer,
                 256)) {
      return absl::InternalError("SoftwareAk: RSA modulus");
    }
  } else {
    const size_t fb = FieldBytes(kind);
    area.type = TPM2_ALG_ECC;
    area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    area.parameters.eccDetail.scheme.scheme = scheme;
    area.parameters.eccDetail.scheme.details.anySig.hashAlg = hash;
    area.parameters.eccDetail.curveID =
        kind == kEccP256 ? TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384;
    area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    area.unique.ecc.x.size = area.unique.ecc.y.size = fb;
    if (!BnParam(ak.key_.get(), OSSL_PKEY_PARAM_EC_PUB_X,
                 area.unique.ecc.x.buffer, fb) ||
        !BnParam(ak.key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y,
                 area.unique.ecc.y.buffer, fb)) {
      return absl::InternalError("SoftwareAk: EC point");
    }
  }
  ak.tpm2b_public_ = tpm::MarshalTpm2bPublic(pub);
  if (ak.tpm2b_public_.empty()) {
    return absl::InternalError("SoftwareAk: marshalling TPM2B_PUBLIC");
  }
  return ak;
}

std::string SoftwareAk::SpkiDer() const {
  return crypto::PublicKeyToDer(key_.get()).value_or("");
}

std::string SoftwareAk::Sign(absl::string_view data) const {
  return Sign(data, scheme_, hash_);
}

std::string SoftwareAk::Sign(absl::string_view data, TPM2_ALG_ID scheme,
                             TPM2_ALG_ID hash) const {
  const EVP_MD* md = FetchedDigest(hash);
  Hasher hasher;
  DigestBuffer digest;
  if (md == nullptr || !hasher.Begin(md) || !hasher.Update(data) ||
      !hasher.Finish(&digest)) {
    return "";
  }
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return "";
  }
  if (scheme == TPM2_ALG_RSAPSS &&
      (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) !=
           1)) {
    return "";
  }
  if (scheme == TPM2_ALG_RSASSA &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return "";
  }
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.bytes, digest.size) != 1) {
    return "";
  }
  std::string raw(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(raw.data()),
                    &len, digest.bytes, digest.size) != 1) {
    return "";
  }
  raw.resize(len);
  TPMT_SIGNATURE sig = {};
  sig.sigAlg = scheme;
  if (scheme == TPM2_ALG_ECDSA) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(raw.data());
    OsslPtr<ECDSA_SIG> value(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(raw.size())));
    if (value == nullptr) return "";
    const size_t fb = FieldBytes(kind_);
    TPMS_SIGNATURE_ECC& ecc = sig.signature.ecdsa;
    ecc.hash = hash;
    ecc.signatureR.size = ecc.signatureS.size = fb;
    BN_bn2binpad(ECDSA_SIG_get0_r(value.get()), ecc.signatureR.buffer, fb);
    BN_bn2binpad(ECDSA_SIG_get0_s(value.get()), ecc.signatureS.buffer, fb);
  } else {
    TPMS_SIGNATURE_RSA& rsa = sig.signature.rsassa;
    rsa.hash = hash;
    rsa.sig.size = static_cast<uint16_t>(raw.size());
    std::copy(raw.begin(), raw.end(), rsa.sig.buffer);
  }
  uint8_t buf[sizeof(TPMT_SIGNATURE)];
  size_t offset = 0;
  if (Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, buf, sizeof(buf), &offset) !=
      TSS2_RC_SUCCESS) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(buf), offset);
}

std::string MarshalAttest(const QuoteFields& f) {
  uint8_t buf[sizeof(TPMS_ATTEST) + 16];
  size_t offset = 0;
  TPM2B_NAME signer = {};
  signer.size = static_cast<uint16_t>(f.qualified_signer.size());
  std::copy(f.qualified_signer.begin(), f.qualified_signer.end(), signer.name);
  TPM2B_DATA extra = {};
  extra.size = static_cast<uint16_t>(f.extra_data.size());
  std::copy(f.extra_data.begin(), f.extra_data.end(), extra.buffer);
  TPMS_CLOCK_INFO clock = {f.clock, f.reset_count, f.restart_count, f.safe};
  TPM2B_DIGEST digest = {};
  digest.size = static_cast<uint16_t>(f.pcr_digest.size());
  std::copy(f.pcr_digest.begin(), f.pcr_digest.end(), digest.buffer);
  absl::StatusOr<TPML_PCR_SELECTION> select =
      tpm::SelectionToTpml(f.pcr_selection);
  if (!select.ok()) return "";
  const size_t n = sizeof(buf);
  if (Tss2_MU_UINT32_Marshal(f.magic, buf, n, &offset) ||
      Tss2_MU_UINT16_Marshal(f.type, buf, n, &offset) ||
      Tss2_MU_TPM2B_NAME_Marshal(&signer, buf, n, &offset) ||
      Tss2_MU_TPM2B_DATA_Marshal(&extra, buf, n, &offset) ||
      Tss2_MU_TPMS_CLOCK_INFO_Marshal(&clock, buf, n, &offset) ||
      Tss2_MU_UINT64_Marshal(f.firmware_version, buf, n, &offset) ||
      Tss2_MU_TPML_PCR_SELECTION_Marshal(&*select, buf, n, &offset) ||
      Tss2_MU_TPM2B_DIGEST_Marshal(&digest, buf, n, &offset)) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(buf), offset);
}

std::string PcrDigest(TPM2_ALG_ID hash, const tpm::PcrSelection& selection,
                      const tpm::PcrValues& values) {
  Hasher hasher;
  DigestBuffer digest;
  if (!hasher.Begin(FetchedDigest(hash))) return "";
  for (const tpm::BankSelection& b : selection) {
    auto bank = values.find(b.bank);
    if (bank == values.end()) continue;
    for (uint32_t pcr : b.pcrs) {
      auto v = bank->second.find(pcr);
      if (v != bank->second.end()) hasher.Update(v->second);
    }
  }
  if (!hasher.Finish(&digest)) return "";
  return std::string(digest.view());
}

tpm::PcrValues MakePcrValues(const tpm::PcrSelection& selection, uint8_t seed) {
  tpm::PcrValues values;
  for (const tpm::BankSelection& b : selection) {
    const size_t size = tpm::BankDigestSize(b.bank).value_or(32);
    for (uint32_t pcr : b.pcrs) {
      values[b.bank][pcr] =
          std::string(size, static_cast<char>((pcr + 1) * seed + b.bank));
    }
  }
  return values;
}

}  // namespace candor::quote::testing
