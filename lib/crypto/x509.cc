#include "lib/crypto/x509.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"

namespace candor::crypto {
namespace {

constexpr absl::string_view kPemBegin = "-----BEGIN ";

bool LooksLikePem(absl::string_view data) {
  return absl::StrContains(data, kPemBegin);
}

// A read-only memory BIO over `data`; null if it is too large for OpenSSL's
// int length (a negative length would make OpenSSL call strlen).
OsslPtr<BIO> MemBio(absl::string_view data) {
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return nullptr;
  }
  return OsslPtr<BIO>(
      BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Reads the next certificate from a PEM BIO. Returns nullptr (and OK) at the
// end of the input; other PEM blocks (keys, parameters) are skipped.
absl::StatusOr<OsslPtr<X509>> ReadPemCertificate(BIO* bio) {
  OsslPtr<X509> cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  if (cert != nullptr) return cert;
  unsigned long e = ERR_peek_last_error();  // NOLINT(runtime/int)
  if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
      ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return OsslPtr<X509>();
  }
  return SslError(absl::StatusCode::kInvalidArgument, "PEM_read_bio_X509");
}

absl::StatusOr<OsslPtr<X509>> ParseSinglePem(absl::string_view pem) {
  OsslPtr<BIO> bio = MemBio(pem);
  if (bio == nullptr) return SslError(absl::StatusCode::kInternal, "BIO_new");
  absl::StatusOr<OsslPtr<X509>> cert = ReadPemCertificate(bio.get());
  if (!cert.ok()) return cert.status();
  if (*cert == nullptr) {
    return absl::InvalidArgumentError(
        "PEM_read_bio_X509: no CERTIFICATE block found");
  }
  char* rest = nullptr;
  long rest_len = BIO_get_mem_data(bio.get(), &rest);  // NOLINT(runtime/int)
  absl::string_view tail(rest, rest_len > 0 ? rest_len : 0);
  if (!absl::StripAsciiWhitespace(tail).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        LooksLikePem(tail) ? "more than one PEM block: " : "", tail.size(),
        " bytes of trailing data after the END CERTIFICATE line"));
  }
  return cert;
}

std::string NameString(const X509_NAME* name) {
  if (name == nullptr) return "";
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return "";
  const unsigned long flags =  // NOLINT(runtime/int)
      (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, len > 0 ? len : 0);
}

std::string NameOrPlaceholder(std::string name) {
  return name.empty() ? "(empty name)" : name;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  if (!in || !(out << in.rdbuf())) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read CA certificate file ", path));
  }
  return out.str();
}

// Every certificate in one file: PEM (any number) or DER (exactly one).
absl::StatusOr<std::vector<OsslPtr<X509>>> ParseCaFile(
    const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) return data.status();
  std::vector<OsslPtr<X509>> certs;
  if (!LooksLikePem(*data)) {
    absl::StatusOr<OsslPtr<X509>> cert = ParseCertificate(*data);
    if (!cert.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CA certificate file ", path, ": ", cert.status().message()));
    }
    certs.push_back(std::move(*cert));
    return certs;
  }
  OsslPtr<BIO> bio = MemBio(*data);
  if (bio == nullptr) return SslError(absl::StatusCode::kInternal, "BIO_new");
  for (;;) {
    absl::StatusOr<OsslPtr<X509>> cert = ReadPemCertificate(bio.get());
    if (!cert.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CA certificate file ", path, ": certificate ",
                       certs.size() + 1, ": ", cert.status().message()));
    }
    if (*cert == nullptr) break;
    certs.push_back(std::move(*cert));
  }
  if (certs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CA certificate file ", path, " holds no CERTIFICATE PEM block"));
  }
  return certs;
}

bool HasCaExtension(const std::filesystem::path& path) {
  std::string ext = absl::AsciiStrToLower(path.extension().string());
  return ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der";
}

}  // namespace

absl::StatusOr<OsslPtr<X509>> ParseCertificate(absl::string_view der_or_pem) {
  if (der_or_pem.empty()) {
    return absl::InvalidArgumentError("ParseCertificate: empty input");
  }
  const auto* start = reinterpret_cast<const unsigned char*>(der_or_pem.data());
  const unsigned char* p = start;
  OsslPtr<X509> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der_or_pem.size())));  // NOLINT
  if (cert != nullptr) {
    size_t used = static_cast<size_t>(p - start);
    if (used != der_or_pem.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ParseCertificate: DER certificate followed by ",
                       der_or_pem.size() - used, " trailing bytes"));
    }
    return cert;
  }
  std::string der_error = DrainSslErrors();
  absl::StatusOr<OsslPtr<X509>> pem = ParseSinglePem(der_or_pem);
  if (pem.ok()) return pem;
  if (LooksLikePem(der_or_pem)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ParseCertificate: bad PEM certificate: ", pem.status().message()));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "ParseCertificate: neither a DER certificate (d2i_X509: ", der_error,
      ") nor PEM (", pem.status().message(), ")"));
}

absl::StatusOr<std::string> CertificateToDer(const X509* cert) {
  if (cert == nullptr) return absl::InvalidArgumentError("no certificate");
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return SslError(absl::StatusCode::kInternal, "i2d_X509");
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &p) != len) {
    return SslError(absl::StatusCode::kInternal, "i2d_X509");
  }
  return der;
}

absl::StatusOr<std::string> CertificateToPem(const X509* cert) {
  if (cert == nullptr) return absl::InvalidArgumentError("no certificate");
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return SslError(absl::StatusCode::kInternal, "PEM_write_bio_X509");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, len > 0 ? len : 0);
}

