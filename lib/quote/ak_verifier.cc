#include "lib/quote/ak_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/failure/catalogue.h"
#include "lib/quote/hash.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_values.h"
#include "lib/tpm/public_key.h"

namespace candor::quote {
namespace {

using crypto::OsslPtr;

constexpr TPM2_ALG_ID kSchemeIds[] = {TPM2_ALG_RSASSA, TPM2_ALG_RSAPSS,
                                      TPM2_ALG_ECDSA};
constexpr TPM2_ALG_ID kHashIds[] = {TPM2_ALG_SHA256, TPM2_ALG_SHA384,
                                    TPM2_ALG_SHA512};

int SchemeIndex(TPM2_ALG_ID scheme) {
  for (int i = 0; i < 3; ++i) {
    if (kSchemeIds[i] == scheme) return i;
  }
  return -1;
}
int HashIndex(TPM2_ALG_ID hash) {
  for (int i = 0; i < 3; ++i) {
    if (kHashIds[i] == hash) return i;
  }
  return -1;
}

bool SchemeFitsKey(TPM2_ALG_ID scheme, TPM2_ALG_ID key_type) {
  return key_type == TPM2_ALG_RSA
             ? scheme == TPM2_ALG_RSASSA || scheme == TPM2_ALG_RSAPSS
             : scheme == TPM2_ALG_ECDSA;
}

std::string SigName(TPM2_ALG_ID scheme, TPM2_ALG_ID hash) {
  return absl::StrCat(SchemeName(scheme), "-", tpm::BankName(hash));
}

candor::v1::Failure BadSignature(std::string message, TPM2_ALG_ID scheme,
                                 TPM2_ALG_ID hash) {
  return failure::MakeFailure(
      failure::kQuoteBadSignature, std::move(message),
      {{"sig_alg", SchemeName(scheme)}, {"hash", tpm::BankName(hash)}});
}

// A verify context for `scheme` with `hash`, ready to be duplicated.
absl::StatusOr<OsslPtr<EVP_PKEY_CTX>> MakeTemplate(EVP_PKEY* key,
                                                   TPM2_ALG_ID scheme,
                                                   TPM2_ALG_ID hash) {
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  const EVP_MD* md = FetchedDigest(hash);
  if (ctx == nullptr || md == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "EVP_PKEY_verify_init");
  }
  bool ok = true;
  if (scheme == TPM2_ALG_RSASSA) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
  } else if (scheme == TPM2_ALG_RSAPSS) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_AUTO) ==
             1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) == 1;
  }
  if (!ok || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
    return crypto::SslError(
        absl::StatusCode::kInternal,
        absl::StrCat("preparing ", SigName(scheme, hash), " verification"));
  }
  return ctx;
}

// The DER ECDSA-Sig-Value of (r, s) into `der` (at most `cap` bytes).
bool EcdsaDer(const TPMS_SIGNATURE_ECC& sig, unsigned char* der, size_t cap,
              size_t* len) {
  OsslPtr<ECDSA_SIG> value(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.signatureR.buffer, sig.signatureR.size, nullptr);
  BIGNUM* s = BN_bin2bn(sig.signatureS.buffer, sig.signatureS.size, nullptr);
  if (value == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(value.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  const int need = i2d_ECDSA_SIG(value.get(), nullptr);
  if (need <= 0 || static_cast<size_t>(need) > cap) return false;
  unsigned char* p = der;
  *len = static_cast<size_t>(i2d_ECDSA_SIG(value.get(), &p));
  return *len == static_cast<size_t>(need);
}

}  // namespace

AkVerifier::~AkVerifier() = default;

absl::StatusOr<std::unique_ptr<AkVerifier>> AkVerifier::Create(
    absl::string_view tpm2b_public) {
  ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC pub, tpm::ParseTpm2bPublic(tpm2b_public),
                        _ << "AK public area");
  const TPMT_PUBLIC& area = pub.publicArea;
  const TPMA_OBJECT attrs = area.objectAttributes;
  if ((attrs & TPMA_OBJECT_RESTRICTED) == 0 ||
      (attrs & TPMA_OBJECT_SIGN_ENCRYPT) == 0 ||
      (attrs & TPMA_OBJECT_DECRYPT) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "AK public area: attributes 0x%08x are not those of a restricted "
        "signing key (restricted and sign set, decrypt clear): a quote "
        "signed by it could be forged",
        attrs));
  }
  TPM2_ALG_ID scheme = TPM2_ALG_NULL;
  TPM2_ALG_ID scheme_hash = TPM2_ALG_NULL;
  if (area.type == TPM2_ALG_RSA) {
    scheme = area.parameters.rsaDetail.scheme.scheme;
    scheme_hash = area.parameters.rsaDetail.scheme.details.anySig.hashAlg;
  } else if (area.type == TPM2_ALG_ECC) {
    scheme = area.parameters.eccDetail.scheme.scheme;
    scheme_hash = area.parameters.eccDetail.scheme.details.anySig.hashAlg;
  }
  if (scheme == TPM2_ALG_NULL) scheme_hash = TPM2_ALG_NULL;
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, tpm::PublicToEvpPkey(area),
                        _ << "AK public area");
  return FromKey(std::move(key), scheme, scheme_hash);
}

