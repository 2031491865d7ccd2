// The attestation loop's cycles (attestor.h) against software agents:
// passes, failures and revocation, misses, V share, IMA paging, reboots.
// The fixture is testing/attestor_fixture.h.
#include "services/verifier/attestor/attestor.h"

#include <algorithm>

#include "candor/internal/v1/attest_state.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/failure/catalogue.h"
#include "lib/metrics/metrics_catalogue.h"
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

TEST_F(AttestorTest, NewAgentPassesThenRoutinePasses) {
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(a, nullptr);
  auto first = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(first.has_value());
  const v1::AttestationEvent& ev = events_[*first].event;
  EXPECT_EQ(ev.previous_state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(ev.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(ev.attestation_count(), 1u);
  EXPECT_EQ(ev.replica_id(), "r1");
  auto change = WaitKind("a", EVENT_KIND_STATE_CHANGED);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(events_[*change].event.previous_state(),
            v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(events_[*change].event.state(), v1::OPERATIONAL_STATE_ATTESTING);

  auto later = WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 3, *first + 1);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(Count("a", EVENT_KIND_STATE_CHANGED), 1);  // routine passes
  EXPECT_EQ(events_[*later].event.attestation_count(), 4u);
  EXPECT_EQ(events_[*later].event.previous_state(),
            v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(Row("a").agent.next_ima_entry(), 1u);  // boot_aggregate

  ASSERT_TRUE(a->Measure("/usr/bin/ok", "ok").ok());
  auto moved = WaitEvent(
      [&](const StoredEvent& e) {
        return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
               Row("a").agent.next_ima_entry() == 2;
      },
      *later + 1);
  ASSERT_TRUE(moved.has_value());
  AgentRecord row = Row("a");
  EXPECT_EQ(row.agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_GE(row.agent.attestation_count(), 5u);
  EXPECT_EQ(row.agent.runtime_policy_version_in_use(), 1u);
  EXPECT_TRUE(row.agent.has_last_successful_attestation());
  EXPECT_EQ(row.agent.owner_replica_id(), "r1");
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);

  // The loop's metrics counted the passes.
  double passes = 0;
  for (const prometheus::MetricFamily& f : registry_->Collect()) {
    if (f.name != metrics::kVerifierAttestations) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.value == metrics::kAttestationPass) passes += m.counter.value;
      }
    }
  }
  EXPECT_GE(passes, 5);
}

