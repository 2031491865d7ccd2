#include "lib/crypto/testing/test_certs.h"

#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"

namespace candor::crypto::test_certs {
namespace {

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid,
                          const char* value) {
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return SslError(
        absl::StatusCode::kInternal,
        absl::StrCat("X509V3_EXT_conf_nid(", OBJ_nid2sn(nid), "=", value, ")"));
  }
  return absl::OkStatus();
}

// SAN with one directoryName holding the TCG TPM attributes, as in EK
// certificates (TCG EK Credential Profile, section 3.2.9); critical.
absl::Status AddTpmSan(X509* cert) {
  OsslPtr<X509_NAME> dn(X509_NAME_new());
  if (dn == nullptr) return SslError(absl::StatusCode::kInternal, "X509_NAME");
  const std::pair<const char*, const char*> attrs[] = {
      {"2.23.133.2.1", "id:53575450"},  // tcg-at-tpmManufacturer
      {"2.23.133.2.2", "swtpm"},        // tcg-at-tpmModel
      {"2.23.133.2.3", "id:20191023"},  // tcg-at-tpmVersion
  };
  for (const auto& [oid, value] : attrs) {
    if (X509_NAME_add_entry_by_txt(
            dn.get(), oid, MBSTRING_UTF8,
            reinterpret_cast<const unsigned char*>(value), -1, -1, 0) != 1) {
      return SslError(absl::StatusCode::kInternal, "X509_NAME_add_entry");
    }
  }
  OsslPtr<GENERAL_NAME> name(GENERAL_NAME_new());
  OsslPtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  if (name == nullptr || names == nullptr) {
    return SslError(absl::StatusCode::kInternal, "GENERAL_NAME_new");
  }
  GENERAL_NAME_set0_value(name.get(), GEN_DIRNAME, dn.release());
  if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
    return SslError(absl::StatusCode::kInternal, "sk_GENERAL_NAME_push");
  }
  name.release();  // owned by `names` now
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(),
                        /*crit=*/1, X509V3_ADD_DEFAULT) != 1) {
    return SslError(absl::StatusCode::kInternal, "X509_add1_ext_i2d(SAN)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OsslPtr<EVP_PKEY>> MakeKey(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kEcP384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyType::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
  }
  if (key == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_Q_keygen");
  }
  return OsslPtr<EVP_PKEY>(key);
}

absl::StatusOr<OsslPtr<X509>> MakeCertificate(const CertOptions& options,
                                              EVP_PKEY* subject_key,
                                              const X509* issuer,
                                              EVP_PKEY* issuer_key) {
  OsslPtr<X509> cert(X509_new());
  if (cert == nullptr) return SslError(absl::StatusCode::kInternal, "X509_new");
  X509* x = cert.get();
  X509_NAME* subject = X509_get_subject_name(x);
  if (X509_set_version(x, X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(x), options.serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x), options.not_before_offset) ==
          nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), options.not_after_offset) ==
          nullptr ||
      X509_NAME_add_entry_by_txt(
          subject, "O", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>("Candor Test"), -1, -1,
          0) != 1 ||
      X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
          -1, -1, 0) != 1 ||
      X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer)
                                                : subject) != 1 ||
      X509_set_pubkey(x, subject_key) != 1) {
    return SslError(absl::StatusCode::kInternal, "building the certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? const_cast<X509*>(issuer) : x, x,
                 nullptr, nullptr, 0);
  absl::Status s =
      AddExtension(x, &ctx, NID_basic_constraints,
                   options.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (s.ok()) {
    s = AddExtension(x, &ctx, NID_key_usage,
                     options.is_ca
                         ? "critical,keyCertSign,cRLSign"
                         : "critical,digitalSignature,keyEncipherment");
  }
  if (s.ok()) s = AddExtension(x, &ctx, NID_subject_key_identifier, "hash");
  if (s.ok() && issuer != nullptr) {
    s = AddExtension(x, &ctx, NID_authority_key_identifier, "keyid:always");
  }
  if (s.ok() && options.ek_extensions) {
    s = AddExtension(x, &ctx, NID_ext_key_usage, "2.23.133.8.1");
    if (s.ok()) s = AddTpmSan(x);
  }
  if (!s.ok()) return s;
  EVP_PKEY* signer = issuer != nullptr ? issuer_key : subject_key;
  if (X509_sign(x, signer, EVP_sha256()) <= 0) {
    return SslError(absl::StatusCode::kInternal, "X509_sign");
  }
  return cert;
}

absl::StatusOr<TestChain> MakeChain(const std::string& prefix, bool ek_leaf) {
  TestChain c;
  for (OsslPtr<EVP_PKEY>* key :
       {&c.root_key, &c.intermediate_key, &c.leaf_key}) {
    absl::StatusOr<OsslPtr<EVP_PKEY>> k = MakeKey(KeyType::kEcP256);
    if (!k.ok()) return k.status();
    *key = std::move(*k);
  }
  CertOptions root{absl::StrCat(prefix, " Root CA"), /*is_ca=*/true};
  root.serial = 1;
  absl::StatusOr<OsslPtr<X509>> cert =
      MakeCertificate(root, c.root_key.get(), nullptr, nullptr);
  if (!cert.ok()) return cert.status();
  c.root = std::move(*cert);
  CertOptions mid{absl::StrCat(prefix, " Intermediate CA"), /*is_ca=*/true};
  mid.serial = 2;
  cert = MakeCertificate(mid, c.intermediate_key.get(), c.root.get(),
                         c.root_key.get());
  if (!cert.ok()) return cert.status();
  c.intermediate = std::move(*cert);
  CertOptions leaf{absl::StrCat(prefix, " Leaf"), /*is_ca=*/false, ek_leaf};
  leaf.serial = 3;
  cert = MakeCertificate(leaf, c.leaf_key.get(), c.intermediate.get(),
                         c.intermediate_key.get());
  if (!cert.ok()) return cert.status();
  c.leaf = std::move(*cert);
  return c;
}

std::string NewTempDir(absl::string_view name) {
  const char* base = getenv("TEST_TMPDIR");
  std::string tmpl =
      absl::StrCat(base != nullptr ? base : "/tmp", "/", name, ".XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  return tmpl;
}

absl::Status WriteFile(const std::string& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace candor::crypto::test_certs
