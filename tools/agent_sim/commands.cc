#include "tools/agent_sim/commands.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace candor::agent_sim {
namespace {

std::string Error(absl::string_view what) {
  return absl::StrCat("error ", what);
}

}  // namespace

std::string CommandProcessor::StatsJson(absl::Time now) const {
  uint64_t stopped = 0, tampered = 0;
  for (const auto& a : fleet_.agents()) {
    stopped += a->stopped() ? 1 : 0;
    tampered += a->tampered() ? 1 : 0;
  }
  const auto& agents = fleet_.agents();
  nlohmann::json j = {
      {"agents", agents.size()},
      {"stopped", stopped},
      {"tampered", tampered},
      {"uptime_s", absl::ToDoubleSeconds(now - fleet_.context().start)},
      {"ima_entries", agents.empty() ? 0 : agents[0]->ImaEntries(now)},
      {"get_identity", stats_.get_identity.load()},
      {"get_quote", stats_.get_quote.load()},
      {"quote_errors", stats_.quote_errors.load()},
      {"unavailable", stats_.unavailable.load()},
      {"unknown_agent", stats_.unknown_agent.load()},
      {"denied", stats_.denied.load()},
      {"key_shares", stats_.key_shares.load()},
      {"notifies", stats_.notifies.load()},
      {"ima_lines_sent", stats_.ima_lines_sent.load()},
  };
  return j.dump();
}

std::optional<std::string> CommandProcessor::Execute(absl::string_view line,
                                                     absl::Time now) {
  std::vector<absl::string_view> w =
      absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
  if (w.empty()) return std::nullopt;
  const absl::string_view cmd = w[0];
  auto agent = [&](absl::string_view who) { return fleet_.Lookup(who); };
  auto unknown = [&](absl::string_view who) {
    return Error(absl::StrCat("no agent \"", absl::CEscape(who), "\" (give 1..",
                              fleet_.agents().size(), " or an agent id)"));
  };
  if (cmd == "stats" && w.size() == 1) return StatsJson(now);
  if (cmd == "quit" && w.size() == 1) {
    quit_ = true;
    return std::string("ok quit");
  }
  if ((cmd == "stop" || cmd == "start") && w.size() == 2) {
    VirtualAgent* a = agent(w[1]);
    if (a == nullptr) return unknown(w[1]);
    if (cmd == "stop") {
      a->Stop();
    } else {
      a->Start();
    }
    return absl::StrCat("ok ", cmd, " ", a->id());
  }
  if (cmd == "tamper" && w.size() == 3) {
    VirtualAgent* a = agent(w[1]);
    if (a == nullptr) return unknown(w[1]);
    if (w[2] == "ima") {
      absl::StatusOr<VirtualAgent::TamperedEntry> t = a->TamperIma(now);
      if (!t.ok()) return Error(t.status().message());
      return absl::StrCat("ok tamper ", a->id(), " ima ", t->path, " entry ",
                          t->entry);
    }
    if (w[2] == "quote") {
      a->TamperQuote();
      return absl::StrCat("ok tamper ", a->id(), " quote");
    }
    if (w[2] == "pcr16") {
      a->TamperPcr16();
      return absl::StrCat("ok tamper ", a->id(), " pcr16");
    }
    return Error(absl::StrCat("unknown tampering \"", absl::CEscape(w[2]),
                              "\" (ima, quote or pcr16)"));
  }
  return Error(absl::StrCat(
      "unknown command \"", absl::CEscape(line),
      "\" (tamper <agent> ima|quote|pcr16, stop <agent>, start <agent>, "
      "stats, quit)"));
}

}  // namespace candor::agent_sim