absl::StatusOr<std::unique_ptr<AkVerifier>>
AkVerifier::FromSubjectPublicKeyInfo(absl::string_view pem_or_der) {
  OsslPtr<EVP_PKEY> key;
  if (absl::StrContains(pem_or_der, "-----BEGIN")) {
    OsslPtr<BIO> bio(BIO_new_mem_buf(pem_or_der.data(),
                                     static_cast<int>(pem_or_der.size())));
    if (bio == nullptr) {
      return crypto::SslError(absl::StatusCode::kInternal, "BIO_new_mem_buf");
    }
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (key == nullptr) {
      return crypto::SslError(absl::StatusCode::kInvalidArgument,
                              "PEM_read_bio_PUBKEY: not a PEM \"PUBLIC KEY\" "
                              "(SubjectPublicKeyInfo)");
    }
  } else {
    ABSL_ASSIGN_OR_RETURN(key, crypto::PublicKeyFromDer(pem_or_der));
  }
  return FromKey(std::move(key), TPM2_ALG_NULL, TPM2_ALG_NULL);
}

absl::StatusOr<std::unique_ptr<AkVerifier>> AkVerifier::FromKey(
    OsslPtr<EVP_PKEY> key, TPM2_ALG_ID scheme, TPM2_ALG_ID scheme_hash) {
  std::unique_ptr<AkVerifier> ak(new AkVerifier());
  ak->key_bits_ = EVP_PKEY_get_bits(key.get());
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    ak->key_type_ = TPM2_ALG_RSA;
    if (ak->key_bits_ < 2048) {
      return absl::InvalidArgumentError(absl::StrCat(
          "AK: RSA key of ", ak->key_bits_, " bits; at least 2048 needed"));
    }
  } else if (EVP_PKEY_is_a(key.get(), "EC")) {
    ak->key_type_ = TPM2_ALG_ECC;
    char group[64] = {};
    if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       group, sizeof(group), nullptr) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError("AK: EC key without a named curve");
    }
    const absl::string_view g(group);
    if (g == "prime256v1" || g == "P-256") {
      ak->ecc_field_bytes_ = 32;
    } else if (g == "secp384r1" || g == "P-384") {
      ak->ecc_field_bytes_ = 48;
    } else if (g == "secp521r1" || g == "P-521") {
      ak->ecc_field_bytes_ = 66;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "AK: EC curve ", g, " is not NIST P-256, P-384 or P-521"));
    }
  } else {
    return absl::InvalidArgumentError("AK: neither an RSA nor an EC key");
  }
  ak->key_ = std::move(key);
  ak->scheme_ = scheme;
  ak->scheme_hash_ = scheme_hash;
  for (int si = 0; si < kSchemes; ++si) {
    if (!SchemeFitsKey(kSchemeIds[si], ak->key_type_)) continue;
    if (scheme != TPM2_ALG_NULL && scheme != kSchemeIds[si]) continue;
    for (int hi = 0; hi < kHashes; ++hi) {
      if (scheme != TPM2_ALG_NULL && scheme_hash != kHashIds[hi]) continue;
      ABSL_ASSIGN_OR_RETURN(
          ak->templates_[si][hi],
          MakeTemplate(ak->key_.get(), kSchemeIds[si], kHashIds[hi]));
    }
  }
  return ak;
}

