// `tenant policy check`: replay an IMA log and check every entry against a
// runtime policy (see policy_commands.h).
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/tenant/commands/policy/subcommands.h"
#include "cli/tenant/exit_codes.h"
#include "cli/tenant/output.h"
#include "lib/ima/hex.h"
#include "lib/ima/replay.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/tpm/pcr_values.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

struct CheckOptions {
  std::string ima_log;
  std::string policy;
  std::string pcr10;
  std::string bank = "sha256";
};

std::string ContextOr(const candor::v1::Failure& f, const std::string& key) {
  auto it = f.context().find(key);
  return it == f.context().end() ? "" : it->second;
}

absl::Status RunCheck(const CheckOptions& o, const CommandContext& ctx) {
  absl::StatusOr<TPM2_ALG_ID> bank = tpm::ParseBankName(o.bank);
  if (!bank.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--bank: ", bank.status().message()));
  }
  absl::StatusOr<ima::ReplayState> start = ima::ReplayState::AtBoot(*bank);
  if (!start.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--bank: ", start.status().message()));
  }
  policy::AppraiseOptions ao;
  if (!o.pcr10.empty()) {
    std::string hex = o.pcr10;
    if (hex.rfind("0x", 0) == 0) hex = hex.substr(2);
    if (!ima::IsHex(hex) || hex.size() != 2 * start->pcr10.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--pcr10: '", absl::CHexEscape(o.pcr10), "' is not ",
          2 * start->pcr10.size(), " hex digits (a ", o.bank, " PCR value)"));
    }
    ao.replay.quoted_pcr10 = absl::HexStringToBytes(hex);
  }
  absl::StatusOr<std::string> log = ReadInputFile("--ima-log", o.ima_log);
  if (!log.ok()) return log.status();
  absl::StatusOr<std::string> text = ReadInputFile("--policy", o.policy);
  if (!text.ok()) return text.status();
  absl::StatusOr<policy::RuntimePolicy> p = policy::RuntimePolicy::Load(*text);
  if (!p.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--policy ", o.policy, ": ", p.status().message()));
  }
  ao.policy = &*p;
  std::vector<absl::string_view> lines = policy::SplitLogLines(*log);
  policy::EvalState state;
  absl::StatusOr<policy::Appraisal> a =
      policy::AppraiseImaLog(*start, lines, ao, &state);
  if (!a.ok()) return a.status();

  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  Table table{{"LINE", "ID", "PATH"}, {}};
  for (const candor::v1::Failure& f : a->findings) {
    if (f.severity() < candor::v1::SEVERITY_ERROR) {
      std::cerr << "tenant: warning: " << f.id() << ": " << f.message() << "\n";
      continue;
    }
    int64_t line = 0;
    (void)absl::SimpleAtoi(ContextOr(f, "line"), &line);
    const std::string path = ContextOr(f, "path");
    failures.push_back({{"line", line}, {"path", path}, {"id", f.id()}});
    table.rows.push_back({line == 0 ? "-" : absl::StrCat(line), f.id(),
                          path.empty() ? f.message() : path});
  }
  const size_t entries = a->replay.consumed;
  if (a->replay.pcr_matched && entries < lines.size()) {
    std::cerr << "tenant: warning: the PCR 10 value is reached after line "
              << entries << "; the " << lines.size() - entries
              << " lines after it are not covered by it and were not "
                 "checked\n";
  }
  const bool ok = failures.empty();
  Output out = ctx.MakeOutput();
  absl::Status s;
  if (out.format() == OutputFormat::kJson) {
    nlohmann::ordered_json j = {
        {"ok", ok}, {"entries", entries}, {"failures", failures}};
    s = out.EmitText(j.dump(2) + "\n");
  } else {
    std::string summary =
        ok ? absl::StrCat(entries, " entries checked: all pass\n")
           : absl::StrCat(entries, " entries checked: ", failures.size(),
                          " failures\n");
    s = out.EmitText(ok ? summary : table.Render() + summary);
  }
  if (!s.ok()) return s;
  if (!ok) {
    return CheckFailedError(absl::StrCat(failures.size(), " failures in ",
                                         o.ima_log, " against ", o.policy));
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterPolicyCheck(CLI::App* group, CommandRegistry& registry) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* sub = group->add_subcommand(
      "check",
      "Replay an IMA log and check every entry against a runtime policy; "
      "lists each failing entry (exit 1 if any)");
  sub->add_option("--ima-log", o->ima_log,
                  "ascii_runtime_measurements FILE to check")
      ->required();
  sub->add_option("--policy", o->policy,
                  "Runtime policy FILE (Keylime JSON or legacy allowlist)")
      ->required();
  CLI::Option* pcr = sub->add_option(
      "--pcr10", o->pcr10,
      "Quoted PCR 10 value (hex) the replay must reach; the extend mode "
      "(per-bank or padded SHA-1) is detected");
  sub->add_option("--bank", o->bank, "PCR bank of --pcr10")
      ->check(CLI::IsMember({"sha1", "sha256", "sha384", "sha512"}))
      ->needs(pcr)
      ->capture_default_str();
  registry.Bind(sub,
                [o](const CommandContext& ctx) { return RunCheck(*o, ctx); });
}

}  // namespace candor::tenant
