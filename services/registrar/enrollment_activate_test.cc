// Enrollment, Activate side and the queries (in-memory store, software TPM
// keys, fake clock): activation refusals, wrong-proof counting, expiry,
// paging with filter-bound tokens, Get/Delete and the purge of expired
// registrations.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/proof.h"
#include "services/registrar/testing/enrollment_test_base.h"

namespace candor::registrar::testing {
namespace {

TEST_F(EnrollmentTest, ActivateRefusals) {
  SoftwareAgent a = Agent();
  v1::ActivateRequest req;
  req.set_agent_id(a.agent_id);
  req.set_proof(std::string(kProofBytes, 'p'));
  EXPECT_CODE(enrollment_->Activate(req), Code::kNotFound,
              "no registration for agent");
  req.set_proof("short");
  EXPECT_CODE(enrollment_->Activate(req), Code::kInvalidArgument,
              "proof must be 48 bytes");
  req.set_agent_id("Bad Id");
  req.set_proof(std::string(kProofBytes, 'p'));
  EXPECT_CODE(enrollment_->Activate(req), Code::kInvalidArgument, "agent_id");
}

TEST_F(EnrollmentTest, WrongProofsAreCountedThenThePendingRegistrationGoes) {
  SoftwareAgent a = Agent();
  auto challenge = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  v1::ActivateRequest wrong;
  wrong.set_agent_id(a.agent_id);
  wrong.set_proof(std::string(kProofBytes, 'w'));
  for (int i = 1; i <= 4; ++i) {
    EXPECT_CODE(enrollment_->Activate(wrong), Code::kPermissionDenied,
                absl::StrCat("wrong proof ", i, " of at most 5"));
  }
  // The right proof still works before the limit.
  auto right = a.MakeActivateRequest(*challenge);
  ASSERT_TRUE(right.ok());
  // (Use another agent to reach the limit.)
  SoftwareAgent b = Agent();
  ASSERT_TRUE(enrollment_->Register(b.MakeRegisterRequest()).ok());
  wrong.set_agent_id(b.agent_id);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_CODE(enrollment_->Activate(wrong), Code::kPermissionDenied,
                "wrong proof");
  }
  EXPECT_CODE(enrollment_->Activate(wrong), Code::kPermissionDenied,
              "after 5 wrong proofs its pending challenge was discarded");
  EXPECT_CODE(enrollment_->Get(b.agent_id), Code::kNotFound,
              "is not registered");
  EXPECT_TRUE(enrollment_->Activate(*right).ok());
}

TEST_F(EnrollmentTest, UnlimitedProofAttemptsWhenConfigured) {
  EnrollmentOptions o;
  o.max_failed_proofs = 0;
  Reset(o);
  SoftwareAgent a = Agent();
  auto challenge = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  v1::ActivateRequest wrong;
  wrong.set_agent_id(a.agent_id);
  wrong.set_proof(std::string(kProofBytes, 'w'));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(enrollment_->Activate(wrong).status().code(),
              Code::kPermissionDenied);
  }
  EXPECT_TRUE(enrollment_->Activate(*a.MakeActivateRequest(*challenge)).ok());
}

TEST_F(EnrollmentTest, AnExpiredChallengeIsRefused) {
  SoftwareAgent a = Agent();
  auto challenge = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  auto right = a.MakeActivateRequest(*challenge);
  ASSERT_TRUE(right.ok());
  clock_.Advance(absl::Minutes(10));
  EXPECT_CODE(enrollment_->Activate(*right), Code::kFailedPrecondition,
              "expired at 2026-01-01T00:10:00.000Z: register again");
  // Registering again gives a new challenge that works.
  auto again = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(enrollment_->Activate(*a.MakeActivateRequest(*again)).ok());
  EXPECT_EQ(enrollment_->Get(a.agent_id)->registration_count(), 2u);
}

