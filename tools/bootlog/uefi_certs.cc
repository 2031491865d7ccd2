#include "tools/bootlog/uefi_certs.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/status/status_macros.h"
#include "tools/common/seeded_random.h"

namespace candor::tools {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

absl::StatusOr<OsslPtr<EVP_PKEY>> TestKey(const char* pem) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(pem, -1));
  OsslPtr<EVP_PKEY> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
          : nullptr);
  if (key == nullptr) {
    return SslError(absl::StatusCode::kInternal, "UEFI test key");
  }
  return key;
}

absl::Status AddExt(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return SslError(
        absl::StatusCode::kInternal,
        absl::StrCat("UEFI certificate extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

absl::Status SetTime(ASN1_TIME* t, const char* text) {
  if (ASN1_TIME_set_string_X509(t, text) != 1) {
    return SslError(absl::StatusCode::kInternal, "ASN1_TIME_set_string_X509");
  }
  return absl::OkStatus();
}

// A certificate for `key` named `cn`, signed by `issuer_key` under `issuer`
// (self-signed when issuer is null).
absl::StatusOr<OsslPtr<X509>> Issue(absl::string_view seed, const char* cn,
                                    EVP_PKEY* key, const X509* issuer,
                                    EVP_PKEY* issuer_key) {
  OsslPtr<X509> cert(X509_new());
  if (cert == nullptr) return SslError(absl::StatusCode::kInternal, "X509_new");
  X509* x = cert.get();
  std::string serial = SeededBytes(seed, absl::StrCat("serial:", cn), 16);
  serial[0] = static_cast<char>(serial[0] & 0x7F);
  OsslPtr<BIGNUM> bn(BN_bin2bn(reinterpret_cast<const uint8_t*>(serial.data()),
                               static_cast<int>(serial.size()), nullptr));
  const std::string sn =
      absl::BytesToHexString(SeededBytes(seed, absl::StrCat("sn:", cn), 8));
  X509_NAME* subject = X509_get_subject_name(x);
  if (X509_set_version(x, X509_VERSION_3) != 1 || bn == nullptr ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr ||
      X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                 reinterpret_cast<const uint8_t*>("Candor"), -1,
                                 -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const uint8_t*>(cn), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "serialNumber", MBSTRING_ASC,
                                 reinterpret_cast<const uint8_t*>(sn.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer)
                                                : subject) != 1 ||
      X509_set_pubkey(x, key) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("building UEFI certificate ", cn));
  }
  ABSL_RETURN_IF_ERROR(SetTime(X509_getm_notBefore(x), "20200101000000Z"));
  ABSL_RETURN_IF_ERROR(SetTime(X509_getm_notAfter(x), "20500101000000Z"));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? const_cast<X509*>(issuer) : x, x,
                 nullptr, nullptr, 0);
  ABSL_RETURN_IF_ERROR(
      AddExt(x, &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  ABSL_RETURN_IF_ERROR(AddExt(x, &ctx, NID_key_usage,
                              "critical,keyCertSign,cRLSign,"
                              "digitalSignature"));
  ABSL_RETURN_IF_ERROR(AddExt(x, &ctx, NID_subject_key_identifier, "hash"));
  ABSL_RETURN_IF_ERROR(
      AddExt(x, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("signing UEFI certificate ", cn));
  }
  return cert;
}

absl::StatusOr<std::string> Der(const X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return SslError(absl::StatusCode::kInternal, "i2d_X509");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

absl::StatusOr<UefiCertificates> MakeUefiCertificates(absl::string_view seed) {
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> pk_key,
                        TestKey(internal::kPlatformKeyPem));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> kek_key, TestKey(internal::kKekPem));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> db_key, TestKey(internal::kDbKeyPem));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> pk,
                        Issue(seed, "Candor Emulated Platform Key",
                              pk_key.get(), nullptr, pk_key.get()));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> kek,
                        Issue(seed, "Candor Emulated KEK CA", kek_key.get(),
                              pk.get(), pk_key.get()));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> db,
                        Issue(seed, "Candor Emulated UEFI CA", db_key.get(),
                              kek.get(), kek_key.get()));
  // shim's vendor CA reuses the db key (emulation needs no fourth key).
  ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> vendor,
                        Issue(seed, "Candor Emulated Distro Secure Boot CA",
                              db_key.get(), db.get(), db_key.get()));
  UefiCertificates out;
  ABSL_ASSIGN_OR_RETURN(out.pk, Der(pk.get()));
  ABSL_ASSIGN_OR_RETURN(out.kek, Der(kek.get()));
  ABSL_ASSIGN_OR_RETURN(out.db, Der(db.get()));
  ABSL_ASSIGN_OR_RETURN(out.shim_vendor, Der(vendor.get()));
  return out;
}

}  // namespace candor::tools
