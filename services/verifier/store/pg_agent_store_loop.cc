// PgAgentStore: the attestation loop's calls (heartbeat, leases, batched
// cycle commits) and the event stream.
#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/status/status_macros.h"
#include "services/verifier/store/pg_agent_sql.h"
#include "services/verifier/store/pg_agent_store.h"

namespace candor::verifier {
namespace {

// Times given to TrimEvents are clamped to what timestamptz holds.
constexpr int64_t kMinMicros = -(int64_t{1} << 53);
constexpr int64_t kMaxMicros = int64_t{1} << 53;

}  // namespace

absl::Status PgAgentStore::Heartbeat(absl::string_view replica_id,
                                     absl::string_view address) {
  if (replica_id.empty()) {
    return absl::InvalidArgumentError("Heartbeat: replica_id is empty");
  }
  const std::string id(replica_id), addr(address);
  return Transact(
      absl::StrCat("verifier: heartbeat of ", id), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        tx.exec_params(
            "INSERT INTO replicas (replica_id, address, heartbeat_at) "
            "VALUES ($1, $2, now()) ON CONFLICT (replica_id) DO UPDATE SET "
            "address = EXCLUDED.address, heartbeat_at = EXCLUDED.heartbeat_at",
            id, addr);
        return absl::OkStatus();
      });
}

absl::StatusOr<LeaseChange> PgAgentStore::ClaimLeases(
    absl::string_view replica_id, absl::Duration duration, uint32_t max_claim,
    const std::function<bool(absl::string_view)>& eligible) {
  if (replica_id.empty()) {
    return absl::InvalidArgumentError("ClaimLeases: replica_id is empty");
  }
  const std::string me(replica_id);
  const int64_t micros = absl::ToInt64Microseconds(duration);
  std::vector<std::string> held;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: claim leases for ", me), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        held.clear();
        // Renew what is ours (a lease of ours that expired is still ours
        // while nobody claimed it).
        pqxx::result renewed = tx.exec_params(
            "UPDATE agents SET lease_expires_at = now() + $2 * "
            "interval '1 microsecond' WHERE owner_replica = $1 "
            "RETURNING agent_id",
            me, micros);
        for (const pqxx::row& row : renewed) {
          held.push_back(row[0].as<std::string>());
        }
        if (max_claim == 0) return absl::OkStatus();
        // Candidates: no live lease. Without a filter the database limits.
        pqxx::result free = tx.exec(absl::StrCat(
            "SELECT agent_id FROM agents WHERE lease_expires_at <= now() "
            "ORDER BY agent_id",
            eligible ? "" : absl::StrCat(" LIMIT ", max_claim)));
        std::vector<std::string> want;
        for (const pqxx::row& row : free) {
          if (want.size() == max_claim) break;
          std::string id = row[0].as<std::string>();
          if (!eligible || eligible(id)) want.push_back(std::move(id));
        }
        if (want.empty()) return absl::OkStatus();
        // Claim only what is still free when the row lock is ours (another
        // replica may have claimed it since the SELECT).
        pqxx::result claimed = tx.exec_params(
            "UPDATE agents SET owner_replica = $1, lease_expires_at = now() + "
            "$2 * interval '1 microsecond' WHERE agent_id = ANY($3::text[]) "
            "AND lease_expires_at <= now() RETURNING agent_id",
            me, micros, pgsql::TextArray(want));
        for (const pqxx::row& row : claimed) {
          held.push_back(row[0].as<std::string>());
        }
        return absl::OkStatus();
      }));
  std::sort(held.begin(), held.end());
  LeaseChange change;
  absl::MutexLock lock(&mu_);
  std::set<std::string>& before = last_held_[me];
  std::set<std::string> now_held(held.begin(), held.end());
  for (const std::string& id : held) {
    if (before.count(id) == 0) change.gained.push_back(id);
  }
  for (const std::string& id : before) {
    if (now_held.count(id) == 0) change.lost.push_back(id);
  }
  change.held = std::move(held);
  before = std::move(now_held);
  return change;
}

