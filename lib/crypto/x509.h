// File: lib/crypto/x509.h
//
// X.509 certificates: parsing, names, public keys, and chain verification
// against a directory of CA certificates (the registrar's EK CA directory, the
// Candor CA).
//
//   ABSL_ASSIGN_OR_RETURN(CaStore cas,
//   CaStore::LoadDirectory("/etc/candor/ek-ca"));
//   ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> ek_cert, ParseCertificate(der));
//   ABSL_ASSIGN_OR_RETURN(VerifiedChain chain, cas.Verify(ek_cert.get()));
//   // chain.anchor_subject == "CN=swtpm-localca-rootca"
//
// Verification is purpose-agnostic: no EKU or key-usage purpose is required
// of the leaf, so TPM EK certificates (EKU 2.23.133.8.1, critical SAN with a
// directoryName) verify like `openssl verify`. Validity periods, signatures
// and CA basic constraints of the chain are checked; CRLs are not.
#ifndef CANDOR_LIB_CRYPTO_X509_H_
#define CANDOR_LIB_CRYPTO_X509_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::crypto {

// Parses exactly one certificate, DER first, then PEM. For DER no byte may
// follow the certificate; for PEM, text before the BEGIN line is allowed and
// only whitespace after the END line. INVALID_ARGUMENT otherwise, saying which
// encoding was tried and the OpenSSL reason. The caller owns the result.
absl::StatusOr<OsslPtr<X509>> ParseCertificate(absl::string_view der_or_pem);

// The DER and PEM encodings of `cert`. INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> CertificateToDer(const X509* cert);
absl::StatusOr<std::string> CertificateToPem(const X509* cert);

// One-line RFC 2253 form ("CN=leaf,O=Candor"), UTF-8 kept, control characters
// escaped. "" for a null certificate.
std::string SubjectString(const X509* cert);
std::string IssuerString(const X509* cert);

// The certificate's public key (a new reference; the caller owns it).
// INVALID_ARGUMENT if the key cannot be decoded (unsupported algorithm).
absl::StatusOr<OsslPtr<EVP_PKEY>> CertificatePublicKey(const X509* cert);

// What a successful CaStore::Verify found.
struct VerifiedChain {
  // Subject of the trust anchor the chain ends in (RFC 2253).
  std::string anchor_subject;
  // Subjects from the leaf (first) to the anchor (last).
  std::vector<std::string> chain_subjects;
};

// A set of trust anchors (self-signed CA certificates) plus untrusted
// intermediates. Immutable after loading; Verify may be called from many
// threads at once. Move-only.
class CaStore {
 public:
  // Reads every *.pem, *.crt, *.cer and *.der file (any case) in `dir`, not
  // recursively; other files are ignored. A file's content decides its
  // encoding: PEM (may hold several certificates; other PEM blocks such as keys
  // are skipped) or DER (exactly one certificate). Self-signed certificates
  // become trust anchors, the others untrusted intermediates.
  // Errors: NOT_FOUND if `dir` cannot be listed; INVALID_ARGUMENT naming the
  // file if one cannot be read or parsed or holds no certificate;
  // FAILED_PRECONDITION naming `dir` if it holds no certificate or no anchor.
  static absl::StatusOr<CaStore> LoadDirectory(const std::string& dir);

  // As LoadDirectory, from certificates already parsed (e.g. a PEM bundle).
  // `source` names them in error messages. Takes a reference to each.
  static absl::StatusOr<CaStore> FromCertificates(absl::Span<X509* const> certs,
                                                  const std::string& source);

  // Verifies that `leaf` chains to one of the anchors, using the store's
  // intermediates plus `extra_intermediates` (untrusted, not owned). Returns
  // the chain on success; PERMISSION_DENIED otherwise, naming the leaf's
  // subject and issuer, the store's source and OpenSSL's verify error, e.g.
  //   "certificate CN=unknown issued by CN=foo does not chain to a CA in
  //    /etc/candor/ek-ca: unable to get local issuer certificate (depth 0)".
  // INVALID_ARGUMENT for a null leaf; INTERNAL if OpenSSL itself fails.
  absl::StatusOr<VerifiedChain> Verify(
      X509* leaf, absl::Span<X509* const> extra_intermediates = {}) const;

  // Where the certificates came from (the directory for LoadDirectory).
  const std::string& source() const { return source_; }
  size_t anchor_count() const { return anchor_count_; }
  size_t intermediate_count() const;

 private:
  CaStore(OsslPtr<X509_STORE> store, OsslPtr<STACK_OF(X509)> intermediates,
          size_t anchor_count, std::string source)
      : store_(std::move(store)),
        intermediates_(std::move(intermediates)),
        anchor_count_(anchor_count),
        source_(std::move(source)) {}

  OsslPtr<X509_STORE> store_;              // the anchors
  OsslPtr<STACK_OF(X509)> intermediates_;  // untrusted
  size_t anchor_count_;
  std::string source_;
};

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_X509_H_
