// File: lib/ima/hash_algo.h
//
// The hash algorithms that appear in IMA logs, IMA signatures and runtime
// policies, with the names and ids each format uses:
//   - the kernel's hash_algo_name[] ("sha256", "sm3", "sha3-256"), printed in
//     d-ng fields as "<name>:<hex>";
//   - the kernel's enum hash_algo id (include/uapi/linux/hash_info.h), the
//     hash_algo byte of an IMA signature_v2_hdr;
//   - Keylime's policy names ("sm3_256" as well as "sm3");
//   - the TPM_ALG_ID of the PCR bank of the same hash, if there is one.
// Pure functions over a static table; thread-safe.
#ifndef CANDOR_LIB_IMA_HASH_ALGO_H_
#define CANDOR_LIB_IMA_HASH_ALGO_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::ima {

// Largest digest any supported algorithm produces (SHA-512, SHA3-512).
inline constexpr size_t kMaxDigestSize = 64;

enum class HashAlgo : uint8_t {
  kUnknown = 0,
  kMd5,
  kSha1,
  kSha224,
  kSha256,
  kSha384,
  kSha512,
  kSm3,
  kSha3_256,
  kSha3_384,
  kSha3_512,
};

// The kernel's name ("sha256"); "unknown" for kUnknown.
absl::string_view HashAlgoName(HashAlgo algo);

// Digest size in bytes; 0 for kUnknown.
size_t HashAlgoSize(HashAlgo algo);

// The algorithm a d-ng field or a policy "alg:" prefix names: the kernel's
// names, plus "sm3_256" (Keylime's name for SM3). Case-sensitive, as the
// kernel prints them. kUnknown for anything else.
HashAlgo HashAlgoFromName(absl::string_view name);

// The algorithm of the kernel's enum hash_algo value `id` (signature_v2_hdr
// hash_algo byte); kUnknown for ids Candor does not support.
HashAlgo HashAlgoFromKernelId(uint8_t id);

// The OpenSSL digest name ("SHA256", "SM3", "SHA3-256"), for EVP_MD_fetch.
// nullptr for kUnknown.
const char* HashAlgoOpensslName(HashAlgo algo);

// The PCR bank of the same hash (TPM2_ALG_SHA256 ...); TPM2_ALG_ERROR when
// there is none (MD5, SHA-224, SHA3-*).
TPM2_ALG_ID HashAlgoToBank(HashAlgo algo);

// The hash of a PCR bank. INVALID_ARGUMENT for banks other than SHA-1,
// SHA-256, SHA-384, SHA-512 and SM3-256, naming the bank.
absl::StatusOr<HashAlgo> HashAlgoFromBank(TPM2_ALG_ID bank);

// The algorithm a bare hex digest of `size` bytes is taken to use when no
// "alg:" prefix says otherwise (runtime policies, the legacy 'ima'
// template): 16 MD5, 20 SHA-1, 32 SHA-256, 48 SHA-384, 64 SHA-512;
// kUnknown for other sizes. (SM3 digests are 32 bytes too: write them
// "sm3:<hex>".)
HashAlgo HashAlgoForBareDigestSize(size_t size);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_HASH_ALGO_H_
