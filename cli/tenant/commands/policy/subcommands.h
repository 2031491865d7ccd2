// File: cli/tenant/commands/policy/subcommands.h  (private to :policy)
//
// The `tenant policy` subcommands and their shared file reading.
#ifndef CANDOR_CLI_TENANT_COMMANDS_POLICY_SUBCOMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_POLICY_SUBCOMMANDS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterPolicyCreate(CLI::App* group, CommandRegistry& registry);
void RegisterPolicyCheck(CLI::App* group, CommandRegistry& registry);
// add, update, show, list, delete: named policies at the verifier.
void RegisterPolicyRemote(CLI::App* group, CommandRegistry& registry);

// The whole content of `path`, given with option `option` ("--ima-log").
// NOT_FOUND "--ima-log FILE: no such file" when it does not exist,
// INVALID_ARGUMENT naming it for any other error (a directory,
// permissions, a read error).
absl::StatusOr<std::string> ReadInputFile(const std::string& option,
                                          const std::string& path);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_POLICY_SUBCOMMANDS_H_
