#include "lib/eventlog/hashing.h"

#include <cstring>

namespace candor::eventlog {
namespace {

const EVP_MD* Fetch(const char* name) {
  // Deliberately never freed: one fetched EVP_MD per algorithm per process.
  return EVP_MD_fetch(nullptr, name, nullptr);
}

}  // namespace

const EVP_MD* BankMd(TPM2_ALG_ID bank) {
  static const EVP_MD* sha1 = Fetch("SHA1");
  static const EVP_MD* sha256 = Fetch("SHA256");
  static const EVP_MD* sha384 = Fetch("SHA384");
  static const EVP_MD* sha512 = Fetch("SHA512");
  static const EVP_MD* sm3 = Fetch("SM3");
  switch (bank) {
    case TPM2_ALG_SHA1:
      return sha1;
    case TPM2_ALG_SHA256:
      return sha256;
    case TPM2_ALG_SHA384:
      return sha384;
    case TPM2_ALG_SHA512:
      return sha512;
    case TPM2_ALG_SM3_256:
      return sm3;
    default:
      return nullptr;
  }
}

bool HashForBank(TPM2_ALG_ID bank, absl::string_view data, std::string* out) {
  const EVP_MD* md = BankMd(bank);
  if (md == nullptr) return false;
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) {
    return false;
  }
  out->assign(reinterpret_cast<const char*>(buf), len);
  return true;
}

bool ExtendPcr(TPM2_ALG_ID bank, std::string* pcr, absl::string_view digest) {
  const EVP_MD* md = BankMd(bank);
  if (md == nullptr) return false;
  unsigned char in[2 * EVP_MAX_MD_SIZE];
  if (pcr->size() > EVP_MAX_MD_SIZE || digest.size() > EVP_MAX_MD_SIZE) {
    return false;
  }
  std::memcpy(in, pcr->data(), pcr->size());
  std::memcpy(in + pcr->size(), digest.data(), digest.size());
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(in, pcr->size() + digest.size(), buf, &len, md, nullptr) !=
      1) {
    return false;
  }
  pcr->assign(reinterpret_cast<const char*>(buf), len);
  return true;
}

}  // namespace candor::eventlog
