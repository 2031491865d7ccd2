#include "services/verifier/store/pg_agent_sql.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace candor::verifier::pgsql {

const char kAgentColumns[] =
    "agent_id, generation, config, identity, attest_state, sealed_v_share, "
    "CASE WHEN lease_expires_at > now() THEN owner_replica END, "
    "CASE WHEN lease_expires_at > now() THEN "
    "(EXTRACT(EPOCH FROM lease_expires_at) * 1000000)::bigint END";

const char kEventColumns[] = "position, event, evidence IS NOT NULL";

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string BigintArray(const std::vector<int64_t>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

std::string HexArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += absl::BytesToHexString(values[i]);
    out += '"';
  }
  out += '}';
  return out;
}

std::string Bytes(const pqxx::field& f) {
  return f.is_null() ? std::string() : pqxx::binarystring(f).str();
}

std::string ConfigBytes(const v1::Agent& agent) {
  if (agent.owner_replica_id().empty()) return agent.SerializeAsString();
  v1::Agent copy = agent;
  copy.clear_owner_replica_id();
  return copy.SerializeAsString();
}

absl::StatusOr<v1::Agent> ParseConfig(const std::string& agent_id,
                                      const std::string& bytes) {
  v1::Agent agent;
  if (!agent.ParseFromString(bytes)) {
    return absl::InternalError(
        absl::StrCat("agents row ", agent_id,
                     ": column config does not parse as candor.v1.Agent (",
                     bytes.size(), " bytes)"));
  }
  return agent;
}

absl::StatusOr<AgentRecord> AgentFromRow(const pqxx::row& row) {
  AgentRecord r;
  const std::string id = row[0].as<std::string>();
  r.generation = row[1].as<int64_t>();
  absl::StatusOr<v1::Agent> agent = ParseConfig(id, Bytes(row[2]));
  if (!agent.ok()) return agent.status();
  r.agent = std::move(*agent);
  if (!r.identity.ParseFromString(Bytes(row[3]))) {
    return absl::InternalError(absl::StrCat(
        "agents row ", id,
        ": column identity does not parse as candor.v1.AgentIdentity"));
  }
  r.attest_state = Bytes(row[4]);
  r.sealed_v_share = Bytes(row[5]);
  r.agent.set_agent_id(id);
  r.agent.clear_owner_replica_id();
  if (!row[6].is_null() && !row[7].is_null()) {
    r.agent.set_owner_replica_id(row[6].as<std::string>());
    r.lease_expires_at = absl::FromUnixMicros(row[7].as<int64_t>());
  }
  return r;
}

absl::StatusOr<StoredEvent> EventFromRow(const pqxx::row& row) {
  StoredEvent e;
  e.position = row[0].as<int64_t>();
  if (!e.event.ParseFromString(Bytes(row[1]))) {
    return absl::InternalError(absl::StrCat(
        "events row ", e.position,
        ": column event does not parse as candor.v1.AttestationEvent"));
  }
  e.event.set_cursor(EncodeCursor(e.position));
  e.has_evidence = row[2].as<bool>();
  return e;
}

absl::StatusOr<std::vector<StoredEvent>> InsertEvents(
    pqxx::work& tx, const std::vector<NewEvent>& events, absl::Time now) {
  std::vector<const NewEvent*> ptrs;
  ptrs.reserve(events.size());
  for (const NewEvent& e : events) ptrs.push_back(&e);
  return InsertEvents(tx, ptrs, now);
}

absl::StatusOr<std::vector<StoredEvent>> InsertEvents(
    pqxx::work& tx, const std::vector<const NewEvent*>& events,
    absl::Time now) {
  std::vector<StoredEvent> out;
  if (events.empty()) return out;
  // Event times are kept to the microsecond, as timestamptz does.
  now = absl::FromUnixMicros(absl::ToUnixMicros(now));
  std::vector<int64_t> times, kinds;
  std::vector<std::string> agents, bodies, evidence;
  out.reserve(events.size());
  for (const NewEvent* e : events) {
    StoredEvent s;
    s.event = e->event;
    s.event.clear_cursor();
    if (!s.event.has_time()) ToTimestamp(now, s.event.mutable_time());
    s.has_evidence = !e->evidence.empty();
    times.push_back(absl::ToUnixMicros(FromTimestamp(s.event.time())));
    kinds.push_back(static_cast<int64_t>(s.event.kind()));
    agents.push_back(s.event.agent_id());
    bodies.push_back(s.event.SerializeAsString());
    evidence.push_back(e->evidence);
    out.push_back(std::move(s));
  }
  // The lock is taken (CTE l) before positions are drawn (b depends on l)
  // and held until commit: positions are committed in the order drawn.
  pqxx::result r = tx.exec_params(
      "WITH l AS (SELECT pg_advisory_xact_lock($1)), "
      "b AS (SELECT setval('events_position_seq', "
      "  nextval('events_position_seq') + $2 - 1) - $2 AS base FROM l), "
      "ins AS (INSERT INTO events (position, time, agent_id, kind, event, "
      "    evidence) "
      "  SELECT b.base + u.ord, "
      "    'epoch'::timestamptz + u.t * interval '1 microsecond', u.a, u.k, "
      "    decode(u.e, 'hex'), "
      "    CASE WHEN u.ev = '' THEN NULL ELSE decode(u.ev, 'hex') END "
      "  FROM b, unnest($3::bigint[], $4::text[], $5::smallint[], "
      "    $6::text[], $7::text[]) WITH ORDINALITY AS u(t, a, k, e, ev, ord) "
      "  RETURNING position) "
      "SELECT min(position), count(*), "
      "  pg_notify($8, max(position)::text) FROM ins",
      kEventLockKey, static_cast<int64_t>(events.size()), BigintArray(times),
      TextArray(agents), BigintArray(kinds), HexArray(bodies),
      HexArray(evidence), std::string(kEventsChannel));
  if (r.size() != 1 || r[0][0].is_null() ||
      r[0][1].as<int64_t>() != static_cast<int64_t>(events.size())) {
    return absl::InternalError(
        absl::StrCat("events: inserting ", events.size(), " events stored ",
                     r.size() == 1 ? r[0][1].as<int64_t>() : 0));
  }
  const int64_t first = r[0][0].as<int64_t>();
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].position = first + static_cast<int64_t>(i);
    out[i].event.set_cursor(EncodeCursor(out[i].position));
  }
  return out;
}

}  // namespace candor::verifier::pgsql
