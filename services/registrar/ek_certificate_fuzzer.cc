// Fuzzes ParseEkCertificate (EK certificates come from any agent): never
// crashes, and whatever it accepts is a certificate OpenSSL can re-encode.
#include <cstddef>
#include <cstdint>

#include "services/registrar/ek_certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = candor::registrar::ParseEkCertificate(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed.ok() && i2d_X509(parsed->cert.get(), nullptr) <= 0) {
    __builtin_trap();
  }
  return 0;
}
