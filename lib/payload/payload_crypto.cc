#include "lib/payload/payload_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::payload {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

absl::Status CheckKey(const crypto::SecretBytes& key, absl::string_view what) {
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": key is ", key.size(), " bytes, want ", kKeySize));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ComputeAuthTag(const crypto::SecretBytes& key,
                                           absl::string_view agent_id) {
  if (absl::Status s = CheckKey(key, "ComputeAuthTag"); !s.ok()) return s;
  OsslPtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (mac == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_fetch(HMAC)");
  OsslPtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac.get()));
  if (ctx == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_CTX_new");
  char digest[] = "SHA384";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.u8data(), key.size(), params) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_init");
  }
  if (EVP_MAC_update(ctx.get(),
                     reinterpret_cast<const unsigned char*>(agent_id.data()),
                     agent_id.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_update");
  }
  std::string tag(kAuthTagSize, '\0');
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(tag.data()),
                    &len, tag.size()) != 1 ||
      len != kAuthTagSize) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_final");
  }
  return tag;
}

absl::StatusOr<std::string> GcmSeal(const crypto::SecretBytes& key,
                                    absl::string_view plaintext) {
  if (absl::Status s = CheckKey(key, "GcmSeal"); !s.ok()) return s;
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - 64) {
    return absl::InvalidArgumentError("GcmSeal: plaintext too large");
  }
  std::string out(kGcmIvSize + plaintext.size() + kGcmTagSize, '\0');
  auto* iv = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(iv, kGcmIvSize) != 1) {
    return SslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.u8data(), iv,
                          nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_EncryptInit_ex2");
  }
  int len = 0;
  unsigned char* ct = iv + kGcmIvSize;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(
          ctx.get(), ct, &len,
          reinterpret_cast<const unsigned char*>(plaintext.data()),
          static_cast<int>(plaintext.size())) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_EncryptUpdate");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ct + len, &final_len) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_EncryptFinal_ex");
  }
  if (static_cast<size_t>(len + final_len) != plaintext.size()) {
    return absl::InternalError("GcmSeal: unexpected ciphertext length");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                          ct + plaintext.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_CTRL_GCM_GET_TAG");
  }
  return out;
}

absl::StatusOr<crypto::SecretBytes> GcmOpen(const crypto::SecretBytes& key,
                                            absl::string_view envelope) {
  if (absl::Status s = CheckKey(key, "GcmOpen"); !s.ok()) return s;
  if (envelope.size() < kGcmIvSize + kGcmTagSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "encrypted payload is ", envelope.size(), " bytes, shorter than iv (",
        kGcmIvSize, ") + GCM tag (", kGcmTagSize, ")"));
  }
  if (envelope.size() > static_cast<size_t>(INT_MAX) - 64) {
    return absl::InvalidArgumentError("encrypted payload too large");
  }
  const auto* iv = reinterpret_cast<const unsigned char*>(envelope.data());
  const unsigned char* ct = iv + kGcmIvSize;
  const size_t ct_len = envelope.size() - kGcmIvSize - kGcmTagSize;
  // The GCM tag ctrl takes a non-const pointer; copy it.
  unsigned char tag[kGcmTagSize];
  std::copy(ct + ct_len, ct + ct_len + kGcmTagSize, tag);

  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.u8data(), iv,
                          nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DecryptInit_ex2");
  }
  crypto::SecretBytes plain(ct_len);
  int len = 0;
  if (ct_len > 0 && EVP_DecryptUpdate(ctx.get(), plain.u8data(), &len, ct,
                                      static_cast<int>(ct_len)) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DecryptUpdate");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag) !=
      1) {
    return SslError(absl::StatusCode::kInternal, "EVP_CTRL_GCM_SET_TAG");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.u8data() + len, &final_len) != 1) {
    crypto::DrainSslErrors();
    return absl::PermissionDeniedError(
        "encrypted payload: AES-256-GCM tag does not verify (wrong key or "
        "tampered payload)");
  }
  return plain;
}

}  // namespace candor::payload
