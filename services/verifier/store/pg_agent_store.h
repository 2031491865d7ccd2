// File: services/verifier/store/pg_agent_store.h
//
// AgentStore on PostgreSQL (lib/pg), shared by every verifier replica. It
// owns the tables `agents`, `replicas`, `events` and `events_trimmed`
// (migration 2 of component "verifier", verifier_migrations.h), applied by
// Open/Create with the rest of the verifier's migrations.
//
// Commit order of events: every transaction that inserts events takes the
// transaction-scoped advisory lock (kEventLockKey) right before drawing
// positions from the `events` sequence and holds it until it commits, so
// positions are drawn and committed in the same order: once position P is
// readable, no position below P can still commit. After inserting, the
// transaction NOTIFYs channel `candor_events` with the new highest position
// (decimal text), delivered at commit, so other replicas can wake up
// (LISTEN candor_events).
//
// Round trips: CommitCycles is three statements whatever the batch size
// (rows FOR UPDATE, one UPDATE from arrays, one INSERT of every event that
// also takes the lock and notifies); GetMany and ClaimLeases are one and
// two or three statements. Lease expiry compares with the server's now().
//
// Retries: a transaction PostgreSQL aborts (serialization failure,
// deadlock) is retried up to 3 times (Mutate's `mutate` may then run more
// than once; it must depend only on the record it is given). A lost
// connection is retried once for reads only: for a write whose commit may
// have happened, UNAVAILABLE is returned. libpqxx exceptions never escape;
// a stored row that does not parse is INTERNAL naming the agent (or event
// position) and the column.
//
// Thread-safe: calls borrow a connection from a pg::PgPool.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/pg/pool.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/store/pg_agent_sql.h"

namespace candor::verifier {

// The lock key and channel above (pg_agent_sql.h): for LISTEN.
using pgsql::kEventLockKey;
using pgsql::kEventsChannel;

class PgAgentStore final : public AgentStore {
 public:
  // Opens its own pool of `pool_size` connections and applies the
  // verifier's migrations. UNAVAILABLE if PostgreSQL cannot be reached;
  // FAILED_PRECONDITION if the schema is newer than this binary or a
  // migration was edited.
  static absl::StatusOr<std::unique_ptr<PgAgentStore>> Open(
      const std::string& conninfo, size_t pool_size);
  // Uses `pool` (not owned; it must outlive the store), e.g. the policy
  // store's, and applies the migrations.
  static absl::StatusOr<std::unique_ptr<PgAgentStore>> Create(pg::PgPool* pool);

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

  pg::PgPool& pool() { return *pool_; }

 private:
  PgAgentStore(std::unique_ptr<pg::PgPool> owned, pg::PgPool* pool)
      : owned_(std::move(owned)), pool_(pool) {}
  // Runs `fn` in a transaction on a pooled connection with the retries
  // above; `read_only` allows the retry after a lost connection.
  absl::Status Transact(absl::string_view what, bool read_only,
                        const std::function<absl::Status(pqxx::work&)>& fn);

  std::unique_ptr<pg::PgPool> owned_;
  pg::PgPool* const pool_;
  absl::Mutex mu_;
  // What ClaimLeases last answered as held, per replica (for gained/lost).
  std::map<std::string, std::set<std::string>> last_held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_STORE_H_
