// CommitCycles on a real PostgreSQL 15 (tests/harness, durability off):
// batches of `range(0)` cycle commits (one ATTESTATION_PASSED event each,
// an AgentAttestationState-sized blob), as the attestation loop writes them.
//
//   bazel run -c opt //tests/integration/verifier:agent_store_benchmark
//
// Counters: items_per_second = applied commits/s; statements = statements
// PostgreSQL logged per batch (BEGIN and COMMIT included).
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "services/verifier/store/agent_store_conformance.h"
#include "services/verifier/store/pg_agent_store.h"
#include "tests/integration/verifier/pg_test_util.h"

namespace candor::verifier::testing {
namespace {

struct Fixture {
  std::unique_ptr<PgAgentStore> store;
  std::vector<std::string> ids;
};

// One database per batch size, with the agents added and leased by "r1".
Fixture& Setup(int batch) {
  static auto* fixtures = new std::map<int, Fixture>;
  Fixture& f = (*fixtures)[batch];
  if (f.store != nullptr) return f;
  auto db = FreshDatabase("agentbench");
  if (!db.ok() || !LogStatements(*db).ok()) {
    std::cerr << "PostgreSQL unavailable: " << db.status() << "\n";
    std::exit(1);
  }
  auto store = PgAgentStore::Open(*db, 1);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    std::exit(1);
  }
  f.store = std::move(*store);
  for (int i = 0; i < batch; ++i) {
    f.ids.push_back(absl::StrCat("bench-agent-", 100000 + i));
    if (!f.store->Add(SampleAgent(f.ids.back()), {}).ok()) std::exit(1);
  }
  if (!f.store->ClaimLeases("r1", absl::Hours(1), batch, nullptr).ok()) {
    std::exit(1);
  }
  return f;
}

std::vector<CycleCommit> Batch(const Fixture& f, uint64_t round) {
  std::vector<CycleCommit> batch;
  batch.reserve(f.ids.size());
  for (const std::string& id : f.ids) {
    CycleCommit c;
    c.agent_id = id;
    c.expected_generation = 1;
    c.status.set_state(v1::OPERATIONAL_STATE_ATTESTING);
    c.status.set_attestation_count(round);
    c.status.set_next_ima_entry(1000 + round);
    c.status.set_boot_id("0d6f2c3e-8f4b-4a51-9d52-1b8e6c4f7a10");
    c.status.mutable_last_attestation()->set_seconds(1800000000 + round);
    c.status.mutable_last_successful_attestation()->set_seconds(1800000000 +
                                                                round);
    c.attest_state = std::string(160, 'S');
    NewEvent e = SampleEvent(id, v1::EVENT_KIND_ATTESTATION_PASSED);
    e.event.clear_failures();
    e.event.set_attestation_count(round);
    c.events.push_back(e);
    batch.push_back(std::move(c));
  }
  return batch;
}

void BM_CommitCycles(benchmark::State& state) {
  Fixture& f = Setup(static_cast<int>(state.range(0)));
  uint64_t round = 0;
  const int64_t logged_before = LoggedStatements().value_or(0);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<CycleCommit> batch = Batch(f, ++round);
    state.ResumeTiming();
    auto out = f.store->CommitCycles("r1", batch);
    if (!out.ok() || !(*out)[0].applied) {
      state.SkipWithError(out.ok() ? "commit not applied"
                                   : out.status().ToString().c_str());
      break;
    }
  }
  const int64_t logged = LoggedStatements().value_or(0) - logged_before;
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["statements"] = benchmark::Counter(
      static_cast<double>(logged) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CommitCycles)
    ->Arg(200)
    ->Arg(20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace candor::verifier::testing
