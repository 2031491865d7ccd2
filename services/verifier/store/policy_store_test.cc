// Names, kinds, expected SHA-256 and page tokens (policy_store.h helpers).
#include "services/verifier/store/policy_store.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

TEST(PolicyStoreHelpersTest, NamesAreOneTo128AllowedCharacters) {
  EXPECT_TRUE(ValidatePolicyName("a").ok());
  EXPECT_TRUE(ValidatePolicyName("Az09._-").ok());
  EXPECT_TRUE(ValidatePolicyName(std::string(128, 'x')).ok());
  EXPECT_THAT(std::string(ValidatePolicyName("").message()),
              HasSubstr("empty"));
  EXPECT_THAT(std::string(ValidatePolicyName(std::string(129, 'x')).message()),
              HasSubstr("129 characters"));
  absl::Status s = ValidatePolicyName("ab:c");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("index 2"));
}

TEST(PolicyStoreHelpersTest, KindAndExpectedSha) {
  EXPECT_TRUE(ValidatePolicyKind(v1::POLICY_KIND_BOOT).ok());
  EXPECT_FALSE(ValidatePolicyKind(v1::POLICY_KIND_UNSPECIFIED).ok());
  EXPECT_FALSE(ValidatePolicyKind(static_cast<v1::PolicyKind>(7)).ok());
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_TRUE(CheckExpectedSha256("", a).ok());
  EXPECT_TRUE(CheckExpectedSha256(a, a).ok());
  EXPECT_EQ(CheckExpectedSha256(b, a).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(CheckExpectedSha256("ab", a).message()),
              HasSubstr("32 bytes"));
}

TEST(PolicyStoreHelpersTest, PageSizesAndTokens) {
  EXPECT_EQ(EffectivePolicyPageSize(0), 100u);
  EXPECT_EQ(EffectivePolicyPageSize(7), 7u);
  EXPECT_EQ(EffectivePolicyPageSize(1001), 1000u);
  const std::string t = EncodePolicyPageToken(v1::POLICY_KIND_RUNTIME, "x.y");
  EXPECT_EQ(*DecodePolicyPageToken(v1::POLICY_KIND_RUNTIME, t), "x.y");
  EXPECT_EQ(*DecodePolicyPageToken(v1::POLICY_KIND_RUNTIME, ""), "");
  EXPECT_EQ(DecodePolicyPageToken(v1::POLICY_KIND_BOOT, t).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      DecodePolicyPageToken(v1::POLICY_KIND_RUNTIME, "%%%").status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::verifier
