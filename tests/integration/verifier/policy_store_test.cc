// PgPolicyStore on a real PostgreSQL 15: the PolicyStore contract (the same
// suite the in-memory store passes), versioned migrations, and two stores
// (two verifier replicas) updating one policy at once.
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pg/connection.h"
#include "lib/pg/migrations.h"
#include "services/verifier/store/pg_policy_store.h"
#include "services/verifier/store/policy_store_conformance.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"

namespace candor::verifier::testing {
namespace {

absl::StatusOr<std::string> FreshDatabase() {
  auto pg = candor::testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  return (*pg)->CreateDatabase("polstore");
}

absl::StatusOr<size_t> CountContents(pg::Connection& conn) {
  size_t n = 0;
  absl::Status s = conn.Transact("test: count", [&](pqxx::work& tx) {
    n = tx.exec("SELECT count(*) FROM policy_contents")[0][0].as<size_t>();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

INSTANTIATE_TEST_SUITE_P(Postgres, PolicyStoreConformance,
                         ::testing::Values(PolicyStoreFactory(
                             []() -> absl::StatusOr<PolicyStoreUnderTest> {
                               auto db = FreshDatabase();
                               if (!db.ok()) return db.status();
                               auto store = PgPolicyStore::Open(*db, 6);
                               if (!store.ok()) return store.status();
                               auto conn = pg::Connection::Open(*db);
                               if (!conn.ok()) return conn.status();
                               std::shared_ptr<pg::Connection> shared(
                                   std::move(*conn));
                               PolicyStoreUnderTest sut;
                               sut.store = std::move(*store);
                               sut.content_count = [shared] {
                                 return CountContents(*shared);
                               };
                               return sut;
                             })));

TEST(PgPolicyStoreTest, MigrationsApplyOnceAndAreRecorded) {
  auto db = FreshDatabase();
  CANDOR_REQUIRE_RESOURCE(db);
  auto first = PgPolicyStore::Open(*db, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = PgPolicyStore::Open(*db, 1);  // another replica starting
  ASSERT_TRUE(second.ok()) << second.status();
  auto conn = pg::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*pg::SchemaVersion(**conn, "verifier"),
            static_cast<int>(VerifierMigrations().size()));
}

TEST(PgPolicyStoreTest, TwoReplicasUpdatingOnePolicyNeverShareAVersion) {
  auto db = FreshDatabase();
  CANDOR_REQUIRE_RESOURCE(db);
  auto a = PgPolicyStore::Open(*db, 2);
  auto b = PgPolicyStore::Open(*db, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Create("hot", v1::POLICY_KIND_RUNTIME, "{}", "").ok());
  PolicyStore* stores[] = {a->get(), b->get()};
  absl::Mutex mu;
  std::vector<uint32_t> versions;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto v = stores[t % 2]->Update("hot", absl::StrCat(t, "/", i), "");
        absl::MutexLock lock(&mu);
        if (v.ok()) {
          versions.push_back(v->version);
        } else {
          errors.push_back(v.status().ToString());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::set<uint32_t> distinct(versions.begin(), versions.end());
  EXPECT_EQ(distinct.size(), 80u);
  EXPECT_EQ(*distinct.rbegin(), 81u);
  auto latest = (*b)->Get("hot", 0, false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->info.version, 81u);
}

TEST(PgPolicyStoreTest, SchemaRefusesRowsTheStoreWouldNotWrite) {
  auto db = FreshDatabase();
  CANDOR_REQUIRE_RESOURCE(db);
  auto store = PgPolicyStore::Open(*db, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  auto conn = pg::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  // A version whose content is not stored violates the foreign key.
  absl::Status s = (*conn)->Transact("test: orphan", [](pqxx::work& tx) {
    tx.exec(
        "INSERT INTO policies (name, version, kind, sha256) VALUES "
        "('x', 1, 1, decode(repeat('00', 32), 'hex'))");
    return absl::OkStatus();
  });
  EXPECT_FALSE(s.ok());
  s = (*conn)->Transact("test: bad name", [](pqxx::work& tx) {
    tx.exec(
        "INSERT INTO policy_contents (sha256, kind, content, size) VALUES "
        "(decode(repeat('00', 32), 'hex'), 1, '', 0)");
    tx.exec(
        "INSERT INTO policies (name, version, kind, sha256) VALUES "
        "('a b', 1, 1, decode(repeat('00', 32), 'hex'))");
    return absl::OkStatus();
  });
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace candor::verifier::testing
