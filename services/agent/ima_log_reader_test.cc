#include "services/agent/ima_log_reader.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::agent {
namespace {

using ::testing::ElementsAre;

class ImaLogReaderTest : public ::testing::Test {
 protected:
  std::string path_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/ima.log");
  void Append(const std::string& text) {
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    out << text;
  }
  void Write(const std::string& text) {
    std::ofstream out(path_, std::ios::trunc | std::ios::binary);
    out << text;
  }
  static std::string Line(int i) {
    return absl::StrCat("10 ", std::string(40, 'a'), " ima-ng sha256:",
                        std::string(64, 'b'), " /usr/bin/file-", i);
  }
  void SetUp() override { std::remove(path_.c_str()); }
};

TEST_F(ImaLogReaderTest, MissingLogIsFlaggedNotAnError) {
  ImaLogReader r(path_);
  auto page = r.Read(0, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->log_missing);
  EXPECT_TRUE(page->lines.empty());
  EXPECT_EQ(page->total_entries, 0u);
}

TEST_F(ImaLogReaderTest, PagesAndIncrementalReads) {
  for (int i = 0; i < 1000; ++i) Append(Line(i) + "\n");
  ImaLogReader r(path_);
  auto page = r.Read(0, 300, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->lines.size(), 300u);
  EXPECT_EQ(page->lines[0], Line(0));
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->total_entries, 1000u);
  page = r.Read(700, 1000, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->start_entry, 700u);
  EXPECT_EQ(page->lines.size(), 300u);
  EXPECT_EQ(page->lines.front(), Line(700));
  EXPECT_EQ(page->lines.back(), Line(999));
  EXPECT_FALSE(page->more);
  // New entries appear; entry 1000 is reached from a checkpoint.
  for (int i = 1000; i < 1003; ++i) Append(Line(i) + "\n");
  page = r.Read(1000, 10, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->lines, ElementsAre(Line(1000), Line(1001), Line(1002)));
  EXPECT_EQ(page->total_entries, 1003u);
  // Caught up: nothing new, not a restart.
  page = r.Read(1003, 10, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->lines.empty());
  EXPECT_FALSE(page->restarted_from_zero);
}

TEST_F(ImaLogReaderTest, ByteLimitStopsAPageButReturnsAtLeastOneLine) {
  for (int i = 0; i < 10; ++i) Append(Line(i) + "\n");
  ImaLogReader r(path_);
  auto page = r.Read(0, 100, 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->lines.size(), 1u);
  EXPECT_TRUE(page->more);
}

TEST_F(ImaLogReaderTest, PastTheEndRestartsFromZero) {
  for (int i = 0; i < 5; ++i) Append(Line(i) + "\n");
  ImaLogReader r(path_);
  auto page = r.Read(42, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->restarted_from_zero);
  EXPECT_EQ(page->start_entry, 0u);
  EXPECT_EQ(page->lines.size(), 5u);
}

TEST_F(ImaLogReaderTest, PartialLastLineIsNotAnEntryYet) {
  Append(Line(0) + "\n" + "10 partial");
  ImaLogReader r(path_);
  auto page = r.Read(0, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_entries, 1u);
  EXPECT_THAT(page->lines, ElementsAre(Line(0)));
  Append(" line\n");
  page = r.Read(1, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->lines, ElementsAre("10 partial line"));
}

TEST_F(ImaLogReaderTest, ShrunkLogStartsOver) {
  for (int i = 0; i < 600; ++i) Append(Line(i) + "\n");
  ImaLogReader r(path_);
  ASSERT_TRUE(r.Read(0, 1, 1 << 20).ok());
  Write(Line(7) + "\n" + Line(8) + "\n");  // a new boot's log
  auto page = r.Read(0, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_entries, 2u);
  EXPECT_THAT(page->lines, ElementsAre(Line(7), Line(8)));
}

TEST_F(ImaLogReaderTest, LinesAreBytes) {
  std::string odd = "10 abc ima-ng sha256:00 /tmp/\xff\xfe name with spaces";
  Append(odd + "\n");
  ImaLogReader r(path_);
  auto page = r.Read(0, 100, 1 << 20);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->lines, ElementsAre(odd));
}

}  // namespace
}  // namespace candor::agent
