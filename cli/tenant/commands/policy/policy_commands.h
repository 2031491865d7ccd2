// File: cli/tenant/commands/policy/policy_commands.h
//
// `tenant policy ...`: Create and check runtime (IMA) policies.
#ifndef CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterPolicyCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_
