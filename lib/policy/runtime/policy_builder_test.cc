// Policy creation: JSON output (round trip through RuntimePolicy), names
// JSON cannot hold, and hashing a directory tree.
#include "lib/policy/runtime/policy_builder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/ima/hex.h"
#include "lib/ima/testing/log_builder.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/policy/runtime/tree_hasher.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

using ima::HashAlgo;
using ima::testing::HashOf;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

ima::Digest DigestOf(HashAlgo algo, absl::string_view content) {
  ima::Digest d;
  d.algo = algo;
  std::string h = HashOf(algo, content);
  d.size = static_cast<uint8_t>(h.size());
  std::copy(h.begin(), h.end(), d.bytes);
  return d;
}

TEST(PolicyBuilderTest, KeylimeJsonRoundTrip) {
  PolicyBuilder b;
  EXPECT_TRUE(b.AddDigest("/usr/bin/b", DigestOf(HashAlgo::kSha256, "b")));
  EXPECT_TRUE(b.AddDigest("/usr/bin/a", DigestOf(HashAlgo::kSha256, "a")));
  EXPECT_TRUE(b.AddDigest("/usr/bin/a", DigestOf(HashAlgo::kSha256, "a")));
  EXPECT_TRUE(b.AddDigest("/usr/bin/a", DigestOf(HashAlgo::kSm3, "a2")));
  EXPECT_TRUE(b.AddKeyring(".ima", DigestOf(HashAlgo::kSha256, "cert")));
  EXPECT_TRUE(b.AddImaBuf("kexec-cmdline", DigestOf(HashAlgo::kSha1, "c")));
  EXPECT_FALSE(b.AddDigest("/bad/\xff", DigestOf(HashAlgo::kSha256, "x")));
  b.SetExcludes({"/tmp/"});
  std::string json = b.ToJson(absl::FromUnixSeconds(0));
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(json);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_THAT(keys,
              ElementsAre("meta", "release", "digests", "excludes", "keyrings",
                          "ima", "ima-buf", "verification-keys"));
  EXPECT_EQ(j["meta"]["version"], 1);
  EXPECT_EQ(j["meta"]["generator"], 0);
  EXPECT_EQ(j["meta"]["timestamp"], "1970-01-01 00:00:00");
  EXPECT_EQ(j["digests"].begin().key(), "/usr/bin/a");
  EXPECT_EQ(j["digests"]["/usr/bin/a"].size(), 2u);
  EXPECT_EQ(j["digests"]["/usr/bin/a"][1].get<std::string>().substr(0, 4),
            "sm3:");
  EXPECT_EQ(j["ima"]["log_hash_alg"], "sha1");
  EXPECT_TRUE(j["ima"]["dm_policy"].is_null());

  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(json);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->digests().names(), 2u);
  EXPECT_EQ(p->digests().Find("/usr/bin/a", DigestOf(HashAlgo::kSm3, "a2")),
            DigestTable::Lookup::kMatch);
  EXPECT_TRUE(p->keyrings().Contains(".ima"));
  EXPECT_TRUE(p->excludes().Matches("/tmp/x"));
  EXPECT_EQ(p->generator(), "0");
}

TEST(PolicyBuilderTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("/usr/bin/ls"));
  EXPECT_TRUE(
      IsValidUtf8("/home/\xc3\xa9t\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST(PolicyBuilderTest, ExcludedLogEntriesAreLeftOut) {
  ima::testing::LogBuilder log;
  log.ImaNgOf("/usr/bin/a", "a");
  log.ImaNgOf("/tmp/scratch", "s");
  log.ImaNgOf("/bad/\xfe", "x");
  PolicyBuilder b;
  CreateStats stats;
  ExcludeList ex = *ExcludeList::Create({"/tmp/"});
  ASSERT_TRUE(AddImaLog(log.Text(), ex, &b, &stats).ok());
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_EQ(stats.excluded, 1u);
  EXPECT_EQ(stats.skipped_non_utf8, 1u);
  EXPECT_EQ(b.paths(), 1u);
}

class TreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = crypto::test_certs::NewTempDir("tree");
    for (const char* d :
         {"/usr", "/usr/bin", "/etc", "/tmp", "/a", "/a/b", "/a/b/c"}) {
      ASSERT_EQ(mkdir((root_ + d).c_str(), 0755), 0) << d;
    }
    Write("/usr/bin/a", "binary a");
    Write("/usr/bin/with space", "spaced");
    Write("/etc/x.conf", "conf");
    Write("/tmp/y", "scratch");
    Write("/a/b/c/deep", "deep");
    ASSERT_EQ(symlink("a", (root_ + "/usr/bin/link").c_str()), 0);
  }
  void Write(const std::string& rel, const std::string& content) {
    ASSERT_TRUE(crypto::test_certs::WriteFile(root_ + rel, content).ok());
  }
  std::string root_;
};

TEST_F(TreeTest, HashesRegularFilesUnderTheirMountedPaths) {
  ExcludeList ex = *ExcludeList::Create({"/tmp/"});
  PolicyBuilder b;
  CreateStats stats;
  TreeOptions o;
  o.root = root_;
  o.excludes = &ex;
  o.threads = 2;
  ASSERT_TRUE(AddDirectoryTree(o, &b, &stats).ok());
  EXPECT_EQ(stats.entries, 5u);
  EXPECT_EQ(stats.excluded, 1u);
  EXPECT_EQ(stats.unreadable, 0u);
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(b.ToJson(absl::Now()));
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<std::string> names;
  for (absl::string_view n : p->digests().Names()) names.emplace_back(n);
  EXPECT_THAT(names, UnorderedElementsAre("/usr/bin/a", "/usr/bin/with_space",
                                          "/etc/x.conf", "/a/b/c/deep"));

  // A log of the same files passes the policy.
  ima::testing::LogBuilder log;
  log.ImaNgOf("/usr/bin/a", "binary a");
  log.ImaNgOf("/usr/bin/with_space", "spaced");
  log.ImaNgOf("/a/b/c/deep", "deep");
  log.ImaNgOf("/etc/x.conf", "tampered");
  AppraiseOptions ao;
  ao.policy = &*p;
  EvalState state;
  std::vector<absl::string_view> lines = log.views();
  absl::StatusOr<Appraisal> a = AppraiseImaLog(
      *ima::ReplayState::AtBoot(TPM2_ALG_SHA256), lines, ao, &state);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->findings.size(), 1u);
  EXPECT_EQ(a->findings[0].id(), "ima.digest_mismatch");
  EXPECT_EQ(a->findings[0].context().at("path"), "/etc/x.conf");
}

TEST_F(TreeTest, OtherAlgorithmsAndBadRoots) {
  PolicyBuilder b;
  CreateStats stats;
  TreeOptions o;
  o.root = root_ + "/usr/";
  o.algo = HashAlgo::kSha384;
  ASSERT_TRUE(AddDirectoryTree(o, &b, &stats).ok());
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(b.ToJson(absl::Now()));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(
      p->digests().Find("/bin/a", DigestOf(HashAlgo::kSha384, "binary a")),
      DigestTable::Lookup::kMatch);

  o.root = root_ + "/missing";
  EXPECT_EQ(AddDirectoryTree(o, &b, &stats).code(),
            absl::StatusCode::kNotFound);
  o.root = root_ + "/etc/x.conf";
  EXPECT_EQ(AddDirectoryTree(o, &b, &stats).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::policy
