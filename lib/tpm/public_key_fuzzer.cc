// Fuzzes TPM2B_PUBLIC parsing (input from agents, over the network) and the
// steps applied to a parsed key: name computation and conversion to EVP_PKEY.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/tpm/public_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto pub = candor::tpm::ParseTpm2bPublic(in);
  if (!pub.ok()) return 0;
  (void)candor::tpm::ComputeName(pub->publicArea);
  (void)candor::tpm::PublicToEvpPkey(pub->publicArea);
  std::string again = candor::tpm::MarshalTpm2bPublic(*pub);
  if (again != std::string(in)) __builtin_trap();  // parse is exact
  return 0;
}
