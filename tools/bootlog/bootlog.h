// File: tools/bootlog/bootlog.h
//
// The boot-log generator: a TCG2 crypto-agile UEFI event log (SpecID event
// listing the config's banks, then the events of boot_events.h) and the PCR
// extends that reproduce it in a TPM (PCRs 0-9 and 14). Writing the file is
// atomic (readers see the old or the new log, lib/common/file_util.h).
//
// Extending checks first that PCRs 0-9 and 14 are at their reset values in
// every bank (a boot is measured once per TPM reset), unless forced; all
// extends go through one TPM connection (Tpm::ExtendPcrMany).
// InstallBootLog stages the file next to its destination, extends, then
// renames it into place: a full disk fails before any extend, a failed
// extend leaves the old file, and a reader never sees the new log before the
// PCRs hold it. Not thread-safe (one TPM user at a time).
#ifndef CANDOR_TOOLS_BOOTLOG_BOOTLOG_H_
#define CANDOR_TOOLS_BOOTLOG_BOOTLOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/tpm/pcr_values.h"
#include "lib/tpm/tpm.h"
#include "tools/bootlog/boot_config.h"

namespace candor::tools {

// The PCRs a generated boot measures.
inline const std::vector<uint32_t>& BootPcrs() {
  static const std::vector<uint32_t> kPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14};
  return kPcrs;
}

struct BootLog {
  std::string bytes;                    // the event log file
  std::vector<tpm::PcrExtend> extends;  // in log order
  size_t events = 0;                    // after the SpecID event
};

// INVALID_ARGUMENT for an empty or unhashable bank list; errors of
// BuildBootEvents otherwise.
absl::StatusOr<BootLog> GenerateBootLog(const BootConfig& config);

// The PCR values `log` gives from reset (PCRs all zero, locality 0), per
// bank of `banks`: what a TPM holds after ExtendBootLog.
absl::StatusOr<tpm::PcrValues> ExpectedPcrs(
    const BootLog& log, const std::vector<TPM2_ALG_ID>& banks);

// Extends `log` into `tpm` after checking (unless `force`) that the boot
// PCRs are at their reset values in `banks`. FAILED_PRECONDITION naming the
// PCR otherwise.
absl::Status ExtendBootLog(tpm::Tpm& tpm, const BootLog& log,
                           const std::vector<TPM2_ALG_ID>& banks, bool force);

// Writes `log` to `path` and, when `tpm` is not null, extends it (see the
// file comment). Errors name the path or the PCR.
absl::Status InstallBootLog(tpm::Tpm* tpm, const BootLog& log,
                            const std::string& path,
                            const std::vector<TPM2_ALG_ID>& banks, bool force);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_BOOTLOG_H_
