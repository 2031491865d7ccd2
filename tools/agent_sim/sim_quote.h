// File: tools/agent_sim/sim_quote.h
//
// The TPMS_ATTEST of a TPM2_Quote (TPM 2.0 Library Part 2 §10.12.8, Part 3
// §18.4), made in software: magic TPM_GENERATED_VALUE, type
// TPM_ST_ATTEST_QUOTE, qualifiedSigner, extraData = nonce, clockInfo,
// firmwareVersion, the quoted selection and pcrDigest = SHA-256 over the
// selected values (banks in selection order, PCRs ascending), marshalled as
// the TPM does (tss2-mu). Pure and thread-safe.
#ifndef CANDOR_TOOLS_AGENT_SIM_SIM_QUOTE_H_
#define CANDOR_TOOLS_AGENT_SIM_SIM_QUOTE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::agent_sim {

inline constexpr uint32_t kSimResetCount = 1;
inline constexpr uint32_t kSimRestartCount = 0;
inline constexpr uint64_t kSimFirmwareVersion = 0x2023112500000001;

struct AttestInput {
  absl::string_view signer_name;  // the AK's Name
  absl::string_view nonce;        // 20..32 bytes
  uint64_t clock_ms = 0;
  tpm::PcrSelection selection;
  const tpm::PcrValues* values = nullptr;  // covers `selection`
};

// INVALID_ARGUMENT when a selected value is missing or sizes overflow the
// TPM structures.
absl::StatusOr<std::string> MakeQuoteAttest(const AttestInput& in);

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_SIM_QUOTE_H_
