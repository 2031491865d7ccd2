// ima_emulator: appends realistic ima-ng / ima-sig entries to an IMA
// ascii_runtime_measurements log and extends PCR 10 to match (README.md).
// Wires the command line to tools/ima/ima_commands.h.
#include <iostream>

#include "CLI/CLI.hpp"
#include "tools/common/tool_main.h"
#include "tools/ima/ima_commands.h"

int main(int argc, char** argv) {
  using namespace candor::tools;  // NOLINT
  CLI::App app(
      "ima_emulator: write IMA measurement-log entries and extend PCR 10 of a "
      "TPM (swtpm) to match, as the kernel's IMA does",
      "ima_emulator");
  app.require_subcommand(1);
  app.fallthrough();
  std::string tcti;
  std::string log;
  app.add_option("--tcti", tcti,
                 "TPM to extend (default $TPM2TOOLS_TCTI, else "
                 "swtpm:host=127.0.0.1,port=2321)");
  app.add_option("--log", log,
                 "The ascii_runtime_measurements file the agent serves "
                 "(agent --ima_log)")
      ->required();

  ImaInitFlags init;
  CLI::App* init_cmd = app.add_subcommand(
      "init", "Start a new log with boot_aggregate = H(PCR0..9) and extend it");
  init_cmd->add_option("--template", init.tmpl, "ima-ng or ima-sig")
      ->check(CLI::IsMember({"ima-ng", "ima-sig"}))
      ->capture_default_str();
  init_cmd
      ->add_option("--boot_aggregate_hash", init.boot_aggregate_hash,
                   "Hash (and PCR bank) of boot_aggregate")
      ->capture_default_str();
  init_cmd->add_flag("--force", init.force,
                     "Start over although PCR 10 is not at its reset value");

  ImaAddFlags add;
  CLI::App* add_cmd = app.add_subcommand(
      "add", "Append entries (synthetic files, one named file, a violation)");
  add_cmd->add_option("--count", add.count,
                      "Append N realistic synthetic files (/usr/bin, /usr/lib, "
                      "...)");
  add_cmd
      ->add_option("--seed", add.seed,
                   "Seed of the synthetic files' deterministic digests")
      ->capture_default_str();
  add_cmd->add_flag("--random", add.random,
                    "Random digests for the synthetic files instead");
  add_cmd
      ->add_option("--hash", add.hash,
                   "File digest algorithm for --count and --file")
      ->capture_default_str();
  add_cmd->add_option("--path,--as", add.path,
                      "The file's name in the log (e.g. /tmp/evil)");
  add_cmd->add_option("--digest", add.digest,
                      "The file's digest, <algo>:<hex> (sha256:ab12...)");
  add_cmd->add_option("--file", add.file,
                      "Hash this local file (its path is the name unless "
                      "--path/--as is given)");
  add_cmd->add_flag("--violation", add.violation,
                    "A ToMToU/open-writers violation for --path (template "
                    "hash 00..., PCR extended with FF...)");
  add_cmd->add_option("--sign", add.sign_key,
                      "PEM private key (RSA or EC): IMA digsig v2 signatures "
                      "(ima-sig logs)");
  add_cmd->add_option("--keyid", add.keyid,
                      "8 hex digits: the keyid to put in signatures instead "
                      "of the key's own");
  add_cmd->add_option("--template", add.tmpl,
                      "ima-ng or ima-sig (default: the log's)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  init.log = log;
  add.log = log;
  if (add_cmd->parsed()) {
    absl::Status valid = ValidateImaAdd(add);
    if (!valid.ok()) return FinishTool("ima_emulator", valid);
  }
  auto tpm = OpenTpm(tcti);
  if (!tpm.ok()) return FinishTool("ima_emulator", tpm.status());
  if (init_cmd->parsed()) {
    return FinishTool("ima_emulator", RunImaInit(**tpm, init));
  }
  return FinishTool("ima_emulator", RunImaAdd(**tpm, add));
}
