#include "cli/tenant/commands/policy/policy_commands.h"

#include "cli/tenant/commands/policy/subcommands.h"

namespace candor::tenant {

void RegisterPolicyCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group =
      app.add_subcommand("policy",
                         "Create and check runtime (IMA) policies offline; "
                         "add, update, show, list, delete them at the "
                         "verifier");
  group->require_subcommand(1);
  RegisterPolicyCreate(group, registry);
  RegisterPolicyCheck(group, registry);
  RegisterPolicyRemote(group, registry);
}

}  // namespace candor::tenant
