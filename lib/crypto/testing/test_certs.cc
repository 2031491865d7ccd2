#include "lib/crypto/testing/test_certs.h"

#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/cert_issuer.h"
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
  switch (type) {
    case KeyType::kEcP256:
      return GenerateKey(KeyAlgorithm::kEcP256);
    case KeyType::kEcP384:
      return GenerateKey(KeyAlgorithm::kEcP384);
    case KeyType::kRsa2048:
      return GenerateKey(KeyAlgorithm::kRsa2048);
  }
  return absl::InvalidArgumentError("unknown key type");
}

absl::StatusOr<OsslPtr<X509>> MakeCertificate(const CertOptions& options,
                                              EVP_PKEY* subject_key,
                                              const X509* issuer,
                                              EVP_PKEY* issuer_key) {
  CertificateSpec spec;
  spec.common_name = options.common_name;
  spec.organization = "Candor Test";
  spec.is_ca = options.is_ca;
  spec.backdate = absl::Seconds(-options.not_before_offset);
  spec.validity = absl::Seconds(options.not_after_offset);
  if (options.ek_extensions) {
    spec.customize = [](X509* x) -> absl::Status {
      X509V3_CTX ctx;
      X509V3_set_ctx(&ctx, nullptr, x, nullptr, nullptr, 0);
      absl::Status s = AddExtension(x, &ctx, NID_ext_key_usage, "2.23.133.8.1");
      if (s.ok()) s = AddTpmSan(x);
      return s;
    };
  }
  return IssueCertificate(spec, subject_key, issuer, issuer_key);
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
  absl::StatusOr<OsslPtr<X509>> cert =
      MakeCertificate(root, c.root_key.get(), nullptr, nullptr);
  if (!cert.ok()) return cert.status();
  c.root = std::move(*cert);
  CertOptions mid{absl::StrCat(prefix, " Intermediate CA"), /*is_ca=*/true};
  cert = MakeCertificate(mid, c.intermediate_key.get(), c.root.get(),
                         c.root_key.get());
  if (!cert.ok()) return cert.status();
  c.intermediate = std::move(*cert);
  CertOptions leaf{absl::StrCat(prefix, " Leaf"), /*is_ca=*/false, ek_leaf};
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
