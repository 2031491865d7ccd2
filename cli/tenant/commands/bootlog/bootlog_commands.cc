#include "cli/tenant/commands/bootlog/bootlog_commands.h"

namespace candor::tenant {

void RegisterBootlogCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand("bootlog", "Inspect UEFI boot event logs and make boot reference states");
  group->require_subcommand(1);
  (void)registry;
}

}  // namespace candor::tenant
