// File: services/verifier/store/verifier_migrations.h
//
// The verifier's PostgreSQL schema: the migrations of component "verifier"
// (lib/pg/migrations.h), append only. 1: policies (PgPolicyStore);
// 2: agents, replicas, events (PgAgentStore). Both stores apply all of
// them at Open, so either store finds the whole schema in place.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_VERIFIER_MIGRATIONS_H_
#define CANDOR_SERVICES_VERIFIER_STORE_VERIFIER_MIGRATIONS_H_

#include <vector>

#include "absl/status/status.h"
#include "lib/pg/migrations.h"
#include "lib/pg/pool.h"

namespace candor::verifier {

// The verifier's schema migrations, in order.
const std::vector<pg::Migration>& VerifierMigrations();

// Applies the pending ones on a pooled connection. UNAVAILABLE if
// PostgreSQL cannot be reached; FAILED_PRECONDITION if the schema is newer
// than this binary or a migration was edited (lib/pg/migrations.h).
absl::Status ApplyVerifierMigrations(pg::PgPool& pool);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_VERIFIER_MIGRATIONS_H_
