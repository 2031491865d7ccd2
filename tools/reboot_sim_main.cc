// reboot_sim: simulates a reboot of one node on a swtpm (TPM2_Shutdown,
// swtpm_ioctl -i, TPM2_Startup, a new boot log, a new IMA log, a new boot
// id; README.md). Wires the command line to
// tools/reboot/reboot_commands.h.
#include "CLI/CLI.hpp"
#include "tools/common/tool_main.h"
#include "tools/common/tpm_target.h"
#include "tools/reboot/reboot_commands.h"

int main(int argc, char** argv) {
  using namespace candor::tools;  // NOLINT
  CLI::App app(
      "reboot_sim: reboot one emulated node: reset its swtpm, measure a new "
      "boot (PCRs 0-9, 14) and boot_aggregate (PCR 10), replace its boot and "
      "IMA logs and write a new boot id",
      "reboot_sim");
  RebootSimFlags f;
  std::string tcti;
  app.add_option("--tcti", tcti,
                 "The node's TPM (default $TPM2TOOLS_TCTI, else "
                 "swtpm:host=127.0.0.1,port=2321)");
  app.add_option("--ctrl", f.ctrl,
                 "swtpm control channel host:port (default: the TCTI's host "
                 "and port + 1)");
  app.add_option("--swtpm_ioctl", f.swtpm_ioctl,
                 "The swtpm_ioctl program (default "
                 "$CANDOR_SWTPM_BINDIR/swtpm_ioctl, else from PATH)");
  app.add_option("--boot_log", f.boot_log, "UEFI event log (agent --boot_log)")
      ->required();
  app.add_option("--ima_log", f.ima_log, "IMA log (agent --ima_log)")
      ->required();
  app.add_option("--boot_id_file", f.boot_id_file,
                 "Boot id file (agent --boot_id_file)")
      ->required();
  app.add_option("--ima_template", f.ima_template,
                 "ima-ng or ima-sig (default: the old IMA log's, else ima-ng)")
      ->check(CLI::IsMember({"ima-ng", "ima-sig"}));
  app.add_option("--boot_aggregate_hash", f.boot_aggregate_hash,
                 "Hash (and PCR bank) of boot_aggregate")
      ->capture_default_str();
  AddBootFlags(&app, &f.boot);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  const std::string resolved = ResolveTcti(tcti);
  auto tpm = OpenTpm(resolved);
  if (!tpm.ok()) return FinishTool("reboot_sim", tpm.status());
  return FinishTool("reboot_sim", RunRebootSim(**tpm, resolved, f));
}
