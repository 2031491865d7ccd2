// Fuzzes certificate parsing (EK and TLS certificates come from agents) and
// the accessors used on a parsed certificate.
#include <cstddef>
#include <cstdint>

#include "lib/crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto cert = candor::crypto::ParseCertificate(in);
  if (!cert.ok()) return 0;
  (void)candor::crypto::SubjectString(cert->get());
  (void)candor::crypto::IssuerString(cert->get());
  (void)candor::crypto::CertificatePublicKey(cert->get());
  (void)candor::crypto::CertificateToDer(cert->get());
  return 0;
}
