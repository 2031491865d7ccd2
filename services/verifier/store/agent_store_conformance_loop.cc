// The AgentStore contract, part 2: leases, cycle commits and the event
// stream (part 1 is agent_store_conformance.cc).
#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "services/verifier/store/agent_store_conformance.h"

namespace candor::verifier::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr v1::OperationalState kAttesting = v1::OPERATIONAL_STATE_ATTESTING;
constexpr v1::OperationalState kStopped = v1::OPERATIONAL_STATE_STOPPED;
constexpr absl::Duration kLease = absl::Seconds(30);

std::vector<int64_t> Positions(const std::vector<StoredEvent>& events) {
  std::vector<int64_t> out;
  for (const StoredEvent& e : events) out.push_back(e.position);
  return out;
}

CycleCommit Cycle(const std::string& id, int64_t generation,
                  v1::OperationalState state, uint64_t count) {
  CycleCommit c;
  c.agent_id = id;
  c.expected_generation = generation;
  c.status.set_state(state);
  c.status.set_attestation_count(count);
  c.status.set_next_ima_entry(count * 10);
  c.status.set_boot_id("boot-2");
  c.status.set_runtime_policy_version_in_use(3);
  c.status.mutable_last_attestation()->set_seconds(1700000000 + count);
  c.status.set_address("ignored:1");  // configuration: not written
  c.attest_state = absl::StrCat("state-after-", count);
  c.events.push_back(
      SampleEvent(id, v1::EVENT_KIND_ATTESTATION_PASSED, /*evidence=*/""));
  return c;
}

}  // namespace

TEST_P(AgentStoreConformance, ClaimLeasesGainsHoldsAndLosesWithExpiry) {
  for (const char* id : {"a", "b", "c", "d"}) {
    ASSERT_TRUE(store_->Add(SampleAgent(id), {}).ok());
  }
  ASSERT_TRUE(store_->Heartbeat("r1", "10.1.0.1:8881").ok());
  auto r1 = store_->ClaimLeases("r1", kLease, 2, nullptr);
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_THAT(r1->held, ElementsAre("a", "b"));
  EXPECT_THAT(r1->gained, ElementsAre("a", "b"));
  EXPECT_THAT(r1->lost, IsEmpty());
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->agent.owner_replica_id(), "r1");
  EXPECT_GT(got->lease_expires_at, absl::Now() + kLease - absl::Minutes(1));

  // r2 may only claim what nobody holds, and only what `eligible` allows.
  auto r2 = store_->ClaimLeases("r2", kLease, 10,
                                [](absl::string_view id) { return id != "c"; });
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_THAT(r2->held, ElementsAre("d"));
  EXPECT_THAT(r2->gained, ElementsAre("d"));

  // Renewal: r1 holds the same, gains nothing (max_claim 0).
  Advance(kLease / 2);
  r1 = store_->ClaimLeases("r1", kLease, 0, nullptr);
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->held, ElementsAre("a", "b"));
  EXPECT_THAT(r1->gained, IsEmpty());
  EXPECT_THAT(r1->lost, IsEmpty());

  // r2's lease expires (it renewed nothing); r1 renewed at half time, so it
  // still holds a and b after another 2/3 of a lease.
  Advance(kLease * 2 / 3);
  got = store_->Get("d");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->agent.owner_replica_id().empty());
  EXPECT_EQ(got->lease_expires_at, absl::InfinitePast());
  r1 = store_->ClaimLeases("r1", kLease, 10, nullptr);
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->held, ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(r1->gained, ElementsAre("c", "d"));
  r2 = store_->ClaimLeases("r2", kLease, 10, nullptr);
  ASSERT_TRUE(r2.ok());
  EXPECT_THAT(r2->held, IsEmpty());
  EXPECT_THAT(r2->lost, ElementsAre("d"));

  // r1 stops renewing: after expiry r2 takes everything, r1 learns it lost.
  Advance(kLease + absl::Seconds(1));
  r2 = store_->ClaimLeases("r2", kLease, 10, nullptr);
  ASSERT_TRUE(r2.ok());
  EXPECT_THAT(r2->gained, ElementsAre("a", "b", "c", "d"));
  r1 = store_->ClaimLeases("r1", kLease, 10, nullptr);
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->held, IsEmpty());
  EXPECT_THAT(r1->lost, ElementsAre("a", "b", "c", "d"));
}

