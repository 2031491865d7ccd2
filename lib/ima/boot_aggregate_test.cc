// boot_aggregate against quoted PCRs: SHA-256 covers PCR 0-9, SHA-1 PCR 0-7.
#include "lib/ima/boot_aggregate.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/ima/hex.h"
#include "lib/ima/testing/log_builder.h"

namespace candor::ima {
namespace {

using testing::HashOf;
using testing::LogBuilder;

tpm::PcrValues Pcrs() {
  tpm::PcrValues v;
  for (uint32_t i = 0; i < 24; ++i) {
    v[TPM2_ALG_SHA1][i] = std::string(20, static_cast<char>(i + 1));
    v[TPM2_ALG_SHA256][i] = std::string(32, static_cast<char>(i + 1));
  }
  return v;
}

std::string Concat(TPM2_ALG_ID bank, uint32_t last, const tpm::PcrValues& v) {
  std::string s;
  for (uint32_t i = 0; i <= last; ++i) s += v.at(bank).at(i);
  return s;
}

// An Entry points into its line, so the line is kept with it.
struct Parsed {
  std::string line;
  Entry entry;
};

std::unique_ptr<Parsed> Parse(std::string line) {
  auto p = std::make_unique<Parsed>();
  p->line = std::move(line);
  EXPECT_TRUE(ParseLine(p->line, 1, &p->entry).ok()) << p->line;
  return p;
}

TEST(BootAggregateTest, Sha256UsesPcr0To9AndSha1Pcr0To7) {
  tpm::PcrValues v = Pcrs();
  std::string want256 =
      HashOf(HashAlgo::kSha256, Concat(TPM2_ALG_SHA256, 9, v));
  std::string want1 = HashOf(HashAlgo::kSha1, Concat(TPM2_ALG_SHA1, 7, v));
  EXPECT_EQ(*ExpectedBootAggregate(HashAlgo::kSha256, v), want256);
  EXPECT_EQ(*ExpectedBootAggregate(HashAlgo::kSha1, v), want1);

  LogBuilder b;
  std::string l256 = b.ImaNg("boot_aggregate", HashAlgo::kSha256, want256);
  std::string l1 = b.ImaNg("boot_aggregate", HashAlgo::kSha1, want1);
  std::string legacy = b.Ima("boot_aggregate", want1);
  std::vector<candor::v1::Failure> f;
  std::unique_ptr<Parsed> e = Parse(l256);
  EXPECT_TRUE(CheckBootAggregate(e->entry, 0, v, &f));
  e = Parse(l1);
  EXPECT_TRUE(CheckBootAggregate(e->entry, 0, v, &f));
  e = Parse(legacy);
  EXPECT_TRUE(CheckBootAggregate(e->entry, 0, v, &f));
  EXPECT_TRUE(f.empty());
}

TEST(BootAggregateTest, Mismatches) {
  tpm::PcrValues v = Pcrs();
  LogBuilder b;
  std::vector<candor::v1::Failure> f;
  std::unique_ptr<Parsed> e = Parse(
      b.ImaNg("boot_aggregate", HashAlgo::kSha256, std::string(32, '\0')));
  EXPECT_FALSE(CheckBootAggregate(e->entry, 0, v, &f));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id(), "ima.boot_aggregate_mismatch");
  EXPECT_EQ(f[0].context().at("line"), "1");

  f.clear();
  e = Parse(b.ImaNgOf("/usr/bin/ls", "ls"));
  EXPECT_FALSE(CheckBootAggregate(e->entry, 0, v, &f));
  EXPECT_THAT(f[0].message(), ::testing::HasSubstr("not boot_aggregate"));

  f.clear();
  e = Parse(
      b.ImaNg("boot_aggregate", HashAlgo::kSha384, std::string(48, '\0')));
  EXPECT_FALSE(CheckBootAggregate(e->entry, 0, v, &f));
  EXPECT_EQ(f[0].id(), "pcr.missing");

  f.clear();
  v[TPM2_ALG_SHA256].erase(9);
  e = Parse(
      b.ImaNg("boot_aggregate", HashAlgo::kSha256, std::string(32, '\0')));
  EXPECT_FALSE(CheckBootAggregate(e->entry, 0, v, &f));
  EXPECT_EQ(f[0].id(), "pcr.missing");
  EXPECT_THAT(f[0].message(), ::testing::HasSubstr("PCR 9"));
}

}  // namespace
}  // namespace candor::ima
