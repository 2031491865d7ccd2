// File: tools/reboot/reboot.h
//
// A simulated reboot of one node: what a real reboot does to the TPM and to
// the files the agent reads, in the order a real boot produces them.
//   1. TPM2_Shutdown(CLEAR), an orderly shutdown (without it the TPM reports
//      safe = 0 for a long time, notes/tpm.md §1);
//   2. the TPM reset (for swtpm: swtpm_ioctl -i), given as a callback;
//   3. TPM2_Startup(CLEAR): PCRs at their reset values, resetCount + 1;
//   4. firmware: a new UEFI event log, extended into PCRs 0-9 and 14 and
//      then installed in place of the old one (bootlog.h);
//   5. the kernel's IMA: a new log with only boot_aggregate = H(PCR0..9),
//      extended into PCR 10 (ima_emulator.h);
//   6. a new boot id (random UUID) written atomically to the boot-id file.
// The boot log is generated before the shutdown and the IMA log stays
// locked from before the shutdown to the end, so a concurrent ima_emulator
// never extends PCR 10 in the middle. The boot id comes last: an agent that
// sees the new boot id finds both new logs complete. (A quote taken between
// steps 3 and 6 sees the new TPM with the old boot id; the verifier sees the
// resetCount change. A real node runs no agent during those milliseconds.)
//
// Errors name the step that failed; the steps before it have happened.
// Not thread-safe.
#ifndef CANDOR_TOOLS_REBOOT_REBOOT_H_
#define CANDOR_TOOLS_REBOOT_REBOOT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "lib/tpm/tpm.h"
#include "tools/bootlog/boot_config.h"
#include "tools/ima/ima_emulator.h"

namespace candor::tools {

struct RebootOptions {
  std::string boot_log_path;
  std::string ima_log_path;
  std::string boot_id_path;
  BootConfig boot;     // banks are replaced by the TPM's active banks
  ImaInitOptions ima;  // force is ignored (PCR 10 is reset)
  // Start the new IMA log with the old log's template (ima-ng / ima-sig)
  // instead of ima.tmpl, when the old log has a readable first line.
  bool keep_ima_template = false;
};

struct RebootResult {
  std::string boot_id;
  size_t boot_events = 0;
  std::string boot_aggregate_line;
  std::vector<TPM2_ALG_ID> banks;
};

absl::StatusOr<RebootResult> SimulateReboot(
    tpm::Tpm& tpm, absl::FunctionRef<absl::Status()> reset_tpm,
    const RebootOptions& options);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_REBOOT_REBOOT_H_
