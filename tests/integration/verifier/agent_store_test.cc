// PgAgentStore on a real PostgreSQL 15: the AgentStore contract (the same
// suite the in-memory store passes), commit order of event positions under
// concurrent writers, NOTIFY after commit, batched statements, schema and
// corrupt rows.
#include <atomic>
#include <iostream>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pg/connection.h"
#include "lib/pg/migrations.h"
#include "services/verifier/store/agent_store_conformance.h"
#include "services/verifier/store/pg_agent_store.h"
#include "services/verifier/store/pg_policy_store.h"
#include "tests/harness/resources.h"
#include "tests/integration/verifier/pg_test_util.h"

namespace candor::verifier::testing {
namespace {

using ::testing::HasSubstr;

INSTANTIATE_TEST_SUITE_P(Postgres, AgentStoreConformance,
                         ::testing::Values(AgentStoreFactory([] {
                           return PgAgentStoreUnderTest(/*pool_size=*/6);
                         })));

absl::Status Exec(const std::string& conninfo, const std::string& sql) {
  auto conn = pg::Connection::Open(conninfo);
  if (!conn.ok()) return conn.status();
  return (*conn)->Transact("test: exec", [&](pqxx::work& tx) {
    tx.exec(sql);
    return absl::OkStatus();
  });
}

TEST(PgAgentStoreTest, MigrationTwoAppliesBesideThePolicyStore) {
  auto db = FreshDatabase("agentmig");
  CANDOR_REQUIRE_RESOURCE(db);
  auto policies = PgPolicyStore::Open(*db, 1);
  ASSERT_TRUE(policies.ok()) << policies.status();
  auto agents = PgAgentStore::Create(&(*policies)->pool());
  ASSERT_TRUE(agents.ok()) << agents.status();
  auto again = PgAgentStore::Open(*db, 1);  // another replica starting
  ASSERT_TRUE(again.ok()) << again.status();
  auto conn = pg::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(*pg::SchemaVersion(**conn, "verifier"), 2);
  ASSERT_TRUE((*agents)->Add(SampleAgent("a"), {}).ok());
  EXPECT_EQ((*again)->Get("a")->generation, 1);
}

// Writers on two stores (two replicas) commit events concurrently while a
// reader follows with ReadEvents(after = last seen). If a position could
// commit after a higher one was readable, the reader would step over it:
// at the end, every stored position must have been seen by the reader.
TEST(PgAgentStoreTest, ReadersNeverStepOverALaterCommit) {
  auto db = FreshDatabase("agentorder");
  CANDOR_REQUIRE_RESOURCE(db);
  auto a = PgAgentStore::Open(*db, 4);
  auto b = PgAgentStore::Open(*db, 4);
  ASSERT_TRUE(a.ok() && b.ok());
  constexpr int kWriters = 6, kRounds = 40;
  for (int t = 0; t < kWriters; ++t) {
    ASSERT_TRUE((*a)->Add(SampleAgent(absl::StrCat("w", t)), {}).ok());
  }
  ASSERT_TRUE((*a)->ClaimLeases("ra", absl::Minutes(5), 3, nullptr).ok());
  ASSERT_TRUE((*b)->ClaimLeases("rb", absl::Minutes(5), 3, nullptr).ok());
  std::atomic<int> writers_left{kWriters};
  absl::Mutex mu;
  std::vector<std::string> errors;
  std::set<int64_t> written;
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      AgentStore* store = t < 3 ? a->get() : b->get();
      const std::string replica = t < 3 ? "ra" : "rb";
      const std::string id = absl::StrCat("w", t);
      for (int i = 0; i < kRounds; ++i) {
        std::vector<StoredEvent> got;
        absl::Status s;
        if (i % 2 == 0) {
          CycleCommit c;
          c.agent_id = id;
          c.expected_generation = 1;
          c.status.set_attestation_count(i);
          c.events = {SampleEvent(id, v1::EVENT_KIND_ATTESTATION_PASSED),
                      SampleEvent(id, v1::EVENT_KIND_STATE_CHANGED)};
          auto out = store->CommitCycles(replica, {c});
          s = out.status();
          if (out.ok()) got = (*out)[0].events;
        } else {
          auto out = store->AppendEvents(
              {SampleEvent(id, v1::EVENT_KIND_REVOCATION_SENT)});
          s = out.status();
          if (out.ok()) got = *out;
        }
        absl::MutexLock lock(&mu);
        if (!s.ok()) errors.push_back(s.ToString());
        for (const StoredEvent& e : got) written.insert(e.position);
      }
      --writers_left;
    });
  }
  std::set<int64_t> seen;
  int64_t after = 0;
  bool last_pass = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    const bool done = writers_left.load() == 0;
    auto page = (*b)->ReadEvents(after, 7);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const StoredEvent& e : *page) {
      ASSERT_GT(e.position, after);
      seen.insert(e.position);
      after = e.position;
    }
    if (page->empty() && done) {
      if (last_pass) break;
      last_pass = true;  // one more empty read after the writers finished
    }
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(written.size(),
            static_cast<size_t>(kWriters / 2 * kRounds / 2 * 3 +
                                kWriters / 2 * kRounds / 2 * 3));
  EXPECT_EQ(seen, written);
  std::vector<int64_t> missed;
  for (int64_t p : written) {
    if (seen.count(p) == 0) missed.push_back(p);
  }
  EXPECT_TRUE(missed.empty())
      << "first position stepped over: " << (missed.empty() ? 0 : missed[0]);
}

