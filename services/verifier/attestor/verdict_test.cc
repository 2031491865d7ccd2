#include "services/verifier/attestor/verdict.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/failure/catalogue.h"

namespace candor::verifier {
namespace {

using ::testing::ElementsAre;

AgentRecord Agent(v1::OperationalState state, uint64_t count = 0) {
  AgentRecord r;
  r.agent.set_agent_id("node-1");
  r.agent.set_state(state);
  r.agent.set_attestation_count(count);
  r.generation = 7;
  r.attest_state = "old";
  return r;
}

VerdictContext Ctx(const AgentRecord& r, const failure::SeverityPolicy& p) {
  return VerdictContext{&r, &p, "replica-a", absl::FromUnixSeconds(100),
                        absl::FromUnixSeconds(100) + absl::Milliseconds(5)};
}

std::vector<v1::EventKind> Kinds(const CycleCommit& c) {
  std::vector<v1::EventKind> k;
  for (const NewEvent& e : c.events) k.push_back(e.event.kind());
  return k;
}

TEST(VerdictTest, FirstPassMovesPendingToAttesting) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_PENDING);
  attest::CycleResult result;
  result.warnings.push_back(
      failure::MakeFailure(failure::kImaViolation, "tomtou"));
  Verdict v = FromCycle(Ctx(r, policy), result, 3, 0, "evidence");
  EXPECT_TRUE(v.passed);
  EXPECT_FALSE(v.failed);
  EXPECT_TRUE(v.urgent);  // state change
  EXPECT_EQ(v.commit.expected_generation, 7);
  EXPECT_EQ(v.commit.status.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(v.commit.status.attestation_count(), 1u);
  EXPECT_EQ(v.commit.status.runtime_policy_version_in_use(), 3u);
  EXPECT_EQ(v.commit.status.severity_level(), v1::SEVERITY_WARNING);
  EXPECT_THAT(Kinds(v.commit), ElementsAre(v1::EVENT_KIND_ATTESTATION_PASSED,
                                           v1::EVENT_KIND_STATE_CHANGED));
  const v1::AttestationEvent& e = v.commit.events[0].event;
  EXPECT_EQ(e.previous_state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(e.severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(e.replica_id(), "replica-a");
  EXPECT_EQ(e.cycle_duration().nanos(), 5000000);
  EXPECT_TRUE(v.commit.events[0].evidence.empty());  // kept only on failure
}

TEST(VerdictTest, RoutinePassIsNotUrgent) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_ATTESTING, 10);
  Verdict v = FromCycle(Ctx(r, policy), attest::CycleResult(), 0, 0, "");
  EXPECT_TRUE(v.passed);
  EXPECT_FALSE(v.urgent);
  EXPECT_EQ(v.commit.status.attestation_count(), 11u);
  EXPECT_THAT(Kinds(v.commit), ElementsAre(v1::EVENT_KIND_ATTESTATION_PASSED));
}

TEST(VerdictTest, CriticalFindingFailsWithEvidence) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_ATTESTING, 4);
  attest::CycleResult result;
  result.failures.push_back(failure::MakeFailure(
      failure::kImaNotInPolicy, "/usr/bin/evil", {{"path", "/usr/bin/evil"}}));
  Verdict v = FromCycle(Ctx(r, policy), result, 1, 0, "evidence");
  EXPECT_TRUE(v.failed);
  EXPECT_TRUE(v.urgent);
  EXPECT_EQ(v.commit.status.state(), v1::OPERATIONAL_STATE_FAILED);
  EXPECT_EQ(v.commit.status.attestation_count(), 4u);
  EXPECT_EQ(v.commit.status.last_failure().id(), "ima.not_in_policy");
  EXPECT_THAT(Kinds(v.commit), ElementsAre(v1::EVENT_KIND_ATTESTATION_FAILED,
                                           v1::EVENT_KIND_STATE_CHANGED));
  EXPECT_EQ(v.commit.events[0].evidence, "evidence");
  EXPECT_EQ(v.commit.events[1].event.failures(0).context().at("path"),
            "/usr/bin/evil");
}

TEST(VerdictTest, SeverityPolicyDowngradesAFailure) {
  absl::StatusOr<failure::SeverityPolicy> policy = failure::SeverityPolicy::Parse(
      R"({"rules": [{"id": "ima\\.not_in_policy", "severity": "warning"}]})");
  ASSERT_TRUE(policy.ok());
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_ATTESTING, 1);
  attest::CycleResult result;
  result.failures.push_back(
      failure::MakeFailure(failure::kImaNotInPolicy, "x"));
  Verdict v = FromCycle(Ctx(r, *policy), result, 0, 0, "");
  EXPECT_TRUE(v.passed);
  EXPECT_EQ(v.commit.events[0].event.failures(0).severity(),
            v1::SEVERITY_WARNING);
}

TEST(VerdictTest, UnreachableAfterEnoughMissesAndNeverFailed) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_ATTESTING, 2);
  v1::Failure miss = failure::MakeFailure(failure::kAgentUnreachable, "down");
  Verdict first = FromMiss(Ctx(r, policy), miss, 1, 2);
  EXPECT_FALSE(first.failed);
  EXPECT_FALSE(first.urgent);
  EXPECT_EQ(first.commit.status.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_THAT(Kinds(first.commit),
              ElementsAre(v1::EVENT_KIND_ATTESTATION_INCOMPLETE));
  Verdict second = FromMiss(Ctx(r, policy), miss, 2, 2);
  EXPECT_EQ(second.commit.status.state(), v1::OPERATIONAL_STATE_UNREACHABLE);
  EXPECT_TRUE(second.urgent);
  EXPECT_THAT(Kinds(second.commit),
              ElementsAre(v1::EVENT_KIND_ATTESTATION_INCOMPLETE,
                          v1::EVENT_KIND_STATE_CHANGED));
  // Back from UNREACHABLE by itself on the next good quote.
  AgentRecord u = Agent(v1::OPERATIONAL_STATE_UNREACHABLE, 2);
  Verdict back = FromCycle(Ctx(u, policy), attest::CycleResult(), 0, 0, "");
  EXPECT_EQ(back.commit.status.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

TEST(VerdictTest, InvalidResponseFailsAtDefaultSeverity) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_ATTESTING);
  Verdict v = FromMiss(
      Ctx(r, policy),
      failure::MakeFailure(failure::kAgentInvalidResponse, "bad page"), 0, 2);
  EXPECT_TRUE(v.failed);
  EXPECT_EQ(v.commit.status.state(), v1::OPERATIONAL_STATE_FAILED);
}

TEST(VerdictTest, PolicyMissingIsIncomplete) {
  failure::SeverityPolicy policy;
  AgentRecord r = Agent(v1::OPERATIONAL_STATE_PENDING);
  Verdict v =
      FromMiss(Ctx(r, policy),
               failure::MakeFailure(failure::kPolicyNotFound, "gone"), 0, 2);
  EXPECT_FALSE(v.failed);
  EXPECT_EQ(v.commit.status.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(v.commit.attest_state, "old");
}

}  // namespace
}  // namespace candor::verifier
