#include "tools/common/seeded_random.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tools {
namespace {

TEST(SeededBytesTest, DeterministicAndDistinct) {
  EXPECT_EQ(SeededBytes("s", "a", 100), SeededBytes("s", "a", 100));
  EXPECT_EQ(SeededBytes("s", "a", 100).size(), 100u);
  EXPECT_NE(SeededBytes("s", "a", 32), SeededBytes("s", "b", 32));
  EXPECT_NE(SeededBytes("s", "a", 32), SeededBytes("t", "a", 32));
  // Length-prefixed: ("ab", "c") and ("a", "bc") differ.
  EXPECT_NE(SeededBytes("ab", "c", 32), SeededBytes("a", "bc", 32));
  // A prefix of a longer request.
  EXPECT_EQ(SeededBytes("s", "a", 70).substr(0, 40), SeededBytes("s", "a", 40));
  EXPECT_EQ(SeededBytes("s", "a", 0), "");
}

TEST(SeededBytesTest, IndexIsInRange) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_LT(SeededIndex("s", std::to_string(i), 7), 7u);
  }
}

TEST(UuidTest, Version4Format) {
  std::string u = UuidV4FromBytes(std::string(16, '\xff'));
  EXPECT_EQ(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(UuidV4FromBytes(""), "00000000-0000-4000-8000-000000000000");
  auto r1 = RandomUuid();
  auto r2 = RandomUuid();
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_NE(*r1, *r2);
  EXPECT_THAT(*r1, ::testing::MatchesRegex(
                       "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                       "[0-9a-f]{12}"));
}

}  // namespace
}  // namespace candor::tools
