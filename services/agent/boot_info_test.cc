#include "services/agent/boot_info.h"

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace candor::agent {
namespace {

std::string Tmp(const std::string& name, const std::string& content) {
  std::string p = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(p) << content;
  return p;
}

TEST(BootInfoTest, BootId) {
  EXPECT_EQ(*ReadBootId(Tmp("id", "3f1c-aa\n")), "3f1c-aa");
  EXPECT_EQ(ReadBootId(Tmp("empty", "\n")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadBootId("/nonexistent").status().code(),
            absl::StatusCode::kNotFound);
  // The real one exists on Linux.
  EXPECT_TRUE(ReadBootId("/proc/sys/kernel/random/boot_id").ok());
}

TEST(BootInfoTest, BootTime) {
  auto t = ReadBootTime(Tmp("stat", "cpu 1 2 3\nbtime 1700000000\nprocesses 5\n"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(absl::ToUnixSeconds(*t), 1700000000);
  EXPECT_FALSE(ReadBootTime(Tmp("stat2", "cpu 1\nbtime x\n")).ok());
  EXPECT_TRUE(ReadBootTime("/proc/stat").ok());
}

}  // namespace
}  // namespace candor::agent