TEST_F(AttestorTest, OffPolicyEntryFailsStoresEvidenceAndRevokes) {
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(AddAgent("b"), nullptr);
  ASSERT_NE(AddAgent("c"), nullptr);
  ASSERT_TRUE(WaitKind("a", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(WaitKind("b", EVENT_KIND_ATTESTATION_PASSED).has_value());
  ASSERT_TRUE(WaitKind("c", EVENT_KIND_ATTESTATION_PASSED).has_value());

  ASSERT_TRUE(a->Measure("/usr/bin/evil", "evil").ok());
  auto failed = WaitKind("a", EVENT_KIND_ATTESTATION_FAILED);
  ASSERT_TRUE(failed.has_value());
  const StoredEvent fe = events_[*failed];
  EXPECT_EQ(fe.event.state(), v1::OPERATIONAL_STATE_FAILED);
  bool found = false;
  for (const v1::Failure& f : fe.event.failures()) {
    if (f.id() == failure::kImaNotInPolicy) {
      found = true;
      EXPECT_THAT(f.context(), Contains(Pair("path", "/usr/bin/evil")));
    }
  }
  EXPECT_TRUE(found) << fe.event.DebugString();
  auto change = WaitEvent([](const StoredEvent& e) {
    return Is(e, "a", EVENT_KIND_STATE_CHANGED) &&
           e.event.state() == v1::OPERATIONAL_STATE_FAILED;
  });
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(events_[*change].event.previous_state(),
            v1::OPERATIONAL_STATE_ATTESTING);

  // The evidence is kept with the failing event.
  EXPECT_TRUE(fe.has_evidence);
  absl::StatusOr<std::string> evidence = store_.GetEvidence(fe.position);
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  internal::v1::CycleEvidence ce;
  ASSERT_TRUE(ce.ParseFromString(*evidence));
  EXPECT_EQ(ce.nonce().size(), 32u);
  EXPECT_FALSE(ce.evidence().quote().attest().empty());
  EXPECT_GT(ce.evidence().ima_entries().lines_size(), 0);
  EXPECT_FALSE(ce.start_state().empty());

  // A signed notice, sent to the other agents only.
  auto revoked = WaitKind("a", EVENT_KIND_REVOCATION_SENT);
  ASSERT_TRUE(revoked.has_value());
  const v1::RevocationNotice& notice = events_[*revoked].event.revocation();
  EXPECT_EQ(notice.signature(), "signed");
  v1::RevocationMessage msg;
  ASSERT_TRUE(msg.ParseFromString(notice.message()));
  EXPECT_EQ(msg.agent_id(), "a");
  EXPECT_EQ(msg.event_cursor(), EncodeCursor(fe.position));
  ASSERT_TRUE(connector_.WaitFor(
      [](const Records& r) {
        return r.count("b") && r.at("b").notices.size() == 1 && r.count("c") &&
               r.at("c").notices.size() == 1;
      },
      kWait));
  EXPECT_EQ(connector_.Get("b").notices[0].notice().message(),
            notice.message());

  // No more cycles for the FAILED agent while the others go on.
  const int quotes = connector_.Get("a").quotes;
  const int b_quotes = connector_.Get("b").quotes;
  ASSERT_TRUE(connector_.WaitFor(
      [&](const Records& r) {
        return r.count("b") && r.at("b").quotes >= b_quotes + 5;
      },
      kWait));
  EXPECT_EQ(connector_.Get("a").quotes, quotes);
  EXPECT_TRUE(connector_.Get("a").notices.empty());
  EXPECT_EQ(Row("a").agent.state(), v1::OPERATIONAL_STATE_FAILED);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 1);
}

TEST_F(AttestorTest, UnreachableAgentRecoversByItself) {
  ASSERT_NE(AddAgent("a"), nullptr);
  auto passed = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(passed.has_value());
  connector_.SetUnreachable("a", true);
  auto down = WaitEvent([](const StoredEvent& e) {
    return Is(e, "a", EVENT_KIND_STATE_CHANGED) &&
           e.event.state() == v1::OPERATIONAL_STATE_UNREACHABLE;
  });
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(events_[*down].event.previous_state(),
            v1::OPERATIONAL_STATE_ATTESTING);
  // unreachable_after = 2 misses, each an INCOMPLETE agent.unreachable.
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_INCOMPLETE, *passed, *down), 2);
  for (size_t i = *passed; i < *down; ++i) {
    if (!Is(events_[i], "a", EVENT_KIND_ATTESTATION_INCOMPLETE)) continue;
    ASSERT_EQ(events_[i].event.failures_size(), 1);
    EXPECT_EQ(events_[i].event.failures(0).id(), failure::kAgentUnreachable);
  }
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);
  // It keeps being retried (at the backoff ceiling) while down.
  auto more = WaitCount("a", EVENT_KIND_ATTESTATION_INCOMPLETE, 2, *down + 1);
  ASSERT_TRUE(more.has_value());

  connector_.SetUnreachable("a", false);
  auto up = WaitEvent(
      [](const StoredEvent& e) {
        return Is(e, "a", EVENT_KIND_STATE_CHANGED) &&
               e.event.state() == v1::OPERATIONAL_STATE_ATTESTING;
      },
      *down + 1);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(events_[*up].event.previous_state(),
            v1::OPERATIONAL_STATE_UNREACHABLE);
  ASSERT_TRUE(
      WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 2, *up).has_value());
  EXPECT_EQ(Row("a").agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

TEST_F(AttestorTest, VShareOnlyAfterAPassAndOnce) {
  ASSERT_NE(AddAgent("a", /*v_share=*/true), nullptr);
  ASSERT_NE(AddAgent("bad", /*v_share=*/true, /*tamper_first=*/true), nullptr);
  auto pass = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(pass.has_value());
  auto delivered = WaitKind("a", EVENT_KIND_KEY_SHARE_DELIVERED);
  ASSERT_TRUE(delivered.has_value());
  EXPECT_GT(*delivered, *pass);
  EXPECT_FALSE(events_[*delivered].event.key_share().key_recombined());
  EXPECT_FALSE(events_[*delivered].event.key_share().detail().empty());
  AgentRecord row = Row("a");
  EXPECT_TRUE(row.agent.has_v_share_delivered_at());

  ASSERT_TRUE(
      WaitCount("a", EVENT_KIND_ATTESTATION_PASSED, 4, *delivered).has_value());
  FakeAgentConnector::Record rec = connector_.Get("a");
  ASSERT_EQ(rec.key_shares.size(), 1u);
  EXPECT_EQ(rec.key_shares[0].kind(), v1::KEY_SHARE_KIND_V);
  EXPECT_EQ(rec.key_shares[0].encrypted_share(),
            absl::StrCat("wrap(", row.identity.transport_public_key().size(),
                         ",open(sealed-a))"));
  EXPECT_EQ(Count("a", EVENT_KIND_KEY_SHARE_DELIVERED), 1);

  // Off-policy from the start: FAILED, never given V.
  ASSERT_TRUE(WaitKind("bad", EVENT_KIND_ATTESTATION_FAILED).has_value());
  ASSERT_TRUE(WaitKind("bad", EVENT_KIND_REVOCATION_SENT).has_value());
  EXPECT_TRUE(connector_.Get("bad").key_shares.empty());
  EXPECT_FALSE(Row("bad").agent.has_v_share_delivered_at());
  EXPECT_EQ(Count("bad", EVENT_KIND_ATTESTATION_PASSED), 0);
}

TEST_F(AttestorTest, FailedVShareDeliveryIsRetriedAfterTheNextPass) {
  connector_.FailKeyShares("a", 2);
  ASSERT_NE(AddAgent("a", /*v_share=*/true), nullptr);
  auto delivered = WaitKind("a", EVENT_KIND_KEY_SHARE_DELIVERED);
  ASSERT_TRUE(delivered.has_value());
  // Two refused deliveries, each after its own pass, then one accepted.
  EXPECT_GE(Count("a", EVENT_KIND_ATTESTATION_PASSED, 0, *delivered), 3);
  FakeAgentConnector::Record rec = connector_.Get("a");
  EXPECT_EQ(rec.failed_key_shares, 2);
  EXPECT_EQ(rec.key_shares.size(), 1u);
  EXPECT_TRUE(Row("a").agent.has_v_share_delivered_at());
}

TEST_F(AttestorTest, LongImaLogIsFetchedInPages) {
  StopLoop();
  ima_page_entries_ = 3;
  StartLoop();
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(a, nullptr);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(a->Measure("/usr/bin/ok", "ok").ok());
  auto passed = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED);
  ASSERT_TRUE(passed.has_value());
  EXPECT_EQ(Row("a").agent.next_ima_entry(), 11u);
  // One cycle asked for 4 pages of 3 entries.
  EXPECT_GE(connector_.Get("a").quotes, 4);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_INCOMPLETE), 0);
}

