// File: tools/bootlog/bootlog_commands.h
//
// bootlog_gen's command (//tools:bootlog_gen) behind its command line: pick
// the banks (the TPM's active banks, or --banks), generate the log, install
// it (write + extend, bootlog.h), and summarize what was written and the PCR
// values it gives. Errors: INVALID_ARGUMENT for bad options, FAILED_
// PRECONDITION when the TPM has already measured a boot, TPM and file errors
// otherwise. Not thread-safe.
#ifndef CANDOR_TOOLS_BOOTLOG_BOOTLOG_COMMANDS_H_
#define CANDOR_TOOLS_BOOTLOG_BOOTLOG_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/tpm/tpm.h"
#include "tools/bootlog/boot_flags.h"

namespace candor::tools {

struct BootlogGenFlags {
  std::string out;
  std::string banks;  // "" = the TPM's (or sha1,sha256 with no TPM)
  bool force = false;
  BootFlags boot;
};

// The banks to measure: `flag` parsed, which must be active in `tpm` when
// there is one; else the TPM's active banks; else sha1,sha256. `*warning`
// is set when some of the TPM's banks are left out.
absl::StatusOr<std::vector<TPM2_ALG_ID>> ChooseBanks(tpm::Tpm* tpm,
                                                     const std::string& flag,
                                                     std::string* warning);

// Runs bootlog_gen; `tpm` null means --no-extend.
absl::StatusOr<std::string> RunBootlogGen(tpm::Tpm* tpm,
                                          const BootlogGenFlags& flags);

// "PCR  0 sha256 <hex>" lines for `pcrs`.
std::string DescribePcrs(const tpm::PcrValues& pcrs);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_BOOTLOG_COMMANDS_H_
