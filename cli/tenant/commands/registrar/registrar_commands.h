// File: cli/tenant/commands/registrar/registrar_commands.h
//
// `tenant registrar list|status|delete`: the registrar's enrolled agents
// (admin certificate needed for list and delete).
#ifndef CANDOR_CLI_TENANT_COMMANDS_REGISTRAR_REGISTRAR_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_REGISTRAR_REGISTRAR_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterRegistrarCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_REGISTRAR_REGISTRAR_COMMANDS_H_