TEST_F(EnrollmentTest, ListPagesByIdWithAFilterBoundToItsToken) {
  std::vector<SoftwareAgent> agents;
  for (const char* id : {"n5", "n1", "n3", "n2", "n4"}) {
    agents.push_back(Agent(id, true, EkKind::kEccP256, AkKind::kEccP256, false,
                           /*tls=*/false));
  }
  for (size_t i = 0; i < agents.size(); ++i) {
    if (i % 2 == 0) {
      ASSERT_TRUE(Enroll(agents[i]).ok());  // n5, n3, n4 active
    } else {
      ASSERT_TRUE(enrollment_->Register(agents[i].MakeRegisterRequest()).ok());
    }
  }
  v1::ListRegisteredAgentsRequest req;
  req.set_page_size(2);
  std::vector<std::string> seen;
  int pages = 0;
  do {
    auto page = enrollment_->List(req);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const auto& a : page->agents())
      seen.push_back(a.identity().agent_id());
    req.set_page_token(page->next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ::testing::ElementsAre("n1", "n2", "n3", "n4", "n5"));
  EXPECT_THAT(ListIds(v1::REGISTRATION_STATE_ACTIVE),
              ::testing::ElementsAre("n3", "n4", "n5"));
  EXPECT_THAT(ListIds(v1::REGISTRATION_STATE_PENDING_ACTIVATION),
              ::testing::ElementsAre("n1", "n2"));

  req.clear_page_token();
  auto first = enrollment_->List(req);
  ASSERT_FALSE(first->next_page_token().empty());
  req.set_page_token(first->next_page_token());
  req.set_state(v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_CODE(enrollment_->List(req), Code::kInvalidArgument,
              "issued for the state filter");
  req.set_page_token("not a token!");
  EXPECT_CODE(enrollment_->List(req), Code::kInvalidArgument, "malformed");
  req.clear_page_token();
  req.set_state(static_cast<v1::RegistrationState>(7));
  EXPECT_CODE(enrollment_->List(req), Code::kInvalidArgument,
              "not a RegistrationState");
  req.set_state(v1::REGISTRATION_STATE_UNSPECIFIED);
  req.set_page_size(1000000);
  EXPECT_EQ(enrollment_->List(req)->agents_size(), 5);
}

TEST_F(EnrollmentTest, GetAndDeleteNameTheMissingId) {
  EXPECT_CODE(enrollment_->Get("ghost"), Code::kNotFound,
              "agent ghost is not registered");
  EXPECT_EQ(enrollment_->Delete("ghost").code(), Code::kNotFound);
  EXPECT_EQ(enrollment_->Delete("Bad Id").code(), Code::kInvalidArgument);
  SoftwareAgent a = Agent();
  ASSERT_TRUE(enrollment_->Register(a.MakeRegisterRequest()).ok());
  EXPECT_TRUE(enrollment_->Delete(a.agent_id).ok());
  EXPECT_EQ(enrollment_->Get(a.agent_id).status().code(), Code::kNotFound);
}

TEST_F(EnrollmentTest, ExpiredNeverActivatedRegistrationsArePurgedLater) {
  SoftwareAgent a = Agent();
  ASSERT_TRUE(enrollment_->Register(a.MakeRegisterRequest()).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*enrollment_->PurgeExpired(), 0u);  // still reported as expired
  auto again = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(enrollment_->Activate(*a.MakeActivateRequest(*again)).ok());
  SoftwareAgent b = Agent();
  ASSERT_TRUE(enrollment_->Register(b.MakeRegisterRequest()).ok());
  clock_.Advance(absl::Hours(25));
  EXPECT_EQ(*enrollment_->PurgeExpired(), 1u);
  EXPECT_EQ(enrollment_->Get(b.agent_id).status().code(), Code::kNotFound);
  EXPECT_TRUE(enrollment_->Get(a.agent_id).ok());
}

}  // namespace
}  // namespace candor::registrar::testing
