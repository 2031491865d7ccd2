#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/tenant/commands/commands.h"
#include "lib/failure/catalogue.h"
#include "re2/re2.h"

namespace candor::tenant {
namespace {

absl::Status RunFailures(const std::string& pattern, const CommandContext& ctx) {
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--match '", pattern, "' is not a valid RE2 regex: ", re.error()));
  }
  nlohmann::json j = nlohmann::json::array();
  Table t{{"ID", "SEVERITY", "MEANING"}, {}};
  for (const failure::FailureKind& k : failure::Catalogue()) {
    std::string id(k.id);
    if (!RE2::PartialMatch(id, re)) continue;
    std::string severity(failure::SeverityLabel(k.default_severity));
    std::string meaning(k.meaning);
    j.push_back({{"id", id}, {"default_severity", severity},
                 {"meaning", meaning}});
    t.rows.push_back({id, severity, meaning});
  }
  return ctx.MakeOutput().Emit(j, t);
}

}  // namespace

void RegisterFailuresCommands(CLI::App& app, CommandRegistry& registry) {
  auto pattern = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "failures",
      "List the failure ids an attestation can report, with their default "
      "severities (the catalogue of protos/candor/v1/README.md)");
  sub->add_option("--match", *pattern,
                  "Only ids matching this RE2 regex (e.g. '^ima\\.')");
  registry.Bind(sub, [pattern](const CommandContext& ctx) {
    return RunFailures(*pattern, ctx);
  });
}

}  // namespace candor::tenant
