// File: services/verifier/store/agent_store.h
//
// Where the verifier keeps its agents, their leases, the replicas and the
// fleet's event stream (DESIGN.md "State", "Sharding and failover";
// protos/candor/v1/README.md "Events and cursors"). Implementations:
// PgAgentStore (PostgreSQL) and InMemoryAgentStore (a fake for unit tests);
// both pass agent_store_conformance.
//
// Rows and who writes them:
//   - Admin calls (VerifierService, any replica) write through Add / Mutate /
//     Delete. Every admin write bumps the row's `generation` and writes its
//     events in the same transaction.
//   - The attestation loop of the replica holding an agent's lease writes
//     cycle results through CommitCycles. A cycle commit applies only when
//     the row still has the generation the cycle started from AND the replica
//     still holds the lease; otherwise it is dropped as stale (the replica
//     reloads the agent and runs a new cycle). So an admin change made during
//     a cycle is never overwritten, and no agent is attested by two replicas.
//
// Events: every write that changes what operators see appends events in the
// same transaction. Each event gets a cursor: a position in the fleet-wide
// sequence that is in COMMIT order (an event committed later never gets a
// position before one already readable; PgAgentStore serializes event
// inserts with a transaction-scoped advisory lock so sequence order equals
// commit order). ReadEvents(after) therefore never misses an event that
// commits after a read returned. Events have positions >= 1; position 0
// means "before the first event" (a heartbeat on an empty stream carries
// it). EncodeCursor / DecodeCursor make the opaque client form of any
// position >= 0.
//
// Errors: INVALID_ARGUMENT (malformed page token, cursor), NOT_FOUND,
// ALREADY_EXISTS, UNAVAILABLE / ABORTED / INTERNAL from the database (a
// stored row that does not parse is INTERNAL naming the agent and column).
// Every call is one transaction: all or nothing. Thread-safe.
//
// Event times: an event whose `time` is unset gets the store's clock at
// write. TrimEvents(before) removes the longest run of oldest events whose
// time is before `before` (stopping at the first younger one), so what is
// retained is always a contiguous tail of the sequence.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"

namespace candor::verifier {

// One agent as stored.
struct AgentRecord {
  // Configuration and status as the API shows them (verifier.proto Agent).
  // owner_replica_id is filled from the lease on reads; next_ima_entry and
  // boot_id are kept equal to attest_state's by the writers.
  v1::Agent agent;
  // The identity fetched from the registrar at AddAgent: AK public, TLS
  // certificate, transport key, EK. Never changes while the agent exists.
  v1::AgentIdentity identity;
  // Serialized candor.internal.v1.AgentAttestationState (lib/attest).
  std::string attest_state;
  // The V share sealed by the service (never plaintext); empty = none.
  std::string sealed_v_share;
  // Bumped by every admin write (Add = 1). Output of reads; ignored on
  // writes (the store maintains it).
  int64_t generation = 0;
  // Lease expiry (reads only); absl::InfinitePast() when not leased.
  absl::Time lease_expires_at = absl::InfinitePast();
};

// An event to append (its cursor is assigned by the store) with, for
// failures, the evidence to keep for forensics (serialized
// candor.internal.v1.CycleEvidence; empty = none).
struct NewEvent {
  v1::AttestationEvent event;
  std::string evidence;
};

// A stored event. `event.cursor` is set (EncodeCursor(position)).
struct StoredEvent {
  int64_t position = 0;
  v1::AttestationEvent event;
  bool has_evidence = false;
};

// The result of one attestation cycle (or one V delivery) for one agent.
struct CycleCommit {
  std::string agent_id;
  int64_t expected_generation = 0;  // the generation the cycle started from
  // The new row content: status fields of `agent` (state, severity_level,
  // last_failure, attestation_count, last_attestation,
  // last_successful_attestation, *_policy_version_in_use, boot_id,
  // next_ima_entry, v_share_delivered_at). Configuration fields are ignored.
  v1::Agent status;
  std::string attest_state;
  std::vector<NewEvent> events;
};

// What CommitCycles did with each commit, in input order.
struct CommitOutcome {
  bool applied = false;  // false: stale (generation or lease), nothing written
  std::vector<StoredEvent> events;  // the appended events, when applied
};

struct AgentPage {
  std::vector<AgentRecord> agents;
  std::string next_page_token;  // empty on the last page
};

// Lease bookkeeping of one ClaimLeases call.
struct LeaseChange {
  std::vector<std::string> held;    // every agent the replica holds now
  std::vector<std::string> gained;  // newly claimed by this call
  std::vector<std::string> lost;    // held before this call, not anymore
};

inline constexpr uint32_t kDefaultAgentPageSize = 100;
inline constexpr uint32_t kMaxAgentPageSize = 1000;
inline constexpr uint32_t kDefaultEventReadLimit = 1000;
inline constexpr uint32_t kMaxEventReadLimit = 10000;

class AgentStore {
 public:
  virtual ~AgentStore() = default;

