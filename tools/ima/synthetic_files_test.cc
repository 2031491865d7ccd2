#include "tools/ima/synthetic_files.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tools {
namespace {

TEST(SyntheticFilesTest, RealisticUniquePaths) {
  EXPECT_EQ(SyntheticPath(0), "/usr/lib/systemd/systemd");
  std::set<std::string> paths;
  for (uint64_t i = 0; i < 20000; ++i) {
    std::string p = SyntheticPath(i);
    EXPECT_EQ(p[0], '/');
    EXPECT_EQ(p.find(' '), std::string::npos);
    EXPECT_TRUE(paths.insert(p).second) << p;
  }
}

TEST(SyntheticFilesTest, DeterministicDigestsPerSeedAndPath) {
  SyntheticOptions o;
  auto a = SyntheticFiles(10, 100, o);
  auto b = SyntheticFiles(0, 110, o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 100u);
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_EQ((*a)[i].path, (*b)[i + 10].path);
    EXPECT_EQ((*a)[i].digest, (*b)[i + 10].digest);
    EXPECT_EQ((*a)[i].digest.size(), 32u);
  }
  o.seed = "other";
  auto c = SyntheticFiles(10, 1, o);
  EXPECT_NE((*c)[0].digest, (*a)[0].digest);
  o.random_digests = true;
  auto r1 = SyntheticFiles(10, 1, o);
  auto r2 = SyntheticFiles(10, 1, o);
  EXPECT_NE((*r1)[0].digest, (*r2)[0].digest);
  o.algo = ima::HashAlgo::kSha512;
  EXPECT_EQ((*SyntheticFiles(0, 1, o))[0].digest.size(), 64u);
  o.algo = ima::HashAlgo::kUnknown;
  EXPECT_FALSE(SyntheticFiles(0, 1, o).ok());
}

}  // namespace
}  // namespace candor::tools
