#include "cli/tenant/commands/quote/quote_commands.h"

namespace candor::tenant {

void RegisterQuoteCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand("quote", "Check TPM quotes offline");
  group->require_subcommand(1);
  (void)registry;
}

}  // namespace candor::tenant
