#include "lib/policy/pcr/pcr_policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/failure/catalogue.h"

namespace candor::policy {
namespace {

using ::testing::HasSubstr;

const std::string kA(64, 'a'), kB(64, 'b'), kS1(40, '1');

std::string Raw(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TEST(PcrPolicyTest, KeylimeShapeWithBank) {
  auto p =
      PcrPolicy::Parse(R"({"mask": "0x808000", "15": [")" + kA + R"(", "0x)" +
                       kB + R"("], "23": [")" + kA + R"("]})");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->allowed().size(), 1u);
  EXPECT_EQ(p->allowed().at(TPM2_ALG_SHA256).at(15).size(), 2u);
  tpm::PcrSelection sel = p->Selection();
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0].pcrs, (std::vector<uint32_t>{15, 23}));

  tpm::PcrValues quoted;
  quoted[TPM2_ALG_SHA256][15] = Raw(kB);
  quoted[TPM2_ALG_SHA256][23] = Raw(kA);
  EXPECT_TRUE(p->Evaluate(quoted).empty());
  quoted[TPM2_ALG_SHA256][15] = Raw(std::string(64, 'c'));
  quoted[TPM2_ALG_SHA256].erase(23);
  auto failures = p->Evaluate(quoted);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].id(), failure::kPcrPolicyMismatch);
  EXPECT_EQ(failures[0].context().at("pcr"), "15");
  EXPECT_EQ(failures[0].context().at("bank"), "sha256");
  EXPECT_EQ(failures[0].context().at("got"), std::string(64, 'c'));
  EXPECT_EQ(failures[1].id(), failure::kPcrMissing);
  EXPECT_EQ(failures[1].context().at("pcr"), "23");
}

TEST(PcrPolicyTest, SeveralBanksAndRoundTrips) {
  auto p = PcrPolicy::Parse(R"({"sha1": {"11": [")" + kS1 +
                            R"("]}, "sha256": {"11": [")" + kA + R"("]}})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allowed().size(), 2u);
  auto again = PcrPolicy::Parse(p->ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->allowed(), p->allowed());
  auto from_proto = PcrPolicy::FromProto(p->ToProto());
  ASSERT_TRUE(from_proto.ok()) << from_proto.status();
  EXPECT_EQ(from_proto->allowed(), p->allowed());
  tpm::PcrValues quoted;
  quoted[TPM2_ALG_SHA256][11] = Raw(kA);
  auto failures = p->Evaluate(quoted);  // sha1 bank not quoted
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].id(), failure::kPcrMissing);
  EXPECT_EQ(failures[0].context().at("bank"), "sha1");
}

TEST(PcrPolicyTest, BankField) {
  auto p = PcrPolicy::Parse(R"({"bank": "sha1", "14": [")" + kS1 + R"("]})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allowed().count(TPM2_ALG_SHA1), 1u);
  EXPECT_TRUE(PcrPolicy::Parse("{}")->empty());
}

TEST(PcrPolicyTest, ValidationErrorsNameTheField) {
  struct Case {
    std::string json, want;
  } cases[] = {
      {R"({"15": ["abcd"]})", "15[0]: is 4 hex digits"},
      {R"({"15": []})", "15: allows no value"},
      {R"({"15": "x"})", "15: is not a list"},
      {R"({"10": [")" + kA + R"("]})", "10: PCR 10 is checked by IMA"},
      {R"({"16": [")" + kA + R"("]})", "16: PCR 16 holds the transport key"},
      {R"({"24": [")" + kA + R"("]})", "24: PCR index above 23"},
      {R"({"bank": "md5"})", "bank: unknown PCR bank"},
      {R"({"bank": 1})", "bank: is not a string"},
      {R"({"sha1": {"3": [")" + kA + R"("]}})", "sha1.3[0]: is 64 hex digits"},
      {R"({"pcr15": []})", "pcr15: is neither"},
      {R"({"15": [")" + std::string(63, 'a') + R"(g"]})", "15[0]: is not hex"},
      {R"([1])", "not a JSON object"},
  };
  for (const Case& c : cases) {
    auto p = PcrPolicy::Parse(c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.want)) << c.json;
  }
}

TEST(PcrPolicyTest, ProtoValidation) {
  candor::v1::StaticPcrPolicy proto;
  auto* b = proto.add_banks();
  b->set_bank(candor::v1::HASH_ALGORITHM_SHA256);
  (*b->mutable_pcrs())[15].add_digests("short");
  auto p = PcrPolicy::FromProto(proto);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("banks[0].pcrs[15].digests[0]"));
  proto.mutable_banks(0)->set_bank(candor::v1::HASH_ALGORITHM_UNSPECIFIED);
  EXPECT_FALSE(PcrPolicy::FromProto(proto).ok());
}

}  // namespace
}  // namespace candor::policy
