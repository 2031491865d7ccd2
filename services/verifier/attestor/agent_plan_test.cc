#include "services/verifier/attestor/agent_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/verifier/attestor/testing/soft_agent.h"

namespace candor::verifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AgentPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = testing::SoftAgent::Create("a");
    ASSERT_TRUE(a.ok()) << a.status();
    agent_ = std::move(*a);
    record_.agent.set_agent_id("a");
    record_.identity = agent_->identity();
  }
  std::unique_ptr<testing::SoftAgent> agent_;
  AgentRecord record_;
};

TEST_F(AgentPlanTest, DefaultIsSha256WithPcr16) {
  auto plan = MakeAgentPlan(record_, TPM2_ALG_SHA256);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->selection.size(), 1u);
  EXPECT_EQ(plan->selection[0].bank, TPM2_ALG_SHA256);
  EXPECT_THAT(plan->selection[0].pcrs, ElementsAre(16));
  EXPECT_EQ(plan->pcr_policy, nullptr);
  ASSERT_NE(plan->ak, nullptr);
  EXPECT_EQ(plan->expected_pcr16.count(TPM2_ALG_SHA256), 1u);
}

TEST_F(AgentPlanTest, PoliciesAddPcrsAndTheImaBank) {
  record_.agent.mutable_runtime_policy()->set_name("rt");
  record_.agent.mutable_boot_policy()->set_name("boot");
  v1::PcrSelection* s = record_.agent.add_pcr_selections();
  s->set_bank(v1::HASH_ALGORITHM_SHA256);
  s->add_pcrs(14);
  auto plan = MakeAgentPlan(record_, TPM2_ALG_SHA1);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->selection.size(), 2u);
  EXPECT_EQ(plan->selection[0].bank, TPM2_ALG_SHA256);
  EXPECT_THAT(plan->selection[0].pcrs,
              ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 16));
  EXPECT_EQ(plan->selection[1].bank, TPM2_ALG_SHA1);
  EXPECT_THAT(plan->selection[1].pcrs,
              ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16));
  EXPECT_EQ(plan->expected_pcr16.size(), 2u);
}

TEST_F(AgentPlanTest, ExpectedPcr16MatchesTheAgentsBinding) {
  record_.agent.mutable_runtime_policy()->set_name("rt");
  auto plan = MakeAgentPlan(record_, TPM2_ALG_SHA256);
  ASSERT_TRUE(plan.ok());
  v1::EvidenceRequest req;
  req.set_nonce(std::string(32, 'n'));
  v1::PcrSelection* s = req.add_pcr_selections();
  s->set_bank(v1::HASH_ALGORITHM_SHA256);
  s->add_pcrs(16);
  auto ev = agent_->GetEvidence(req);
  ASSERT_TRUE(ev.ok()) << ev.status();
  bool found = false;
  for (const auto& bank : ev->quote().pcr_values().banks()) {
    for (const auto& [pcr, value] : bank.digests()) {
      if (pcr == 16) {
        found = true;
        EXPECT_EQ(value, plan->expected_pcr16.at(TPM2_ALG_SHA256));
      }
    }
  }
  EXPECT_TRUE(found) << ev->quote().pcr_values().DebugString();
}

TEST_F(AgentPlanTest, UnusableRowsAreInvalidArgument) {
  AgentRecord bad_ak = record_;
  bad_ak.identity.set_ak_public("junk");
  auto plan = MakeAgentPlan(bad_ak, TPM2_ALG_SHA256);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr("agent a"));
  AgentRecord bad_bank = record_;
  bad_bank.agent.add_pcr_selections()->set_bank(v1::HASH_ALGORITHM_UNSPECIFIED);
  plan = MakeAgentPlan(bad_bank, TPM2_ALG_SHA256);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr("pcr_selections[0]"));
}

}  // namespace
}  // namespace candor::verifier
