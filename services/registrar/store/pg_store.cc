#include "services/registrar/store/pg_store.h"

#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/status/status_macros.h"

namespace candor::registrar {
namespace {

// pg_advisory_xact_lock(class, hashtext(agent_id)): serializes mutations of
// one id across registrars.
constexpr int kLockClass = 0x52454752;  // "REGR"

const char kSchemaV1[] = R"sql(
CREATE TABLE registrations (
  -- candor.v1 agent id; "C" collation: bytewise order for keyset paging.
  agent_id text COLLATE "C" PRIMARY KEY,
  -- candor.v1.RegistrationState: 1 PENDING_ACTIVATION, 2 ACTIVE.
  state smallint NOT NULL CHECK (state IN (1, 2)),
  -- The current identity's marshalled TPM2B_PUBLIC of the EK and AK Name
  -- (the active binding's, else the pending one's), for operators.
  ek_public bytea NOT NULL,
  ak_name bytea NOT NULL,
  registered_at timestamptz NOT NULL,
  activated_at timestamptz,
  registration_count integer NOT NULL CHECK (registration_count >= 1),
  -- Bindings: serialized candor.v1.RegisteredAgent (identity, address,
  -- ek_trust). active_binding is set exactly when state = 2.
  active_binding bytea,
  pending_binding bytea,
  -- The pending challenge: SHA-256 of the expected proof (never the
  -- credential), its expiry and the wrong proofs so far.
  proof_digest bytea,
  challenge_expires_at timestamptz,
  failed_proofs integer NOT NULL DEFAULT 0,
  CHECK ((state = 2) = (active_binding IS NOT NULL)),
  CHECK ((pending_binding IS NULL) = (proof_digest IS NULL)),
  CHECK ((pending_binding IS NULL) = (challenge_expires_at IS NULL)),
  CHECK (active_binding IS NOT NULL OR pending_binding IS NOT NULL)
);
CREATE INDEX registrations_state_agent_id ON registrations (state, agent_id);
CREATE INDEX registrations_challenge_expiry ON registrations
  (challenge_expires_at) WHERE challenge_expires_at IS NOT NULL;
)sql";

constexpr char kColumns[] =
    "agent_id, state, (EXTRACT(EPOCH FROM registered_at) * 1000000)::bigint, "
    "(EXTRACT(EPOCH FROM activated_at) * 1000000)::bigint, "
    "registration_count, active_binding, pending_binding, proof_digest, "
    "(EXTRACT(EPOCH FROM challenge_expires_at) * 1000000)::bigint, "
    "failed_proofs";

constexpr char kUpsert[] = R"sql(
INSERT INTO registrations (agent_id, state, ek_public, ak_name, registered_at,
  activated_at, registration_count, active_binding, pending_binding,
  proof_digest, challenge_expires_at, failed_proofs)
VALUES ($1, $2, $3, $4, $5::timestamptz, NULLIF($6, '')::timestamptz, $7,
  NULLIF($8, ''::bytea), NULLIF($9, ''::bytea), NULLIF($10, ''::bytea),
  NULLIF($11, '')::timestamptz, $12)
ON CONFLICT (agent_id) DO UPDATE SET state = EXCLUDED.state,
  ek_public = EXCLUDED.ek_public, ak_name = EXCLUDED.ak_name,
  registered_at = EXCLUDED.registered_at,
  activated_at = EXCLUDED.activated_at,
  registration_count = EXCLUDED.registration_count,
  active_binding = EXCLUDED.active_binding,
  pending_binding = EXCLUDED.pending_binding,
  proof_digest = EXCLUDED.proof_digest,
  challenge_expires_at = EXCLUDED.challenge_expires_at,
  failed_proofs = EXCLUDED.failed_proofs
)sql";

