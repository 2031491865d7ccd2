// File: services/verifier/store/in_memory_agent_store.h
//
// AgentStore in process memory: a fake for unit tests and single-process
// demos, keeping the whole AgentStore contract (agent_store.h) and passing
// agent_store_conformance. Time (lease expiry, heartbeats, unset event
// times) comes from an injectable clock, so tests expire leases by advancing
// a fake clock instead of sleeping. Events are kept until TrimEvents.
//
// Thread-safe (one mutex); `mutate` callbacks of Mutate and `eligible` of
// ClaimLeases run under it and must not call back into the store.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_AGENT_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_AGENT_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

class InMemoryAgentStore final : public AgentStore {
 public:
  using Clock = std::function<absl::Time()>;
  // `clock` defaults to absl::Now.
  explicit InMemoryAgentStore(Clock clock = Clock());

  absl::StatusOr<std::vector<StoredEvent>> Add(
      const AgentRecord& record, const std::vector<NewEvent>& events) override;
  absl::StatusOr<AgentRecord> Mutate(absl::string_view agent_id,
                                     const Mutator& mutate) override;
  absl::StatusOr<std::vector<StoredEvent>> Delete(
      absl::string_view agent_id, const std::vector<NewEvent>& events) override;
  absl::StatusOr<AgentRecord> Get(absl::string_view agent_id) override;
  absl::StatusOr<std::vector<AgentRecord>> GetMany(
      const std::vector<std::string>& agent_ids) override;
  absl::StatusOr<AgentPage> List(
      const std::vector<v1::OperationalState>& states, uint32_t page_size,
      absl::string_view page_token) override;
  absl::StatusOr<std::vector<std::string>> AgentsUsingPolicy(
      absl::string_view name, uint32_t limit) override;
  absl::StatusOr<uint32_t> CountAgentsUsingPolicyVersion(
      absl::string_view name, uint32_t version,
      uint32_t latest_version) override;
  absl::Status Heartbeat(absl::string_view replica_id,
                         absl::string_view address) override;
  absl::StatusOr<LeaseChange> ClaimLeases(
      absl::string_view replica_id, absl::Duration duration, uint32_t max_claim,
      const std::function<bool(absl::string_view)>& eligible) override;
  absl::Status ReleaseLeases(absl::string_view replica_id) override;
  absl::StatusOr<std::vector<CommitOutcome>> CommitCycles(
      absl::string_view replica_id,
      const std::vector<CycleCommit>& commits) override;
  absl::StatusOr<std::vector<StoredEvent>> AppendEvents(
      const std::vector<NewEvent>& events) override;
  absl::StatusOr<std::vector<StoredEvent>> ReadEvents(int64_t after,
                                                      uint32_t limit) override;
  absl::StatusOr<int64_t> LatestPosition() override;
  absl::StatusOr<int64_t> TrimmedThrough() override;
  absl::StatusOr<int64_t> TrimEvents(absl::Time before) override;
  absl::StatusOr<std::string> GetEvidence(int64_t position) override;

  // For tests: the replica's last heartbeat (address, time); NOT_FOUND if
  // it never sent one.
  struct ReplicaInfo {
    std::string address;
    absl::Time heartbeat_at;
  };
  absl::StatusOr<ReplicaInfo> GetReplica(absl::string_view replica_id) const;

 private:
  struct Row {
    AgentRecord record;  // agent.owner_replica_id / lease_expires_at unset
    std::string owner;   // empty = not leased
    absl::Time lease_expires_at = absl::InfinitePast();
  };
  struct Event {
    StoredEvent stored;
    std::string evidence;
    absl::Time time;
  };

  absl::Time Now() const { return clock_(); }
  // The row as reads return it (owner and expiry when the lease is live).
  AgentRecord Output(const Row& row, absl::Time now) const;
  std::vector<StoredEvent> AppendLocked(const std::vector<NewEvent>& events,
                                        absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, Row> agents_ ABSL_GUARDED_BY(mu_);  // ordered by id
  std::map<std::string, ReplicaInfo> replicas_ ABSL_GUARDED_BY(mu_);
  // What ClaimLeases last answered as held, per replica.
  std::map<std::string, std::set<std::string>> last_held_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Event> events_ ABSL_GUARDED_BY(mu_);
  int64_t last_position_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t trimmed_through_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_AGENT_STORE_H_
