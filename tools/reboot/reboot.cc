#include "tools/reboot/reboot.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/status/status_macros.h"
#include "tools/bootlog/bootlog.h"
#include "tools/common/seeded_random.h"
#include "tools/common/tpm_target.h"
#include "tools/ima/ima_log_file.h"

namespace candor::tools {

absl::StatusOr<RebootResult> SimulateReboot(
    tpm::Tpm& tpm, absl::FunctionRef<absl::Status()> reset_tpm,
    const RebootOptions& options) {
  if (options.boot_log_path.empty() || options.ima_log_path.empty() ||
      options.boot_id_path.empty()) {
    return absl::InvalidArgumentError(
        "reboot: --boot_log, --ima_log and --boot_id_file are required");
  }
  RebootResult result;
  ABSL_ASSIGN_OR_RETURN(result.banks, ActiveBanks(tpm));
  BootConfig boot = options.boot;
  boot.banks = result.banks;
  ABSL_ASSIGN_OR_RETURN(BootLog log, GenerateBootLog(boot));
  result.boot_events = log.events;
  ABSL_ASSIGN_OR_RETURN(result.boot_id, RandomUuid());
  ABSL_ASSIGN_OR_RETURN(ImaLogFile ima, ImaLogFile::Open(options.ima_log_path));
  ImaInitOptions ima_options = options.ima;
  ima_options.force = false;
  if (options.keep_ima_template) {
    absl::StatusOr<ImaLogState> old = ReadImaLogState(ima);
    if (old.ok()) ima_options.tmpl = old->tmpl;
  }

  absl::Status down = tpm.Shutdown(true);
  // A TPM awaiting Startup (already reset) cannot shut down: go on.
  if (!down.ok() && down.code() != absl::StatusCode::kFailedPrecondition) {
    return absl::Status(
        down.code(),
        absl::StrCat("reboot, step 1 (TPM2_Shutdown): ", down.message()));
  }
  ABSL_RETURN_IF_ERROR(reset_tpm()) << "reboot, step 2 (TPM reset)";
  ABSL_RETURN_IF_ERROR(tpm.Startup(true)) << "reboot, step 3 (TPM2_Startup)";
  ABSL_RETURN_IF_ERROR(InstallBootLog(&tpm, log, options.boot_log_path,
                                      result.banks, /*force=*/false))
      << "reboot, step 4 (boot log " << options.boot_log_path << ")";
  ABSL_ASSIGN_OR_RETURN(
      ImaRecord agg, InitImaLog(tpm, ima, result.banks, ima_options),
      _ << "reboot, step 5 (IMA log " << options.ima_log_path << ")");
  result.boot_aggregate_line = agg.line;
  ABSL_RETURN_IF_ERROR(
      WriteFileAtomically(options.boot_id_path, result.boot_id + "\n"))
      << "reboot, step 6 (boot id)";
  return result;
}

}  // namespace candor::tools
