#include "cli/tenant/commands/bootlog/bootlog_commands.h"

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/tenant/commands/bootlog/log_input.h"
#include "cli/tenant/commands/bootlog/render.h"
#include "cli/tenant/exit_codes.h"
#include "lib/common/file_util.h"
#include "lib/eventlog/checks.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/replay.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/boot/create.h"

namespace candor::tenant {
namespace {

struct BootlogOptions {
  std::string file;
  bool base64 = false;
  bool without_secureboot = false;
  std::string policy_file;
};

absl::Status RunShow(const BootlogOptions& o, const CommandContext& ctx) {
  absl::StatusOr<eventlog::EventLog> log = ReadEventLog(o.file, o.base64);
  if (!log.ok()) return log.status();
  tpm::PcrValues pcrs = eventlog::Replay(*log);
  nlohmann::json events = nlohmann::json::array();
  Table table{{"#", "PCR", "TYPE"}, {}};
  for (const eventlog::SpecIdAlgorithm& a : log->spec_id().algorithms) {
    table.header.push_back(absl::AsciiStrToUpper(tpm::BankName(a.bank)));
  }
  table.header.push_back("DETAILS");
  for (const eventlog::Event& e : log->events()) {
    events.push_back(EventJson(e));
    std::vector<std::string> row = {absl::StrCat(e.number), absl::StrCat(e.pcr),
                                    eventlog::EventTypeLabel(e.type)};
    for (const eventlog::SpecIdAlgorithm& a : log->spec_id().algorithms) {
      const std::string* d = e.DigestFor(a.bank);
      row.push_back(d != nullptr ? absl::BytesToHexString(*d) : "-");
    }
    row.push_back(EventSummary(e));
    table.rows.push_back(std::move(row));
  }
  nlohmann::json j = {{"file", Printable(o.file)},
                      {"spec_id", SpecIdJson(log->spec_id())},
                      {"pcr0_locality", log->pcr0_locality()},
                      {"events", events},
                      {"pcrs", PcrsJson(pcrs)}};
  Output out = ctx.MakeOutput();
  if (out.format() == OutputFormat::kJson) return out.Emit(j, table);
  Table pcr_table{{"BANK", "PCR", "REPLAYED VALUE"}, {}};
  for (const auto& [bank, values] : pcrs) {
    for (const auto& [pcr, value] : values) {
      pcr_table.rows.push_back({tpm::BankName(bank), absl::StrCat(pcr),
                                absl::BytesToHexString(value)});
    }
  }
  return out.EmitText(absl::StrCat(table.Render(), "\n", pcr_table.Render()));
}

absl::Status RunRefstate(const BootlogOptions& o, const CommandContext& ctx) {
  absl::StatusOr<eventlog::EventLog> log = ReadEventLog(o.file, o.base64);
  if (!log.ok()) return log.status();
  policy::ReferenceStateOptions opts;
  opts.allow_without_secureboot = o.without_secureboot;
  absl::StatusOr<policy::ReferenceState> state =
      policy::CreateReferenceState(*log, opts);
  if (!state.ok()) {
    bool hint =
        !o.without_secureboot &&
        absl::StrContains(state.status().message(), "Secure Boot is off");
    return absl::Status(state.status().code(),
                        absl::StrCat(o.file, ": ", state.status().message(),
                                     hint ? " (--without-secureboot)" : ""));
  }
  // A reference state is a file format: JSON whatever -o says.
  return ctx.MakeOutput().EmitText(policy::ReferenceStateToJson(*state));
}

absl::Status RunCheck(const BootlogOptions& o, const CommandContext& ctx) {
  absl::StatusOr<eventlog::EventLog> log = ReadEventLog(o.file, o.base64);
  if (!log.ok()) return log.status();
  std::vector<candor::v1::Failure> failures =
      eventlog::CheckSeparatorLookalikes(*log);
  std::vector<candor::v1::Failure> more = eventlog::CheckEventDigests(*log);
  failures.insert(failures.end(), more.begin(), more.end());
  std::string policy_name = "(none)";
  if (!o.policy_file.empty()) {
    absl::StatusOr<std::string> text = candor::ReadFile(o.policy_file);
    if (!text.ok()) return text.status();
    absl::StatusOr<policy::BootPolicy> p = policy::BootPolicy::Parse(*text);
    if (!p.ok()) {
      return absl::Status(
          p.status().code(),
          absl::StrCat(o.policy_file, ": ", p.status().message()));
    }
    policy_name = std::string(p->KindName());
    more = p->Evaluate(*log);
    failures.insert(failures.end(), more.begin(), more.end());
  }
  nlohmann::json list = nlohmann::json::array();
  Table table{{"ID", "SEVERITY", "MESSAGE"}, {}};
  for (const candor::v1::Failure& f : failures) {
    nlohmann::json context = nlohmann::json::object();
    for (const auto& [k, v] : f.context()) context[k] = v;
    std::string severity(failure::SeverityLabel(f.severity()));
    list.push_back({{"id", f.id()},
                    {"severity", severity},
                    {"message", f.message()},
                    {"context", context}});
    table.rows.push_back({f.id(), severity, f.message()});
  }
  nlohmann::json j = {{"file", Printable(o.file)},
                      {"policy", policy_name},
                      {"passed", failures.empty()},
                      {"failures", list}};
  if (failures.empty()) table.rows.push_back({"(none)", "", "the log passes"});
  absl::Status st = ctx.MakeOutput().Emit(j, table);
  if (!st.ok()) return st;
  if (!failures.empty()) {
    return CheckFailedError(
        absl::StrCat(o.file, ": ", failures.size(), " check(s) failed"));
  }
  return absl::OkStatus();
}

CLI::App* AddLeaf(CLI::App* group, const std::string& name,
                  const std::string& help, BootlogOptions* o) {
  CLI::App* sub = group->add_subcommand(name, help);
  sub->fallthrough();  // global -o/--out after the command
  sub->add_option("FILE", o->file,
                  "UEFI event log: binary (binary_bios_measurements) or "
                  "base64")
      ->required();
  sub->add_flag("--base64", o->base64,
                "FILE is base64 (otherwise detected from its content)");
  return sub;
}

}  // namespace

void RegisterBootlogCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand(
      "bootlog",
      "Inspect UEFI boot event logs and make boot reference states (offline)");
  group->require_subcommand(1);
  group->fallthrough();

