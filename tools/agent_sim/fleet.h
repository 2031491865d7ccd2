// File: tools/agent_sim/fleet.h
//
// All virtual agents of one simulator process and what they share: the EK
// CA, the shared boot and IMA logs (shared_log.h), ONE RSA-2048 transport
// key for every agent (generating 2000 RSA keys would take ~100 s; each
// agent's PCR 16 is still the correct binding of the key it registers, so
// the verifier's check passes; a payload encrypted to one agent could be
// opened by any of them, which does not matter for load), and a key that
// signs tampered quotes. Agents are created on `threads` threads.
//
// Thread-safe after Create: the directory is immutable, agents are
// thread-safe.
#ifndef CANDOR_TOOLS_AGENT_SIM_FLEET_H_
#define CANDOR_TOOLS_AGENT_SIM_FLEET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/agent_sim/shared_log.h"
#include "tools/agent_sim/sim_keys.h"
#include "tools/agent_sim/sim_service.h"
#include "tools/agent_sim/virtual_agent.h"

namespace candor::agent_sim {

struct FleetOptions {
  uint64_t count = 100;
  std::string id_prefix = "a";
  int threads = 4;
  uint64_t ima_initial = 1000;
  double ima_growth_per_minute = 10;
  uint64_t ima_pool = 2000;
};

class Fleet {
 public:
  // INVALID_ARGUMENT for count 0, threads < 1, a negative growth or an id
  // prefix that makes invalid agent ids; key generation errors otherwise.
  static absl::StatusOr<std::unique_ptr<Fleet>> Create(
      const FleetOptions& options);

  const SimCa& ca() const { return ca_; }
  SharedLog& log() { return *log_; }
  FleetContext& context() { return context_; }
  const std::vector<std::unique_ptr<VirtualAgent>>& agents() const {
    return agents_;
  }
  const AgentDirectory& directory() const { return directory_; }

  // The agent named by a 1-based index ("17") or an agent id; nullptr if
  // none.
  VirtualAgent* Lookup(absl::string_view index_or_id) const;

 private:
  Fleet() = default;
  SimCa ca_;
  std::unique_ptr<SharedLog> log_;
  SimAk wrong_ak_;
  FleetContext context_;
  std::vector<std::unique_ptr<VirtualAgent>> agents_;
  AgentDirectory directory_;
};

// Runs fn(i) for i in [0, n) on `threads` threads; returns the first error
// (later items are skipped once one failed).
absl::Status ParallelFor(uint64_t n, int threads,
                         const std::function<absl::Status(uint64_t)>& fn);

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_FLEET_H_
