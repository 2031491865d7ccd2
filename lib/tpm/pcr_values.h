// File: lib/tpm/pcr_values.h
//
// PCR values and selections as plain C++ values, shared by everything that
// reads, quotes, replays or checks PCRs (lib/tpm, lib/quote, lib/ima,
// lib/eventlog, lib/policy). No ESAPI. Banks are TPM_ALG_IDs
// (TPM2_ALG_SHA1, TPM2_ALG_SHA256, …); digests are raw bytes of the bank's
// digest size.
#ifndef CANDOR_LIB_TPM_PCR_VALUES_H_
#define CANDOR_LIB_TPM_PCR_VALUES_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::tpm {

inline constexpr uint32_t kNumPcrs = 24;  // PC Client platform: PCR 0..23

// PCR index -> value, ordered by index.
using PcrBank = std::map<uint32_t, std::string>;
// Bank (TPM2_ALG_ID) -> its PCRs.
using PcrValues = std::map<TPM2_ALG_ID, PcrBank>;

// The PCRs selected in one bank, ascending, without duplicates.
struct BankSelection {
  TPM2_ALG_ID bank = TPM2_ALG_SHA256;
  std::vector<uint32_t> pcrs;
  bool operator==(const BankSelection& o) const {
    return bank == o.bank && pcrs == o.pcrs;
  }
};
// A selection over several banks, in the order the TPM lists them.
using PcrSelection = std::vector<BankSelection>;

// Digests for one PCR extend, one per bank (TPML_DIGEST_VALUES).
using PcrDigests = std::map<TPM2_ALG_ID, std::string>;

// One extend: `digests` into PCR `pcr`.
struct PcrExtend {
  uint32_t pcr = 0;
  PcrDigests digests;
};

// Digest size of a bank's hash: 20, 32, 48, 64 (SM3: 32). INVALID_ARGUMENT for
// anything else, naming the algorithm id.
absl::StatusOr<size_t> BankDigestSize(TPM2_ALG_ID bank);

// "sha1", "sha256", "sha384", "sha512", "sm3_256"; "alg_0x%04x" otherwise.
std::string BankName(TPM2_ALG_ID bank);

// Inverse of BankName for the five known names (case-insensitive).
absl::StatusOr<TPM2_ALG_ID> ParseBankName(absl::string_view name);

// TPML_PCR_SELECTION <-> PcrSelection. FromTpml fails (INVALID_ARGUMENT) on
// a sizeofSelect over 4 or an unknown bank; ToTpml on a PCR index >= 24.
absl::StatusOr<PcrSelection> SelectionFromTpml(const TPML_PCR_SELECTION& tpml);
absl::StatusOr<TPML_PCR_SELECTION> SelectionToTpml(const PcrSelection& sel);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_PCR_VALUES_H_
