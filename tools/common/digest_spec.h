// File: tools/common/digest_spec.h
//
// What an operator passes for "the digest of something measured into PCRs"
// (a kernel, an initrd, a firmware volume), in one of three forms:
//   sha256:HEX[,sha1:HEX,...]  these digests; a bank not listed gets
//                              H_bank(the first listed digest's bytes)
//   file:PATH                  H_bank(the contents of PATH)
//   text:LABEL                 H_bank(LABEL): a stand-in for "version LABEL
//                              of this component"
// Resolving a spec gives one digest per PCR bank. Thread-safe.
#ifndef CANDOR_TOOLS_COMMON_DIGEST_SPEC_H_
#define CANDOR_TOOLS_COMMON_DIGEST_SPEC_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::tools {

struct DigestSpec {
  enum class Kind { kDigests, kFile, kText };
  Kind kind = Kind::kText;
  // kDigests: (bank, raw digest) in the order given.
  std::vector<std::pair<TPM2_ALG_ID, std::string>> digests;
  // kFile: the path; kText: the label.
  std::string value;

  static DigestSpec Text(absl::string_view label) {
    DigestSpec s;
    s.value = std::string(label);
    return s;
  }
};

// INVALID_ARGUMENT naming `text` when it has none of the three forms, a bank
// is unknown or repeated, the hex is bad or has the wrong size for the bank.
absl::StatusOr<DigestSpec> ParseDigestSpec(absl::string_view text);

// H_bank(data), raw. INVALID_ARGUMENT for a bank other than SHA-1/256/384/512.
absl::StatusOr<std::string> BankHash(TPM2_ALG_ID bank, absl::string_view data);

// H_bank(data) for each bank.
absl::StatusOr<tpm::PcrDigests> HashInBanks(
    absl::string_view data, const std::vector<TPM2_ALG_ID>& banks);

// One digest per bank of `banks`. NOT_FOUND / INTERNAL naming the file for
// an unreadable file:PATH.
absl::StatusOr<tpm::PcrDigests> ResolveDigestSpec(
    const DigestSpec& spec, const std::vector<TPM2_ALG_ID>& banks);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_COMMON_DIGEST_SPEC_H_
