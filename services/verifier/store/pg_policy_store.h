// File: services/verifier/store/pg_policy_store.h
//
// PolicyStore on PostgreSQL (lib/pg), shared by every verifier replica. It
// owns the tables `policy_contents` (one row per distinct SHA-256: the
// content, stored once however many names and versions use it) and
// `policies` (one row per name and version, referencing its content); the
// schema is migration 1 of component "verifier" (verifier_migrations.h),
// applied by Open with the rest of the verifier's migrations.
//
// Concurrency, across threads and replicas: every mutation of a name first
// takes a transaction-scoped advisory lock on the name (so two Updates never
// compute the same next version, and Create/Delete of one name serialize),
// then an advisory lock per content SHA-256 it adds or may remove (so a
// Delete never removes a content another transaction is starting to use).
// Locks are always taken name first, contents in ascending order: no
// deadlock between our own transactions.
//
// Retries: a transaction PostgreSQL aborts (serialization failure, deadlock)
// is retried up to 3 times. A lost connection is retried once for reads
// only: for a mutation whose commit may have happened, UNAVAILABLE is
// returned (the caller cannot tell whether it applied).
//
// Thread-safe: calls borrow a connection from a pg::PgPool.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_PG_POLICY_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_PG_POLICY_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/pg/migrations.h"
#include "lib/pg/pool.h"
#include "services/verifier/store/policy_store.h"
#include "services/verifier/store/verifier_migrations.h"

namespace candor::verifier {

class PgPolicyStore final : public PolicyStore {
 public:
  // Opens a pool of `pool_size` connections and applies the migrations.
  // UNAVAILABLE if PostgreSQL cannot be reached; FAILED_PRECONDITION if the
  // schema is newer than this binary or a migration was edited.
  static absl::StatusOr<std::unique_ptr<PgPolicyStore>> Open(
      const std::string& conninfo, size_t pool_size);

  absl::StatusOr<PolicyVersionInfo> Create(
      absl::string_view name, v1::PolicyKind kind, absl::string_view content,
      absl::string_view expected_sha256) override;
  absl::StatusOr<PolicyVersionInfo> Update(
      absl::string_view name, absl::string_view content,
      absl::string_view expected_sha256) override;
  absl::StatusOr<StoredPolicy> Get(absl::string_view name, uint32_t version,
                                   bool include_content) override;
  absl::StatusOr<PolicyPage> List(v1::PolicyKind kind, uint32_t page_size,
                                  absl::string_view page_token) override;
  absl::Status Delete(absl::string_view name) override;

  pg::PgPool& pool() { return *pool_; }

 private:
  explicit PgPolicyStore(std::unique_ptr<pg::PgPool> pool)
      : pool_(std::move(pool)) {}
  // Runs `fn` in a transaction on a pooled connection with the retries
  // above; `read_only` allows the retry after a lost connection.
  absl::Status Transact(absl::string_view what, bool read_only,
                        const std::function<absl::Status(pqxx::work&)>& fn);

  std::unique_ptr<pg::PgPool> pool_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_PG_POLICY_STORE_H_