TEST_F(AttestorTest, MissingPolicyIsIncompleteUntilCreated) {
  ASSERT_NE(AddAgent("a", false, false, "later"), nullptr);
  auto miss = WaitKind("a", EVENT_KIND_ATTESTATION_INCOMPLETE);
  ASSERT_TRUE(miss.has_value());
  ASSERT_EQ(events_[*miss].event.failures_size(), 1);
  EXPECT_EQ(events_[*miss].event.failures(0).id(), failure::kPolicyNotFound);
  EXPECT_EQ(events_[*miss].event.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(connector_.Get("a").quotes, 0);  // no quote without a policy
  absl::StatusOr<std::string> json = RuntimePolicyJson(base_log_);
  ASSERT_TRUE(json.ok());
  ASSERT_TRUE(
      policies_.Create("later", v1::POLICY_KIND_RUNTIME, *json, "").ok());
  auto passed = WaitKind("a", EVENT_KIND_ATTESTATION_PASSED, *miss + 1);
  ASSERT_TRUE(passed.has_value());
  EXPECT_EQ(events_[*passed].event.previous_state(),
            v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);
}

TEST_F(AttestorTest, RebootRestartsTheImaReplay) {
  SoftAgent* a = AddAgent("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->Measure("/usr/bin/ok", "ok").ok());
  auto before = WaitEvent([&](const StoredEvent& e) {
    return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
           Row("a").agent.next_ima_entry() == 2;
  });
  ASSERT_TRUE(before.has_value());
  const std::string boot = Row("a").agent.boot_id();
  // Reboot between cycles; the new log is longer than the verifier's
  // position, so the answer (from entry 2) is of another boot: the replay is
  // reset to entry 0 and a new cycle runs at once.
  connector_.Hold("a", true);
  ASSERT_TRUE(connector_.WaitFor(
      [](const Records& r) { return r.at("a").parked == 1; }, kWait));
  ASSERT_TRUE(a->Reboot().ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->Measure("/usr/bin/ok", "ok").ok());
  connector_.Hold("a", false);
  auto after = WaitEvent(
      [&](const StoredEvent& e) {
        AgentRecord row = Row("a");
        return Is(e, "a", EVENT_KIND_ATTESTATION_PASSED) &&
               row.agent.boot_id() != boot && row.agent.next_ima_entry() == 5;
      },
      *before + 1);
  ASSERT_TRUE(after.has_value());
  bool rebooted = false;
  for (size_t i = *before + 1; i <= *after; ++i) {
    for (const v1::Failure& f : events_[i].event.failures()) {
      rebooted = rebooted || f.id() == "agent.rebooted";
    }
  }
  EXPECT_TRUE(rebooted);
  EXPECT_EQ(Count("a", EVENT_KIND_ATTESTATION_FAILED), 0);
  EXPECT_EQ(Row("a").agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

}  // namespace
}  // namespace candor::verifier::testing
