#include "services/registrar/ek_certificate.h"

#include <openssl/asn1.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/ossl_error.h"

namespace candor::registrar {
namespace {

using crypto::OsslPtr;

// Decodes one certificate from the front of `data`; sets `used`.
OsslPtr<X509> Decode(absl::string_view data, size_t& used) {
  const auto* start = reinterpret_cast<const unsigned char*>(data.data());
  const unsigned char* p = start;
  OsslPtr<X509> cert(
      d2i_X509(nullptr, &p, static_cast<long>(data.size())));  // NOLINT
  used = cert == nullptr ? 0 : static_cast<size_t>(p - start);
  return cert;
}

// The raw TBSCertificate TLV inside the certificate's outer SEQUENCE, as it
// was encoded (BER allowed). Empty if it cannot be located.
absl::string_view RawTbs(absl::string_view cert) {
  const auto* start = reinterpret_cast<const unsigned char*>(cert.data());
  const unsigned char* p = start;
  long len = 0;  // NOLINT(runtime/int)
  int tag = 0, cls = 0;
  int r = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(cert.size()));
  if (r & 0x80) return {};
  const unsigned char* tbs = p;
  r = ASN1_get_object(&p, &len, &tag, &cls,
                      static_cast<long>(cert.size() - (p - start)));
  if ((r & 0x80) || (r & 0x01)) return {};  // error or indefinite length
  const size_t size = static_cast<size_t>(p - tbs) + static_cast<size_t>(len);
  if (static_cast<size_t>(tbs - start) + size > cert.size()) return {};
  return cert.substr(static_cast<size_t>(tbs - start), size);
}

size_t FirstDifference(absl::string_view a, absl::string_view b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

// Why `cert_bytes` (exactly one certificate) is not strict DER, or "".
std::string DerDeviation(absl::string_view cert_bytes, X509* cert) {
  std::vector<std::string> notes;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len > 0) {
    absl::string_view again(reinterpret_cast<char*>(der),
                            static_cast<size_t>(len));
    if (again != cert_bytes) {
      notes.push_back(
          absl::StrCat("the certificate is not strict DER (its "
                       "DER re-encoding differs from byte ",
                       FirstDifference(again, cert_bytes), ")"));
    }
    OPENSSL_free(der);
  }
  // The TBSCertificate is kept as encoded for the signature; re-encode a
  // separate copy to see whether it is DER.
  absl::string_view tbs = RawTbs(cert_bytes);
  size_t used = 0;
  OsslPtr<X509> copy = Decode(cert_bytes, used);
  unsigned char* tbs_der = nullptr;
  int tbs_len = copy == nullptr ? -1 : i2d_re_X509_tbs(copy.get(), &tbs_der);
  if (tbs_len > 0 && !tbs.empty()) {
    absl::string_view again(reinterpret_cast<char*>(tbs_der),
                            static_cast<size_t>(tbs_len));
    if (again != tbs) {
      notes.push_back(absl::StrCat(
          "the TBSCertificate is not strict DER (first difference at its byte ",
          FirstDifference(again, tbs),
          "); its signature is checked over the "
          "bytes as sent"));
    }
  }
  OPENSSL_free(tbs_der);
  return absl::StrJoin(notes, "; ");
}

}  // namespace

absl::StatusOr<ParsedEkCertificate> ParseEkCertificate(absl::string_view der) {
  if (der.empty()) {
    return absl::InvalidArgumentError("EK certificate is empty");
  }
  if (absl::StartsWith(der, "-----BEGIN")) {
    return absl::InvalidArgumentError(
        "EK certificate is PEM; the contract is DER X.509 as read from TPM NV");
  }
  size_t used = 0;
  OsslPtr<X509> cert = Decode(der, used);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("EK certificate (", der.size(),
                     " bytes) does not parse as X.509: d2i_X509: ",
                     crypto::DrainSslErrors()));
  }
  ParsedEkCertificate out;
  std::vector<std::string> notes;
  if (used < der.size()) {
    absl::string_view tail = der.substr(used);
    const char pad = tail[0];
    const bool padding =
        (pad == '\0' || pad == '\xff') &&
        std::all_of(tail.begin(), tail.end(), [&](char c) { return c == pad; });
    if (!padding) {
      return absl::InvalidArgumentError(
          absl::StrCat("EK certificate: ", tail.size(),
                       " bytes follow the certificate at "
                       "byte offset ",
                       used, " and are not 0x00 or 0xff padding"));
    }
    notes.push_back(absl::StrCat(tail.size(), " bytes of 0x",
                                 pad == '\0' ? "00" : "ff",
                                 " padding after the certificate ignored"));
  }
  std::string deviation = DerDeviation(der.substr(0, used), cert.get());
  if (!deviation.empty()) notes.push_back(std::move(deviation));
  out.cert = std::move(cert);
  out.leniency = absl::StrJoin(notes, "; ");
  return out;
}

}  // namespace candor::registrar
