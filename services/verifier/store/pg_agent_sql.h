// File: services/verifier/store/pg_agent_sql.h
//
// PgAgentStore's SQL helpers (internal to the store): PostgreSQL array
// literals for batched statements, the agents row <-> AgentRecord mapping
// and the event insert that keeps positions in commit order. Every function
// taking a pqxx::work may throw libpqxx exceptions; callers run it inside
// pg::Connection::Transact, which turns them into a Status. Parse failures
// of stored bytes are returned as INTERNAL naming the row and column.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_SQL_H_
#define CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_SQL_H_

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier::pgsql {

// pg_advisory_xact_lock key serializing event inserts ("CANDEVNT").
inline constexpr int64_t kEventLockKey = 0x43414E444556'4E54;
// The channel notified after events commit; payload: highest position.
inline constexpr char kEventsChannel[] = "candor_events";

// Array literals: '{"a","b\"c"}' (text), '{1,2}' (bigint), and bytes as a
// text array of lower-case hex (decode(x, 'hex') in SQL).
std::string TextArray(const std::vector<std::string>& values);
std::string BigintArray(const std::vector<int64_t>& values);
std::string HexArray(const std::vector<std::string>& values);

// The bytes of a bytea field ("" for NULL).
std::string Bytes(const pqxx::field& f);

// The columns AgentFromRow reads, in order (owner and expiry only when the
// lease is live at the server's now()).
extern const char kAgentColumns[];
absl::StatusOr<AgentRecord> AgentFromRow(const pqxx::row& row);

// The serialized config column: the Agent without owner_replica_id.
std::string ConfigBytes(const v1::Agent& agent);
// Parses a stored Agent (config) of `agent_id`.
absl::StatusOr<v1::Agent> ParseConfig(const std::string& agent_id,
                                      const std::string& bytes);

// Columns EventFromRow reads: position, event, evidence IS NOT NULL.
extern const char kEventColumns[];
absl::StatusOr<StoredEvent> EventFromRow(const pqxx::row& row);

// Appends `events` in input order in one statement: takes the event lock,
// reserves a contiguous block of positions, inserts and NOTIFYs. Unset
// event times get `now`. Returns the stored events.
absl::StatusOr<std::vector<StoredEvent>> InsertEvents(
    pqxx::work& tx, const std::vector<const NewEvent*>& events, absl::Time now);
absl::StatusOr<std::vector<StoredEvent>> InsertEvents(
    pqxx::work& tx, const std::vector<NewEvent>& events, absl::Time now);

}  // namespace candor::verifier::pgsql

#endif  // CANDOR_SERVICES_VERIFIER_STORE_PG_AGENT_SQL_H_
