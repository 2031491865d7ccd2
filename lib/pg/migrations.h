// File: lib/pg/migrations.h
//
// Versioned schema migrations, kept in the repository next to the store that
// owns the tables and applied at start. Each component (registrar, verifier)
// has its own numbered list; what was applied is recorded in
// candor_schema_migrations(component, version, name, sha256, applied_at).
//
// ApplyMigrations() is safe to call from several replicas at once (a
// transaction-scoped advisory lock per component serializes them) and all
// pending migrations apply in one transaction: all or nothing. It refuses to
// run when the database no longer matches the code:
//   - a recorded migration whose SQL changed since it was applied,
//   - a database at a newer version than this binary knows (a downgrade),
// both FAILED_PRECONDITION, saying which migration and what to do.
// Migrations must be transactional (no CREATE INDEX CONCURRENTLY).
#ifndef CANDOR_LIB_PG_MIGRATIONS_H_
#define CANDOR_LIB_PG_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/pg/connection.h"

namespace candor::pg {

struct Migration {
  int version;       // 1, 2, 3, … without gaps
  std::string name;  // short snake_case description
  std::string sql;   // one or more statements
};

// Applies the pending migrations of `component`. Returns the schema version
// after the call. INVALID_ARGUMENT if `migrations` is not numbered 1..N.
absl::StatusOr<int> ApplyMigrations(Connection& conn,
                                    absl::string_view component,
                                    absl::Span<const Migration> migrations);

// The version recorded for `component` (0 if none or no table yet).
absl::StatusOr<int> SchemaVersion(Connection& conn,
                                  absl::string_view component);

}  // namespace candor::pg

#endif  // CANDOR_LIB_PG_MIGRATIONS_H_
