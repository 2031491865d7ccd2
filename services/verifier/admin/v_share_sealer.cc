#include "services/verifier/admin/v_share_sealer.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/common/file_util.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::verifier {
namespace {

constexpr unsigned char kVersion = 0x01;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr char kAad[] = "candor.verifier.v_share.v1";
constexpr char kHkdfSalt[] = "candor.verifier";
constexpr char kHkdfInfo[] = "v_share sealing key v1";

using crypto::OsslPtr;
using crypto::SecretBytes;
using crypto::SslError;

const unsigned char* U8(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Wipes a std::string that held key material.
void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

absl::StatusOr<VShareSealer> VShareSealer::FromKey(SecretBytes key) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "V share sealing key is ", key.size(), " bytes, expected ", kKeyBytes));
  }
  return VShareSealer(std::move(key));
}

absl::StatusOr<VShareSealer> VShareSealer::FromKeyFile(const std::string& path,
                                                       absl::string_view flag) {
  while (absl::ConsumePrefix(&flag, "-")) {
  }
  absl::StatusOr<std::string> raw = ReadFile(path);
  if (!raw.ok()) {
    return absl::Status(raw.status().code(),
                        absl::StrCat("--", flag, ": ", raw.status().message()));
  }
  std::string contents = std::move(*raw);
  SecretBytes key;
  if (contents.size() == kKeyBytes) {
    key = SecretBytes(contents);
  } else {
    absl::string_view hex = absl::StripAsciiWhitespace(contents);
    bool is_hex = hex.size() == 2 * kKeyBytes;
    for (char c : hex) is_hex = is_hex && absl::ascii_isxdigit(c);
    if (is_hex) {
      std::string bytes = absl::HexStringToBytes(hex);
      key = SecretBytes(bytes);
      Wipe(bytes);
    }
  }
  const size_t size = contents.size();
  Wipe(contents);
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": ", path, " holds ", size, " bytes; expected the ",
        kKeyBytes, "-byte key raw or as ", 2 * kKeyBytes, " hex digits"));
  }
  return VShareSealer(std::move(key));
}

absl::StatusOr<VShareSealer> VShareSealer::FromTlsKeyPem(
    const SecretBytes& key_pem) {
  if (key_pem.empty()) {
    return absl::InvalidArgumentError(
        "V share sealing key: the TLS private key PEM is empty");
  }
  OsslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (kdf == nullptr) return SslError(absl::StatusCode::kInternal, "HKDF");
  OsslPtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_KDF_CTX_new");
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        const_cast<char*>(key_pem.data()),
                                        key_pem.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                        const_cast<char*>(kHkdfSalt),
                                        sizeof(kHkdfSalt) - 1),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                        const_cast<char*>(kHkdfInfo),
                                        sizeof(kHkdfInfo) - 1),
      OSSL_PARAM_construct_end()};
  SecretBytes key(kKeyBytes);
  if (EVP_KDF_derive(ctx.get(), key.u8data(), key.size(), params) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_KDF_derive(HKDF)");
  }
  return VShareSealer(std::move(key));
}

absl::StatusOr<std::string> VShareSealer::Seal(const SecretBytes& v) const {
  std::string out(1 + kNonceBytes + v.size() + kTagBytes, '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kVersion;
  unsigned char* nonce = p + 1;
  unsigned char* ct = nonce + kNonceBytes;
  unsigned char* tag = ct + v.size();
  if (RAND_bytes(nonce, kNonceBytes) != 1) {
    return SslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_CIPHER_CTX_new");
  }
  int len = 0;
  if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.u8data(), nonce,
                          nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U8(kAad), sizeof(kAad) - 1) !=
          1 ||
      (!v.empty() && EVP_EncryptUpdate(ctx.get(), ct, &len, v.u8data(),
                                       static_cast<int>(v.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), ct + v.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) !=
          1) {
    return SslError(absl::StatusCode::kInternal, "AES-256-GCM seal");
  }
  return out;
}

absl::StatusOr<SecretBytes> VShareSealer::Open(absl::string_view sealed) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sealed V share is ", sealed.size(), " bytes, shorter than the ",
        1 + kNonceBytes + kTagBytes, "-byte minimum"));
  }
  if (static_cast<unsigned char>(sealed[0]) != kVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("sealed V share has unknown format version ",
                     static_cast<int>(static_cast<unsigned char>(sealed[0]))));
  }
  const unsigned char* nonce = U8(sealed) + 1;
  const size_t ct_size = sealed.size() - 1 - kNonceBytes - kTagBytes;
  const unsigned char* ct = nonce + kNonceBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; copy the tag.
  unsigned char tag[kTagBytes];
  std::copy(ct + ct_size, ct + ct_size + kTagBytes, tag);
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_CIPHER_CTX_new");
  }
  SecretBytes v(ct_size);
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.u8data(), nonce,
                          nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U8(kAad), sizeof(kAad) - 1) !=
          1 ||
      (ct_size > 0 && EVP_DecryptUpdate(ctx.get(), v.u8data(), &len, ct,
                                        static_cast<int>(ct_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) !=
          1) {
    return SslError(absl::StatusCode::kInternal, "AES-256-GCM open");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), v.u8data() + ct_size, &len) != 1) {
    crypto::DrainSslErrors();
    return absl::DataLossError(
        "sealed V share does not authenticate: tampered, or sealed under "
        "another key (did the V share sealing key change?)");
  }
  return v;
}

}  // namespace candor::verifier
