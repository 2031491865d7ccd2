// The attestation loop around its cycles (attestor.h): admin changes,
// deletion, restarts and crashes, failover and lost leases, policy updates.
// The fixture is testing/attestor_fixture.h.
#include <algorithm>

#include "candor/internal/v1/attest_state.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/failure/catalogue.h"
#include "lib/metrics/metrics_catalogue.h"
#include "services/verifier/attestor/attestor.h"
#include "services/verifier/attestor/testing/attestor_fixture.h"

namespace candor::verifier::testing {
namespace {

using ::testing::Contains;
using ::testing::Pair;

using v1::EVENT_KIND_ATTESTATION_FAILED;
using v1::EVENT_KIND_ATTESTATION_INCOMPLETE;
using v1::EVENT_KIND_ATTESTATION_PASSED;
using v1::EVENT_KIND_KEY_SHARE_DELIVERED;
using v1::EVENT_KIND_REVOCATION_SENT;
using v1::EVENT_KIND_STATE_CHANGED;

// The store as a replica that crashes sees it: ReleaseLeases never happens.
class CrashingReplicaStore final : public AgentStore {
 public:
  explicit CrashingReplicaStore(AgentStore* s) : s_(s) {}
  absl::StatusOr<std::vector<StoredEvent>> Add(
      const AgentRecord& r, const std::vector<NewEvent>& e) override {
    return s_->Add(r, e);
  }
  absl::StatusOr<AgentRecord> Mutate(absl::string_view id,
                                     const Mutator& m) override {
    return s_->Mutate(id, m);
  }
  absl::StatusOr<std::vector<StoredEvent>> Delete(
      absl::string_view id, const std::vector<NewEvent>& e) override {
    return s_->Delete(id, e);
  }
  absl::StatusOr<AgentRecord> Get(absl::string_view id) override {
    return s_->Get(id);
  }
  absl::StatusOr<std::vector<AgentRecord>> GetMany(
      const std::vector<std::string>& ids) override {
    return s_->GetMany(ids);
  }
  absl::StatusOr<AgentPage> List(const std::vector<v1::OperationalState>& st,
                                 uint32_t n, absl::string_view t) override {
    return s_->List(st, n, t);
  }
  absl::StatusOr<std::vector<std::string>> AgentsUsingPolicy(
      absl::string_view name, uint32_t limit) override {
    return s_->AgentsUsingPolicy(name, limit);
  }
  absl::StatusOr<uint32_t> CountAgentsUsingPolicyVersion(
      absl::string_view name, uint32_t v, uint32_t latest) override {
    return s_->CountAgentsUsingPolicyVersion(name, v, latest);
  }
  absl::Status Heartbeat(absl::string_view r, absl::string_view a) override {
    return s_->Heartbeat(r, a);
  }
  absl::StatusOr<LeaseChange> ClaimLeases(
      absl::string_view r, absl::Duration d, uint32_t n,
      const std::function<bool(absl::string_view)>& e) override {
    return s_->ClaimLeases(r, d, n, e);
  }
  absl::Status ReleaseLeases(absl::string_view) override {
    return absl::OkStatus();  // the process died
  }
  absl::StatusOr<std::vector<CommitOutcome>> CommitCycles(
      absl::string_view r, const std::vector<CycleCommit>& c) override {
    return s_->CommitCycles(r, c);
  }
  absl::StatusOr<std::vector<StoredEvent>> AppendEvents(
      const std::vector<NewEvent>& e) override {
    return s_->AppendEvents(e);
  }
  absl::StatusOr<std::vector<StoredEvent>> ReadEvents(int64_t after,
                                                      uint32_t n) override {
    return s_->ReadEvents(after, n);
  }
  absl::StatusOr<int64_t> LatestPosition() override {
    return s_->LatestPosition();
  }
  absl::StatusOr<int64_t> TrimmedThrough() override {
    return s_->TrimmedThrough();
  }
  absl::StatusOr<int64_t> TrimEvents(absl::Time before) override {
    return s_->TrimEvents(before);
  }
  absl::StatusOr<std::string> GetEvidence(int64_t position) override {
    return s_->GetEvidence(position);
  }