std::string SubjectString(const X509* cert) {
  return cert == nullptr ? "" : NameString(X509_get_subject_name(cert));
}

std::string IssuerString(const X509* cert) {
  return cert == nullptr ? "" : NameString(X509_get_issuer_name(cert));
}

absl::StatusOr<OsslPtr<EVP_PKEY>> CertificatePublicKey(const X509* cert) {
  if (cert == nullptr) return absl::InvalidArgumentError("no certificate");
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr || EVP_PKEY_up_ref(key) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("X509_get0_pubkey (certificate ",
                                 NameOrPlaceholder(SubjectString(cert)), ")"));
  }
  return OsslPtr<EVP_PKEY>(key);
}

absl::StatusOr<CaStore> CaStore::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot list CA directory ", dir, ": ", ec.message()));
  }
  std::vector<fs::path> files;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (HasCaExtension(it->path()) && fs::is_regular_file(it->path(), ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot list CA directory ", dir, ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  std::vector<OsslPtr<X509>> owned;
  for (const fs::path& file : files) {
    absl::StatusOr<std::vector<OsslPtr<X509>>> certs =
        ParseCaFile(file.string());
    if (!certs.ok()) return certs.status();
    for (OsslPtr<X509>& c : *certs) owned.push_back(std::move(c));
  }
  if (owned.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "CA directory ", dir,
        " holds no certificates (looked for *.pem, *.crt, *.cer, *.der)"));
  }
  std::vector<X509*> certs;
  for (const OsslPtr<X509>& c : owned) certs.push_back(c.get());
  return FromCertificates(certs, dir);
}

absl::StatusOr<CaStore> CaStore::FromCertificates(absl::Span<X509* const> certs,
                                                  const std::string& source) {
  OsslPtr<X509_STORE> store(X509_STORE_new());
  OsslPtr<STACK_OF(X509)> intermediates(sk_X509_new_null());
  if (store == nullptr || intermediates == nullptr) {
    return SslError(absl::StatusCode::kInternal, "X509_STORE_new");
  }
  size_t anchors = 0;
  for (X509* cert : certs) {
    if (cert == nullptr) continue;
    int self_signed = X509_self_signed(cert, /*verify_signature=*/1);
    if (self_signed < 0) {
      return SslError(absl::StatusCode::kInvalidArgument,
                      absl::StrCat("X509_self_signed (certificate ",
                                   NameOrPlaceholder(SubjectString(cert)),
                                   " in ", source, ")"));
    }
    if (self_signed == 1) {
      if (X509_STORE_add_cert(store.get(), cert) != 1) {
        return SslError(absl::StatusCode::kInternal, "X509_STORE_add_cert");
      }
      ++anchors;
    } else if (X509_up_ref(cert) != 1 ||
               sk_X509_push(intermediates.get(), cert) <= 0) {
      return SslError(absl::StatusCode::kInternal, "sk_X509_push");
    }
  }
  ERR_clear_error();  // X509_self_signed may queue errors for non-anchors
  if (anchors == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no self-signed CA certificate (trust anchor) in ", source, "; ",
        sk_X509_num(intermediates.get()), " intermediate(s) found"));
  }
  return CaStore(std::move(store), std::move(intermediates), anchors, source);
}

size_t CaStore::intermediate_count() const {
  return static_cast<size_t>(sk_X509_num(intermediates_.get()));
}

absl::StatusOr<VerifiedChain> CaStore::Verify(
    X509* leaf, absl::Span<X509* const> extra_intermediates) const {
  if (leaf == nullptr) {
    return absl::InvalidArgumentError("CaStore::Verify: no certificate");
  }
  OsslPtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  OsslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (untrusted == nullptr || ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "X509_STORE_CTX_new");
  }
  auto add = [&untrusted](X509* c) {
    return c == nullptr ||
           (X509_up_ref(c) == 1 && sk_X509_push(untrusted.get(), c) > 0);
  };
  for (int i = 0; i < sk_X509_num(intermediates_.get()); ++i) {
    if (!add(sk_X509_value(intermediates_.get(), i))) {
      return SslError(absl::StatusCode::kInternal, "sk_X509_push");
    }
  }
  for (X509* c : extra_intermediates) {
    if (!add(c)) return SslError(absl::StatusCode::kInternal, "sk_X509_push");
  }
  if (X509_STORE_CTX_init(ctx.get(), store_.get(), leaf, untrusted.get()) !=
      1) {
    return SslError(absl::StatusCode::kInternal, "X509_STORE_CTX_init");
  }
  int rc = X509_verify_cert(ctx.get());
  if (rc < 0) return SslError(absl::StatusCode::kInternal, "X509_verify_cert");
  ERR_clear_error();
  if (rc == 0) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    return absl::PermissionDeniedError(absl::StrCat(
        "certificate ", NameOrPlaceholder(SubjectString(leaf)), " issued by ",
        NameOrPlaceholder(IssuerString(leaf)), " does not chain to a CA in ",
        source_, ": ", X509_verify_cert_error_string(err), " (depth ",
        X509_STORE_CTX_get_error_depth(ctx.get()), ")"));
  }
  VerifiedChain out;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    out.chain_subjects.push_back(SubjectString(sk_X509_value(chain, i)));
  }
  if (!out.chain_subjects.empty())
    out.anchor_subject = out.chain_subjects.back();
  return out;
}

}  // namespace candor::crypto
