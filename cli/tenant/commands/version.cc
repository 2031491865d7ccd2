#include "cli/tenant/commands/commands.h"
#include "cli/tenant/version.h"

namespace candor::tenant {

void RegisterVersionCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* sub = app.add_subcommand("version", "Print the tenant's version");
  registry.Bind(sub, [](const CommandContext& ctx) {
    Output out = ctx.MakeOutput();
    nlohmann::json j = {{"version", kVersion}, {"api", kApiPackage}};
    Table t{{"VERSION", "API"}, {{kVersion, kApiPackage}}};
    return out.Emit(j, t);
  });
}

}  // namespace candor::tenant
