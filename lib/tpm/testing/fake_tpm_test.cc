#include "lib/tpm/testing/fake_tpm.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/tpm/ek_policy.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/testing/quote_check.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm::testing {
namespace {

using ::testing::HasSubstr;

const PcrSelection kSel = {{TPM2_ALG_SHA256, {0, 10, 16, 17}},
                           {TPM2_ALG_SHA1, {10}}};

std::unique_ptr<FakeTpm> NewTpm() {
  auto tpm = FakeTpm::Create();
  EXPECT_TRUE(tpm.ok()) << tpm.status();
  return std::move(*tpm);
}

TEST(FakeTpmTest, PcrsStartAtResetValuesAndExtendLikeATpm) {
  auto tpm = NewTpm();
  auto v = tpm->ReadPcrs(kSel);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)[TPM2_ALG_SHA256][0], std::string(32, '\0'));
  EXPECT_EQ((*v)[TPM2_ALG_SHA256][17], std::string(32, '\xff'));
  const std::string d1 = crypto::Sha1("x"), d256 = crypto::Sha256("x");
  ASSERT_TRUE(
      tpm->ExtendPcr(10, {{TPM2_ALG_SHA1, d1}, {TPM2_ALG_SHA256, d256}}).ok());
  v = tpm->ReadPcrs(kSel);
  EXPECT_EQ((*v)[TPM2_ALG_SHA256][10],
            *ExtendValue(TPM2_ALG_SHA256, std::string(32, '\0'), d256));
  EXPECT_EQ((*v)[TPM2_ALG_SHA1][10],
            *ExtendValue(TPM2_ALG_SHA1, std::string(20, '\0'), d1));
  EXPECT_EQ(tpm->extend_count(), 1u);
}

TEST(FakeTpmTest, ExtendManyChecksEverythingFirst) {
  auto tpm = NewTpm();
  std::vector<PcrExtend> batch = {
      {10, {{TPM2_ALG_SHA256, crypto::Sha256("a")}}},
      {10, {{TPM2_ALG_SHA256, "short"}}}};
  absl::Status s = tpm->ExtendPcrMany(batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("entry 1"));
  EXPECT_EQ(tpm->extend_count(), 0u);
  batch.pop_back();
  EXPECT_TRUE(tpm->ExtendPcrMany(batch).ok());
}

TEST(FakeTpmTest, OnlyPcr16And23Reset) {
  auto tpm = NewTpm();
  ASSERT_TRUE(
      tpm->ExtendPcr(16, {{TPM2_ALG_SHA256, crypto::Sha256("k")}}).ok());
  EXPECT_TRUE(tpm->ResetPcr(16).ok());
  EXPECT_EQ((*tpm->ReadPcrs({{TPM2_ALG_SHA256, {16}}}))[TPM2_ALG_SHA256][16],
            std::string(32, '\0'));
  absl::Status s = tpm->ResetPcr(0);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(TssRcFromStatus(s), TPM2_RC_LOCALITY);
}

TEST(FakeTpmTest, QuotesVerifyForBothAkTypesAndBindTheNonce) {
  auto tpm = NewTpm();
  for (AkType type : {AkType::kEccP256, AkType::kRsa2048}) {
    auto ak = tpm->CreateAk(type, EkType::kRsa);
    ASSERT_TRUE(ak.ok()) << ak.status();
    auto pub = ParseTpm2bPublic(ak->public_area);
    ASSERT_TRUE(pub.ok()) << pub.status();
    EXPECT_EQ(*ComputeName(pub->publicArea), ak->name);
    EXPECT_EQ(tpm->Quote(kSel, "n").status().code(),
              absl::StatusCode::kFailedPrecondition);  // not loaded yet
    ASSERT_TRUE(
        tpm->LoadAk(ak->public_area, ak->private_area, EkType::kRsa).ok());
    auto q = tpm->Quote(kSel, "nonce-123");
    ASSERT_TRUE(q.ok()) << q.status();
    auto attest = CheckQuote(ak->public_area, *q, "nonce-123", kSel);
    ASSERT_TRUE(attest.ok()) << attest.status();
    EXPECT_FALSE(CheckQuote(ak->public_area, *q, "nonce-124", kSel).ok());
    TpmQuote tampered = *q;
    tampered.pcrs[TPM2_ALG_SHA256][10][0] ^= 1;
    EXPECT_FALSE(CheckQuote(ak->public_area, tampered, "nonce-123", kSel).ok());
    tampered = *q;
    tampered.attest[tampered.attest.size() - 1] ^= 1;
    EXPECT_FALSE(CheckQuote(ak->public_area, tampered, "nonce-123", kSel).ok());
    tpm->SimulatePowerLoss();
    ASSERT_TRUE(tpm->Startup(true).ok());
  }
}

