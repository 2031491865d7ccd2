// Enrollment, Register side (in-memory store, software TPM keys, fake
// clock): the happy path for every EK shape, every Register refusal with its
// code (and that a refusal stores nothing), EK trust, immutability of active
// identities and re-registration.
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

struct Shape {
  EkKind ek;
  AkKind ak;
};
class EnrollmentShapeTest : public EnrollmentTest,
                            public ::testing::WithParamInterface<Shape> {};

TEST_P(EnrollmentShapeTest, RegisterThenActivateBindsTheIdentity) {
  SoftwareAgent a =
      Agent("", true, GetParam().ek, GetParam().ak, /*transport=*/true);
  auto challenge = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  EXPECT_EQ(challenge->expires_at().seconds(),
            absl::ToUnixSeconds(clock_.Now() + absl::Minutes(10)));

  auto pending = enrollment_->Get(a.agent_id);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->state(), v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  EXPECT_EQ(pending->registration_count(), 1u);
  EXPECT_EQ(pending->identity().ak_name(), a.ak.name);
  EXPECT_EQ(pending->ek_trust(), "CN=Test EK Root CA,O=Candor Test");
  EXPECT_TRUE(pending->has_challenge_expires_at());
  EXPECT_FALSE(pending->has_activated_at());

  auto activate = a.MakeActivateRequest(*challenge);
  ASSERT_TRUE(activate.ok()) << activate.status();
  clock_.Advance(absl::Minutes(9));
  auto active = enrollment_->Activate(*activate);
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(active->activated_at().seconds(),
            absl::ToUnixSeconds(clock_.Now()));
  EXPECT_FALSE(active->has_challenge_expires_at());
  EXPECT_EQ(active->identity().transport_public_key(), a.transport_public_key);
  EXPECT_EQ(active->address(), "127.0.0.1:9002");
  EXPECT_EQ(enrollment_->Get(a.agent_id)->state(),
            v1::REGISTRATION_STATE_ACTIVE);
  // The challenge is consumed: the same proof does not activate twice.
  EXPECT_CODE(enrollment_->Activate(*activate), Code::kFailedPrecondition,
              "no pending challenge");
}

INSTANTIATE_TEST_SUITE_P(
    Keys, EnrollmentShapeTest,
    ::testing::Values(Shape{EkKind::kRsa2048, AkKind::kRsa2048},
                      Shape{EkKind::kEccP256, AkKind::kEccP256},
                      Shape{EkKind::kEccP384, AkKind::kRsa2048}));

