// File: lib/ima/boot_aggregate.h
//
// The boot_aggregate entry (the first entry of every IMA log) against the
// quoted boot PCRs (security/integrity/ima/ima_crypto.c,
// ima_calc_boot_aggregate): H(PCR0 || ... || PCR7) on the SHA-1 bank, and
// H(PCR0 || ... || PCR9) on SHA-256 and the other banks, where H and the
// bank are the algorithm of the entry's digest ("sha256:..."; the legacy
// 'ima' template records SHA-1). Thread-safe.
#ifndef CANDOR_LIB_IMA_BOOT_AGGREGATE_H_
#define CANDOR_LIB_IMA_BOOT_AGGREGATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "candor/v1/common.pb.h"
#include "lib/ima/entry.h"
#include "lib/tpm/pcr_values.h"

namespace candor::ima {

// The entry name the kernel gives it.
inline constexpr absl::string_view kBootAggregateName = "boot_aggregate";

// The boot_aggregate `algo` gives for `pcrs`, raw bytes. INVALID_ARGUMENT if
// `algo` has no PCR bank; NOT_FOUND (naming bank and PCR) if the bank or one
// of the PCRs is missing or has the wrong size.
absl::StatusOr<std::string> ExpectedBootAggregate(HashAlgo algo,
                                                  const tpm::PcrValues& pcrs);

// Checks the entry at `index` (the first entry of the boot) against `pcrs`,
// appending to `*findings`: ima.boot_aggregate_mismatch when the entry is not
// named boot_aggregate, is a violation, or its digest differs; pcr.missing
// when the quote lacks a PCR it needs. Returns true when it passed.
bool CheckBootAggregate(const Entry& entry, uint64_t index,
                        const tpm::PcrValues& pcrs,
                        std::vector<candor::v1::Failure>* findings);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_BOOT_AGGREGATE_H_
