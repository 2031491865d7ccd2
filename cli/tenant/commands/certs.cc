#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/tenant/commands/commands.h"
#include "lib/pki/pki.h"

namespace candor::tenant {
namespace {

struct CertsInitOptions {
  std::string dir;
  std::vector<std::string> server_names;
  int validity_days = 365;
  bool force = false;
};

absl::Status RunCertsInit(const CertsInitOptions& opts,
                          const CommandContext& ctx) {
  pki::InitOptions o;
  o.dir = opts.dir.empty() ? ctx.certs_dir : opts.dir;
  if (!opts.server_names.empty()) o.server_names = opts.server_names;
  o.validity = absl::Hours(24) * opts.validity_days;
  o.overwrite = opts.force;
  absl::StatusOr<pki::InitResult> r = pki::InitPki(o);
  if (!r.ok()) return r.status();
  nlohmann::json j = {{"dir", o.dir}, {"files", r->files}};
  Table t{{"FILE"}, {}};
  for (const std::string& f : r->files) t.rows.push_back({f});
  return ctx.MakeOutput().Emit(j, t);
}

}  // namespace

void RegisterCertsCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand(
      "certs", "Manage Candor's own PKI (the CA and mTLS certificates)");
  group->require_subcommand(1);
  auto opts = std::make_shared<CertsInitOptions>();
  CLI::App* init = group->add_subcommand(
      "init",
      "Create the Candor CA and the registrar, verifier (OU=verifier), tenant "
      "(OU=admin) and revocation-signer certificates; keys are written 0600");
  init->add_option("--dir", opts->dir,
                   "Directory to write (default: --certs, i.e. "
                   "$CANDOR_CERTS_DIR or ~/.candor/certs)");
  init->add_option("--server-name", opts->server_names,
                   "DNS name or IP address the registrar and verifiers are "
                   "reached at (repeatable; default localhost, 127.0.0.1, ::1)");
  init->add_option("--validity-days", opts->validity_days,
                   "Validity of the issued certificates")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  init->add_flag("--force", opts->force,
                 "Replace an existing CA (every certificate it issued stops "
                 "working)");
  registry.Bind(init, [opts](const CommandContext& ctx) {
    return RunCertsInit(*opts, ctx);
  });
}

}  // namespace candor::tenant
