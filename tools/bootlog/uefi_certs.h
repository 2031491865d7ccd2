// File: tools/bootlog/uefi_certs.h
//
// The emulated platform's Secure Boot certificates, as the PK, KEK and db
// variables and shim's built-in vendor certificate hold them: RSA-2048,
// SHA-256 signatures, X.509 v3 with key identifiers, valid 2020-2050.
//   PK           "Candor Emulated Platform Key"   self-signed, CA
//   KEK          "Candor Emulated KEK CA"         signed by PK, CA
//   db           "Candor Emulated UEFI CA"        signed by KEK, CA
//   shim vendor  "Candor Emulated Distro Secure Boot CA"  signed by db
// The keys are fixed public test keys (uefi_test_keys.cc); serials and the
// subjects' serialNumber attribute come from the seed, so certificates are
// byte-identical for a seed and differ between seeds. Thread-safe.
#ifndef CANDOR_TOOLS_BOOTLOG_UEFI_CERTS_H_
#define CANDOR_TOOLS_BOOTLOG_UEFI_CERTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::tools {

struct UefiCertificates {
  std::string pk;  // DER
  std::string kek;
  std::string db;
  std::string shim_vendor;
};

// INTERNAL with OpenSSL's reason if building or signing fails.
absl::StatusOr<UefiCertificates> MakeUefiCertificates(absl::string_view seed);

namespace internal {
extern const char kPlatformKeyPem[];
extern const char kKekPem[];
extern const char kDbKeyPem[];
}  // namespace internal

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_UEFI_CERTS_H_