 private:
  AgentStore* s_;
};

TEST_F(AttestorTest, AdminStopAndReactivate) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_TRUE(WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 2).has_value());
  SetState("a", v1::OPERATIONAL_STATE_STOPPED);
  auto stopped = WaitEvent([](const StoredEvent& e) {
    return Is(e, "a", EVENT_KIND_STATE_CHANGED) &&
           e.event.state() == v1::OPERATIONAL_STATE_STOPPED;
  });
  ASSERT_TRUE(stopped.has_value());
  const int quotes = connector_.Get("a").quotes;
  const int b_quotes = connector_.Get("b").quotes;
  ASSERT_TRUE(connector_.WaitFor(
      [&](const Records& r) {
        return r.count("b") && r.at("b").quotes >= b_quotes + 6;
      },
      kWait));
  // At most the cycle in flight at the change asked for a quote; its result
  // was discarded as stale.
  EXPECT_LE(connector_.Get("a").quotes, quotes + 1);
  ASSERT_TRUE(WaitCount("b", EVENT_KIND_ATTESTATION_PASSED, 3, *stopped + 1)
                  .has_value());
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_PASSED, *stopped), 0);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_INCOMPLETE, *stopped), 0);
  EXPECT_EQ(Row("a").agent.state(), v1::OPERATIONAL_STATE_STOPPED);

  const int64_t generation = Row("a").generation;
  SetState("a", v1::OPERATIONAL_STATE_PENDING);
  EXPECT_GT(Row("a").generation, generation);
  auto back = WaitEvent(
      [](const StoredEvent& e) {
        return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
               e.event.previous_state() == v1::OPERATIONAL_STATE_PENDING;
      },
      *stopped + 1);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(events_[*back].event.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

TEST_F(AttestorTest, AdminUpdateDuringACycleDiscardsItAndAttestsAgain) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  connector_.Hold("a", true);
  ASSERT_TRUE(connector_.WaitFor(
      [](const Records& r) { return r.at("a").parked == 1; }, kWait));
  // An admin update while the cycle waits for its quote.
  absl::StatusOr<AgentRecord> updated = store_.Mutate(
      "a", [](AgentRecord& rec) -> absl::StatusOr<std::vector<NewEvent>> {
        rec.agent.mutable_quote_interval()->set_nanos(60000000);
        NewEvent e;
        e.event.set_agent_id("a");
        e.event.set_kind(v1::EVENT_KIND_AGENT_UPDATED);
        e.event.set_state(rec.agent.state());
        e.event.set_previous_state(rec.agent.state());
        return std::vector<NewEvent>{e};
      });
  ASSERT_TRUE(updated.ok()) << updated.status();
  auto upd = WaitKind("a", v1::EVENT_KIND_AGENT_UPDATED);
  ASSERT_TRUE(upd.has_value());
  // The hub ran the attestor's listener (which queues the reload) before
  // publishing the event to subscribers, so the reload meets the cycle in
  // flight.
  connector_.Hold("a", false);
  // The held cycle's result is stale and discarded; the agent is attested
  // again under the new generation.
  auto again = WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 2, *upd + 1);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(Row("a").agent.quote_interval().nanos(), 60000000);
}

TEST_F(AttestorTest, DeletedAgentIsNoLongerAttested) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  connector_.Hold("a", true);  // the deletion lands during a cycle
  ASSERT_TRUE(connector_.WaitFor(
      [](const Records& r) { return r.at("a").parked == 1; }, kWait));
  NewEvent deleted;
  deleted.event.set_agent_id("a");
  deleted.event.set_kind(v1::EVENT_KIND_AGENT_DELETED);
  ASSERT_TRUE(store_.Delete("a", {deleted}).ok());
  auto del = WaitKind("a", v1::EVENT_KIND_AGENT_DELETED);
  ASSERT_TRUE(del.has_value());
  const int a_quotes = connector_.Get("a").quotes;
  connector_.Hold("a", false);  // answers the parked call
  const int b_quotes = connector_.Get("b").quotes;
  ASSERT_TRUE(connector_.WaitFor(
      [&](const Records& r) {
        return r.count("b") && r.at("b").quotes >= b_quotes + 6;
      },
      kWait));
  EXPECT_EQ(connector_.Get("a").quotes, a_quotes + 1);
  for (size_t i = *del; i < events_.size(); ++i) {
    EXPECT_FALSE(events_[i].event.agent_id() == "a" &&
                 events_[i].event.kind() != v1::EVENT_KIND_AGENT_DELETED)
        << events_[i].event.DebugString();
  }
  EXPECT_EQ(attestor_->owned(), 1u);
}

