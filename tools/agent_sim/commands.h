// File: tools/agent_sim/commands.h
//
// The simulator's stdin command language (README.md "Commands"), one
// command per line, one answer line per command:
//   tamper <agent> ima     -> ok tamper <id> ima <path> entry <n>
//   tamper <agent> quote   -> ok tamper <id> quote
//   tamper <agent> pcr16   -> ok tamper <id> pcr16
//   stop <agent>           -> ok stop <id>
//   start <agent>          -> ok start <id>
//   stats                  -> one JSON object on one line (the answer)
//   quit                   -> ok quit   (then the simulator exits 0)
// <agent> is a 1-based index (the number in the id) or an agent id. Anything
// else answers "error <what is wrong>". Blank lines are ignored (no answer).
// Thread-safe (the fleet is).
#ifndef CANDOR_TOOLS_AGENT_SIM_COMMANDS_H_
#define CANDOR_TOOLS_AGENT_SIM_COMMANDS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/agent_sim/fleet.h"
#include "tools/agent_sim/sim_service.h"

namespace candor::agent_sim {

class CommandProcessor {
 public:
  CommandProcessor(Fleet& fleet, const SimStats& stats)
      : fleet_(fleet), stats_(stats) {}

  // The answer line (without newline); nullopt for a blank line.
  std::optional<std::string> Execute(absl::string_view line, absl::Time now);
  bool quit() const { return quit_; }

  // The `stats` answer.
  std::string StatsJson(absl::Time now) const;

 private:
  Fleet& fleet_;
  const SimStats& stats_;
  bool quit_ = false;
};

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_COMMANDS_H_
