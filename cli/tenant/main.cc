// The Candor tenant: the operator's command line. Wires the command groups,
// parses, runs the selected command, and exits with the code of
// exit_codes.h.
#include <iostream>

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"
#include "cli/tenant/commands/agent/agent_commands.h"
#include "cli/tenant/commands/bootlog/bootlog_commands.h"
#include "cli/tenant/commands/commands.h"
#include "cli/tenant/commands/policy/policy_commands.h"
#include "cli/tenant/commands/quote/quote_commands.h"
#include "cli/tenant/commands/registrar/registrar_commands.h"
#include "cli/tenant/commands/watch/watch_command.h"
#include "cli/tenant/exit_codes.h"
#include "cli/tenant/version.h"

int main(int argc, char** argv) {
  using namespace candor::tenant;  // NOLINT
  CLI::App app("tenant: operate a Candor attestation fleet", "tenant");
  app.footer(ExitCodeHelp());
  app.require_subcommand(1);
  // Global options (-o, --out, --certs, …) may also follow the command, as in
  // `tenant policy create --ima-log LOG --out policy.json`; subcommands
  // inherit this setting when they are created.
  app.fallthrough();
  app.set_version_flag("--version", kVersion);
  CommandContext ctx;
  app.add_option("-o,--output", ctx.output_format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--out", ctx.out_path,
                 "Write the output to FILE (atomically) instead of stdout");
  app.add_flag("--insecure", ctx.insecure,
               "Talk plaintext gRPC to servers started with --insecure "
               "(local debugging only)");
  app.add_option("--timeout", ctx.timeout_seconds, "Per-call timeout, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  ctx.certs_dir = DefaultCertsDir();
  app.add_option("--certs", ctx.certs_dir,
                 "Directory with ca.crt, tenant.crt and tenant.key for mTLS "
                 "(from `tenant certs init`; $CANDOR_CERTS_DIR)")
      ->capture_default_str();

  CommandRegistry registry;
  RegisterAgentCommands(app, registry);
  RegisterBootlogCommands(app, registry);
  RegisterCertsCommands(app, registry);
  RegisterFailuresCommands(app, registry);
  RegisterHealthCommands(app, registry, ctx);
  RegisterPolicyCommands(app, registry);
  RegisterQuoteCommands(app, registry);
  RegisterRegistrarCommands(app, registry);
  RegisterVersionCommands(app, registry);
  RegisterWatchCommand(app, registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints help/version or the usage error
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (registry.selected() == nullptr) {
    std::cerr << "tenant: missing command; see tenant --help\n";
    return kExitUsage;
  }
  if (ctx.insecure) {
    std::cerr << "tenant: WARNING: --insecure: plaintext, unauthenticated "
                 "gRPC; for local debugging only\n";
  }
  absl::Status status = (*registry.selected())(ctx);
  if (!status.ok()) {
    std::cerr << "tenant: error: " << status.message() << "\n";
  }
  return ExitCodeFor(status);
}
