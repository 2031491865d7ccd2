// File: cli/tenant/commands/bootlog/bootlog_commands.h
//
// `tenant bootlog ...`: Inspect UEFI boot event logs and make boot reference states.
#ifndef CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterBootlogCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_