TEST_F(EnrollmentTest, EveryRegisterRefusalHasItsCodeAndStoresNothing) {
  SoftwareAgent a = Agent();
  SoftwareAgent other = Agent();
  auto weak_ak = [&] {
    testing::PublicTemplate t;
    t.attributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                   TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                   TPMA_OBJECT_SIGN_ENCRYPT;  // not restricted
    t.scheme = TPM2_ALG_ECDSA;
    t.scheme_hash = TPM2_ALG_SHA256;
    testing::SoftwareKey k;
    k.pub = *testing::PublicFor(a.ak.key.get(), t);
    EXPECT_TRUE(testing::Finish(k).ok());
    return k.marshalled;
  }();
  auto other_ca = testing::MakeTestEkCa("Rogue");
  ASSERT_TRUE(other_ca.ok());
  auto rogue_cert = testing::IssueEkCertificate(*other_ca, a.ek.key.get());
  ASSERT_TRUE(rogue_cert.ok());

  struct Case {
    const char* name;
    std::function<void(v1::RegisterRequest&)> edit;
    Code code;
    std::string needle;
  } cases[] = {
      {"no identity", [](auto& r) { r.clear_identity(); },
       Code::kInvalidArgument, "identity is required"},
      {"bad id", [](auto& r) { r.mutable_identity()->set_agent_id("A B"); },
       Code::kInvalidArgument, "identity.agent_id"},
      {"truncated ek",
       [](auto& r) { r.mutable_identity()->mutable_ek_public()->resize(20); },
       Code::kInvalidArgument, "ek_public"},
      {"ak as ek",
       [&](auto& r) { r.mutable_identity()->set_ek_public(a.ak.marshalled); },
       Code::kInvalidArgument, "ek_public: EK lacks the decrypt"},
      {"id not the ek hash",
       [&](auto& r) {
         r.mutable_identity()->set_agent_id(EkHash(other.ek.marshalled));
       },
       Code::kInvalidArgument, "is not the SHA-256 of ek_public"},
      {"junk ak",
       [](auto& r) { r.mutable_identity()->set_ak_public("\x00\x01x"); },
       Code::kInvalidArgument, "ak_public"},
      {"unrestricted ak",
       [&](auto& r) { r.mutable_identity()->set_ak_public(weak_ak); },
       Code::kInvalidArgument, "lacks the restricted attribute"},
      {"ak name mismatch",
       [&](auto& r) { r.mutable_identity()->set_ak_name(other.ak.name); },
       Code::kInvalidArgument, "does not match ak_public"},
      {"bad address", [](auto& r) { r.set_address("no-port"); },
       Code::kInvalidArgument, "address"},
      {"bad transport key",
       [](auto& r) { r.mutable_identity()->set_transport_public_key("x"); },
       Code::kInvalidArgument, "transport_public_key"},
      {"tls san",
       [&](auto& r) {
         r.mutable_identity()->set_tls_certificate(other.tls_certificate);
       },
       Code::kInvalidArgument, "tls_certificate has no subjectAltName"},
      {"simulated", [](auto& r) { r.mutable_identity()->set_simulated(true); },
       Code::kPermissionDenied, "simulated"},
      {"unknown ca",
       [&](auto& r) { r.mutable_identity()->set_ek_certificate(*rogue_cert); },
       Code::kPermissionDenied, "issued by CN=Rogue Intermediate CA"},
      {"no cert, not allowlisted",
       [](auto& r) { r.mutable_identity()->clear_ek_certificate(); },
       Code::kPermissionDenied, "is not on the EK allowlist"},
      {"cert of another ek",
       [&](auto& r) {
         r.mutable_identity()->set_ek_certificate(other.ek_certificate);
       },
       Code::kInvalidArgument, "certifies another key than ek_public"},
  };
  for (const Case& c : cases) {
    v1::RegisterRequest req = a.MakeRegisterRequest();
    c.edit(req);
    auto r = enrollment_->Register(req);
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.needle))
        << c.name;
  }
  EXPECT_TRUE(ListIds().empty());
  // The unmodified request passes.
  EXPECT_TRUE(enrollment_->Register(a.MakeRegisterRequest()).ok());
}

TEST_F(EnrollmentTest, AllowlistedEkWithoutCertificateEnrolls) {
  auto r = Enroll(*no_cert_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ek_trust(), "allowlist");
}

TEST_F(EnrollmentTest, SimulatedAgentsOnlyWhenAccepted) {
  EnrollmentOptions o;
  o.accept_simulated = true;
  Reset(o);
  SoftwareAgent a = Agent();
  v1::RegisterRequest req = a.MakeRegisterRequest();
  req.mutable_identity()->set_simulated(true);
  ASSERT_TRUE(enrollment_->Register(req).ok());
  EXPECT_TRUE(enrollment_->Get(a.agent_id)->identity().simulated());
}

