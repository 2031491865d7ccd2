#include "lib/common/file_util.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor {
namespace {

TEST(FileUtilTest, WriteReadRoundTripWithMode) {
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/f.key";
  ASSERT_TRUE(WriteFileAtomically(path, std::string("a\0b", 3), 0600).ok());
  auto data = ReadFile(path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, std::string("a\0b", 3));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(WriteFileAtomically(path, "new").ok());
  EXPECT_EQ(*ReadFile(path), "new");
}

TEST(FileUtilTest, ErrorsNameThePath) {
  auto missing = ReadFile("/nonexistent/x");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("/nonexistent/x"));
  absl::Status s = WriteFileAtomically("/nonexistent/dir/x", "y");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()),
              ::testing::HasSubstr("/nonexistent/dir/x"));
}

}  // namespace
}  // namespace candor