std::string TimeParam(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

std::string Bytes(const pqxx::field& f) {
  return f.is_null() ? std::string() : pqxx::binarystring(f).str();
}

std::string SerializeBinding(const Binding& b) {
  v1::RegisteredAgent m;
  *m.mutable_identity() = b.identity;
  m.set_address(b.address);
  m.set_ek_trust(b.ek_trust);
  return m.SerializeAsString();
}

absl::StatusOr<Binding> ParseBinding(const std::string& bytes,
                                     absl::string_view agent_id,
                                     absl::string_view column) {
  v1::RegisteredAgent m;
  if (!m.ParseFromString(bytes)) {
    return absl::InternalError(
        absl::StrCat("registrations.", column, " of agent ", agent_id,
                     " is not a serialized candor.v1.RegisteredAgent"));
  }
  return Binding{m.identity(), m.address(), m.ek_trust()};
}

absl::StatusOr<Registration> FromRow(const pqxx::row& row) {
  Registration r;
  r.agent_id = row[0].as<std::string>();
  r.registered_at = absl::FromUnixMicros(row[2].as<int64_t>());
  if (!row[3].is_null()) {
    r.activated_at = absl::FromUnixMicros(row[3].as<int64_t>());
  }
  r.registration_count = row[4].as<uint32_t>();
  if (!row[5].is_null()) {
    ABSL_ASSIGN_OR_RETURN(
        r.active, ParseBinding(Bytes(row[5]), r.agent_id, "active_binding"));
  }
  if (!row[6].is_null()) {
    PendingChallenge p;
    ABSL_ASSIGN_OR_RETURN(
        p.binding, ParseBinding(Bytes(row[6]), r.agent_id, "pending_binding"));
    p.proof_digest = Bytes(row[7]);
    p.expires_at = absl::FromUnixMicros(row[8].as<int64_t>());
    p.failed_proofs = row[9].as<int>();
    r.pending = std::move(p);
  }
  return r;
}

void Upsert(pqxx::work& tx, const Registration& r) {
  const Binding& current =
      r.active.has_value() ? *r.active : r.pending->binding;
  const bool pending = r.pending.has_value();
  tx.exec_params(
      kUpsert, r.agent_id, static_cast<int>(r.state()),
      pqxx::binarystring(current.identity.ek_public()),
      pqxx::binarystring(current.identity.ak_name()),
      TimeParam(r.registered_at),
      r.activated_at.has_value() ? TimeParam(*r.activated_at) : std::string(),
      static_cast<int64_t>(r.registration_count),
      pqxx::binarystring(r.active.has_value() ? SerializeBinding(*r.active)
                                              : std::string()),
      pqxx::binarystring(pending ? SerializeBinding(r.pending->binding)
                                 : std::string()),
      pqxx::binarystring(pending ? r.pending->proof_digest : std::string()),
      pending ? TimeParam(r.pending->expires_at) : std::string(),
      pending ? r.pending->failed_proofs : 0);
}

}  // namespace

const std::vector<pg::Migration>& RegistrarMigrations() {
  static const auto* const m = new std::vector<pg::Migration>{
      {1, "create_registrations", kSchemaV1},
  };
  return *m;
}

absl::StatusOr<std::unique_ptr<PgRegistrarStore>> PgRegistrarStore::Open(
    const std::string& conninfo, size_t pool_size) {
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgPool> pool,
                        pg::PgPool::Create(conninfo, pool_size));
  {
    ABSL_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool->Acquire());
    ABSL_RETURN_IF_ERROR(
        pg::ApplyMigrations(*conn, "registrar", RegistrarMigrations())
            .status());
  }
  return std::unique_ptr<PgRegistrarStore>(
      new PgRegistrarStore(std::move(pool)));
}

absl::Status PgRegistrarStore::Transact(
    absl::string_view what,
    const std::function<absl::Status(pqxx::work&)>& fn) {
  int aborted = 0, lost = 0;
  for (;;) {
    ABSL_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool_->Acquire());
    absl::Status s = conn->Transact(what, fn);
    if (s.code() == absl::StatusCode::kAborted && ++aborted < 3) continue;
    if (s.code() == absl::StatusCode::kUnavailable && ++lost < 2) continue;
    return s;
  }
}