class Listener : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection_base& c, const std::string& channel)
      : pqxx::notification_receiver(c, channel) {}
  void operator()(const std::string& payload, int) override {
    payloads.push_back(payload);
  }
  std::vector<std::string> payloads;
};

TEST(PgAgentStoreTest, CommittedEventsAreNotifiedWithTheHighestPosition) {
  auto db = FreshDatabase("agentnotify");
  CANDOR_REQUIRE_RESOURCE(db);
  auto store = PgAgentStore::Open(*db, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  pqxx::connection conn(*db);
  Listener listener(conn, kEventsChannel);
  conn.get_notifs();  // sends LISTEN
  auto out = (*store)->AppendEvents(
      {SampleEvent("a", v1::EVENT_KIND_REVOCATION_SENT),
       SampleEvent("b", v1::EVENT_KIND_REVOCATION_SENT)});
  ASSERT_TRUE(out.ok()) << out.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (listener.payloads.empty() && absl::Now() < deadline) {
    conn.await_notification(1, 0);
  }
  ASSERT_EQ(listener.payloads.size(), 1u);
  EXPECT_EQ(listener.payloads[0], absl::StrCat((*out)[1].position));
  // A failed write notifies nothing.
  EXPECT_FALSE((*store)->Add(SampleAgent(""), {}).ok());
  ASSERT_TRUE((*store)->Add(SampleAgent("x"), {}).ok());
  EXPECT_EQ((*store)
                ->Add(SampleAgent("x"),
                      {SampleEvent("x", v1::EVENT_KIND_AGENT_ADDED)})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  conn.get_notifs();
  EXPECT_EQ(listener.payloads.size(), 1u);
}

TEST(PgAgentStoreTest, BatchesAreAFewStatementsWhateverTheirSize) {
  auto db = FreshDatabase("agentbatch");
  CANDOR_REQUIRE_RESOURCE(db);
  ASSERT_TRUE(LogStatements(*db).ok());
  auto store = PgAgentStore::Open(*db, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(absl::StrCat("agent-", 1000 + i));
    ASSERT_TRUE((*store)->Add(SampleAgent(ids.back()), {}).ok());
  }
  auto before = LoggedStatements();
  CANDOR_REQUIRE_RESOURCE(before);
  auto leases = (*store)->ClaimLeases("r1", absl::Minutes(5), 1000, nullptr);
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->held.size(), 200u);
  auto after_claim = LoggedStatements();
  ASSERT_TRUE(after_claim.ok());
  // BEGIN, renew, candidates, claim, COMMIT (at least 3: logging works).
  EXPECT_GE(*after_claim - *before, 3);
  EXPECT_LE(*after_claim - *before, 5);
  std::vector<CycleCommit> batch;
  for (const std::string& id : ids) {
    CycleCommit c;
    c.agent_id = id;
    c.expected_generation = 1;
    c.status.set_state(v1::OPERATIONAL_STATE_ATTESTING);
    c.attest_state = "s";
    c.events = {SampleEvent(id, v1::EVENT_KIND_ATTESTATION_PASSED)};
    batch.push_back(c);
  }
  auto out = (*store)->CommitCycles("r1", batch);
  ASSERT_TRUE(out.ok()) << out.status();
  for (const CommitOutcome& o : *out) EXPECT_TRUE(o.applied);
  auto after_commit = LoggedStatements();
  ASSERT_TRUE(after_commit.ok());
  // BEGIN, rows FOR UPDATE, UPDATE, INSERT events, COMMIT.
  EXPECT_GE(*after_commit - *after_claim, 3);
  EXPECT_LE(*after_commit - *after_claim, 5);
  auto many = (*store)->GetMany(ids);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 200u);
  EXPECT_EQ((*many)[7].agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
  auto after_get = LoggedStatements();
  ASSERT_TRUE(after_get.ok());
  EXPECT_GE(*after_get - *after_commit, 1);
  EXPECT_LE(*after_get - *after_commit, 3);  // BEGIN, SELECT, COMMIT
  std::cerr << "statements: claim " << *after_claim - *before << ", commit "
            << *after_commit - *after_claim << ", get "
            << *after_get - *after_commit << "\n";
}

TEST(PgAgentStoreTest, CorruptRowsAreInternalErrorsNamingRowAndColumn) {
  auto db = FreshDatabase("agentcorrupt");
  CANDOR_REQUIRE_RESOURCE(db);
  auto store = PgAgentStore::Open(*db, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Add(SampleAgent("bad-config"), {}).ok());
  ASSERT_TRUE((*store)->Add(SampleAgent("bad-identity"), {}).ok());
  ASSERT_TRUE(
      (*store)
          ->AppendEvents({SampleEvent("a", v1::EVENT_KIND_REVOCATION_SENT)})
          .ok());
  ASSERT_TRUE(Exec(*db,
                   "UPDATE agents SET config = '\\xffffffff'::bytea WHERE "
                   "agent_id = 'bad-config'")
                  .ok());
  ASSERT_TRUE(Exec(*db,
                   "UPDATE agents SET identity = '\\x0a'::bytea WHERE "
                   "agent_id = 'bad-identity'")
                  .ok());
  ASSERT_TRUE(Exec(*db, "UPDATE events SET event = '\\xff'::bytea").ok());
  absl::Status s = (*store)->Get("bad-config").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("bad-config"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("config"));
  s = (*store)->Get("bad-identity").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("identity"));
  EXPECT_EQ((*store)->List({}, 10, "").status().code(),
            absl::StatusCode::kInternal);
  ASSERT_TRUE((*store)->ClaimLeases("r1", absl::Minutes(1), 10, nullptr).ok());
  CycleCommit c;
  c.agent_id = "bad-config";
  c.expected_generation = 1;
  EXPECT_EQ((*store)->CommitCycles("r1", {c}).status().code(),
            absl::StatusCode::kInternal);
  s = (*store)->ReadEvents(0, 10).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("event"));
}

TEST(PgAgentStoreTest, SchemaRefusesALeaseWithoutExpiry) {
  auto db = FreshDatabase("agentschema");
  CANDOR_REQUIRE_RESOURCE(db);
  auto store = PgAgentStore::Open(*db, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Add(SampleAgent("a"), {}).ok());
  EXPECT_FALSE(
      Exec(*db, "UPDATE agents SET owner_replica = 'r1' WHERE agent_id = 'a'")
          .ok());
  EXPECT_FALSE(Exec(*db, "UPDATE agents SET agent_id = '' ").ok());
}

}  // namespace
}  // namespace candor::verifier::testing
