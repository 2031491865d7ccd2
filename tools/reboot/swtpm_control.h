// File: tools/reboot/swtpm_control.h
//
// The swtpm control channel, through swtpm's own client: `swtpm_ioctl --tcp
// HOST:PORT -i` resets the TPM as a power cycle would (notes/tpm.md §1: the
// PCRs return to their reset values, resetCount goes up, transient objects
// are gone, and the TPM then awaits TPM2_Startup). The program runs as a
// child with a deadline; its output is kept for the error message.
// Thread-compatible.
#ifndef CANDOR_TOOLS_REBOOT_SWTPM_CONTROL_H_
#define CANDOR_TOOLS_REBOOT_SWTPM_CONTROL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::tools {

// `flag` when set; else $CANDOR_SWTPM_BINDIR/swtpm_ioctl when that is set;
// else "swtpm_ioctl" (looked up in PATH).
std::string SwtpmIoctlBinary(const std::string& flag);

// Runs argv[0] (PATH lookup when it has no '/') with argv, stdout and stderr
// captured together. OK only on exit status 0. Errors: NOT_FOUND when the
// program cannot be run, DEADLINE_EXCEEDED (the child is killed) after
// `timeout`, INTERNAL for another exit status; messages carry the output.
absl::StatusOr<std::string> RunProgram(const std::vector<std::string>& argv,
                                       absl::Duration timeout);

// swtpm_ioctl --tcp <address> -i.
absl::Status SwtpmResetTpm(const std::string& swtpm_ioctl,
                           const std::string& control_address);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_REBOOT_SWTPM_CONTROL_H_
