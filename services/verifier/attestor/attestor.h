// File: services/verifier/attestor/attestor.h
//
// The attestation loop of one verifier replica (DESIGN.md "One attestation
// cycle", "Sharding and failover"; README "Operational states").
//
//  - Leases: every `lease_renew` the replica heartbeats, renews its leases
//    and claims agents nobody holds (AgentStore::ClaimLeases); it attests
//    only agents it holds a lease on, even when it is the only replica. A
//    restarted replica with the same id renews its own leases at once, so
//    every agent resumes by itself.
//  - Scheduling: each held agent in PENDING, ATTESTING or UNREACHABLE runs a
//    cycle every quote interval (Agent.quote_interval, else the default),
//    measured from the end of the previous cycle; newly held agents are
//    spread over one interval. At most `max_in_flight` cycles run at once.
//  - A cycle: fresh 32-byte nonce, GetQuote (async gRPC with a deadline; IMA
//    pages fetched while needed), lib/attest EvaluateCycle on a worker
//    thread, the verdict (verdict.h) committed through the CommitQueue
//    (failures and state changes at once, passes batched), then streamed by
//    the EventHub. A failing cycle keeps its evidence with the event.
//  - Misses: agent.unreachable; the retry delay doubles from the interval up
//    to `backoff_ceiling`; UNREACHABLE after `unreachable_after` misses, back
//    to ATTESTING on the next good quote by itself.
//  - After the first passing cycle the V share is delivered (RSA-OAEP to the
//    transport key) and a KEY_SHARE_DELIVERED event written; retried at the
//    next pass when delivery failed. Never before a pass.
//  - FAILED: a signed revocation notice (REVOCATION_SENT event). Every
//    replica's loop, seeing that event on the hub, notifies the agents it
//    holds (except the failed one and FAILED agents).
//  - Admin changes (events AGENT_ADDED/UPDATED/DELETED, STATE_CHANGED) make
//    the holder reload the agent; a cycle result computed from an older
//    generation is discarded by the store, never written over the change,
//    and the agent is attested again under the new generation. The first
//    cycle after an admin change looks its policies up afresh (a
//    reactivation right after a policy update uses the new version).
//  - An agent whose lease was lost is dropped; a late commit or event never
//    brings it back (only the lease loop adds agents).
//  - A new boot seen mid-log (ima_restart_needed) persists the reset replay
//    and runs again at once; its warnings (agent.rebooted) are reported with
//    the next cycle's verdict.
// Thread-safe; Start once, Stop once.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "candor/v1/common.pb.h"
#include "lib/crypto/secret.h"
#include "lib/failure/severity_policy.h"
#include "lib/metrics/component_metrics.h"
#include "services/verifier/attestor/agent_connector.h"
#include "services/verifier/attestor/agent_plan.h"
#include "services/verifier/attestor/commit_queue.h"
#include "services/verifier/attestor/policy_resolver.h"
#include "services/verifier/attestor/work_queue.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/watch/event_hub.h"

namespace candor::verifier {

class Attestor {
 public:
  struct Options {
    std::string replica_id;
    std::string address;  // this replica's gRPC address, for `replicas`
    absl::Duration default_interval = absl::Seconds(2);
    absl::Duration rpc_timeout = absl::Seconds(10);
    absl::Duration backoff_ceiling = absl::Seconds(60);
    int unreachable_after = 2;
    absl::Duration lease_duration = absl::Seconds(15);
    absl::Duration lease_renew = absl::Seconds(5);
    uint32_t max_claim = 10000;
    int max_in_flight = 2000;
    int workers = 2;
    uint32_t ima_page_entries = 10000;
    int max_ima_pages = 1000;
    CommitQueue::Options commits;
  };
  using OpenShareFn =
      std::function<absl::StatusOr<crypto::SecretBytes>(const std::string&)>;
  using WrapShareFn = std::function<absl::StatusOr<std::string>(
      absl::string_view spki_der, const crypto::SecretBytes& share)>;
  using SignNoticeFn = std::function<absl::StatusOr<v1::RevocationNotice>(
      const v1::RevocationMessage&)>;
  struct Deps {
    AgentStore* store = nullptr;
    PolicyResolver* policies = nullptr;
    AgentConnector* connector = nullptr;
    EventHub* hub = nullptr;
    const failure::SeverityPolicy* severity = nullptr;
    metrics::VerifierMetrics* metrics = nullptr;  // may be null
    OpenShareFn open_v_share;                     // null: V never sent
    WrapShareFn wrap_share;
    SignNoticeFn sign_notice;  // null: no revocation notices
  };

  Attestor(Options options, Deps deps);
  ~Attestor();

  // Registers the hub listener (call before EventHub::Start) ...
  void Attach();
  // ... and starts the lease, scheduler and worker threads.
  void Start();
  // Stops scheduling, waits for running cycles (up to rpc_timeout), writes
  // what is queued and releases the leases.
  void Stop();

  size_t owned() const;

 private:
  struct Slot;
  struct Job;
  struct Due {
    absl::Time when;
    std::string id;
    uint64_t epoch;
    bool operator<(const Due& o) const { return when > o.when; }
  };

  void LeaseLoop();
  void SchedulerLoop();
  void RenewLeases();
  // Why agents are (re)loaded from the store:
  //  - kLeaseGained: newly held (or held but missing from memory): create
  //    the slot and schedule it, spread over one interval.
  //  - kEvent: an admin event: reload slots this replica has; reschedule
  //    only when the row changed (this replica's own STATE_CHANGED events
  //    come back here too).
  //  - kStale: a cycle's commit was discarded: reload and always schedule a
  //    new cycle (the event reload may already have refreshed the row while
  //    the cycle was in flight, when it could not schedule).
  // Only kLeaseGained creates slots: an agent whose lease was lost is never
  // brought back by a late commit or event.
  enum class LoadReason { kLeaseGained, kEvent, kStale };
  void Load(const std::vector<std::string>& ids, LoadReason reason);
  void ScheduleLocked(Slot& slot, absl::Time when)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnEvents(const std::vector<StoredEvent>& events);

  // One cycle (cycle.cc).
  void Begin(std::shared_ptr<Job> job);
  void RequestQuote(std::shared_ptr<Job> job, uint64_t start_entry,
                    bool want_boot_log, bool first);
  void Evaluate(std::shared_ptr<Job> job);
  void Miss(std::shared_ptr<Job> job, v1::Failure finding);
  void Submit(std::shared_ptr<Job> job, CycleCommit commit, bool urgent,
              bool passed, bool failed, bool reached_verdict);
  void AfterCommit(std::shared_ptr<Job> job, bool passed, bool failed,
                   bool reached_verdict, absl::StatusOr<CommitOutcome> outcome);
  void Finish(const std::string& id, absl::Time next_due);
  void DeliverV(std::shared_ptr<Job> job);
  void SendRevocation(const AgentRecord& record, const StoredEvent& failed);
  void FanOut(const v1::AttestationEvent& revocation);
  absl::Duration IntervalOf(const v1::Agent& agent) const;

  const Options options_;
  const Deps deps_;
  std::unique_ptr<WorkQueue> workers_;
  std::unique_ptr<CommitQueue> commits_;
  mutable absl::Mutex mu_;
  absl::CondVar sched_wake_;
  absl::CondVar lease_wake_;
  absl::flat_hash_map<std::string, std::unique_ptr<Slot>> slots_
      ABSL_GUARDED_BY(mu_);
  std::priority_queue<Due> due_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool lease_poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ = false;
  std::thread lease_thread_;
  std::thread sched_thread_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_H_
