#include "lib/payload/key_split.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/payload/archive_pack.h"
#include "lib/payload/payload_crypto.h"
#include "lib/status/status_macros.h"

namespace candor::payload {
namespace {

using crypto::OsslPtr;
using crypto::SecretBytes;
using crypto::SslError;

absl::StatusOr<SecretBytes> RandomKey() {
  SecretBytes key(kKeySize);
  if (RAND_bytes(key.u8data(), static_cast<int>(key.size())) != 1) {
    return SslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  return key;
}

absl::StatusOr<std::string> ReadRegularFile(const std::string& path,
                                            size_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload ", path, ": cannot open: ", std::strerror(errno)));
  }
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size || in.peek() != EOF) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload ", path, ": changed size while being read"));
  }
  return data;
}

}  // namespace

absl::StatusOr<KeySplit> SplitKey(absl::string_view agent_id,
                                  absl::string_view payload) {
  if (agent_id.empty()) {
    return absl::InvalidArgumentError("SplitKey: empty agent id");
  }
  if (payload.size() > kMaxPayloadSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("SplitKey: payload is ", payload.size(),
                     " bytes, more than the limit of ", kMaxPayloadSize));
  }
  ABSL_ASSIGN_OR_RETURN(SecretBytes k, RandomKey());
  KeySplit split;
  ABSL_ASSIGN_OR_RETURN(split.u, RandomKey());
  split.v = SecretBytes(kKeySize);
  for (size_t i = 0; i < kKeySize; ++i) {
    split.v.data()[i] = static_cast<char>(k.data()[i] ^ split.u.data()[i]);
  }
  ABSL_ASSIGN_OR_RETURN(split.auth_tag, ComputeAuthTag(k, agent_id));
  if (!payload.empty()) {
    ABSL_ASSIGN_OR_RETURN(split.encrypted_payload, GcmSeal(k, payload));
  }
  return split;
}

absl::StatusOr<std::string> WrapShare(absl::string_view transport_spki_der,
                                      const SecretBytes& share) {
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key,
                        crypto::PublicKeyFromDer(transport_spki_der),
                        _ << "WrapShare: transport public key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError(
        "WrapShare: transport public key is not an RSA key");
  }
  if (EVP_PKEY_get_bits(key.get()) < 2048) {
    return absl::InvalidArgumentError(
        absl::StrCat("WrapShare: transport public key is RSA-",
                     EVP_PKEY_get_bits(key.get()), ", need at least 2048"));
  }
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_CTX_new_from_pkey");
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
  if (EVP_PKEY_encrypt_init_ex(ctx.get(), params) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_encrypt_init_ex");
  }
  size_t out_len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len, share.u8data(),
                       share.size()) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument, "EVP_PKEY_encrypt");
  }
  std::string out(out_len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                       &out_len, share.u8data(), share.size()) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument, "EVP_PKEY_encrypt");
  }
  out.resize(out_len);
  return out;
}

absl::StatusOr<std::string> ReadPayload(const std::string& file_or_dir) {
  struct stat st;
  if (::stat(file_or_dir.c_str(), &st) != 0) {
    const int err = errno;
    std::string msg =
        absl::StrCat("payload ", file_or_dir, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg)
                         : absl::InvalidArgumentError(msg);
  }
  if (S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > kMaxPayloadSize) {
      return absl::ResourceExhaustedError(
          absl::StrCat("payload ", file_or_dir, " is ", st.st_size,
                       " bytes, more than the limit of ", kMaxPayloadSize));
    }
    return ReadRegularFile(file_or_dir, static_cast<size_t>(st.st_size));
  }
  if (S_ISDIR(st.st_mode)) {
    return PackDirectory(file_or_dir, kMaxPayloadSize);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "payload ", file_or_dir, ": neither a regular file nor a directory"));
}

}  // namespace candor::payload