TEST_P(AgentStoreConformance, ExpiredLeaseNobodyTookIsRenewed) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  ASSERT_TRUE(store_->ClaimLeases("r1", kLease, 10, nullptr).ok());
  Advance(kLease * 2);
  auto r1 = store_->ClaimLeases("r1", kLease, 0, nullptr);
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->held, ElementsAre("a"));
  EXPECT_THAT(r1->gained, IsEmpty());
  EXPECT_THAT(r1->lost, IsEmpty());
  EXPECT_EQ(store_->Get("a")->agent.owner_replica_id(), "r1");
}

TEST_P(AgentStoreConformance, ReleaseLeasesFreesThemAtOnce) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  ASSERT_TRUE(store_->ClaimLeases("r1", kLease, 10, nullptr).ok());
  ASSERT_TRUE(store_->ReleaseLeases("r1").ok());
  EXPECT_TRUE(store_->Get("a")->agent.owner_replica_id().empty());
  auto r2 = store_->ClaimLeases("r2", kLease, 10, nullptr);
  ASSERT_TRUE(r2.ok());
  EXPECT_THAT(r2->gained, ElementsAre("a"));
  auto r1 = store_->ClaimLeases("r1", kLease, 10, nullptr);
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->held, IsEmpty());
  EXPECT_THAT(r1->lost, IsEmpty());  // released, not lost
}

TEST_P(AgentStoreConformance, CommitCyclesAppliesOnlyCurrentLeasedRows) {
  for (const char* id : {"ok", "admin", "theirs", "gone", "free"}) {
    ASSERT_TRUE(store_->Add(SampleAgent(id), {}).ok());
  }
  ASSERT_TRUE(store_
                  ->ClaimLeases("r1", kLease, 10,
                                [](absl::string_view id) {
                                  return id != "theirs" && id != "free";
                                })
                  .ok());
  ASSERT_TRUE(
      store_
          ->ClaimLeases("r2", kLease, 10,
                        [](absl::string_view id) { return id == "theirs"; })
          .ok());
  // An admin change during the cycle, and a deletion.
  ASSERT_TRUE(
      store_
          ->Mutate("admin",
                   [](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
                     r.agent.set_state(kStopped);
                     return std::vector<NewEvent>{};
                   })
          .ok());
  ASSERT_TRUE(store_->Delete("gone", {}).ok());
  const int64_t before = *store_->LatestPosition();

  std::vector<CycleCommit> batch = {
      Cycle("ok", 1, kAttesting, 1), Cycle("admin", 1, kAttesting, 1),
      Cycle("theirs", 1, kAttesting, 1), Cycle("gone", 1, kAttesting, 1),
      Cycle("free", 1, kAttesting, 1)};
  batch[0].events.push_back(
      SampleEvent("ok", v1::EVENT_KIND_STATE_CHANGED, "evidence-bytes"));
  auto out = store_->CommitCycles("r1", batch);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 5u);
  EXPECT_TRUE((*out)[0].applied);
  ASSERT_EQ((*out)[0].events.size(), 2u);
  EXPECT_GT((*out)[0].events[0].position, before);
  EXPECT_EQ((*out)[0].events[1].position, (*out)[0].events[0].position + 1);
  EXPECT_TRUE((*out)[0].events[1].has_evidence);
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_FALSE((*out)[i].applied) << batch[i].agent_id;
    EXPECT_THAT((*out)[i].events, IsEmpty()) << batch[i].agent_id;
  }
  auto read = store_->ReadEvents(before, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(Positions(*read), Positions((*out)[0].events));

  auto ok = store_->Get("ok");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->generation, 1);  // cycles do not bump it
  EXPECT_EQ(ok->agent.state(), kAttesting);
  EXPECT_EQ(ok->agent.attestation_count(), 1u);
  EXPECT_EQ(ok->agent.next_ima_entry(), 10u);
  EXPECT_EQ(ok->agent.boot_id(), "boot-2");
  EXPECT_EQ(ok->agent.runtime_policy_version_in_use(), 3u);
  EXPECT_EQ(ok->agent.last_attestation().seconds(), 1700000001);
  EXPECT_EQ(ok->agent.address(), "10.0.0.7:9002");  // config untouched
  EXPECT_EQ(ok->agent.runtime_policy().name(), "ima-prod");
  EXPECT_EQ(ok->attest_state, "state-after-1");
  EXPECT_EQ(ok->sealed_v_share, std::string("sealed\0v", 8));
  auto admin = store_->Get("admin");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->agent.state(), kStopped);
  EXPECT_EQ(admin->attest_state, SampleAgent("x").attest_state);

  // The next cycle from the current generation applies.
  out = store_->CommitCycles(
      "r1", {Cycle("admin", 2, kAttesting, 5), Cycle("ok", 1, kAttesting, 2)});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)[0].applied);
  EXPECT_TRUE((*out)[1].applied);
  EXPECT_EQ(store_->Get("ok")->agent.attestation_count(), 2u);
}

