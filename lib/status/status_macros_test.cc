#include "lib/status/status_macros.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

absl::Status Fail() { return absl::NotFoundError("no such index 0x1c00002"); }
absl::StatusOr<int> Value(bool ok) {
  if (ok) return 42;
  return absl::InvalidArgumentError("bad value");
}

absl::Status ReturnIfError(bool ok) {
  ABSL_RETURN_IF_ERROR(Value(ok));
  return absl::OkStatus();
}

absl::Status ReturnIfErrorWithContext() {
  ABSL_RETURN_IF_ERROR(Fail()) << "reading EK cert, attempt " << 2;
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReturnIfErrorIntoStatusOr() {
  ABSL_RETURN_IF_ERROR(Fail()) << "context";
  return std::string("unreached");
}

absl::StatusOr<int> AssignOrReturn(bool ok) {
  ABSL_ASSIGN_OR_RETURN(int v, Value(ok));
  return v + 1;
}

absl::StatusOr<std::unique_ptr<int>> AssignMoveOnly(bool ok) {
  ABSL_ASSIGN_OR_RETURN(int v, Value(ok), _ << "while making the pointer");
  return std::make_unique<int>(v);
}

absl::Status AssignTwiceInOneScope() {
  ABSL_ASSIGN_OR_RETURN(int a, Value(true));
  ABSL_ASSIGN_OR_RETURN(int b, Value(true));
  return a + b == 84 ? absl::OkStatus() : absl::InternalError("sum");
}

TEST(StatusMacrosTest, ReturnIfErrorPassesOkThrough) {
  EXPECT_TRUE(ReturnIfError(true).ok());
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsTheError) {
  absl::Status s = ReturnIfError(false);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "bad value");
}

TEST(StatusMacrosTest, ReturnIfErrorAppendsContextAndKeepsCode) {
  absl::Status s = ReturnIfErrorWithContext();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such index 0x1c00002; reading EK cert, attempt 2");
}

TEST(StatusMacrosTest, ReturnIfErrorWorksInStatusOrFunction) {
  absl::StatusOr<std::string> s = ReturnIfErrorIntoStatusOr();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("; context"));
}

TEST(StatusMacrosTest, AssignOrReturn) {
  EXPECT_EQ(AssignOrReturn(true).value(), 43);
  EXPECT_EQ(AssignOrReturn(false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatusMacrosTest, AssignOrReturnWithErrorExpression) {
  auto ok = AssignMoveOnly(true);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(**ok, 42);
  auto bad = AssignMoveOnly(false);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad value; while making the pointer");
}

TEST(StatusMacrosTest, SeveralAssignsInOneScope) {
  EXPECT_TRUE(AssignTwiceInOneScope().ok());
}

TEST(StatusBuilderTest, KeepsPayloads) {
  absl::Status base = absl::UnavailableError("tcti");
  base.SetPayload("candor/retry", absl::Cord("later"));
  absl::Status s = StatusBuilder(base) << "more";
  EXPECT_EQ(s.message(), "tcti; more");
  EXPECT_EQ(s.GetPayload("candor/retry").value(), absl::Cord("later"));
}

}  // namespace
}  // namespace candor
