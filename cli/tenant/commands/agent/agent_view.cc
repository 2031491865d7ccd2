#include "cli/tenant/commands/agent/agent_view.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/tenant/proto_format.h"

namespace candor::tenant {
namespace {

std::string Ref(const v1::PolicyRef& ref, uint32_t in_use) {
  if (ref.name().empty()) return "(none)";
  std::string s = ref.name();
  absl::StrAppend(&s, ref.version() == 0
                          ? " (latest)"
                          : absl::StrCat("@", ref.version(), " (pinned)"));
  if (in_use != 0) absl::StrAppend(&s, ", version in use ", in_use);
  return s;
}

std::string Or(const std::string& s, const char* dflt) {
  return s.empty() ? dflt : s;
}

std::string Context(const v1::Failure& f) {
  // Sorted for stable output (proto maps are unordered).
  std::map<std::string, std::string> sorted(f.context().begin(),
                                            f.context().end());
  return absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

}  // namespace

nlohmann::json AgentJson(const v1::Agent& agent) { return ProtoJson(agent); }

Table AgentListTable(const std::vector<v1::Agent>& agents) {
  Table t{{"AGENT", "STATE", "SEVERITY", "LAST FAILURE", "LAST ATTESTATION",
           "OWNER"},
          {}};
  for (const v1::Agent& a : agents) {
    t.rows.push_back({a.agent_id(), StateName(a.state()),
                      Or(SeverityLabel(a.severity_level()), "-"),
                      Or(a.last_failure().id(), "-"),
                      Or(FormatTime(a.last_attestation()), "-"),
                      Or(a.owner_replica_id(), "-")});
  }
  return t;
}

Table AgentDetailTable(const v1::Agent& a) {
  Table t{{"FIELD", "VALUE"}, {}};
  auto row = [&t](const char* k, std::string v) {
    t.rows.push_back({k, std::move(v)});
  };
  row("agent", a.agent_id());
  row("state", StateName(a.state()));
  row("severity", Or(SeverityLabel(a.severity_level()), "-"));
  if (a.has_last_failure()) {
    const v1::Failure& f = a.last_failure();
    row("last failure",
        absl::StrCat(f.id(), " (", Or(SeverityLabel(f.severity()), "-"), ")"));
    row("  message", f.message());
    if (!f.context().empty()) row("  context", Context(f));
  } else {
    row("last failure", "-");
  }
  row("address", a.address());
  row("attestations", absl::StrCat(a.attestation_count()));
  row("last attestation", Or(FormatTime(a.last_attestation()), "-"));
  row("last success", Or(FormatTime(a.last_successful_attestation()), "-"));
  row("added", Or(FormatTime(a.added_at()), "-"));
  row("V share delivered", Or(FormatTime(a.v_share_delivered_at()), "-"));
  row("quote interval",
      a.has_quote_interval() && (a.quote_interval().seconds() != 0 ||
                                 a.quote_interval().nanos() != 0)
          ? FormatDuration(a.quote_interval())
          : "(verifier default)");
  row("runtime policy",
      Ref(a.runtime_policy(), a.runtime_policy_version_in_use()));
  row("boot policy", Ref(a.boot_policy(), a.boot_policy_version_in_use()));
  std::vector<std::string> sel;
  for (const v1::PcrSelection& s : a.pcr_selections()) {
    sel.push_back(
        absl::StrCat(BankName(s.bank()), ":", absl::StrJoin(s.pcrs(), ",")));
  }
  row("PCRs quoted", sel.empty() ? "(default)" : absl::StrJoin(sel, " "));
  std::vector<std::string> static_pcrs;
  for (const v1::BankPcrPolicy& b : a.static_pcr_policy().banks()) {
    std::map<uint32_t, int> sorted;
    for (const auto& [pcr, allowed] : b.pcrs()) {
      sorted[pcr] = allowed.digests_size();
    }
    for (const auto& [pcr, n] : sorted) {
      static_pcrs.push_back(
          absl::StrCat(BankName(b.bank()), ":", pcr, " (", n, " allowed)"));
    }
  }
  row("static PCR policy",
      static_pcrs.empty() ? "(none)" : absl::StrJoin(static_pcrs, " "));
  row("owner replica", Or(a.owner_replica_id(), "(none)"));
  row("boot id", Or(a.boot_id(), "-"));
  row("next IMA entry", absl::StrCat(a.next_ima_entry()));
  std::map<std::string, std::string> md(a.metadata().begin(),
                                        a.metadata().end());
  for (const auto& [k, v] : md) {
    t.rows.push_back({absl::StrCat("metadata ", k), v});
  }
  return t;
}

}  // namespace candor::tenant
