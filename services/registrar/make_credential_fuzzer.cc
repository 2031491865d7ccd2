// Fuzzes the path an agent's ek_public takes in Register: strict
// TPM2B_PUBLIC parsing, the storage-key checks and MakeCredential itself.
// Never crashes; any EK that passes the checks yields well-formed output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/tpm/public_key.h"
#include "services/registrar/make_credential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ek = candor::tpm::ParseTpm2bPublic(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!ek.ok() || !candor::registrar::CheckCredentialEk(ek->publicArea).ok()) {
    return 0;
  }
  const std::string name = std::string("\x00\x0b", 2) + std::string(32, 'n');
  auto out = candor::registrar::MakeCredential(ek->publicArea, name,
                                               std::string(32, 'c'));
  if (out.ok() && (out->credential_blob.size() < 4 ||
                   out->encrypted_secret.size() < 4)) {
    __builtin_trap();
  }
  return 0;
}
