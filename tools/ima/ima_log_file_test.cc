#include "tools/ima/ima_log_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"

namespace candor::tools {
namespace {

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

bool LockedByOther(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool locked = flock(fd, LOCK_EX | LOCK_NB) != 0;
  close(fd);
  return locked;
}

TEST(ImaLogFileTest, CreatesLocksAppendsAndSummarizes) {
  const std::string path = TmpPath("log1");
  {
    auto log = ImaLogFile::Open(path);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_TRUE(LockedByOther(path));
    auto s = log->Summarize();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->entries, 0u);
    EXPECT_EQ(s->first_line, "");
    ASSERT_TRUE(log->Append("first line\nsecond\n").ok());
    ASSERT_TRUE(log->Append("partial").ok());
    s = log->Summarize();
    EXPECT_EQ(s->entries, 2u);
    EXPECT_EQ(s->first_line, "first line");
    EXPECT_EQ(s->complete_size, 18u);
    EXPECT_EQ(s->size, 25u);
    ASSERT_TRUE(log->Truncate(11).ok());
    EXPECT_EQ(*log->Size(), 11u);
    ImaLogFile moved = std::move(*log);
    EXPECT_TRUE(LockedByOther(path));
  }
  EXPECT_FALSE(LockedByOther(path));
  EXPECT_EQ(*ReadFile(path), "first line\n");
}

TEST(ImaLogFileTest, FollowsAReplacedFile) {
  const std::string path = TmpPath("log2");
  ASSERT_TRUE(WriteFileAtomically(path, "old\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new\n").ok());  // a new inode
  auto log = ImaLogFile::Open(path);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(log->Append("more\n").ok());
  EXPECT_EQ(*ReadFile(path), "new\nmore\n");
}

TEST(ImaLogFileTest, MissingDirectory) {
  auto log = ImaLogFile::Open("/nonexistent-dir/log");
  EXPECT_EQ(log.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(log.status().message(), ::testing::HasSubstr("/nonexistent-dir"));
}

}  // namespace
}  // namespace candor::tools
