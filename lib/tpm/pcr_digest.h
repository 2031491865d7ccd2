// File: lib/tpm/pcr_digest.h
//
// PCR arithmetic in software, as the TPM does it (TPM 2.0 Part 1 §17):
// extend (new = H_bank(old || digest)), the quote's pcrDigest (H over the
// selected values, banks in selection order, PCRs ascending; Part 3 §18.4)
// and validation of extend requests. Pure (OpenSSL digests); thread-safe.
#ifndef CANDOR_LIB_TPM_PCR_DIGEST_H_
#define CANDOR_LIB_TPM_PCR_DIGEST_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::tpm {

// H_bank(old || digest). INVALID_ARGUMENT when either is not the bank's
// digest size or the bank is unknown.
absl::StatusOr<std::string> ExtendValue(TPM2_ALG_ID bank, absl::string_view old,
                                        absl::string_view digest);

// The selected values concatenated in selection order. INVALID_ARGUMENT
// naming the bank and PCR when `values` lacks one.
absl::StatusOr<std::string> ConcatSelectedPcrs(const PcrSelection& selection,
                                               const PcrValues& values);

// H_hash(ConcatSelectedPcrs(...)): what TPM2_Quote puts in pcrDigest when it
// signs with `hash`.
absl::StatusOr<std::string> QuotePcrDigest(TPMI_ALG_HASH hash,
                                           const PcrSelection& selection,
                                           const PcrValues& values);

// Checks a selection: known banks, each listed once, PCRs < 24 ascending
// without duplicates. INVALID_ARGUMENT naming the offender.
absl::Status ValidateSelection(const PcrSelection& selection);

// Checks one extend: PCR < 24, at least one bank, each digest of its bank's
// size. INVALID_ARGUMENT naming the PCR, bank and sizes.
absl::Status ValidateExtend(const PcrExtend& extend);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_PCR_DIGEST_H_
