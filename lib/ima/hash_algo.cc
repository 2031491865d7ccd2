#include "lib/ima/hash_algo.h"

#include "absl/strings/str_format.h"

namespace candor::ima {
namespace {

struct AlgoInfo {
  HashAlgo algo;
  absl::string_view name;    // kernel hash_algo_name[]
  size_t size;               // bytes
  int kernel_id;             // enum hash_algo
  const char* openssl_name;  // EVP_MD_fetch name
  TPM2_ALG_ID bank;          // TPM2_ALG_ERROR: no PCR bank
};

constexpr AlgoInfo kAlgos[] = {
    {HashAlgo::kMd5, "md5", 16, 1, "MD5", TPM2_ALG_ERROR},
    {HashAlgo::kSha1, "sha1", 20, 2, "SHA1", TPM2_ALG_SHA1},
    {HashAlgo::kSha224, "sha224", 28, 7, "SHA224", TPM2_ALG_ERROR},
    {HashAlgo::kSha256, "sha256", 32, 4, "SHA256", TPM2_ALG_SHA256},
    {HashAlgo::kSha384, "sha384", 48, 5, "SHA384", TPM2_ALG_SHA384},
    {HashAlgo::kSha512, "sha512", 64, 6, "SHA512", TPM2_ALG_SHA512},
    {HashAlgo::kSm3, "sm3", 32, 17, "SM3", TPM2_ALG_SM3_256},
    {HashAlgo::kSha3_256, "sha3-256", 32, 20, "SHA3-256", TPM2_ALG_ERROR},
    {HashAlgo::kSha3_384, "sha3-384", 48, 21, "SHA3-384", TPM2_ALG_ERROR},
    {HashAlgo::kSha3_512, "sha3-512", 64, 22, "SHA3-512", TPM2_ALG_ERROR},
};

const AlgoInfo* Info(HashAlgo algo) {
  for (const AlgoInfo& a : kAlgos) {
    if (a.algo == algo) return &a;
  }
  return nullptr;
}

}  // namespace

absl::string_view HashAlgoName(HashAlgo algo) {
  const AlgoInfo* a = Info(algo);
  return a == nullptr ? "unknown" : a->name;
}

size_t HashAlgoSize(HashAlgo algo) {
  const AlgoInfo* a = Info(algo);
  return a == nullptr ? 0 : a->size;
}

HashAlgo HashAlgoFromName(absl::string_view name) {
  // The common case first: this runs once per IMA line.
  if (name == "sha256") return HashAlgo::kSha256;
  for (const AlgoInfo& a : kAlgos) {
    if (a.name == name) return a.algo;
  }
  if (name == "sm3_256") return HashAlgo::kSm3;
  return HashAlgo::kUnknown;
}

HashAlgo HashAlgoFromKernelId(uint8_t id) {
  for (const AlgoInfo& a : kAlgos) {
    if (a.kernel_id == id) return a.algo;
  }
  return HashAlgo::kUnknown;
}

const char* HashAlgoOpensslName(HashAlgo algo) {
  const AlgoInfo* a = Info(algo);
  return a == nullptr ? nullptr : a->openssl_name;
}

TPM2_ALG_ID HashAlgoToBank(HashAlgo algo) {
  const AlgoInfo* a = Info(algo);
  return a == nullptr ? TPM2_ALG_ERROR : a->bank;
}

absl::StatusOr<HashAlgo> HashAlgoFromBank(TPM2_ALG_ID bank) {
  if (bank != TPM2_ALG_ERROR) {
    for (const AlgoInfo& a : kAlgos) {
      if (a.bank == bank) return a.algo;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("PCR bank 0x%04x is not a supported hash bank", bank));
}

HashAlgo HashAlgoForBareDigestSize(size_t size) {
  switch (size) {
    case 16:
      return HashAlgo::kMd5;
    case 20:
      return HashAlgo::kSha1;
    case 32:
      return HashAlgo::kSha256;
    case 48:
      return HashAlgo::kSha384;
    case 64:
      return HashAlgo::kSha512;
    default:
      return HashAlgo::kUnknown;
  }
}

}  // namespace candor::ima