absl::Status PgAgentStore::ReleaseLeases(absl::string_view replica_id) {
  const std::string me(replica_id);
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: release leases of ", me), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        tx.exec_params(
            "UPDATE agents SET owner_replica = NULL, lease_expires_at = "
            "'-infinity' WHERE owner_replica = $1",
            me);
        return absl::OkStatus();
      }));
  absl::MutexLock lock(&mu_);
  last_held_.erase(me);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CommitOutcome>> PgAgentStore::CommitCycles(
    absl::string_view replica_id, const std::vector<CycleCommit>& commits) {
  std::vector<CommitOutcome> out(commits.size());
  if (commits.empty() || replica_id.empty()) return out;
  const std::string me(replica_id);
  std::vector<std::string> ids;
  for (const CycleCommit& c : commits) ids.push_back(c.agent_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: commit ", commits.size(), " cycles of ", me),
      /*read_only=*/false, [&](pqxx::work& tx) -> absl::Status {
        out.assign(commits.size(), CommitOutcome());
        // 1. Lock the rows (in id order: no deadlock between batches).
        pqxx::result rows = tx.exec_params(
            "SELECT agent_id, generation, "
            "owner_replica IS NOT DISTINCT FROM $2 AND lease_expires_at > "
            "now(), config FROM agents WHERE agent_id = ANY($1::text[]) "
            "ORDER BY agent_id FOR UPDATE",
            pgsql::TextArray(ids), me);
        struct Row {
          int64_t generation = 0;
          bool leased = false;
          std::string config;
          bool parsed = false;
          v1::Agent agent;
          std::string attest_state;
          bool dirty = false;
        };
        std::map<std::string, Row> current;
        for (const pqxx::row& row : rows) {
          Row& r = current[row[0].as<std::string>()];
          r.generation = row[1].as<int64_t>();
          r.leased = row[2].as<bool>();
          r.config = pgsql::Bytes(row[3]);
        }
        // 2. Decide and merge in input order.
        std::vector<const NewEvent*> events;
        std::vector<size_t> owner;  // commit index of each event
        for (size_t i = 0; i < commits.size(); ++i) {
          const CycleCommit& c = commits[i];
          auto it = current.find(c.agent_id);
          if (it == current.end()) continue;
          Row& r = it->second;
          if (!r.leased || r.generation != c.expected_generation) continue;
          if (!r.parsed) {
            ABSL_ASSIGN_OR_RETURN(r.agent,
                                  pgsql::ParseConfig(c.agent_id, r.config));
            r.parsed = true;
          }
          ApplyCycleStatus(c.status, r.agent);
          r.attest_state = c.attest_state;
          r.dirty = true;
          out[i].applied = true;
          for (const NewEvent& e : c.events) {
            events.push_back(&e);
            owner.push_back(i);
          }
        }
        // 3. One UPDATE for every applied row.
        std::vector<std::string> up_ids, configs, states;
        std::vector<int64_t> up_states;
        for (auto& [id, r] : current) {
          if (!r.dirty) continue;
          up_ids.push_back(id);
          up_states.push_back(r.agent.state());
          configs.push_back(pgsql::ConfigBytes(r.agent));
          states.push_back(r.attest_state);
        }
        if (!up_ids.empty()) {
          tx.exec_params(
              "UPDATE agents a SET state = u.s, config = decode(u.c, 'hex'), "
              "attest_state = decode(u.st, 'hex') FROM unnest($1::text[], "
              "$2::smallint[], $3::text[], $4::text[]) AS u(id, s, c, st) "
              "WHERE a.agent_id = u.id",
              pgsql::TextArray(up_ids), pgsql::BigintArray(up_states),
              pgsql::HexArray(configs), pgsql::HexArray(states));
        }
        // 4. One INSERT for every event (takes the event lock, notifies).
        ABSL_ASSIGN_OR_RETURN(std::vector<StoredEvent> stored,
                              pgsql::InsertEvents(tx, events, absl::Now()));
        for (size_t k = 0; k < stored.size(); ++k) {
          out[owner[k]].events.push_back(std::move(stored[k]));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> PgAgentStore::AppendEvents(
    const std::vector<NewEvent>& events) {
  std::vector<StoredEvent> out;
  if (events.empty()) return out;
  ABSL_RETURN_IF_ERROR(
      Transact(absl::StrCat("verifier: append ", events.size(), " events"),
               /*read_only=*/false, [&](pqxx::work& tx) -> absl::Status {
                 ABSL_ASSIGN_OR_RETURN(
                     out, pgsql::InsertEvents(tx, events, absl::Now()));
                 return absl::OkStatus();
               }));
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> PgAgentStore::ReadEvents(
    int64_t after, uint32_t limit) {
  const int64_t n = EffectiveEventReadLimit(limit);
  std::vector<StoredEvent> out;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: read events", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        out.clear();
        pqxx::result rows =
            tx.exec_params(absl::StrCat("SELECT ", pgsql::kEventColumns,
                                        " FROM events WHERE position > $1 "
                                        "ORDER BY position LIMIT $2"),
                           after, n);
        for (const pqxx::row& row : rows) {
          ABSL_ASSIGN_OR_RETURN(StoredEvent e, pgsql::EventFromRow(row));
          out.push_back(std::move(e));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<int64_t> PgAgentStore::LatestPosition() {
  int64_t out = 0;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: latest event position", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        out = tx.exec(
                    "SELECT GREATEST((SELECT COALESCE(max(position), 0) FROM "
                    "events), (SELECT through FROM events_trimmed))")[0][0]
                  .as<int64_t>();
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<int64_t> PgAgentStore::TrimmedThrough() {
  int64_t out = 0;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: trimmed events", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        out = tx.exec("SELECT through FROM events_trimmed")[0][0].as<int64_t>();
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<int64_t> PgAgentStore::TrimEvents(absl::Time before) {
  int64_t out = 0;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: trim events", /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        // The oldest retained event is the first one at or after `before`;
        // everything below it goes (a contiguous head of the sequence).
        pqxx::result r = tx.exec_params(
            "WITH cut AS (SELECT min(position) AS m FROM events WHERE time >= "
            "  'epoch'::timestamptz + $1 * interval '1 microsecond'), "
            "del AS (DELETE FROM events WHERE position < COALESCE((SELECT m "
            "  FROM cut), 9223372036854775807) RETURNING position), "
            "agg AS (SELECT count(*) AS n, max(position) AS top FROM del) "
            "UPDATE events_trimmed SET through = GREATEST(through, "
            "  COALESCE((SELECT top FROM agg), 0)) "
            "RETURNING (SELECT n FROM agg)",
            std::clamp(absl::ToUnixMicros(before), kMinMicros, kMaxMicros));
        out = r[0][0].as<int64_t>();
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::string> PgAgentStore::GetEvidence(int64_t position) {
  std::string out;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: get evidence", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result rows = tx.exec_params(
            "SELECT evidence FROM events WHERE position = $1", position);
        if (rows.empty()) {
          return absl::NotFoundError(
              absl::StrCat("no event at ", EncodeCursor(position)));
        }
        if (rows[0][0].is_null()) {
          return absl::NotFoundError(absl::StrCat(
              "event ", EncodeCursor(position), " has no evidence kept"));
        }
        out = pgsql::Bytes(rows[0][0]);
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace candor::verifier
