// File: tools/ima/file_signer.h
//
// Signs file digests the way evmctl does for the security.ima xattr, giving
// the ima-sig template's sig field: IMA digital signature v2 (type 0x03,
// version 2, the kernel's hash_algo id, the key's 4-byte keyid, be16 size,
// signature), lib/ima/signature.h. RSA keys sign PKCS#1 v1.5 over the
// digest (DigestInfo of the algorithm); EC keys ECDSA (DER Ecdsa-Sig-Value).
// The keyid is lib/ima KeyIdV2 of the public key (the last 4 bytes of SHA-1
// over the SubjectPublicKey bits, which is also the SKI openssl puts in a
// certificate), unless overridden (to emulate a signature by an unknown key).
//
// The key is read straight from its file into OpenSSL (no copy of the PEM is
// kept); it is never logged. Move-only; Sign is const and thread-safe.
#ifndef CANDOR_TOOLS_IMA_FILE_SIGNER_H_
#define CANDOR_TOOLS_IMA_FILE_SIGNER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/ima/hash_algo.h"

namespace candor::tools {

class FileSigner {
 public:
  // A PEM private key file (PKCS#8 or traditional; RSA or EC). NOT_FOUND /
  // INVALID_ARGUMENT naming the file when it cannot be read, is not a PEM
  // private key, or holds another key type.
  static absl::StatusOr<FileSigner> FromPemFile(
      const std::string& path, std::optional<uint32_t> keyid = std::nullopt);

  uint32_t keyid() const { return keyid_; }
  bool is_rsa() const { return rsa_; }

  // The sig field for a file whose `algo` digest is `digest` (raw).
  // INVALID_ARGUMENT when the digest size does not fit the algorithm or the
  // kernel has no id for it; INTERNAL with OpenSSL's reason when signing
  // fails.
  absl::StatusOr<std::string> Sign(ima::HashAlgo algo,
                                   absl::string_view digest) const;

 private:
  FileSigner(crypto::OsslPtr<EVP_PKEY> key, uint32_t keyid, bool rsa)
      : key_(std::move(key)), keyid_(keyid), rsa_(rsa) {}

  crypto::OsslPtr<EVP_PKEY> key_;
  uint32_t keyid_;
  bool rsa_;
};

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_FILE_SIGNER_H_
