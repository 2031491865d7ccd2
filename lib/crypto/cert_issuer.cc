#include "lib/crypto/cert_issuer.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/ossl_error.h"

namespace candor::crypto {
namespace {

absl::Status AddExt(X509* cert, X509V3_CTX* ctx, int nid,
                    const std::string& value) {
  OsslPtr<X509_EXTENSION> ext(
      X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("X509V3_EXT_conf_nid(", OBJ_nid2sn(nid), ")"));
  }
  return absl::OkStatus();
}

absl::Status AddName(X509_NAME* name, const char* field,
                     const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  if (X509_NAME_add_entry_by_txt(
          name, field, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
          0) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("subject ", field, "=", value));
  }
  return absl::OkStatus();
}

absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return SslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  bytes[0] &= 0x7f;  // positive
  OsslPtr<BIGNUM> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (bn == nullptr ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return SslError(absl::StatusCode::kInternal, "serial number");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SanValue(const CertificateSpec& spec) {
  std::vector<std::string> parts;
  for (const std::string& d : spec.dns_names) parts.push_back("DNS:" + d);
  for (const std::string& ip : spec.ip_addresses) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 &&
        inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", ip, "' is not an IP address"));
    }
    parts.push_back("IP:" + ip);
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace

absl::StatusOr<OsslPtr<EVP_PKEY>> GenerateKey(KeyAlgorithm algorithm) {
  EVP_PKEY* key = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::kEcP384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyAlgorithm::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyAlgorithm::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
      break;
  }
  if (key == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_Q_keygen");
  }
  return OsslPtr<EVP_PKEY>(key);
}

absl::StatusOr<OsslPtr<X509>> IssueCertificate(const CertificateSpec& spec,
                                              EVP_PKEY* subject_key,
                                              const X509* issuer,
                                              EVP_PKEY* issuer_key) {
  if (spec.common_name.empty()) {
    return absl::InvalidArgumentError("a certificate needs a common name");
  }
  absl::StatusOr<std::string> san = SanValue(spec);
  if (!san.ok()) return san.status();
  OsslPtr<X509> cert(X509_new());
  if (cert == nullptr) return SslError(absl::StatusCode::kInternal, "X509_new");
  X509* x = cert.get();
  X509_NAME* subject = X509_get_subject_name(x);
  absl::Status s = SetRandomSerial(x);
  if (s.ok()) s = AddName(subject, "O", spec.organization);
  if (s.ok()) s = AddName(subject, "OU", spec.organizational_unit);
  if (s.ok()) s = AddName(subject, "CN", spec.common_name);
  if (!s.ok()) return s;
  if (X509_set_version(x, X509_VERSION_3) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x),
                      -absl::ToInt64Seconds(spec.backdate)) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x),
                      absl::ToInt64Seconds(spec.validity)) == nullptr ||
      X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer)
                                                : subject) != 1 ||
      X509_set_pubkey(x, subject_key) != 1) {
    return SslError(absl::StatusCode::kInternal, "building the certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? const_cast<X509*>(issuer) : x, x,
                 nullptr, nullptr, 0);
  s = AddExt(x, &ctx, NID_basic_constraints,
             spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (s.ok()) {
    s = AddExt(x, &ctx, NID_key_usage,
               spec.is_ca ? "critical,keyCertSign,cRLSign"
                          : "critical,digitalSignature,keyEncipherment");
  }
  std::vector<std::string> eku;
  if (spec.server_auth) eku.push_back("serverAuth");
  if (spec.client_auth) eku.push_back("clientAuth");
  if (s.ok() && !eku.empty()) {
    s = AddExt(x, &ctx, NID_ext_key_usage, absl::StrJoin(eku, ","));
  }
  if (s.ok() && !san->empty()) s = AddExt(x, &ctx, NID_subject_alt_name, *san);
  if (s.ok()) s = AddExt(x, &ctx, NID_subject_key_identifier, "hash");
  if (s.ok() && issuer != nullptr) {
    s = AddExt(x, &ctx, NID_authority_key_identifier, "keyid:always");
  }
  if (s.ok() && spec.customize) s = spec.customize(x);
  if (!s.ok()) return s;
  EVP_PKEY* signer = issuer != nullptr ? issuer_key : subject_key;
  if (X509_sign(x, signer, EVP_sha256()) <= 0) {
    return SslError(absl::StatusCode::kInternal, "X509_sign");
  }
  return cert;
}

absl::StatusOr<SecretBytes> PrivateKeyToPem(EVP_PKEY* key) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal, "PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return SecretBytes(absl::string_view(data, static_cast<size_t>(len)));
}

absl::StatusOr<OsslPtr<EVP_PKEY>> PrivateKeyFromPem(absl::string_view pem) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
          : nullptr;
  if (key == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    "PEM_read_bio_PrivateKey: not a PEM private key");
  }
  return OsslPtr<EVP_PKEY>(key);
}

std::vector<std::string> OrganizationalUnits(const X509* cert) {
  std::vector<std::string> out;
  if (cert == nullptr) return out;
  const X509_NAME* name = X509_get_subject_name(cert);
  int idx = -1;
  while ((idx = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName,
                                           idx)) >= 0) {
    const ASN1_STRING* v =
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, v);
    if (n > 0) out.emplace_back(reinterpret_cast<char*>(utf8), n);
    OPENSSL_free(utf8);
  }
  return out;
}

}  // namespace candor::crypto