std::optional<candor::v1::Failure> AkVerifier::CheckSignature(
    absl::string_view attest, const TPMT_SIGNATURE& signature) const {
  const TPM2_ALG_ID alg = signature.sigAlg;
  if (alg == TPM2_ALG_NULL) {
    return failure::MakeFailure(failure::kQuoteBadSignature,
                                "the quote is not signed (sigAlg NULL)",
                                {{"sig_alg", "null"}});
  }
  const TPM2_ALG_ID hash = signature.signature.any.hashAlg;
  const int si = SchemeIndex(alg);
  const int hi = HashIndex(hash);
  if (si < 0 || hi < 0) {
    return failure::MakeFailure(
        failure::kQuoteUnsupportedAlgorithm,
        absl::StrCat("the quote is signed with ", SigName(alg, hash),
                     "; accepted are RSASSA, RSAPSS and ECDSA with SHA-256, "
                     "SHA-384 or SHA-512"),
        {{"sig_alg", SchemeName(alg)}, {"hash", tpm::BankName(hash)}});
  }
  if (!SchemeFitsKey(alg, key_type_)) {
    return BadSignature(
        absl::StrCat("a ", SigName(alg, hash), " signature cannot come from ",
                     key_type_ == TPM2_ALG_RSA ? "an RSA" : "an ECC", " AK"),
        alg, hash);
  }
  if (scheme_ != TPM2_ALG_NULL && (alg != scheme_ || hash != scheme_hash_)) {
    return BadSignature(
        absl::StrCat("the quote is signed with ", SigName(alg, hash),
                     " but the AK's scheme is ",
                     SigName(scheme_, scheme_hash_)),
        alg, hash);
  }
  const EVP_PKEY_CTX* tmpl = templates_[si][hi].get();
  Hasher hasher;
  DigestBuffer digest;
  OsslPtr<EVP_PKEY_CTX> ctx(tmpl == nullptr ? nullptr : EVP_PKEY_CTX_dup(tmpl));
  if (ctx == nullptr || !hasher.Begin(FetchedDigest(hash)) ||
      !hasher.Update(attest) || !hasher.Finish(&digest)) {
    // Only out of memory gets here (templates exist for every accepted
    // scheme and hash of this key type).
    std::string why = crypto::DrainSslErrors();
    return BadSignature(
        absl::StrCat("could not verify the ", SigName(alg, hash),
                     " signature: OpenSSL failed: ", why),
        alg, hash);
  }
  int verified = 0;
  if (alg == TPM2_ALG_ECDSA) {
    const TPMS_SIGNATURE_ECC& ecc = signature.signature.ecdsa;
    unsigned char der[2 * (sizeof(ecc.signatureR.buffer) + 4) + 8];
    size_t der_len = 0;
    if (ecc.signatureR.size == 0 || ecc.signatureS.size == 0 ||
        ecc.signatureR.size > ecc_field_bytes_ ||
        ecc.signatureS.size > ecc_field_bytes_) {
      return BadSignature(
          absl::StrCat("ECDSA signature r/s are ", ecc.signatureR.size, "/",
                       ecc.signatureS.size, " bytes; the AK's curve needs 1..",
                       ecc_field_bytes_),
          alg, hash);
    }
    verified = EcdsaDer(ecc, der, sizeof(der), &der_len) &&
               EVP_PKEY_verify(ctx.get(), der, der_len, digest.bytes,
                               digest.size) == 1;
  } else {
    const TPM2B_PUBLIC_KEY_RSA& sig = alg == TPM2_ALG_RSASSA
                                          ? signature.signature.rsassa.sig
                                          : signature.signature.rsapss.sig;
    verified = EVP_PKEY_verify(ctx.get(), sig.buffer, sig.size, digest.bytes,
                               digest.size) == 1;
  }
  if (verified) return std::nullopt;
  ERR_clear_error();
  return BadSignature(absl::StrCat("the ", SigName(alg, hash),
                                   " signature does not verify with the AK"),
                      alg, hash);
}

std::string SchemeName(TPM2_ALG_ID scheme) {
  switch (scheme) {
    case TPM2_ALG_RSASSA:
      return "rsassa";
    case TPM2_ALG_RSAPSS:
      return "rsapss";
    case TPM2_ALG_ECDSA:
      return "ecdsa";
    case TPM2_ALG_ECDAA:
      return "ecdaa";
    case TPM2_ALG_SM2:
      return "sm2";
    case TPM2_ALG_ECSCHNORR:
      return "ecschnorr";
    case TPM2_ALG_HMAC:
      return "hmac";
    case TPM2_ALG_NULL:
      return "null";
    default:
      return absl::StrFormat("alg_0x%04x", scheme);
  }
}

}  // namespace candor::quote
