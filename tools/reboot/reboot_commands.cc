#include "tools/reboot/reboot_commands.h"

#include "absl/strings/str_cat.h"
#include "lib/ima/hash_algo.h"
#include "lib/status/status_macros.h"
#include "tools/common/tpm_target.h"
#include "tools/reboot/reboot.h"
#include "tools/reboot/swtpm_control.h"

namespace candor::tools {

absl::StatusOr<std::string> RunRebootSim(tpm::Tpm& tpm, const std::string& tcti,
                                         const RebootSimFlags& f) {
  RebootOptions o;
  o.boot_log_path = f.boot_log;
  o.ima_log_path = f.ima_log;
  o.boot_id_path = f.boot_id_file;
  ABSL_ASSIGN_OR_RETURN(o.boot, MakeBootConfig(f.boot));
  if (f.ima_template.empty()) {
    o.keep_ima_template = true;
  } else {
    ABSL_ASSIGN_OR_RETURN(o.ima.tmpl, ParseImaTemplate(f.ima_template),
                          _ << "--ima_template");
  }
  o.ima.boot_aggregate_algo = ima::HashAlgoFromName(f.boot_aggregate_hash);
  if (ima::HashAlgoToBank(o.ima.boot_aggregate_algo) == TPM2_ALG_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("--boot_aggregate_hash ", f.boot_aggregate_hash,
                     ": want sha1, sha256, sha384 or sha512"));
  }
  std::string ctrl = f.ctrl;
  if (ctrl.empty()) {
    ABSL_ASSIGN_OR_RETURN(ctrl, SwtpmControlAddress(tcti));
  }
  const std::string ioctl = SwtpmIoctlBinary(f.swtpm_ioctl);
  ABSL_ASSIGN_OR_RETURN(
      RebootResult r, SimulateReboot(
                          tpm, [&] { return SwtpmResetTpm(ioctl, ctrl); }, o));
  return absl::StrCat("rebooted the TPM at ", tcti, " (control ", ctrl,
                      "); banks ", BankListName(r.banks), "\nboot log ",
                      f.boot_log, ": ", r.boot_events,
                      " events, PCRs 0-9 and 14 extended\nIMA log ", f.ima_log,
                      ": ", r.boot_aggregate_line, "\nboot id ", r.boot_id,
                      " written to ", f.boot_id_file);
}

}  // namespace candor::tools
