// The PostgreSQL harness and lib/pg against a real PostgreSQL 15: a round
// trip, versioned migrations, and reconnecting after a server restart.
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pg/connection.h"
#include "lib/pg/migrations.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

const std::vector<pg::Migration>& TestMigrations() {
  static const auto* m = new std::vector<pg::Migration>{
      {1, "create_items",
       "CREATE TABLE items (id text PRIMARY KEY, value bigint NOT NULL)"},
      {2, "add_note", "ALTER TABLE items ADD COLUMN note text"},
  };
  return *m;
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = testing::SharedPostgres();
    CANDOR_REQUIRE_RESOURCE(cluster);
    cluster_ = *cluster;
    auto db = cluster_->CreateDatabase("pgtest");
    ASSERT_TRUE(db.ok()) << db.status();
    conninfo_ = *db;
    auto conn = pg::Connection::Open(conninfo_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = std::move(*conn);
  }

  testing::PostgresCluster* cluster_ = nullptr;
  std::string conninfo_;
  std::unique_ptr<pg::Connection> conn_;
};

TEST_F(PostgresTest, RoundTripWithMigrationApplied) {
  auto v = pg::ApplyMigrations(*conn_, "test", TestMigrations());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 2);
  EXPECT_EQ(*pg::SchemaVersion(*conn_, "test"), 2);
  ASSERT_TRUE(conn_->Transact("insert", [](pqxx::work& tx) {
    tx.exec_params("INSERT INTO items (id, value, note) VALUES ($1, $2, $3)",
                   "agent-1", 42, "hello");
    return absl::OkStatus();
  }).ok());
  std::string note;
  int64_t value = 0;
  ASSERT_TRUE(conn_->Transact("select", [&](pqxx::work& tx) {
    pqxx::row r = tx.exec_params1("SELECT value, note FROM items WHERE id = $1",
                                  "agent-1");
    value = r[0].as<int64_t>();
    note = r[1].as<std::string>();
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(value, 42);
  EXPECT_EQ(note, "hello");
}

TEST_F(PostgresTest, MigrationsAreIdempotentAndIncremental) {
  std::vector<pg::Migration> first(TestMigrations().begin(),
                                   TestMigrations().begin() + 1);
  EXPECT_EQ(*pg::ApplyMigrations(*conn_, "test", first), 1);
  EXPECT_EQ(*pg::ApplyMigrations(*conn_, "test", TestMigrations()), 2);
  EXPECT_EQ(*pg::ApplyMigrations(*conn_, "test", TestMigrations()), 2);
  // Components are independent.
  EXPECT_EQ(*pg::SchemaVersion(*conn_, "other"), 0);
}

TEST_F(PostgresTest, ChangedMigrationIsRefused) {
  ASSERT_TRUE(pg::ApplyMigrations(*conn_, "test", TestMigrations()).ok());
  auto changed = TestMigrations();
  changed[0].sql += " -- edited";
  auto v = pg::ApplyMigrations(*conn_, "test", changed);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("migration 1 (create_items) was changed"));
}

TEST_F(PostgresTest, NewerDatabaseIsRefused) {
  ASSERT_TRUE(pg::ApplyMigrations(*conn_, "test", TestMigrations()).ok());
  std::vector<pg::Migration> older(TestMigrations().begin(),
                                   TestMigrations().begin() + 1);
  auto v = pg::ApplyMigrations(*conn_, "test", older);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("newer"));
}

TEST_F(PostgresTest, FailingMigrationLeavesNothingBehind) {
  auto bad = TestMigrations();
  bad.push_back({3, "broken", "ALTER TABLE no_such_table ADD COLUMN x int"});
  auto v = pg::ApplyMigrations(*conn_, "test", bad);
  EXPECT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("no_such_table"));
  // All or nothing: not even migrations 1 and 2 were recorded.
  EXPECT_EQ(*pg::SchemaVersion(*conn_, "test"), 0);
}

TEST_F(PostgresTest, BadNumberingIsInvalidArgument) {
  std::vector<pg::Migration> gap = {{1, "a", "SELECT 1"}, {3, "c", "SELECT 1"}};
  EXPECT_EQ(pg::ApplyMigrations(*conn_, "test", gap).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PostgresTest, ConcurrentStartersApplyOnce) {
  std::vector<absl::StatusOr<int>> results(4, absl::UnknownError("unset"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto c = pg::Connection::Open(conninfo_);
      if (!c.ok()) {
        results[i] = c.status();
        return;
      }
      results[i] = pg::ApplyMigrations(**c, "test", TestMigrations());
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.value_or(-1), 2) << r.status();
}

TEST_F(PostgresTest, SqlErrorsBecomeStatusesWithCodes) {
  ASSERT_TRUE(pg::ApplyMigrations(*conn_, "test", TestMigrations()).ok());
  auto insert = [&] {
    return conn_->Transact("insert item", [](pqxx::work& tx) {
      tx.exec_params("INSERT INTO items (id, value) VALUES ($1, $2)", "dup", 1);
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(insert().ok());
  absl::Status s = insert();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(s.message()), HasSubstr("insert item"));
  // A function returning an error rolls the transaction back.
  s = conn_->Transact("rolled back", [](pqxx::work& tx) {
    tx.exec("DELETE FROM items");
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  int64_t n = 0;
  ASSERT_TRUE(conn_->Transact("count", [&](pqxx::work& tx) {
    n = tx.exec1("SELECT count(*) FROM items")[0].as<int64_t>();
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(n, 1);
}

// Runs last in this binary's order only by name; it restarts the shared
// cluster, which every other test tolerates (they open fresh connections).
TEST_F(PostgresTest, ZzReconnectsAfterServerRestart) {
  ASSERT_TRUE(pg::ApplyMigrations(*conn_, "test", TestMigrations()).ok());
  ASSERT_TRUE(cluster_->Restart().ok());
  auto count = [&] {
    return conn_->Transact("count after restart", [](pqxx::work& tx) {
      tx.exec1("SELECT count(*) FROM items");
      return absl::OkStatus();
    });
  };
  absl::Status first = count();
  // The old connection is gone: the first call says so, the next reconnects.
  if (!first.ok()) {
    EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable) << first;
  }
  EXPECT_TRUE(count().ok());
}

}  // namespace
}  // namespace candor
