// bootlog_gen: writes a TCG2 crypto-agile UEFI event log of an emulated
// shim -> GRUB -> Linux boot and extends PCRs 0-9 and 14 of a TPM (swtpm) to
// match (README.md). Wires the command line to
// tools/bootlog/bootlog_commands.h.
#include <memory>

#include "CLI/CLI.hpp"
#include "tools/bootlog/bootlog_commands.h"
#include "tools/common/tool_main.h"

int main(int argc, char** argv) {
  using namespace candor::tools;  // NOLINT
  CLI::App app(
      "bootlog_gen: write a UEFI measured-boot event log (as "
      "/sys/kernel/security/tpm0/binary_bios_measurements) and extend PCRs "
      "0-9 and 14 of a TPM to match",
      "bootlog_gen");
  BootlogGenFlags f;
  std::string tcti;
  bool no_extend = false;
  app.add_option("--out,--boot_log", f.out,
                 "The event log file to write (agent --boot_log)")
      ->required();
  app.add_option("--tcti", tcti,
                 "TPM to extend (default $TPM2TOOLS_TCTI, else "
                 "swtpm:host=127.0.0.1,port=2321)");
  app.add_flag("--no-extend,--no_extend", no_extend,
               "Only write the file (no TPM)");
  app.add_option("--banks", f.banks,
                 "PCR banks of the log, e.g. sha1,sha256 (default: the TPM's "
                 "active banks; sha1,sha256 with --no-extend)");
  app.add_flag("--force", f.force,
               "Extend although PCRs 0-9/14 are not at their reset values");
  AddBootFlags(&app, &f.boot);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (no_extend) return FinishTool("bootlog_gen", RunBootlogGen(nullptr, f));
  auto tpm = OpenTpm(tcti);
  if (!tpm.ok()) return FinishTool("bootlog_gen", tpm.status());
  return FinishTool("bootlog_gen", RunBootlogGen(tpm->get(), f));
}
