// File: cli/tenant/exit_codes.h
//
// The tenant's exit codes: scripts can tell "the check said no" from "bad
// input" from "could not reach the service" (Keylime's tenant exits 0 on
// errors, KL#1413; and reads an unreachable registrar as "agent not found",
// KL#297). Listed by `tenant --help`.
#ifndef CANDOR_CLI_TENANT_EXIT_CODES_H_
#define CANDOR_CLI_TENANT_EXIT_CODES_H_

#include <string>

#include "absl/status/status.h"

namespace candor::tenant {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // the command ran; what it checked did not pass
  kExitUsage = 2,        // unknown command or option, missing argument
  kExitBadInput = 3,     // a file or value given is malformed or refused
  kExitNotFound = 4,     // the agent, policy or file does not exist
  kExitDenied = 5,       // the service refused our credentials
  kExitUnavailable = 6,  // the service could not be reached (or timed out)
  kExitInternal = 7,     // anything else
};

// A status meaning "the command worked and the answer is no" (exit 1).
absl::Status CheckFailedError(const std::string& message);

// A status meaning "the command line is wrong" (exit 2), for combinations
// CLI11 cannot check (e.g. `agent update` without anything to change).
absl::Status UsageError(const std::string& message);

// The exit code for a command's final status.
int ExitCodeFor(const absl::Status& status);

// One line per exit code, for --help.
std::string ExitCodeHelp();

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_EXIT_CODES_H_
