#include "services/agent/notice_cursors.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"

namespace candor::agent {
namespace {

std::string Path(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/", name);
}

TEST(NoticeCursorsTest, RecordsAndSurvivesReload) {
  const std::string path = Path("cursors1");
  auto c = NoticeCursors::Load(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(*(*c)->Record("a"));
  EXPECT_FALSE(*(*c)->Record("a"));
  EXPECT_TRUE(*(*c)->Record("line\nbreak"));
  auto again = NoticeCursors::Load(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size(), 2u);
  EXPECT_FALSE(*(*again)->Record("a"));
  EXPECT_FALSE(*(*again)->Record("line\nbreak"));
  EXPECT_TRUE(*(*again)->Record("b"));
}

TEST(NoticeCursorsTest, ForgetsTheOldestBeyondCapacity) {
  const std::string path = Path("cursors2");
  auto c = NoticeCursors::Load(path, 3);
  ASSERT_TRUE(c.ok());
  for (const char* x : {"1", "2", "3", "4"}) EXPECT_TRUE(*(*c)->Record(x));
  EXPECT_EQ((*c)->size(), 3u);
  auto again = NoticeCursors::Load(path, 3);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*(*again)->Record("4"));
  EXPECT_TRUE(*(*again)->Record("1"));  // forgotten
}

TEST(NoticeCursorsTest, BadLinesAreSkipped) {
  const std::string path = Path("cursors3");
  ASSERT_TRUE(WriteFileAtomically(path, "ok\n\\x\nfine\n").ok());
  auto c = NoticeCursors::Load(path);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->size(), 2u);
}

TEST(NoticeCursorsTest, UnwritableFileIsAnErrorButRemembered) {
  auto c = NoticeCursors::Load("/nonexistent-dir/cursors");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE((*c)->Record("x").ok());
  EXPECT_FALSE(*(*c)->Record("x"));
}

}  // namespace
}  // namespace candor::agent
