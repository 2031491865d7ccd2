#include "lib/crypto/digest.h"

#include <openssl/sha.h>

#include <string>

#include "lib/crypto/ossl_error.h"

namespace candor::crypto {
namespace {

// The low-level one-shot functions (not deprecated in OpenSSL 3) skip the
// provider fetch that EVP_Digest does on every call.
using OneShot = unsigned char* (*)(const unsigned char*, size_t,
                                   unsigned char*);

std::string Run(OneShot fn, size_t size, absl::string_view data) {
  std::string out(size, '\0');
  fn(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
     reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

absl::StatusOr<std::string> Digest(const EVP_MD* md, absl::string_view data) {
  if (md == nullptr) {
    return absl::InvalidArgumentError("Digest: no digest algorithm given");
  }
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    std::string("EVP_Digest(") + EVP_MD_get0_name(md) + ")");
  }
  return std::string(reinterpret_cast<const char*>(buf), len);
}

std::string Sha1(absl::string_view data) {
  return Run(SHA1, SHA_DIGEST_LENGTH, data);
}
std::string Sha256(absl::string_view data) {
  return Run(SHA256, SHA256_DIGEST_LENGTH, data);
}
std::string Sha384(absl::string_view data) {
  return Run(SHA384, SHA384_DIGEST_LENGTH, data);
}
std::string Sha512(absl::string_view data) {
  return Run(SHA512, SHA512_DIGEST_LENGTH, data);
}

}  // namespace candor::crypto
