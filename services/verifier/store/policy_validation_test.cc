// ValidatePolicy: the parsers' verdicts as INVALID_ARGUMENT, and the 100 MiB
// limit.
#include "services/verifier/store/policy_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

TEST(PolicyValidationTest, AcceptsValidDocuments) {
  EXPECT_TRUE(
      ValidatePolicy(v1::POLICY_KIND_RUNTIME,
                     R"({"meta": {"version": 1}, "excludes": ["/tmp/"]})")
          .ok());
  EXPECT_TRUE(
      ValidatePolicy(v1::POLICY_KIND_BOOT, R"({"policy": "accept-all"})").ok());
}

TEST(PolicyValidationTest, KeepsTheParsersMessage) {
  absl::Status s =
      ValidatePolicy(v1::POLICY_KIND_RUNTIME, R"({"meta": {"version": 1}, )"
                                              R"("verification-keys": 1})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("verification-keys: must be a string"));
  s = ValidatePolicy(v1::POLICY_KIND_BOOT, "not json");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("boot policy"));
  // Valid for one kind is not valid for the other.
  EXPECT_FALSE(
      ValidatePolicy(v1::POLICY_KIND_BOOT, R"({"meta": {"version": 1}})").ok());
}

TEST(PolicyValidationTest, RefusesUnspecifiedKind) {
  EXPECT_EQ(ValidatePolicy(v1::POLICY_KIND_UNSPECIFIED, "{}").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PolicyValidationTest, ContentOver100MiBIsInvalidArgument) {
  std::string big(kMaxPolicyContentBytes + 1, ' ');
  big[0] = '{';
  absl::Status s = ValidatePolicy(v1::POLICY_KIND_BOOT, big);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("104857601 bytes"));
}

}  // namespace
}  // namespace candor::verifier
