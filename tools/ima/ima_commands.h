// File: tools/ima/ima_commands.h
//
// The ima_emulator commands behind the command line (//tools:ima_emulator):
//   init  start a new log with boot_aggregate (ima_emulator.h InitImaLog)
//   add   append entries and extend PCR 10: --count N synthetic files, or one
//         file given by --path/--as with --digest, --file or --violation;
//         --sign KEY.pem makes ima-sig signatures
// Each returns a one-line summary for stdout. Errors: INVALID_ARGUMENT for
// contradictory or missing options (usage), FAILED_PRECONDITION for a log or
// TPM in the wrong state, others from the TPM and files. Not thread-safe.
#ifndef CANDOR_TOOLS_IMA_IMA_COMMANDS_H_
#define CANDOR_TOOLS_IMA_IMA_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "lib/tpm/tpm.h"

namespace candor::tools {

struct ImaInitFlags {
  std::string log;
  std::string tmpl = "ima-ng";
  std::string boot_aggregate_hash = "sha256";
  bool force = false;
};

struct ImaAddFlags {
  std::string log;
  uint64_t count = 0;           // synthetic files
  std::string seed = "candor";  // their deterministic digests
  bool random = false;          // random digests instead
  std::string hash = "sha256";  // file digest algorithm (count, --file)
  std::string path;             // --path / --as: the name in the log
  std::string digest;           // "<algo>:<hex>"
  std::string file;             // a local file to hash
  bool violation = false;
  std::string sign_key;  // PEM private key: ima-sig signatures
  std::string keyid;     // 8 hex digits overriding the key's keyid
  std::string tmpl;      // "" = the log's template
};

absl::StatusOr<std::string> RunImaInit(tpm::Tpm& tpm, const ImaInitFlags& f);
absl::StatusOr<std::string> RunImaAdd(tpm::Tpm& tpm, const ImaAddFlags& f);

// Checks `f` without touching the TPM or files (INVALID_ARGUMENT, saying
// which options conflict or are missing).
absl::Status ValidateImaAdd(const ImaAddFlags& f);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_IMA_COMMANDS_H_