TEST_P(AgentStoreConformance, CommitCyclesDropsCommitsOfAnExpiredLease) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  ASSERT_TRUE(store_->ClaimLeases("r1", kLease, 10, nullptr).ok());
  Advance(kLease + absl::Seconds(1));
  auto out = store_->CommitCycles("r1", {Cycle("a", 1, kAttesting, 1)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE((*out)[0].applied);
  EXPECT_EQ(store_->Get("a")->agent.attestation_count(), 0u);
  auto empty = store_->CommitCycles("r1", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(*empty, IsEmpty());
}

TEST_P(AgentStoreConformance, EventsAreStrictlyOrderedAndPaged) {
  std::vector<NewEvent> batch;
  for (int i = 0; i < 25; ++i) {
    batch.push_back(
        SampleEvent(absl::StrCat("n", i), v1::EVENT_KIND_REVOCATION_SENT));
  }
  auto appended = store_->AppendEvents(batch);
  ASSERT_TRUE(appended.ok()) << appended.status();
  ASSERT_TRUE(store_
                  ->Add(SampleAgent("a"),
                        {SampleEvent("a", v1::EVENT_KIND_AGENT_ADDED)})
                  .ok());
  std::vector<int64_t> seen;
  int64_t after = 0;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = store_->ReadEvents(after, 10);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const StoredEvent& e : *page) {
      EXPECT_GT(e.position, after);
      EXPECT_EQ(e.event.cursor(), EncodeCursor(e.position));
      after = e.position;
      seen.push_back(e.position);
    }
  }
  ASSERT_EQ(seen.size(), 26u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 26u);
  EXPECT_EQ(*store_->LatestPosition(), seen.back());
  auto first = store_->ReadEvents(0, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)[0].event.agent_id(), "n0");
  EXPECT_EQ((*first)[0].event.failures(0).context().at("path"), "/usr/bin/x");
}

TEST_P(AgentStoreConformance, UnsetEventTimeGetsTheClock) {
  NewEvent e = SampleEvent("a", v1::EVENT_KIND_REVOCATION_SENT);
  e.event.clear_time();
  auto out = store_->AppendEvents({e});
  ASSERT_TRUE(out.ok());
  EXPECT_GT((*out)[0].event.time().seconds(), 1700000000);
  auto read = store_->ReadEvents(0, 1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*read)[0].event.time().SerializeAsString(),
            (*out)[0].event.time().SerializeAsString());
}