  // --- Admin writes (each bumps generation and appends the events given).

  // Inserts a new agent (generation 1, not leased). ALREADY_EXISTS if the id
  // exists; INVALID_ARGUMENT for an empty id. agent.added_at: kept when set,
  // the store's clock otherwise.
  virtual absl::StatusOr<std::vector<StoredEvent>> Add(
      const AgentRecord& record, const std::vector<NewEvent>& events) = 0;

  // Reads the row FOR UPDATE, calls `mutate` on it and writes it back with
  // the events `mutate` returns, in one transaction. `mutate` may change
  // every field but agent_id, identity and generation (changes to those, to
  // added_at, owner_replica_id and lease_expires_at are ignored); an error
  // from it aborts the transaction and is returned. NOT_FOUND for an unknown
  // id. Returns the row as written (generation bumped).
  using Mutator =
      std::function<absl::StatusOr<std::vector<NewEvent>>(AgentRecord&)>;
  virtual absl::StatusOr<AgentRecord> Mutate(absl::string_view agent_id,
                                             const Mutator& mutate) = 0;

  // Removes the agent, its lease and V share, and appends `events`.
  // NOT_FOUND for an unknown id.
  virtual absl::StatusOr<std::vector<StoredEvent>> Delete(
      absl::string_view agent_id, const std::vector<NewEvent>& events) = 0;

  // --- Reads.

  virtual absl::StatusOr<AgentRecord> Get(absl::string_view agent_id) = 0;
  // Several agents at once (missing ids are left out), for the loop.
  virtual absl::StatusOr<std::vector<AgentRecord>> GetMany(
      const std::vector<std::string>& agent_ids) = 0;
  // Agents ordered by id, optionally only in `states` (empty = all).
  // page_size 0 = 100, > 1000 = 1000. Tokens are bound to the filter.
  virtual absl::StatusOr<AgentPage> List(
      const std::vector<v1::OperationalState>& states, uint32_t page_size,
      absl::string_view page_token) = 0;
  // Ids of agents referencing policy `name` (any version, as runtime or boot
  // policy), at most `limit` (0 = 100), ordered by id; and how many reference
  // `name` at `version`, counting followers (version 0 in the agent) when
  // `version` is `latest_version`.
  virtual absl::StatusOr<std::vector<std::string>> AgentsUsingPolicy(
      absl::string_view name, uint32_t limit) = 0;
  virtual absl::StatusOr<uint32_t> CountAgentsUsingPolicyVersion(
      absl::string_view name, uint32_t version, uint32_t latest_version) = 0;

  // --- The attestation loop.

