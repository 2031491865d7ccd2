#include "tests/integration/verifier/pg_test_util.h"

#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/pg/connection.h"
#include "services/verifier/store/pg_agent_store.h"
#include "tests/harness/postgres.h"

namespace candor::verifier::testing {

absl::StatusOr<std::string> FreshDatabase(const std::string& prefix) {
  auto pg = candor::testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  return (*pg)->CreateDatabase(prefix);
}

absl::Status ShiftTimesBack(const std::string& conninfo, absl::Duration d) {
  auto conn = pg::Connection::Open(conninfo);
  if (!conn.ok()) return conn.status();
  const int64_t micros = absl::ToInt64Microseconds(d);
  return (*conn)->Transact("test: shift times", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE agents SET lease_expires_at = lease_expires_at - $1 * "
        "interval '1 microsecond' WHERE owner_replica IS NOT NULL",
        micros);
    tx.exec_params(
        "UPDATE replicas SET heartbeat_at = heartbeat_at - $1 * "
        "interval '1 microsecond'",
        micros);
    return absl::OkStatus();
  });
}

absl::StatusOr<AgentStoreUnderTest> PgAgentStoreUnderTest(size_t pool_size) {
  auto db = FreshDatabase("agentstore");
  if (!db.ok()) return db.status();
  auto store = PgAgentStore::Open(*db, pool_size);
  if (!store.ok()) return store.status();
  AgentStoreUnderTest sut;
  sut.store = std::move(*store);
  const std::string conninfo = *db;
  sut.advance = [conninfo](absl::Duration d) {
    return ShiftTimesBack(conninfo, d);
  };
  return sut;
}

absl::Status LogStatements(const std::string& conninfo) {
  auto conn = pg::Connection::Open(conninfo);
  if (!conn.ok()) return conn.status();
  return (*conn)->Run("test: log statements", [](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const std::string db =
        tx.exec("SELECT current_database()")[0][0].as<std::string>();
    tx.exec(absl::StrCat("ALTER DATABASE ", tx.quote_name(db),
                         " SET log_statement = 'all'"));
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> LoggedStatements() {
  auto pg = candor::testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  std::ifstream in((*pg)->log_path());
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", (*pg)->log_path()));
  }
  int64_t n = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StrContains(line, "LOG:  statement: ") ||
        absl::StrContains(line, "LOG:  execute ")) {
      ++n;
    }
  }
  return n;
}

}  // namespace candor::verifier::testing