TEST(FakeTpmTest, AkBlobsLoadOnlyOnTheirTpmAndEk) {
  auto tpm = NewTpm();
  auto other = NewTpm();
  auto ak = tpm->CreateAk(AkType::kEccP256, EkType::kEcc);
  ASSERT_TRUE(ak.ok()) << ak.status();
  EXPECT_EQ(tpm->LoadAk(ak->public_area, ak->private_area, EkType::kRsa).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      other->LoadAk(ak->public_area, ak->private_area, EkType::kEcc).code(),
      absl::StatusCode::kInvalidArgument);
  auto ak2 = tpm->CreateAk(AkType::kEccP256, EkType::kEcc);
  EXPECT_FALSE(
      tpm->LoadAk(ak->public_area, ak2->private_area, EkType::kEcc).ok());
  EXPECT_TRUE(
      tpm->LoadAk(ak->public_area, ak->private_area, EkType::kEcc).ok());
}

TEST(FakeTpmTest, EksFollowTheTcgTemplates) {
  auto tpm = NewTpm();
  for (EkType type : {EkType::kRsa, EkType::kEcc}) {
    auto bytes = tpm->EkPublic(type);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    auto pub = ParseTpm2bPublic(*bytes);
    ASSERT_TRUE(pub.ok()) << pub.status();
    EXPECT_TRUE(PublicToEvpPkey(pub->publicArea).ok());
    EXPECT_TRUE(EkAuthFor(pub->publicArea).ok());
    EXPECT_EQ(*tpm->EkPublic(type), *bytes);  // stable
    EXPECT_EQ(tpm->EkCertificate(type).status().code(),
              absl::StatusCode::kNotFound);
  }
  FakeTpm::Options opts;
  opts.ek_certificate_rsa = "DER";
  EXPECT_EQ(*(*FakeTpm::Create(opts))->EkCertificate(EkType::kRsa), "DER");
}

TEST(FakeTpmTest, PowerLossAndStartupCountLikeATpm) {
  auto tpm = NewTpm();
  auto ak = tpm->CreateAk(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(ak.ok());
  ASSERT_TRUE(
      tpm->LoadAk(ak->public_area, ak->private_area, EkType::kRsa).ok());
  ASSERT_TRUE(tpm->ExtendPcr(0, {{TPM2_ALG_SHA256, crypto::Sha256("b")}}).ok());
  EXPECT_TRUE(tpm->Startup(true).ok());  // already started: a no-op
  EXPECT_TRUE(tpm->ak_loaded());
  EXPECT_EQ(tpm->reset_count(), 0u);

  ASSERT_TRUE(tpm->Shutdown(true).ok());
  tpm->SimulatePowerLoss();
  EXPECT_FALSE(tpm->ak_loaded());
  absl::Status s = tpm->ReadPcrs(kSel).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(TssRcFromStatus(s), TPM2_RC_INITIALIZE);
  ASSERT_TRUE(tpm->Startup(true).ok());
  EXPECT_EQ(tpm->reset_count(), 1u);
  EXPECT_EQ((*tpm->ReadPcrs(kSel))[TPM2_ALG_SHA256][0], std::string(32, '\0'));
  ASSERT_TRUE(
      tpm->LoadAk(ak->public_area, ak->private_area, EkType::kRsa).ok());
  auto q = tpm->Quote(kSel, "n");
  ASSERT_TRUE(q.ok());
  auto attest = CheckQuote(ak->public_area, *q, "n", kSel);
  ASSERT_TRUE(attest.ok()) << attest.status();
  EXPECT_EQ(attest->clockInfo.resetCount, 1u);
  EXPECT_EQ(attest->clockInfo.safe, TPM2_YES);

  // Shutdown(STATE) + Startup(STATE): a resume keeps PCRs.
  ASSERT_TRUE(tpm->ExtendPcr(0, {{TPM2_ALG_SHA256, crypto::Sha256("c")}}).ok());
  ASSERT_TRUE(tpm->Shutdown(false).ok());
  tpm->SimulatePowerLoss();
  ASSERT_TRUE(tpm->Startup(false).ok());
  EXPECT_EQ(tpm->restart_count(), 1u);
  EXPECT_NE((*tpm->ReadPcrs(kSel))[TPM2_ALG_SHA256][0], std::string(32, '\0'));
  // No orderly shutdown: Startup(STATE) is refused.
  tpm->SimulatePowerLoss();
  EXPECT_FALSE(tpm->Startup(false).ok());
}

TEST(FakeTpmTest, FactsAndBanks) {
  FakeTpm::Options opts;
  opts.banks = {TPM2_ALG_SHA256};
  auto tpm = FakeTpm::Create(opts);
  ASSERT_TRUE(tpm.ok());
  auto facts = (*tpm)->Facts();
  ASSERT_TRUE(facts.ok());
  EXPECT_THAT(facts->pcr_banks, ::testing::ElementsAre(TPM2_ALG_SHA256));
  EXPECT_EQ((*tpm)->ReadPcrs({{TPM2_ALG_SHA1, {0}}}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  opts.banks = {TPM2_ALG_SHA256, TPM2_ALG_SHA256};
  EXPECT_FALSE(FakeTpm::Create(opts).ok());
  EXPECT_EQ((*tpm)->ActivateCredential("", "", EkType::kRsa).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace candor::tpm::testing
