#include "tools/common/digest_spec.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/digest.h"

namespace candor::tools {
namespace {

const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

TEST(DigestSpecTest, Text) {
  auto spec = ParseDigestSpec("text:vmlinuz-6.1");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto d = ResolveDigestSpec(*spec, kBanks);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->at(TPM2_ALG_SHA1), crypto::Sha1("vmlinuz-6.1"));
  EXPECT_EQ(d->at(TPM2_ALG_SHA256), crypto::Sha256("vmlinuz-6.1"));
  EXPECT_EQ(*ResolveDigestSpec(DigestSpec::Text("vmlinuz-6.1"), kBanks), *d);
}

TEST(DigestSpecTest, ExplicitDigestsAndDerivedBanks) {
  std::string sha256(64, 'a');
  auto spec = ParseDigestSpec("sha256:" + sha256);
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto d = ResolveDigestSpec(*spec, kBanks);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at(TPM2_ALG_SHA256), std::string(32, '\xaa'));
  EXPECT_EQ(d->at(TPM2_ALG_SHA1), crypto::Sha1(std::string(32, '\xaa')));

  spec = ParseDigestSpec("sha256:" + sha256 + ",sha1:" + std::string(40, 'B'));
  ASSERT_TRUE(spec.ok()) << spec.status();
  d = ResolveDigestSpec(*spec, kBanks);
  EXPECT_EQ(d->at(TPM2_ALG_SHA1), std::string(20, '\xbb'));
}

TEST(DigestSpecTest, File) {
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/f";
  ASSERT_TRUE(WriteFileAtomically(path, "contents").ok());
  auto d = ResolveDigestSpec(*ParseDigestSpec("file:" + path), kBanks);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->at(TPM2_ALG_SHA256), crypto::Sha256("contents"));
  auto missing =
      ResolveDigestSpec(*ParseDigestSpec("file:/nonexistent/x"), kBanks);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(DigestSpecTest, Errors) {
  for (const char* bad : {"sha256:abc",
                          "md5:"
                          "00",
                          "sha256:zz", "nonsense", "file:",
                          "sha1:0000000000000000000000000000000000000000,"
                          "sha1:0000000000000000000000000000000000000000"}) {
    auto s = ParseDigestSpec(bad);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(BankHash(TPM2_ALG_SM3_256, "x").ok());
}

}  // namespace
}  // namespace candor::tools
