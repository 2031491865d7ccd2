#include "lib/crypto/keys.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"

namespace candor::crypto {

bool PublicKeysEqual(const EVP_PKEY* a, const EVP_PKEY* b) {
  if (a == nullptr || b == nullptr) return false;
  bool equal = EVP_PKEY_eq(a, b) == 1;
  ERR_clear_error();  // a type mismatch leaves an error behind
  return equal;
}

absl::StatusOr<std::string> PublicKeyToDer(const EVP_PKEY* key) {
  if (key == nullptr) {
    return absl::InvalidArgumentError("PublicKeyToDer: no key given");
  }
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return SslError(absl::StatusCode::kInternal, "i2d_PUBKEY");
  std::string der(static_cast<size_t>(len), '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(key, &p) != len) {
    return SslError(absl::StatusCode::kInternal, "i2d_PUBKEY");
  }
  return der;
}

absl::StatusOr<OsslPtr<EVP_PKEY>> PublicKeyFromDer(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (key == nullptr) {
    return SslError(absl::StatusCode::kInvalidArgument,
                    "d2i_PUBKEY: not a DER SubjectPublicKeyInfo");
  }
  size_t used = p - reinterpret_cast<const unsigned char*>(der.data());
  if (used != der.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("PublicKeyFromDer: ", der.size() - used,
                     " trailing bytes after the SubjectPublicKeyInfo"));
  }
  return key;
}

}  // namespace candor::crypto
