#include "services/registrar/testing/tpm_keys.h"

#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/x509.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::registrar::testing {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

constexpr TPMA_OBJECT kEkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
constexpr TPMA_OBJECT kAkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

absl::Status BnInto(EVP_PKEY* key, const char* param, uint8_t* buf,
                    size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) {
    return SslError(absl::StatusCode::kInternal, param);
  }
  OsslPtr<BIGNUM> bn(raw);
  if (BN_bn2binpad(bn.get(), buf, static_cast<int>(width)) !=
      static_cast<int>(width)) {
    return SslError(absl::StatusCode::kInternal, "BN_bn2binpad");
  }
  return absl::OkStatus();
}

TPMT_SYM_DEF_OBJECT Aes(uint16_t bits) {
  TPMT_SYM_DEF_OBJECT s = {};
  s.algorithm = TPM2_ALG_AES;
  s.keyBits.aes = bits;
  s.mode.aes = TPM2_ALG_CFB;
  return s;
}

absl::StatusOr<SoftwareKey> Make(EVP_PKEY* raw, const PublicTemplate& t) {
  if (raw == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_Q_keygen");
  }
  SoftwareKey out;
  out.key.reset(raw);
  ABSL_ASSIGN_OR_RETURN(out.pub, PublicFor(out.key.get(), t));
  ABSL_RETURN_IF_ERROR(Finish(out));
  return out;
}

}  // namespace

absl::StatusOr<TPM2B_PUBLIC> PublicFor(EVP_PKEY* key, const PublicTemplate& t) {
  TPM2B_PUBLIC out = {};
  TPMT_PUBLIC& p = out.publicArea;
  p.nameAlg = t.name_alg;
  p.objectAttributes = t.attributes;
  if (EVP_PKEY_is_a(key, "RSA")) {
    p.type = TPM2_ALG_RSA;
    TPMS_RSA_PARMS& r = p.parameters.rsaDetail;
    r.symmetric = t.symmetric;
    r.scheme.scheme = t.scheme;
    r.scheme.details.anySig.hashAlg = t.scheme_hash;
    r.keyBits = static_cast<UINT16>(EVP_PKEY_get_bits(key));
    r.exponent = 0;
    p.unique.rsa.size = r.keyBits / 8;
    ABSL_RETURN_IF_ERROR(BnInto(key, OSSL_PKEY_PARAM_RSA_N, p.unique.rsa.buffer,
                                p.unique.rsa.size));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    p.type = TPM2_ALG_ECC;
    TPMS_ECC_PARMS& e = p.parameters.eccDetail;
    e.symmetric = t.symmetric;
    e.scheme.scheme = t.scheme;
    e.scheme.details.anySig.hashAlg = t.scheme_hash;
    e.kdf.scheme = TPM2_ALG_NULL;
    const int bits = EVP_PKEY_get_bits(key);
    e.curveID = bits == 256 ? TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384;
    const size_t field = static_cast<size_t>(bits + 7) / 8;
    p.unique.ecc.x.size = p.unique.ecc.y.size = static_cast<UINT16>(field);
    ABSL_RETURN_IF_ERROR(
        BnInto(key, OSSL_PKEY_PARAM_EC_PUB_X, p.unique.ecc.x.buffer, field));
    ABSL_RETURN_IF_ERROR(
        BnInto(key, OSSL_PKEY_PARAM_EC_PUB_Y, p.unique.ecc.y.buffer, field));
  } else {
    return absl::InvalidArgumentError("PublicFor: not an RSA or EC key");
  }
  return out;
}

absl::Status Finish(SoftwareKey& out) {
  out.marshalled = tpm::MarshalTpm2bPublic(out.pub);
  if (out.marshalled.empty()) {
    return absl::InternalError("MarshalTpm2bPublic failed");
  }
  ABSL_ASSIGN_OR_RETURN(out.name, tpm::ComputeName(out.pub.publicArea));
  return absl::OkStatus();
}

absl::StatusOr<SoftwareKey> MakeEk(EkKind kind) {
  PublicTemplate t;
  t.attributes = kEkAttributes;
  switch (kind) {
    case EkKind::kRsa2048:
      t.symmetric = Aes(128);
      return Make(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), t);
    case EkKind::kEccP256:
      t.symmetric = Aes(128);
      return Make(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), t);
    case EkKind::kEccP384:
      t.symmetric = Aes(256);
      t.name_alg = TPM2_ALG_SHA384;
      t.attributes |= TPMA_OBJECT_USERWITHAUTH;
      return Make(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), t);
  }
  return absl::InvalidArgumentError("unknown EK kind");
}

absl::StatusOr<SoftwareKey> MakeAk(AkKind kind) {
  PublicTemplate t;
  t.attributes = kAkAttributes;
  t.scheme_hash = TPM2_ALG_SHA256;
  if (kind == AkKind::kRsa2048) {
    t.scheme = TPM2_ALG_RSASSA;
    return Make(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), t);
  }
  t.scheme = TPM2_ALG_ECDSA;
  return Make(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), t);
}

absl::StatusOr<std::string> MakeTransportKeyDer() {
  OsslPtr<EVP_PKEY> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  if (key == nullptr) return SslError(absl::StatusCode::kInternal, "keygen");
  return crypto::PublicKeyToDer(key.get());
}

absl::StatusOr<std::string> MakeTlsCertificateDer(const std::string& dns_name) {
  OsslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  OsslPtr<X509> cert(X509_new());
  if (key == nullptr || cert == nullptr) {
    return SslError(absl::StatusCode::kInternal, "X509_new");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * 365) ==
          nullptr ||
      X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(dns_name.c_str()), -1, -1,
          0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return SslError(absl::StatusCode::kInternal, "building TLS certificate");
  }
  const std::string san = absl::StrCat("DNS:", dns_name);
  OsslPtr<X509_EXTENSION> ext(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str()));
  if (ext == nullptr || X509_add_ext(cert.get(), ext.get(), -1) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return SslError(absl::StatusCode::kInternal, "signing TLS certificate");
  }
  return crypto::CertificateToDer(cert.get());
}

}  // namespace candor::registrar::testing
