// PgAgentStore: opening, admin writes and reads of agents. The attestation
// loop's calls (heartbeat, leases, CommitCycles) and the event stream are in
// pg_agent_store_loop.cc.
#include "services/verifier/store/pg_agent_store.h"

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/status/status_macros.h"
#include "services/verifier/store/pg_agent_sql.h"
#include "services/verifier/store/verifier_migrations.h"

namespace candor::verifier {
namespace {

using pgsql::AgentFromRow;
using pgsql::ConfigBytes;
using pgsql::kAgentColumns;

pqxx::binarystring Bin(const std::string& s) {
  return pqxx::binarystring(s.data(), s.size());
}

absl::Status NoAgent(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, ": no agent ", id));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgAgentStore>> PgAgentStore::Open(
    const std::string& conninfo, size_t pool_size) {
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgPool> pool,
                        pg::PgPool::Create(conninfo, pool_size));
  ABSL_RETURN_IF_ERROR(ApplyVerifierMigrations(*pool));
  pg::PgPool* raw = pool.get();
  return std::unique_ptr<PgAgentStore>(new PgAgentStore(std::move(pool), raw));
}

absl::StatusOr<std::unique_ptr<PgAgentStore>> PgAgentStore::Create(
    pg::PgPool* pool) {
  if (pool == nullptr) {
    return absl::InvalidArgumentError("PgAgentStore::Create: null pool");
  }
  ABSL_RETURN_IF_ERROR(ApplyVerifierMigrations(*pool));
  return std::unique_ptr<PgAgentStore>(new PgAgentStore(nullptr, pool));
}

absl::Status PgAgentStore::Transact(
    absl::string_view what, bool read_only,
    const std::function<absl::Status(pqxx::work&)>& fn) {
  int aborted = 0, lost = 0;
  for (;;) {
    ABSL_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool_->Acquire());
    absl::Status s = conn->Transact(what, fn);
    if (s.code() == absl::StatusCode::kAborted && ++aborted < 3) continue;
    if (read_only && s.code() == absl::StatusCode::kUnavailable && ++lost < 2) {
      continue;
    }
    return s;
  }
}

