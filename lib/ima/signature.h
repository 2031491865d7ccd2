// File: lib/ima/signature.h
//
// IMA file signatures as the ima-sig template's sig field carries them: the
// security.ima xattr, i.e. a type byte followed by struct signature_v2_hdr
// (security/integrity/integrity.h), all integers big-endian:
//   type       1  0x03 (EVM_IMA_XATTR_DIGSIG)
//   version    1  2
//   hash_algo  1  the kernel's enum hash_algo of the signed file digest
//   keyid      4  last 4 bytes of the signing key's X.509 subject key id
//                 (or of SHA-1 over its SubjectPublicKey, see keyring.h)
//   sig_size   2  length of sig
//   sig        RSA PKCS#1 v1.5 over the file digest (DigestInfo with
//              hash_algo), or a DER ECDSA-Sig-Value over the file digest
// Version 3 signatures (over an ima_file_id, for fs-verity) and EVM portable
// signatures (type 5) are not verified: callers fall back to the digest
// allowlist, as for a missing key. Thread-safe.
#ifndef CANDOR_LIB_IMA_SIGNATURE_H_
#define CANDOR_LIB_IMA_SIGNATURE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/ima/hash_algo.h"

namespace candor::ima {

inline constexpr uint8_t kDigsigType = 0x03;  // EVM_IMA_XATTR_DIGSIG
inline constexpr uint8_t kDigsigVersion2 = 2;
inline constexpr size_t kDigsigHeaderSize = 9;

struct SignatureV2 {
  HashAlgo algo = HashAlgo::kUnknown;  // of the signed digest
  uint32_t keyid = 0;
  absl::string_view sig;  // into the parsed bytes
};

// Parses a sig field (raw bytes). INVALID_ARGUMENT, saying what, when the
// bytes are shorter than the header, the type is not 0x03, the version is not
// 2, the hash algorithm is unknown, or sig_size disagrees with the length.
absl::StatusOr<SignatureV2> ParseSignatureV2(absl::string_view bytes);

// Builds a sig field (for tests and tools): header + `sig`.
std::string SerializeSignatureV2(uint8_t kernel_hash_algo, uint32_t keyid,
                                 absl::string_view sig);

// The kernel's enum hash_algo value of `algo` (-1 for kUnknown).
int KernelHashAlgoId(HashAlgo algo);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_SIGNATURE_H_
