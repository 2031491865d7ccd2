// File: tools/reboot/reboot_commands.h
//
// reboot_sim's command (//tools:reboot_sim) behind its command line: find
// the swtpm control channel (--ctrl, else the TCTI's port + 1), simulate the
// reboot (reboot.h) with `swtpm_ioctl -i` as the TPM reset, and summarize.
// Errors: INVALID_ARGUMENT for bad options (a non-swtpm TCTI without
// --ctrl), the failing step's error otherwise. Not thread-safe.
#ifndef CANDOR_TOOLS_REBOOT_REBOOT_COMMANDS_H_
#define CANDOR_TOOLS_REBOOT_REBOOT_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/tpm/tpm.h"
#include "tools/bootlog/boot_flags.h"

namespace candor::tools {

struct RebootSimFlags {
  std::string boot_log;
  std::string ima_log;
  std::string boot_id_file;
  std::string ctrl;          // host:port of swtpm's control channel
  std::string swtpm_ioctl;   // the swtpm_ioctl program
  std::string ima_template;  // "" = the old log's (else ima-ng)
  std::string boot_aggregate_hash = "sha256";
  BootFlags boot;
};

absl::StatusOr<std::string> RunRebootSim(tpm::Tpm& tpm, const std::string& tcti,
                                         const RebootSimFlags& flags);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_REBOOT_REBOOT_COMMANDS_H_
