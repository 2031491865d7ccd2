#include "lib/status/grpc_status.h"

#include "gtest/gtest.h"

namespace candor {
namespace {

TEST(GrpcStatusTest, OkBothWays) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCanonicalCodeIsKept) {
  for (int c = 1; c <= 16; ++c) {
    absl::Status s(static_cast<absl::StatusCode>(c), "msg");
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), c);
    EXPECT_EQ(g.error_message(), "msg");
    absl::Status back = FromGrpcStatus(g);
    EXPECT_EQ(back, s) << "code " << c;
  }
}

TEST(GrpcStatusTest, CallNamePrefixesMessage) {
  absl::Status s = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"),
      "RegistrarService.GetAgent at 127.0.0.1:8890");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(),
            "RegistrarService.GetAgent at 127.0.0.1:8890: connection refused");
}

}  // namespace
}  // namespace candor