TEST_F(AttestorTest, RestartedReplicaResumesWithoutAdminAction) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(WaitKind("b", EVENT_KIND_ATTESTATION_PASSED).has_value());
  const uint64_t count = Row("a").agent.attestation_count();
  StopLoop();
  events_.clear();
  StartLoop();
  auto a = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  auto b = WaitKind("b", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_GT(events_[*a].event.attestation_count(), count);
  EXPECT_EQ(events_[*a].event.previous_state(),
            v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(Count("a", EVENT_KIND_STATE_CHANGED), 0);
  EXPECT_EQ(Row("a").agent.owner_replica_id(), "r1");
}

// The crashing store outlives TearDown (which stops the loop).
class CrashedReplicaTest : public AttestorTest {
 protected:
  CrashingReplicaStore crashing_{&store_};
};

TEST_F(CrashedReplicaTest, RestartedWithTheSameIdResumes) {
  StopLoop();
  loop_store_ = &crashing_;
  StartLoop();
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(WaitKind("b", EVENT_KIND_ATTESTATION_PASSED).has_value());
  StopLoop();  // "crash": the leases stay with r1 (30 s)
  EXPECT_EQ(Row("a").agent.owner_replica_id(), "r1");
  events_.clear();
  StartLoop();  // same replica id, leases still live
  for (const std::string id : {"a", "b"}) {
    auto e = WaitKind(id, EVENT_KIND_ATTESTATION_PASSED);
    ASSERT_TRUE(e.has_value()) << id;
    EXPECT_EQ(events_[*e].event.replica_id(), "r1");
  }
  EXPECT_EQ(attestor_->owned(), 2u);
}

TEST_F(AttestorTest, SecondReplicaTakesOverWhenTheHolderStops) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  auto passed = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(passed.has_value());
  ASSERT_TRUE(WaitKind("b", EVENT_KIND_ATTESTATION_PASSED).has_value());
  std::unique_ptr<EventHub> hub2 = NewHub();
  std::unique_ptr<Attestor> r2 = NewAttestor("r2", hub2.get());
  ASSERT_TRUE(hub2->Start().ok());
  std::unique_ptr<EventHub::Subscription> sub2 = hub2->Subscribe(100000);
  r2->Start();
  // r1's leases are live: r2 claims nothing, and only r1 attests.
  auto later = WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 5, *passed + 1);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(r2->owned(), 0u);
  for (const StoredEvent& e : events_) EXPECT_NE(e.event.replica_id(), "r2");

  StopLoop();  // r1 releases its leases
  hub_ = std::move(hub2);
  attestor_ = std::move(r2);
  sub_ = std::move(sub2);
  events_.clear();
  for (const std::string id : {"a", "b"}) {
    auto e = WaitEvent([&](const StoredEvent& ev) {
      return Is(ev, id, EVENT_KIND_ATTESTATION_PASSED) &&
             ev.event.replica_id() == "r2";
    });
    ASSERT_TRUE(e.has_value()) << id;
    EXPECT_EQ(events_[*e].event.previous_state(),
              v1::OPERATIONAL_STATE_ATTESTING);
    EXPECT_EQ(Row(id).agent.owner_replica_id(), "r2");
  }
  EXPECT_EQ(attestor_->owned(), 2u);
}