  // Writes the replica's heartbeat (id, address, now).
  virtual absl::Status Heartbeat(absl::string_view replica_id,
                                 absl::string_view address) = 0;
  // Renews every lease `replica_id` holds and claims agents with no live
  // lease (none, or expired) up to `max_claim`, all until now + `duration`.
  // `eligible(agent_id)` (null = all) decides which unleased agents this
  // replica may claim (rendezvous hashing, once sharding lands); unleased
  // agents are considered in id order. A lease of `replica_id` that expired
  // while nobody else claimed it is renewed too. `gained` / `lost` are
  // relative to the `held` this store object returned for `replica_id` at
  // its previous ClaimLeases (empty at first and after ReleaseLeases).
  virtual absl::StatusOr<LeaseChange> ClaimLeases(
      absl::string_view replica_id, absl::Duration duration, uint32_t max_claim,
      const std::function<bool(absl::string_view)>& eligible) = 0;
  // Gives up the leases of `replica_id` (clean shutdown).
  virtual absl::Status ReleaseLeases(absl::string_view replica_id) = 0;

  // Applies each commit whose row still has expected_generation and whose
  // lease `replica_id` holds; appends the applied commits' events. One
  // transaction for the whole batch.
  virtual absl::StatusOr<std::vector<CommitOutcome>> CommitCycles(
      absl::string_view replica_id,
      const std::vector<CycleCommit>& commits) = 0;

  // Appends events not tied to a row change (REVOCATION_SENT).
  virtual absl::StatusOr<std::vector<StoredEvent>> AppendEvents(
      const std::vector<NewEvent>& events) = 0;

  // --- Events.

  // Events with position > `after`, ascending, at most `limit` (0 = 1000,
  // above 10000 = 10000).
  virtual absl::StatusOr<std::vector<StoredEvent>> ReadEvents(
      int64_t after, uint32_t limit) = 0;
  // The newest position (0 when there are no events).
  virtual absl::StatusOr<int64_t> LatestPosition() = 0;
  // The oldest retained position minus one: resuming after a position below
  // it is OUT_OF_RANGE (0 when nothing was ever trimmed).
  virtual absl::StatusOr<int64_t> TrimmedThrough() = 0;
  // Deletes the oldest events with time before `before` (up to the first
  // younger one, see "Event times" above); returns how many.
  virtual absl::StatusOr<int64_t> TrimEvents(absl::Time before) = 0;
  // The evidence kept with an event (NOT_FOUND when none).
  virtual absl::StatusOr<std::string> GetEvidence(int64_t position) = 0;
};

// Cursor strings: "c1-" + position in lower-case hex (opaque to clients).
std::string EncodeCursor(int64_t position);
// INVALID_ARGUMENT for anything EncodeCursor does not produce.
absl::StatusOr<int64_t> DecodeCursor(absl::string_view cursor);

// page_size 0 → 100, > 1000 → 1000.
uint32_t EffectiveAgentPageSize(uint32_t page_size);
// ReadEvents limit: 0 → 1000, > 10000 → 10000.
uint32_t EffectiveEventReadLimit(uint32_t limit);
// Page tokens: the last agent id of a page, bound to the state filter.
std::string EncodeAgentPageToken(
    const std::vector<v1::OperationalState>& states, absl::string_view last_id);
absl::StatusOr<std::string> DecodeAgentPageToken(
    const std::vector<v1::OperationalState>& states, absl::string_view token);

// Helpers shared by the implementations.

// True when `states` is empty (no filter) or holds `state`.
bool StatesContain(const std::vector<v1::OperationalState>& states,
                   v1::OperationalState state);
// Copies the status fields CycleCommit.status carries (see CycleCommit) from
// `status` into `agent`, leaving configuration fields alone.
void ApplyCycleStatus(const v1::Agent& status, v1::Agent& agent);
// Whether `agent` references policy `name` (any version, either kind), and
// whether it uses `version` of it (followers, version 0, count at latest).
bool UsesPolicy(const v1::Agent& agent, absl::string_view name);
bool UsesPolicyVersion(const v1::Agent& agent, absl::string_view name,
                       uint32_t version, uint32_t latest_version);
// INVALID_ARGUMENT for an empty agent id (the service validates the syntax).
absl::Status ValidateStoredAgentId(absl::string_view agent_id);
// google.protobuf.Timestamp <-> absl::Time (UTC).
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_H_