TEST_P(AgentStoreConformance, TrimEventsRemovesTheOldestByTime) {
  EXPECT_EQ(*store_->TrimmedThrough(), 0);
  std::vector<NewEvent> batch;
  for (int i = 0; i < 6; ++i) {
    NewEvent e = SampleEvent("a", v1::EVENT_KIND_REVOCATION_SENT,
                             i == 5 ? "kept-evidence" : "");
    e.event.mutable_time()->set_seconds(1800000000 + i * 60);
    batch.push_back(e);
  }
  auto appended = store_->AppendEvents(batch);
  ASSERT_TRUE(appended.ok());
  const std::vector<int64_t> pos = Positions(*appended);
  auto trimmed = store_->TrimEvents(absl::FromUnixSeconds(1800000000 + 150));
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 3);
  EXPECT_EQ(*store_->TrimmedThrough(), pos[2]);
  auto rest = store_->ReadEvents(0, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_THAT(Positions(*rest), ElementsAre(pos[3], pos[4], pos[5]));
  EXPECT_EQ(*store_->TrimEvents(absl::FromUnixSeconds(1800000000)), 0);
  EXPECT_EQ(*store_->TrimmedThrough(), pos[2]);
  // Everything: the latest position survives trimming.
  EXPECT_EQ(*store_->TrimEvents(absl::FromUnixSeconds(1900000000)), 3);
  EXPECT_EQ(*store_->TrimmedThrough(), pos[5]);
  EXPECT_EQ(*store_->LatestPosition(), pos[5]);
  EXPECT_EQ(store_->GetEvidence(pos[5]).status().code(),
            absl::StatusCode::kNotFound);
  auto next =
      store_->AppendEvents({SampleEvent("a", v1::EVENT_KIND_AGENT_ADDED)});
  ASSERT_TRUE(next.ok());
  EXPECT_GT((*next)[0].position, pos[5]);
}

TEST_P(AgentStoreConformance, GetEvidenceReturnsWhatWasKept) {
  const std::string evidence(
      "\x0a\x03"
      "abc\0\xff",
      7);
  auto out = store_->AppendEvents(
      {SampleEvent("a", v1::EVENT_KIND_ATTESTATION_FAILED, evidence),
       SampleEvent("a", v1::EVENT_KIND_STATE_CHANGED)});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)[0].has_evidence);
  EXPECT_FALSE((*out)[1].has_evidence);
  auto got = store_->GetEvidence((*out)[0].position);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, evidence);
  EXPECT_EQ(store_->GetEvidence((*out)[1].position).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetEvidence(12345).status().code(),
            absl::StatusCode::kNotFound);
  auto read = store_->ReadEvents(0, 10);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE((*read)[0].has_evidence);
  EXPECT_FALSE((*read)[1].has_evidence);
}

TEST_P(AgentStoreConformance, ConcurrentWritersNeverShareAPosition) {
  for (int t = 0; t < 4; ++t) {
    ASSERT_TRUE(store_->Add(SampleAgent(absl::StrCat("t", t)), {}).ok());
  }
  ASSERT_TRUE(store_->ClaimLeases("r1", kLease, 10, nullptr).ok());
  absl::Mutex mu;
  std::vector<int64_t> positions;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string id = absl::StrCat("t", t);
      for (int i = 0; i < 10; ++i) {
        absl::StatusOr<std::vector<StoredEvent>> events;
        if (i % 2 == 0) {
          auto out = store_->CommitCycles("r1", {Cycle(id, 1, kAttesting, i)});
          if (out.ok())
            events = (*out)[0].events;
          else
            events = out.status();
        } else {
          events = store_->AppendEvents(
              {SampleEvent(id, v1::EVENT_KIND_REVOCATION_SENT)});
        }
        absl::MutexLock lock(&mu);
        if (!events.ok()) {
          errors.push_back(events.status().ToString());
          continue;
        }
        for (const StoredEvent& e : *events) positions.push_back(e.position);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(positions.size(), 40u);
  EXPECT_EQ(std::set<int64_t>(positions.begin(), positions.end()).size(), 40u);
  auto all = store_->ReadEvents(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 40u);
}

TEST_P(AgentStoreConformance, HeartbeatIsAccepted) {
  EXPECT_TRUE(store_->Heartbeat("r1", "10.1.0.1:8881").ok());
  EXPECT_TRUE(store_->Heartbeat("r1", "10.1.0.2:8881").ok());
}

}  // namespace candor::verifier::testing
