// File: cli/tenant/commands/quote/quote_commands.h
//
// `tenant quote ...`: check TPM quotes offline. `tenant quote check`
// verifies the files tpm2_quote writes (see quote_check.h).
#ifndef CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterQuoteCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_COMMANDS_H_
