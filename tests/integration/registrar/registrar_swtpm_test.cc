// The registrar end to end on real parts: PostgreSQL 15 (tests/harness), the
// service in process on 127.0.0.1:0 called through the generated stub, and
// agents whose TPM is a provisioned swtpm driven with tpm2-tools
// (ActivateCredential is the golden check of the software MakeCredential, for
// the RSA-2048 and the ECC P-384 EK). Expiry uses a fake clock: no sleeps.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/proof.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "tests/harness/resources.h"
#include "tests/integration/registrar/registrar_swtpm_fixture.h"

namespace candor::testing {
namespace {

using registrar::EkHash;
using ::testing::HasSubstr;
namespace tc = crypto::test_certs;

TEST_F(RegistrarSwtpmTest, AnAgentWithAnRsaEkEnrollsAndShowsActive) {
  StartRegistrar(swtpm_ca_dir_);
  auto tpm = GetTpm("a", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto active = Enroll(*tpm);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(active->ek_trust(), "CN=swtpm-localca-rootca");
  auto got = Get(EkHash(tpm->ek_public));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(got->identity().ak_name(), tpm->ak.name);
  EXPECT_EQ(got->registration_count(), 1u);
}

TEST_F(RegistrarSwtpmTest, AnAgentWithAnEccP384EkEnrollsAndShowsActive) {
  StartRegistrar(swtpm_ca_dir_);
  auto tpm = GetTpm("a", TpmEk::kEcc);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto active = Enroll(*tpm, "ecc-node");
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(Get("ecc-node")->state(), v1::REGISTRATION_STATE_ACTIVE);
}

TEST_F(RegistrarSwtpmTest, AnEkCertificateFromAnUnconfiguredCaIsRefused) {
  auto other = registrar::testing::MakeTestEkCa("Other Vendor");
  ASSERT_TRUE(other.ok()) << other.status();
  StartRegistrar(other->dir);
  auto tpm = GetTpm("a", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto r = Register(Request(*tpm));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("issued by CN=swtpm-localca"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(other->dir));
  EXPECT_EQ(Get(EkHash(tpm->ek_public)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistrarSwtpmTest, ATpmWithoutEkCertificateNeedsTheAllowlist) {
  StartRegistrar(swtpm_ca_dir_);
  auto tpm = GetTpm("no-cert", TpmEk::kRsa, /*ek_certificates=*/false);
  CANDOR_REQUIRE_RESOURCE(tpm);
  ASSERT_TRUE(tpm->ek_certificate.empty());
  auto refused = Register(Request(*tpm));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("no EK certificate was sent"));

  const std::string allowlist = tc::NewTempDir("allow") + "/ek.allow";
  ASSERT_TRUE(
      tc::WriteFile(allowlist,
                    absl::StrCat("# lab\n", EkHash(tpm->ek_public), "\n"))
          .ok());
  StartRegistrar(swtpm_ca_dir_, allowlist);
  auto active = Enroll(*tpm);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->ek_trust(), "allowlist");
}

TEST_F(RegistrarSwtpmTest, ACorruptedCredentialBlobFailsActivationOnTheTpm) {
  StartRegistrar(swtpm_ca_dir_);
  auto tpm = GetTpm("a", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto challenge = Register(Request(*tpm));
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  std::string blob = challenge->credential_blob();
  blob[10] ^= 0x01;  // inside the integrity HMAC
  auto credential = tpm->agent->tools->ActivateCredential(
      tpm->ek, tpm->ak, blob, challenge->encrypted_secret());
  EXPECT_FALSE(credential.ok());
  EXPECT_THAT(std::string(credential.status().message()),
              HasSubstr("integrity check failed"));
  // The untouched challenge still opens.
  EXPECT_TRUE(tpm->agent->tools
                  ->ActivateCredential(tpm->ek, tpm->ak,
                                       challenge->credential_blob(),
                                       challenge->encrypted_secret())
                  .ok());
}

TEST_F(RegistrarSwtpmTest, AWrongProofIsRefusedAndTheRightOneStillWorks) {
  StartRegistrar(swtpm_ca_dir_);
  auto tpm = GetTpm("a", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(tpm);
  v1::RegisterRequest req = Request(*tpm, "proof-node");
  auto challenge = Register(req);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  auto credential = tpm->agent->tools->ActivateCredential(
      tpm->ek, tpm->ak, challenge->credential_blob(),
      challenge->encrypted_secret());
  ASSERT_TRUE(credential.ok()) << credential.status();
  auto wrong = registrar::ComputeProof(*credential, "another-node");
  auto refused = Activate("proof-node", *wrong);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("wrong proof for agent proof-node"));
  EXPECT_EQ(Get("proof-node")->state(),
            v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  auto right = registrar::ComputeProof(*credential, "proof-node");
  auto active = Activate("proof-node", *right);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->state(), v1::REGISTRATION_STATE_ACTIVE);
}

TEST_F(RegistrarSwtpmTest, AnExpiredPendingRegistrationIsRefused) {
  registrar::EnrollmentOptions options;
  options.challenge_ttl = absl::Seconds(30);
  StartRegistrar(swtpm_ca_dir_, "", options);
  auto tpm = GetTpm("a", TpmEk::kEcc);
  CANDOR_REQUIRE_RESOURCE(tpm);
  v1::RegisterRequest req = Request(*tpm, "slow-node");
  auto challenge = Register(req);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  auto credential = tpm->agent->tools->ActivateCredential(
      tpm->ek, tpm->ak, challenge->credential_blob(),
      challenge->encrypted_secret());
  ASSERT_TRUE(credential.ok()) << credential.status();
  clock_.Advance(absl::Seconds(31));
  auto late =
      Activate("slow-node", *registrar::ComputeProof(*credential, "slow-node"));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(late.status().message()),
              HasSubstr("register again"));
}

TEST_F(RegistrarSwtpmTest, AnActiveIdCannotBeReRegisteredWithAnotherEk) {
  StartRegistrar(swtpm_ca_dir_);
  auto a = GetTpm("a", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(a);
  auto b = GetTpm("b", TpmEk::kRsa);
  CANDOR_REQUIRE_RESOURCE(b);
  ASSERT_TRUE(Enroll(*a, "node-7").ok());
  auto taken = Register(Request(*b, "node-7"));
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(taken.status().message()),
              HasSubstr("is active with another EK"));
  // The same TPM re-registers (agent restart) and stays active meanwhile.
  auto again = Enroll(*a, "node-7");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->registration_count(), 2u);
  // After deletion the id can move to the other TPM.
  grpc::ClientContext ctx;
  v1::DeleteRegisteredAgentRequest del;
  del.set_agent_id("node-7");
  v1::DeleteRegisteredAgentResponse out;
  ASSERT_TRUE(stub_->DeleteRegisteredAgent(&ctx, del, &out).ok());
  auto moved = Enroll(*b, "node-7");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->identity().ek_public(), b->ek_public);
}

TEST_F(RegistrarSwtpmTest, ListPagesAndDeleteRemoves) {
  // Software agents with certificates from a test CA next to the swtpm CA.
  auto ca = registrar::testing::MakeTestEkCa("Software EK");
  ASSERT_TRUE(ca.ok()) << ca.status();
  for (const auto& f : std::filesystem::directory_iterator(swtpm_ca_dir_)) {
    std::filesystem::copy_file(
        f.path(), ca->dir + "/swtpm-" + f.path().filename().string());
  }
  StartRegistrar(ca->dir);
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    registrar::testing::AgentOptions o;
    o.ca = &*ca;
    o.agent_id = absl::StrCat("soft-", i);
    o.transport_key = false;
    auto agent = registrar::testing::MakeSoftwareAgent(o);
    ASSERT_TRUE(agent.ok());
    auto challenge = Register(agent->MakeRegisterRequest());
    ASSERT_TRUE(challenge.ok()) << challenge.status();
    if (i % 2 == 0) {
      auto proof = agent->Prove(*challenge);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(Activate(agent->agent_id, *proof).ok());
    }
    ids.push_back(agent->agent_id);
  }
  auto list = [&](v1::RegistrationState state, uint32_t size) {
    std::vector<std::string> seen;
    v1::ListRegisteredAgentsRequest req;
    req.set_page_size(size);
    req.set_state(state);
    do {
      grpc::ClientContext ctx;
      v1::ListRegisteredAgentsResponse page;
      grpc::Status s = stub_->ListRegisteredAgents(&ctx, req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.agents_size(), static_cast<int>(size));
      for (const auto& a : page.agents())
        seen.push_back(a.identity().agent_id());
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    return seen;
  };
  EXPECT_EQ(list(v1::REGISTRATION_STATE_UNSPECIFIED, 3), ids);
  EXPECT_THAT(list(v1::REGISTRATION_STATE_ACTIVE, 2),
              ::testing::ElementsAre("soft-0", "soft-2", "soft-4", "soft-6"));
  EXPECT_THAT(list(v1::REGISTRATION_STATE_PENDING_ACTIVATION, 100),
              ::testing::ElementsAre("soft-1", "soft-3", "soft-5"));

  grpc::ClientContext ctx;
  v1::DeleteRegisteredAgentRequest del;
  del.set_agent_id("soft-3");
  v1::DeleteRegisteredAgentResponse out;
  ASSERT_TRUE(stub_->DeleteRegisteredAgent(&ctx, del, &out).ok());
  EXPECT_EQ(Get("soft-3").status().code(), absl::StatusCode::kNotFound);
  grpc::ClientContext ctx2;
  grpc::Status again = stub_->DeleteRegisteredAgent(&ctx2, del, &out);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(list(v1::REGISTRATION_STATE_UNSPECIFIED, 1000).size(), 6u);
}

}  // namespace
}  // namespace candor::testing
