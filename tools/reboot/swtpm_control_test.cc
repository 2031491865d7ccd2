#include "tools/reboot/swtpm_control.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;

TEST(SwtpmControlTest, RunProgram) {
  auto out = RunProgram({"/bin/sh", "-c", "echo out; echo err >&2"},
                        absl::Seconds(10));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "out\nerr\n");
  auto fail =
      RunProgram({"/bin/sh", "-c", "echo nope; exit 3"}, absl::Seconds(10));
  EXPECT_EQ(fail.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(fail.status().message(), HasSubstr("exit 3"));
  EXPECT_THAT(fail.status().message(), HasSubstr("nope"));
  auto missing = RunProgram({"/nonexistent/prog"}, absl::Seconds(10));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  auto slow = RunProgram({"/bin/sleep", "5"}, absl::Milliseconds(100));
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(SwtpmControlTest, BinaryAndResetErrors) {
  EXPECT_EQ(SwtpmIoctlBinary("/x/swtpm_ioctl"), "/x/swtpm_ioctl");
  setenv("CANDOR_SWTPM_BINDIR", "/opt/swtpm/bin", 1);
  EXPECT_EQ(SwtpmIoctlBinary(""), "/opt/swtpm/bin/swtpm_ioctl");
  unsetenv("CANDOR_SWTPM_BINDIR");
  EXPECT_EQ(SwtpmIoctlBinary(""), "swtpm_ioctl");
  EXPECT_EQ(SwtpmResetTpm("/nonexistent/swtpm_ioctl", "127.0.0.1:1").code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::tools