  auto show = std::make_shared<BootlogOptions>();
  CLI::App* s = AddLeaf(group, "show",
                        "Print the events (PCR, type, digests per bank, "
                        "decoded details) and the replayed PCRs",
                        show.get());
  registry.Bind(
      s, [show](const CommandContext& ctx) { return RunShow(*show, ctx); });

  auto ref = std::make_shared<BootlogOptions>();
  CLI::App* r = AddLeaf(group, "refstate",
                        "Make a measured-boot reference state (Keylime "
                        "format, JSON) that this log passes",
                        ref.get());
  r->add_flag("--without-secureboot", ref->without_secureboot,
              "Allow a log with Secure Boot off (the state then does not "
              "require it)");
  registry.Bind(
      r, [ref](const CommandContext& ctx) { return RunRefstate(*ref, ctx); });

  auto check = std::make_shared<BootlogOptions>();
  CLI::App* c = AddLeaf(group, "check",
                        "Check the log (separator look-alikes, digests that "
                        "must cover their data) and, with --policy, judge it "
                        "by a boot policy; exit 1 when anything fails",
                        check.get());
  c->add_option("--policy", check->policy_file,
                "Boot policy JSON: a reference state, {\"policy\": "
                "\"accept-all\"} or {\"policy\": \"reject-all\"}");
  registry.Bind(
      c, [check](const CommandContext& ctx) { return RunCheck(*check, ctx); });
}

}  // namespace candor::tenant
