// File: cli/tenant/commands/commands.h
//
// Registration functions of the tenant's command groups (see command.h).
#ifndef CANDOR_CLI_TENANT_COMMANDS_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

// `tenant certs init`: the Candor CA and the mTLS certificates.
void RegisterCertsCommands(CLI::App& app, CommandRegistry& registry);
// `tenant failures`: the failure-id catalogue with default severities.
void RegisterFailuresCommands(CLI::App& app, CommandRegistry& registry);
// `tenant health`: the gRPC health status of a Candor server.
void RegisterHealthCommands(CLI::App& app, CommandRegistry& registry,
                            const CommandContext& context);
// `tenant version`.
void RegisterVersionCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_COMMANDS_H_