TEST_F(AttestorTest, LostLeaseIsNotAttestedAgain) {
  ASSERT_NE(AddAgent("a"), nullptr);
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(WaitKind("b", EVENT_KIND_ATTESTATION_PASSED).has_value());
  connector_.Hold("a", true);  // a cycle of "a" is in flight meanwhile
  ASSERT_TRUE(connector_.WaitFor(
      [](const Records& r) { return r.at("a").parked == 1; }, kWait));
  // Another replica takes "a" over after r1's lease expired (the store's
  // clock jumps past it; r1 may renew first, so try until it is taken).
  bool taken = false;
  for (int i = 0; i < 50 && !taken; ++i) {
    skew_ms_ += 31000;
    absl::StatusOr<LeaseChange> c =
        store_.ClaimLeases("r9", absl::Hours(24), 1, nullptr);
    ASSERT_TRUE(c.ok()) << c.status();
    taken =
        std::find(c->gained.begin(), c->gained.end(), "a") != c->gained.end();
  }
  ASSERT_TRUE(taken);
  // r1 notices at its next renewal (every 100 ms).
  const absl::Time deadline = absl::Now() + kWait;
  while (attestor_->owned() != 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));  // polling a condition
  }
  ASSERT_EQ(attestor_->owned(), 1u);
  const int a_quotes = connector_.Get("a").quotes;
  const size_t mark = events_.size();
  connector_.Hold("a", false);  // the cycle ends; its commit is stale
  const int b_quotes = connector_.Get("b").quotes;
  ASSERT_TRUE(connector_.WaitFor(
      [&](const Records& r) { return r.at("b").quotes >= b_quotes + 6; },
      kWait));
  ASSERT_TRUE(
      WaitCount("b", EVENT_KIND_ATTESTATION_PASSED, 3, mark).has_value());
  EXPECT_EQ(connector_.Get("a").quotes, a_quotes + 1);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_PASSED, mark), 0);
  EXPECT_EQ(attestor_->owned(), 1u);
}

TEST_F(AttestorTest, PolicyUpdateReachesFollowersWithoutResettingReplay) {
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->Measure("/usr/bin/ok", "ok").ok());
  auto passed = WaitEvent([&](const StoredEvent& e) {
    return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
           Row("a").agent.next_ima_entry() == 2;
  });
  ASSERT_TRUE(passed.has_value());
  absl::StatusOr<std::string> v2 = RuntimePolicyJson(
      base_log_, {{"/usr/bin/ok", "ok"}, {"/usr/bin/new", "new"}});
  ASSERT_TRUE(v2.ok());
  absl::StatusOr<PolicyVersionInfo> info = policies_.Update(kPolicy, *v2, "");
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->version, 2u);
  // Within the resolver's TTL the following agent uses version 2.
  auto on_v2 = WaitEvent(
      [&](const StoredEvent& e) {
        return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
               Row("a").agent.runtime_policy_version_in_use() == 2;
      },
      *passed + 1);
  ASSERT_TRUE(on_v2.has_value());
  EXPECT_EQ(Row("a").agent.next_ima_entry(), 2u);  // not replayed again
  ASSERT_TRUE(a->Measure("/usr/bin/new", "new").ok());
  auto moved = WaitEvent(
      [&](const StoredEvent& e) {
        return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
               Row("a").agent.next_ima_entry() == 3;
      },
      *on_v2 + 1);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);
  EXPECT_EQ(Row("a").agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

TEST_F(AttestorTest, ReactivatedAfterPolicyUpdateKeepsTheReplayPosition) {
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(a->Measure("/usr/bin/tool", "v2").ok());
  auto failed = WaitKind("a", EVENT_KIND_ATTESTATION_FAILED);
  ASSERT_TRUE(failed.has_value());
  // The failing entry was not consumed.
  EXPECT_EQ(Row("a").agent.next_ima_entry(), 1u);
  absl::StatusOr<std::string> v2 = RuntimePolicyJson(
      base_log_, {{"/usr/bin/ok", "ok"}, {"/usr/bin/tool", "v2"}});
  ASSERT_TRUE(v2.ok());
  ASSERT_TRUE(policies_.Update(kPolicy, *v2, "").ok());
  SetState("a", v1::OPERATIONAL_STATE_PENDING);  // the operator reactivates
  auto passed = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED, *failed + 1);
  if (!passed.has_value()) {
    for (size_t i = *failed; i < events_.size() && i < *failed + 8; ++i) {
      ADD_FAILURE() << events_[i].event.ShortDebugString();
    }
  }
  ASSERT_TRUE(passed.has_value());
  EXPECT_EQ(events_[*passed].event.previous_state(),
            v1::OPERATIONAL_STATE_PENDING);
  AgentRecord row = Row("a");
  EXPECT_EQ(row.agent.runtime_policy_version_in_use(), 2u);
  EXPECT_EQ(row.agent.next_ima_entry(), 2u);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 1);
}

}  // namespace
}  // namespace candor::verifier::testing
