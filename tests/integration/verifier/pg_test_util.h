// File: tests/integration/verifier/pg_test_util.h  (testonly)
//
// Helpers for the verifier's PostgreSQL tests and benchmark: a fresh
// database on the shared test cluster, a PgAgentStore conformance fixture
// whose `advance` moves lease and heartbeat times back (as if the clock had
// moved forward), and a count of the statements PostgreSQL logged for a
// database (log_statement = 'all', set per database) to check batching.
#ifndef CANDOR_TESTS_INTEGRATION_VERIFIER_PG_TEST_UTIL_H_
#define CANDOR_TESTS_INTEGRATION_VERIFIER_PG_TEST_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/verifier/store/agent_store_conformance.h"

namespace candor::verifier::testing {

// A fresh, empty database on SharedPostgres(); its connection string.
absl::StatusOr<std::string> FreshDatabase(const std::string& prefix);

// Moves every lease expiry and heartbeat of the database back by `d`.
absl::Status ShiftTimesBack(const std::string& conninfo, absl::Duration d);

// A PgAgentStore on a fresh database, with the hook above.
absl::StatusOr<AgentStoreUnderTest> PgAgentStoreUnderTest(size_t pool_size);

// Makes PostgreSQL log every statement run on `dbname` by connections
// opened from now on (ALTER DATABASE ... SET log_statement = 'all').
absl::Status LogStatements(const std::string& conninfo);
// Statements logged so far by the shared cluster (all databases).
absl::StatusOr<int64_t> LoggedStatements();

}  // namespace candor::verifier::testing

#endif  // CANDOR_TESTS_INTEGRATION_VERIFIER_PG_TEST_UTIL_H_