TEST_F(EnrollmentTest, AnActiveIdentityIsImmutableUntilDeleted) {
  SoftwareAgent a = Agent("node-1");
  ASSERT_TRUE(Enroll(a).ok());
  SoftwareAgent other_ek = Agent("node-1");
  EXPECT_CODE(enrollment_->Register(other_ek.MakeRegisterRequest()),
              Code::kAlreadyExists, "is active with another EK");
  SoftwareAgent other_ak = Agent("node-1");
  other_ak.ek = std::move(a.ek);  // same EK, new AK
  other_ak.ek_certificate = a.ek_certificate;
  EXPECT_CODE(enrollment_->Register(other_ak.MakeRegisterRequest()),
              Code::kAlreadyExists, "is active with another AK");
  auto still = enrollment_->Get("node-1");
  EXPECT_EQ(still->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_FALSE(still->has_challenge_expires_at());
  ASSERT_TRUE(enrollment_->Delete("node-1").ok());
  auto rebound = Enroll(other_ek);
  ASSERT_TRUE(rebound.ok()) << rebound.status();
  EXPECT_EQ(rebound->registration_count(), 1u);
}

TEST_F(EnrollmentTest, ReRegistrationKeepsTheBindingActiveUntilActivated) {
  SoftwareAgent a = Agent();
  ASSERT_TRUE(Enroll(a).ok());
  clock_.Advance(absl::Hours(1));
  SoftwareAgent moved = std::move(a);
  moved.address = "10.0.0.7:9002";
  auto challenge = enrollment_->Register(moved.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  auto during = enrollment_->Get(moved.agent_id);
  EXPECT_EQ(during->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(during->registration_count(), 2u);
  EXPECT_EQ(during->address(), "127.0.0.1:9002");  // the active binding's
  EXPECT_TRUE(during->has_challenge_expires_at());
  // Wrong proofs cannot deactivate it either.
  v1::ActivateRequest wrong;
  wrong.set_agent_id(moved.agent_id);
  wrong.set_proof(std::string(kProofBytes, 'w'));
  for (int i = 0; i < 5; ++i)
    enrollment_->Activate(wrong).status().IgnoreError();
  auto after = enrollment_->Get(moved.agent_id);
  EXPECT_EQ(after->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_FALSE(after->has_challenge_expires_at());
  // A fresh re-registration, activated, updates the address.
  challenge = enrollment_->Register(moved.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  auto done = enrollment_->Activate(*moved.MakeActivateRequest(*challenge));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->address(), "10.0.0.7:9002");
  EXPECT_EQ(done->registration_count(), 3u);
  EXPECT_EQ(done->registered_at().seconds(), 1767225600);
}

TEST_F(EnrollmentTest, APendingRegistrationIsReplacedByTheNextOne) {
  SoftwareAgent first = Agent("node-2");
  SoftwareAgent second = Agent("node-2");
  auto c1 = enrollment_->Register(first.MakeRegisterRequest());
  ASSERT_TRUE(c1.ok());
  ASSERT_TRUE(enrollment_->Register(first.MakeRegisterRequest()).ok());
  EXPECT_EQ(enrollment_->Get("node-2")->registration_count(), 2u);
  clock_.Advance(absl::Seconds(5));
  auto c2 = enrollment_->Register(second.MakeRegisterRequest());
  ASSERT_TRUE(c2.ok());
  auto now = enrollment_->Get("node-2");
  EXPECT_EQ(now->registration_count(), 1u);  // another TPM: a new record
  EXPECT_EQ(now->identity().ek_public(), second.ek.marshalled);
  EXPECT_EQ(now->registered_at().seconds(), 1767225605);
  // The first TPM's proof no longer fits; the second's does.
  EXPECT_EQ(
      enrollment_->Activate(*first.MakeActivateRequest(*c1)).status().code(),
      Code::kPermissionDenied);
  EXPECT_TRUE(enrollment_->Activate(*second.MakeActivateRequest(*c2)).ok());
}

TEST_F(EnrollmentTest, TheStoreKeepsOnlyADigestOfTheExpectedProof) {
  SoftwareAgent a = Agent();
  auto challenge = enrollment_->Register(a.MakeRegisterRequest());
  ASSERT_TRUE(challenge.ok());
  auto proof = a.Prove(*challenge);
  ASSERT_TRUE(proof.ok());
  auto row = store_.Get(a.agent_id);
  ASSERT_TRUE(row.ok() && row->has_value() && (*row)->pending.has_value());
  EXPECT_EQ((*row)->pending->proof_digest, ProofDigest(*proof));
  EXPECT_NE((*row)->pending->proof_digest, *proof);
}

}  // namespace
}  // namespace candor::registrar::testing
