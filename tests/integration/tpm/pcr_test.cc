// EsysTpm PCR read/extend/reset and Facts on a real swtpm (sha1 + sha256
// banks), compared with the software hash chain.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/tss_error.h"
#include "tests/integration/tpm/tpm_fixture.h"

namespace candor::tpm::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PcrTest : public SwtpmTest {};

PcrSelection AllPcrs() {
  PcrSelection sel = {{TPM2_ALG_SHA1, {}}, {TPM2_ALG_SHA256, {}}};
  for (uint32_t pcr = 0; pcr < 24; ++pcr) {
    sel[0].pcrs.push_back(pcr);
    sel[1].pcrs.push_back(pcr);
  }
  return sel;
}

TEST_F(PcrTest, ReadsAll48PcrsOfTwoBanks) {
  // 48 digests take six TPM2_PCR_Read calls of at most 8.
  auto values = tpm_->ReadPcrs(AllPcrs());
  ASSERT_TRUE(values.ok()) << values.status();
  for (auto [bank, size] :
       {std::pair{TPM2_ALG_SHA1, 20}, {TPM2_ALG_SHA256, 32}}) {
    const PcrBank& b = values->at(bank);
    ASSERT_EQ(b.size(), 24u);
    EXPECT_EQ(b.at(17), std::string(size, '\xff'));  // PC Client: DRTM PCRs
    EXPECT_EQ(b.at(22), std::string(size, '\xff'));
    EXPECT_EQ(b.at(23).size(), static_cast<size_t>(size));
  }
}

TEST_F(PcrTest, ExtendFollowsTheSoftwareHashChain) {
  const PcrSelection sel = {{TPM2_ALG_SHA1, {10}}, {TPM2_ALG_SHA256, {10}}};
  auto before = tpm_->ReadPcrs(sel);
  ASSERT_TRUE(before.ok());
  std::string sha1 = before->at(TPM2_ALG_SHA1).at(10);
  std::string sha256 = before->at(TPM2_ALG_SHA256).at(10);
  std::vector<PcrExtend> batch;
  for (int i = 0; i < 100; ++i) {
    const std::string entry = absl::StrCat("entry ", i);
    PcrExtend e{10,
                {{TPM2_ALG_SHA1, crypto::Sha1(entry)},
                 {TPM2_ALG_SHA256, crypto::Sha256(entry)}}};
    sha1 = *ExtendValue(TPM2_ALG_SHA1, sha1, crypto::Sha1(entry));
    sha256 = *ExtendValue(TPM2_ALG_SHA256, sha256, crypto::Sha256(entry));
    if (i == 0) {
      ASSERT_TRUE(tpm_->ExtendPcr(e.pcr, e.digests).ok());
    } else {
      batch.push_back(std::move(e));
    }
  }
  ASSERT_TRUE(tpm_->ExtendPcrMany(batch).ok());
  auto after = tpm_->ReadPcrs(sel);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->at(TPM2_ALG_SHA1).at(10), sha1);
  EXPECT_EQ(after->at(TPM2_ALG_SHA256).at(10), sha256);

  // One bank only: the other is left alone.
  ASSERT_TRUE(
      tpm_->ExtendPcr(10, {{TPM2_ALG_SHA256, crypto::Sha256("x")}}).ok());
  after = tpm_->ReadPcrs(sel);
  EXPECT_EQ(after->at(TPM2_ALG_SHA1).at(10), sha1);
  EXPECT_EQ(after->at(TPM2_ALG_SHA256).at(10),
            *ExtendValue(TPM2_ALG_SHA256, sha256, crypto::Sha256("x")));

  // Bad input extends nothing.
  batch = {{10, {{TPM2_ALG_SHA1, crypto::Sha1("a")}}},
           {10, {{TPM2_ALG_SHA1, crypto::Sha256("a")}}}};
  absl::Status s = tpm_->ExtendPcrMany(batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("entry 1"));
  EXPECT_EQ(tpm_->ReadPcrs(sel)->at(TPM2_ALG_SHA1).at(10), sha1);
}

TEST_F(PcrTest, Pcr16ResetsAndExtendsFromZero) {
  const PcrSelection sel = {{TPM2_ALG_SHA256, {16}}};
  ASSERT_TRUE(
      tpm_->ExtendPcr(16, {{TPM2_ALG_SHA256, crypto::Sha256("old")}}).ok());
  ASSERT_TRUE(tpm_->ResetPcr(16).ok());
  EXPECT_EQ(tpm_->ReadPcrs(sel)->at(TPM2_ALG_SHA256).at(16),
            std::string(32, '\0'));
  const std::string key_hash = crypto::Sha256("transport public key");
  ASSERT_TRUE(tpm_->ExtendPcr(16, {{TPM2_ALG_SHA256, key_hash}}).ok());
  EXPECT_EQ(tpm_->ReadPcrs(sel)->at(TPM2_ALG_SHA256).at(16),
            *ExtendValue(TPM2_ALG_SHA256, std::string(32, '\0'), key_hash));
  // PCR 0 cannot be reset from locality 0.
  absl::Status s = tpm_->ResetPcr(0);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("Esys_PCR_Reset(0)"));
  EXPECT_EQ(TssRcFromStatus(s), TPM2_RC_LOCALITY);
}

TEST_F(PcrTest, UnallocatedBankIsFailedPrecondition) {
  auto v = tpm_->ReadPcrs({{TPM2_ALG_SHA256, {1}}, {TPM2_ALG_SHA384, {1, 2}}});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("sha384:1,sha384:2"));
}

TEST_F(PcrTest, FactsShowSwtpmAndItsTwoBanks) {
  auto facts = tpm_->Facts();
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->manufacturer, "IBM");
  EXPECT_EQ(facts->vendor, "SW   TPM");
  EXPECT_NE(facts->firmware_version, 0u);
  EXPECT_GE(facts->spec_revision, 116u);
  EXPECT_THAT(facts->pcr_banks, ElementsAre(TPM2_ALG_SHA1, TPM2_ALG_SHA256));
  EXPECT_THAT(facts->algorithms, Contains(TPM2_ALG_ECC));
  EXPECT_THAT(facts->algorithms, Contains(TPM2_ALG_RSASSA));
  EXPECT_THAT(facts->algorithms, Contains(TPM2_ALG_SHA384));
}

}  // namespace
}  // namespace candor::tpm::testing