absl::Status PgRegistrarStore::Update(absl::string_view agent_id,
                                      const Mutation& mutation) {
  const std::string id(agent_id);
  return Transact(
      absl::StrCat("registrar: update agent ", id),
      [&](pqxx::work& tx) -> absl::Status {
        tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                       kLockClass, id);
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kColumns,
                         " FROM registrations WHERE agent_id = $1 FOR UPDATE"),
            id);
        std::optional<Registration> current;
        if (!rows.empty()) {
          ABSL_ASSIGN_OR_RETURN(current, FromRow(rows[0]));
        }
        ABSL_ASSIGN_OR_RETURN(std::optional<Registration> next,
                              mutation(std::move(current)));
        if (!next.has_value()) {
          tx.exec_params("DELETE FROM registrations WHERE agent_id = $1", id);
          return absl::OkStatus();
        }
        if (next->agent_id != id ||
            (!next->active.has_value() && !next->pending.has_value())) {
          return absl::InternalError(absl::StrCat(
              "registrar store: mutation of ", id, " returned agent ",
              next->agent_id, " without a binding"));
        }
        Upsert(tx, *next);
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<Registration>> PgRegistrarStore::Get(
    absl::string_view agent_id) {
  std::optional<Registration> out;
  const std::string id(agent_id);
  ABSL_RETURN_IF_ERROR(
      Transact(absl::StrCat("registrar: get agent ", id),
               [&](pqxx::work& tx) -> absl::Status {
                 pqxx::result rows = tx.exec_params(
                     absl::StrCat("SELECT ", kColumns,
                                  " FROM registrations WHERE agent_id = $1"),
                     id);
                 if (rows.empty()) return absl::OkStatus();
                 ABSL_ASSIGN_OR_RETURN(out, FromRow(rows[0]));
                 return absl::OkStatus();
               }));
  return out;
}

absl::StatusOr<std::vector<Registration>> PgRegistrarStore::List(
    absl::string_view after, size_t limit, v1::RegistrationState state) {
  std::vector<Registration> out;
  ABSL_RETURN_IF_ERROR(
      Transact("registrar: list agents", [&](pqxx::work& tx) -> absl::Status {
        out.clear();
        const bool filter = state != v1::REGISTRATION_STATE_UNSPECIFIED;
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kColumns,
                         " FROM registrations "
                         "WHERE agent_id > $1 AND ($3 = 0 OR state = $3) "
                         "ORDER BY agent_id LIMIT $2"),
            std::string(after), static_cast<int64_t>(limit),
            filter ? static_cast<int>(state) : 0);
        for (const pqxx::row& row : rows) {
          ABSL_ASSIGN_OR_RETURN(Registration r, FromRow(row));
          out.push_back(std::move(r));
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<bool> PgRegistrarStore::Delete(absl::string_view agent_id) {
  bool deleted = false;
  const std::string id(agent_id);
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("registrar: delete agent ", id),
      [&](pqxx::work& tx) -> absl::Status {
        tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                       kLockClass, id);
        pqxx::result r =
            tx.exec_params("DELETE FROM registrations WHERE agent_id = $1", id);
        deleted = r.affected_rows() > 0;
        return absl::OkStatus();
      }));
  return deleted;
}

absl::StatusOr<size_t> PgRegistrarStore::PurgeExpired(absl::Time cutoff) {
  size_t changed = 0;
  ABSL_RETURN_IF_ERROR(Transact(
      "registrar: purge expired challenges",
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::row r = tx.exec_params1(
            "WITH d AS (DELETE FROM registrations WHERE state = 1 AND "
            "  challenge_expires_at < $1::timestamptz RETURNING 1), "
            "u AS (UPDATE registrations SET pending_binding = NULL, "
            "  proof_digest = NULL, challenge_expires_at = NULL, "
            "  failed_proofs = 0 WHERE state = 2 AND "
            "  challenge_expires_at < $1::timestamptz RETURNING 1) "
            "SELECT (SELECT count(*) FROM d) + (SELECT count(*) FROM u)",
            TimeParam(cutoff));
        changed = r[0].as<size_t>();
        return absl::OkStatus();
      }));
  return changed;
}

}  // namespace candor::registrar