absl::StatusOr<std::vector<StoredEvent>> PgAgentStore::Add(
    const AgentRecord& record, const std::vector<NewEvent>& events) {
  const std::string& id = record.agent.agent_id();
  ABSL_RETURN_IF_ERROR(ValidateStoredAgentId(id)) << "AddAgent";
  const absl::Time now = absl::Now();
  v1::Agent agent = record.agent;
  if (!agent.has_added_at()) {
    ToTimestamp(absl::FromUnixMicros(absl::ToUnixMicros(now)),
                agent.mutable_added_at());
  }
  const std::string config = ConfigBytes(agent);
  const std::string identity = record.identity.SerializeAsString();
  std::vector<StoredEvent> out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: add agent ", id), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO agents (agent_id, state, generation, config, "
            "identity, attest_state, sealed_v_share, runtime_policy, "
            "runtime_policy_version, boot_policy, boot_policy_version, "
            "added_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, "
            "'epoch'::timestamptz + $11 * interval '1 microsecond') "
            "ON CONFLICT (agent_id) DO NOTHING RETURNING 1",
            id, static_cast<int>(agent.state()), Bin(config), Bin(identity),
            Bin(record.attest_state), Bin(record.sealed_v_share),
            agent.runtime_policy().name(),
            static_cast<int64_t>(agent.runtime_policy().version()),
            agent.boot_policy().name(),
            static_cast<int64_t>(agent.boot_policy().version()),
            absl::ToUnixMicros(FromTimestamp(agent.added_at())));
        if (inserted.empty()) {
          return absl::AlreadyExistsError(
              absl::StrCat("AddAgent: agent ", id, " exists"));
        }
        ABSL_ASSIGN_OR_RETURN(out, pgsql::InsertEvents(tx, events, now));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<AgentRecord> PgAgentStore::Mutate(absl::string_view agent_id,
                                                 const Mutator& mutate) {
  const std::string id(agent_id);
  AgentRecord out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: update agent ", id), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kAgentColumns,
                         " FROM agents WHERE agent_id = $1 FOR UPDATE"),
            id);
        if (rows.empty()) return NoAgent("Mutate", id);
        ABSL_ASSIGN_OR_RETURN(const AgentRecord stored, AgentFromRow(rows[0]));
        AgentRecord work = stored;
        ABSL_ASSIGN_OR_RETURN(std::vector<NewEvent> events, mutate(work));
        // Fields the mutator may not change.
        work.agent.set_agent_id(id);
        work.identity = stored.identity;
        *work.agent.mutable_added_at() = stored.agent.added_at();
        work.agent.set_owner_replica_id(stored.agent.owner_replica_id());
        work.lease_expires_at = stored.lease_expires_at;
        work.generation = stored.generation + 1;
        const v1::Agent& a = work.agent;
        tx.exec_params(
            "UPDATE agents SET generation = $2, state = $3, config = $4, "
            "attest_state = $5, sealed_v_share = $6, runtime_policy = $7, "
            "runtime_policy_version = $8, boot_policy = $9, "
            "boot_policy_version = $10 WHERE agent_id = $1",
            id, work.generation, static_cast<int>(a.state()),
            Bin(ConfigBytes(a)), Bin(work.attest_state),
            Bin(work.sealed_v_share), a.runtime_policy().name(),
            static_cast<int64_t>(a.runtime_policy().version()),
            a.boot_policy().name(),
            static_cast<int64_t>(a.boot_policy().version()));
        ABSL_RETURN_IF_ERROR(
            pgsql::InsertEvents(tx, events, absl::Now()).status());
        out = std::move(work);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> PgAgentStore::Delete(
    absl::string_view agent_id, const std::vector<NewEvent>& events) {
  const std::string id(agent_id);
  std::vector<StoredEvent> out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: delete agent ", id), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        if (tx.exec_params("DELETE FROM agents WHERE agent_id = $1 RETURNING 1",
                           id)
                .empty()) {
          return NoAgent("DeleteAgent", id);
        }
        ABSL_ASSIGN_OR_RETURN(out,
                              pgsql::InsertEvents(tx, events, absl::Now()));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<AgentRecord> PgAgentStore::Get(absl::string_view agent_id) {
  const std::string id(agent_id);
  AgentRecord out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: get agent ", id), /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result rows =
            tx.exec_params(absl::StrCat("SELECT ", kAgentColumns,
                                        " FROM agents WHERE agent_id = $1"),
                           id);
        if (rows.empty()) return NoAgent("GetAgent", id);
        ABSL_ASSIGN_OR_RETURN(out, AgentFromRow(rows[0]));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<AgentRecord>> PgAgentStore::GetMany(
    const std::vector<std::string>& agent_ids) {
  std::vector<AgentRecord> out;
  if (agent_ids.empty()) return out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: get ", agent_ids.size(), " agents"),
      /*read_only=*/true, [&](pqxx::work& tx) -> absl::Status {
        out.clear();
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kAgentColumns,
                         " FROM agents WHERE agent_id = ANY($1::text[]) "
                         "ORDER BY agent_id"),
            pgsql::TextArray(agent_ids));
        for (const pqxx::row& row : rows) {
          ABSL_ASSIGN_OR_RETURN(AgentRecord r, AgentFromRow(row));
          out.push_back(std::move(r));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<AgentPage> PgAgentStore::List(
    const std::vector<v1::OperationalState>& states, uint32_t page_size,
    absl::string_view page_token) {
  ABSL_ASSIGN_OR_RETURN(std::string after,
                        DecodeAgentPageToken(states, page_token),
                        _ << "ListAgents");
  const uint32_t limit = EffectiveAgentPageSize(page_size);
  std::vector<int64_t> filter;
  for (v1::OperationalState s : states) filter.push_back(s);
  AgentPage page;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: list agents", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        page.agents.clear();
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kAgentColumns,
                         " FROM agents WHERE agent_id > $1 AND "
                         "(cardinality($2::smallint[]) = 0 OR "
                         "state = ANY($2::smallint[])) "
                         "ORDER BY agent_id LIMIT $3"),
            after, pgsql::BigintArray(filter), static_cast<int64_t>(limit) + 1);
        for (const pqxx::row& row : rows) {
          if (page.agents.size() == limit) {
            page.next_page_token = EncodeAgentPageToken(
                states, page.agents.back().agent.agent_id());
            break;
          }
          ABSL_ASSIGN_OR_RETURN(AgentRecord r, AgentFromRow(row));
          page.agents.push_back(std::move(r));
        }
        return absl::OkStatus();
      }));
  return page;
}

absl::StatusOr<std::vector<std::string>> PgAgentStore::AgentsUsingPolicy(
    absl::string_view name, uint32_t limit) {
  if (limit == 0) limit = kDefaultAgentPageSize;
  std::vector<std::string> out;
  if (name.empty()) return out;
  const std::string n(name);
  ABSL_RETURN_IF_ERROR(
      Transact(absl::StrCat("verifier: agents using policy ", n),
               /*read_only=*/true, [&](pqxx::work& tx) -> absl::Status {
                 out.clear();
                 pqxx::result rows = tx.exec_params(
                     "SELECT agent_id FROM agents WHERE runtime_policy = $1 OR "
                     "boot_policy = $1 ORDER BY agent_id LIMIT $2",
                     n, static_cast<int64_t>(limit));
                 for (const pqxx::row& row : rows) {
                   out.push_back(row[0].as<std::string>());
                 }
                 return absl::OkStatus();
               }));
  return out;
}

absl::StatusOr<uint32_t> PgAgentStore::CountAgentsUsingPolicyVersion(
    absl::string_view name, uint32_t version, uint32_t latest_version) {
  uint32_t out = 0;
  if (name.empty()) return out;
  const std::string n(name);
  ABSL_RETURN_IF_ERROR(
      Transact(absl::StrCat("verifier: count agents using policy ", n),
               /*read_only=*/true, [&](pqxx::work& tx) -> absl::Status {
                 pqxx::result rows = tx.exec_params(
                     "SELECT count(*) FROM agents WHERE "
                     "(runtime_policy = $1 AND (runtime_policy_version = $2 OR "
                     "  (runtime_policy_version = 0 AND $2 = $3))) OR "
                     "(boot_policy = $1 AND (boot_policy_version = $2 OR "
                     "  (boot_policy_version = 0 AND $2 = $3)))",
                     n, static_cast<int64_t>(version),
                     static_cast<int64_t>(latest_version));
                 out = rows[0][0].as<uint32_t>();
                 return absl::OkStatus();
               }));
  return out;
}

}  // namespace candor::verifier
