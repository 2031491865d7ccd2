// File: services/registrar/store/pg_store.h
//
// RegistrarStore on PostgreSQL (lib/pg), so any number of registrars can
// share the registrations and pending challenges. It owns the table
// `registrations` (schema in pg_store.cc, versioned migrations of component
// "registrar" applied by Open through pg::ApplyMigrations). One row per agent
// id; a binding (registration.h) is stored as a serialized
// candor.v1.RegisteredAgent holding identity, address and ek_trust (v1 only
// grows additively, so stored rows stay readable); the current EK and AK name,
// the state and the times are columns of their own for operators.
//
// Update takes a transaction-scoped advisory lock on the agent id and the
// row lock, so mutations of one id are serialized across registrars (no lost
// update, even for an id that does not exist yet). A transaction that
// PostgreSQL aborts (serialization, deadlock) is retried up to 3 times, one
// that lost its connection once; the mutation may then run again.
//
// Thread-safe: calls borrow a connection from a pg::PgPool.
#ifndef CANDOR_SERVICES_REGISTRAR_STORE_PG_STORE_H_
#define CANDOR_SERVICES_REGISTRAR_STORE_PG_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/pg/migrations.h"
#include "lib/pg/pool.h"
#include "services/registrar/store/registrar_store.h"

namespace candor::registrar {

// The registrar's schema migrations, in order (append only).
const std::vector<pg::Migration>& RegistrarMigrations();

class PgRegistrarStore final : public RegistrarStore {
 public:
  // Opens a pool of `pool_size` connections and applies the migrations.
  // UNAVAILABLE if PostgreSQL cannot be reached; FAILED_PRECONDITION if the
  // schema is newer than this binary or a migration was edited.
  static absl::StatusOr<std::unique_ptr<PgRegistrarStore>> Open(
      const std::string& conninfo, size_t pool_size);

  absl::Status Update(absl::string_view agent_id,
                      const Mutation& mutation) override;
  absl::StatusOr<std::optional<Registration>> Get(
      absl::string_view agent_id) override;
  absl::StatusOr<std::vector<Registration>> List(
      absl::string_view after, size_t limit,
      v1::RegistrationState state) override;
  absl::StatusOr<bool> Delete(absl::string_view agent_id) override;
  absl::StatusOr<size_t> PurgeExpired(absl::Time cutoff) override;

  pg::PgPool& pool() { return *pool_; }

 private:
  explicit PgRegistrarStore(std::unique_ptr<pg::PgPool> pool)
      : pool_(std::move(pool)) {}
  // Runs `fn` in a transaction on a pooled connection, with the retries
  // described above.
  absl::Status Transact(absl::string_view what,
                        const std::function<absl::Status(pqxx::work&)>& fn);

  std::unique_ptr<pg::PgPool> pool_;
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_STORE_PG_STORE_H_
