// PgRegistrarStore on a real PostgreSQL 15: the RegistrarStore contract
// (the same suite the in-memory store passes), versioned migrations, and two
// stores (two registrars) serializing mutations of one agent id.
#include "services/registrar/store/pg_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pg/connection.h"
#include "lib/pg/migrations.h"
#include "services/registrar/store/store_conformance.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"

namespace candor::registrar::testing {
namespace {

absl::StatusOr<std::string> FreshDatabase() {
  auto pg = candor::testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  return (*pg)->CreateDatabase("regstore");
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, RegistrarStoreConformance,
    ::testing::Values(
        StoreFactory([]() -> absl::StatusOr<std::unique_ptr<RegistrarStore>> {
          auto db = FreshDatabase();
          if (!db.ok()) return db.status();
          auto store = PgRegistrarStore::Open(*db, 8);
          if (!store.ok()) return store.status();
          return std::unique_ptr<RegistrarStore>(std::move(*store));
        })));

TEST(PgRegistrarStoreTest, MigrationsApplyOnceAndAreRecorded) {
  auto db = FreshDatabase();
  CANDOR_REQUIRE_RESOURCE(db);
  auto first = PgRegistrarStore::Open(*db, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = PgRegistrarStore::Open(*db, 1);  // another registrar starting
  ASSERT_TRUE(second.ok()) << second.status();
  auto conn = pg::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*pg::SchemaVersion(**conn, "registrar"),
            static_cast<int>(RegistrarMigrations().size()));
}

TEST(PgRegistrarStoreTest, TwoRegistrarsSerializeMutationsOfOneId) {
  auto db = FreshDatabase();
  CANDOR_REQUIRE_RESOURCE(db);
  auto a = PgRegistrarStore::Open(*db, 3);
  auto b = PgRegistrarStore::Open(*db, 3);
  ASSERT_TRUE(a.ok() && b.ok());
  RegistrarStore* stores[] = {a->get(), b->get()};
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        absl::Status s = stores[t % 2]->Update(
            "contended",
            [](std::optional<Registration> cur)
                -> absl::StatusOr<std::optional<Registration>> {
              Registration next;
              if (cur.has_value()) {
                next = *cur;
                ++next.registration_count;
              } else {
                next.agent_id = "contended";
                next.registration_count = 1;
                next.pending = PendingChallenge{{}, "d", absl::Now(), 0};
                next.pending->binding.identity.set_ek_public("ek");
              }
              return next;
            });
        if (!s.ok()) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ((*a->get()->Get("contended"))->registration_count, 90u);
}

}  // namespace
}  // namespace candor::registrar::testing
