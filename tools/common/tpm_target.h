// File: tools/common/tpm_target.h
//
// Which TPM the emulators talk to and what it has: the TCTI string (flag,
// else $TPM2TOOLS_TCTI, else a swtpm on 127.0.0.1:2321), the swtpm control
// channel next to it, the active PCR banks, and checks that PCRs still hold
// their reset values (so a log written now can replay to them).
// Pure helpers over the Tpm interface (lib/tpm/tpm.h); thread-compatible.
#ifndef CANDOR_TOOLS_COMMON_TPM_TARGET_H_
#define CANDOR_TOOLS_COMMON_TPM_TARGET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"
#include "lib/tpm/tpm.h"

namespace candor::tools {

inline constexpr char kDefaultTcti[] = "swtpm:host=127.0.0.1,port=2321";

// `flag` when not empty, else $TPM2TOOLS_TCTI when set, else kDefaultTcti.
std::string ResolveTcti(absl::string_view flag);

// The swtpm control channel "host:port" of a "swtpm:" or "mssim:" TCTI: the
// same host (default 127.0.0.1) and the TPM port + 1 (default 2321 + 1).
// INVALID_ARGUMENT naming the TCTI for other TCTIs (device:, tabrmd:) or a
// bad port.
absl::StatusOr<std::string> SwtpmControlAddress(absl::string_view tcti);

// Parses "sha1,sha256,..." (BankName spellings). INVALID_ARGUMENT naming an
// unknown or repeated bank, or an empty list.
absl::StatusOr<std::vector<TPM2_ALG_ID>> ParseBankList(absl::string_view text);

// "sha1,sha256".
std::string BankListName(const std::vector<TPM2_ALG_ID>& banks);

// The TPM's allocated PCR banks (Facts().pcr_banks), in TPM order.
// FAILED_PRECONDITION when it has none, or a bank the emulators cannot hash
// (anything but SHA-1, SHA-256, SHA-384, SHA-512), naming it.
absl::StatusOr<std::vector<TPM2_ALG_ID>> ActiveBanks(tpm::Tpm& tpm);

// Reads `pcrs` (ascending) in every bank of `banks`.
absl::StatusOr<tpm::PcrValues> ReadPcrsIn(tpm::Tpm& tpm,
                                          const std::vector<TPM2_ALG_ID>& banks,
                                          const std::vector<uint32_t>& pcrs);

// OK when every value in `values` is all zeros (a PC Client PCR 0-15 after
// reset); otherwise FAILED_PRECONDITION "PCR <n> (<bank>) is not at its reset
// value: <why>".
absl::Status RequireResetValues(const tpm::PcrValues& values,
                                absl::string_view why);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_COMMON_TPM_TARGET_H_
