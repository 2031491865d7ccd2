#include "lib/payload/unsplit.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/payload/payload_crypto.h"
#include "lib/status/status_macros.h"

namespace candor::payload {

using crypto::OsslPtr;
using crypto::SecretBytes;

absl::StatusOr<SecretBytes> UnwrapShare(EVP_PKEY* transport_key,
                                        absl::string_view wrapped) {
  if (transport_key == nullptr) {
    return absl::FailedPreconditionError("UnwrapShare: no transport key");
  }
  if (wrapped.empty()) {
    return absl::InvalidArgumentError("share: empty");
  }
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, transport_key, nullptr));
  if (ctx == nullptr) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "EVP_PKEY_CTX_new_from_pkey");
  }
  char oaep[] = OSSL_PKEY_RSA_PAD_MODE_OAEP;
  char sha256[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_ASYM_CIPHER_PARAM_PAD_MODE, oaep, 0),
                         OSSL_PARAM_construct_utf8_string(
                             OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, sha256, 0),
                         OSSL_PARAM_construct_utf8_string(
                             OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, sha256, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_PKEY_decrypt_init_ex(ctx.get(), params) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "EVP_PKEY_decrypt_init_ex");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(wrapped.data());
  size_t out_len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &out_len, in, wrapped.size()) != 1) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "share: RSA-OAEP-SHA256 decryption");
  }
  SecretBytes share(out_len);
  if (EVP_PKEY_decrypt(ctx.get(), share.u8data(), &out_len, in,
                       wrapped.size()) != 1) {
    crypto::DrainSslErrors();
    return absl::InvalidArgumentError(
        "share: RSA-OAEP-SHA256 decryption with the transport key failed "
        "(not wrapped to this agent's transport key, or corrupted)");
  }
  share.resize(out_len);
  if (share.size() != kKeySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "share: decrypts to ", share.size(), " bytes, want ", kKeySize));
  }
  return share;
}

absl::StatusOr<SecretBytes> RecombineKey(const SecretBytes& u,
                                         const SecretBytes& v,
                                         absl::string_view agent_id,
                                         absl::string_view auth_tag) {
  if (u.size() != kKeySize || v.size() != kKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("shares are ", u.size(), " (U) and ", v.size(),
                     " (V) bytes, want ", kKeySize, " each"));
  }
  if (auth_tag.size() != kAuthTagSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "auth_tag is ", auth_tag.size(), " bytes, want ", kAuthTagSize));
  }
  SecretBytes k(kKeySize);
  for (size_t i = 0; i < kKeySize; ++i) {
    k.data()[i] = static_cast<char>(u.data()[i] ^ v.data()[i]);
  }
  ABSL_ASSIGN_OR_RETURN(std::string tag, ComputeAuthTag(k, agent_id));
  if (!crypto::ConstantTimeEquals(tag, auth_tag)) {
    return absl::PermissionDeniedError(
        "auth_tag does not match HMAC-SHA384(U xor V, agent id): the U and V "
        "shares are not from the same split for this agent");
  }
  return k;
}

absl::StatusOr<SecretBytes> DecryptPayload(const SecretBytes& k,
                                           absl::string_view encrypted) {
  return GcmOpen(k, encrypted);
}

}  // namespace candor::payload
