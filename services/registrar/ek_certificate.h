// File: services/registrar/ek_certificate.h
//
// Parsing EK certificates as TPMs store them, tolerating what real vendor
// certificates do (Keylime KL#1775: Nuvoton certificates that are not strict
// DER, rejected by Keylime's strict parser; NV indexes padded after the
// certificate):
//   - anything OpenSSL's d2i_X509 decodes is accepted, even when it is BER
//     rather than DER (non-minimal lengths, BOOLEAN TRUE not 0xFF, ...). The
//     signature is still checked over the bytes as they are (OpenSSL keeps
//     the original TBSCertificate encoding), so leniency never weakens the
//     chain check;
//   - bytes after the certificate are accepted when they are all 0x00 or all
//     0xFF (NV padding); anything else after it is INVALID_ARGUMENT.
// What was tolerated is reported in `leniency` for the registrar's log: the
// padding, and deviations from DER that OpenSSL's encoder normalizes
// (non-minimal lengths, ...); a BER BOOLEAN is accepted but not reported
// (OpenSSL re-encodes it as it was). PEM is refused: the contract is DER.
// Pure and thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_EK_CERTIFICATE_H_
#define CANDOR_SERVICES_REGISTRAR_EK_CERTIFICATE_H_

#include <openssl/x509.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::registrar {

struct ParsedEkCertificate {
  crypto::OsslPtr<X509> cert;
  std::string leniency;  // "" or e.g. "16 bytes of 0xff padding ignored"
};

// INVALID_ARGUMENT (saying why and at which byte offset) when `der` is empty,
// PEM, not a certificate, or followed by bytes that are not padding.
absl::StatusOr<ParsedEkCertificate> ParseEkCertificate(absl::string_view der);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_EK_CERTIFICATE_H_
