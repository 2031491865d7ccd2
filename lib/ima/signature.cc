#include "lib/ima/signature.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::ima {

int KernelHashAlgoId(HashAlgo algo) {
  for (int id = 0; id < 256; ++id) {
    if (algo != HashAlgo::kUnknown &&
        HashAlgoFromKernelId(static_cast<uint8_t>(id)) == algo) {
      return id;
    }
  }
  return -1;
}

absl::StatusOr<SignatureV2> ParseSignatureV2(absl::string_view bytes) {
  if (bytes.size() < kDigsigHeaderSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMA signature has ", bytes.size(),
                     " bytes, less than its 9-byte header"));
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (p[0] != kDigsigType) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "IMA signature type 0x%02x is not 0x03 (EVM_IMA_XATTR_DIGSIG)", p[0]));
  }
  if (p[1] != kDigsigVersion2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA signature version ", p[1], " is not supported (only 2)"));
  }
  SignatureV2 s;
  s.algo = HashAlgoFromKernelId(p[2]);
  if (s.algo == HashAlgo::kUnknown) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMA signature hash algorithm ", p[2], " is unknown"));
  }
  s.keyid = (uint32_t{p[3]} << 24) | (uint32_t{p[4]} << 16) |
            (uint32_t{p[5]} << 8) | uint32_t{p[6]};
  const size_t sig_size = (size_t{p[7]} << 8) | size_t{p[8]};
  if (sig_size != bytes.size() - kDigsigHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA signature header says ", sig_size, " signature bytes, but ",
        bytes.size() - kDigsigHeaderSize, " follow"));
  }
  s.sig = bytes.substr(kDigsigHeaderSize);
  return s;
}

std::string SerializeSignatureV2(uint8_t kernel_hash_algo, uint32_t keyid,
                                 absl::string_view sig) {
  std::string out;
  out.push_back(static_cast<char>(kDigsigType));
  out.push_back(static_cast<char>(kDigsigVersion2));
  out.push_back(static_cast<char>(kernel_hash_algo));
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((keyid >> shift) & 0xFF));
  }
  out.push_back(static_cast<char>((sig.size() >> 8) & 0xFF));
  out.push_back(static_cast<char>(sig.size() & 0xFF));
  out.append(sig.data(), sig.size());
  return out;
}

}  // namespace candor::ima
