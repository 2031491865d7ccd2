#include "services/verifier/policy_cache.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/verifier/store/in_memory_policy_store.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

constexpr char kRuntime[] =
    R"({"meta": {"version": 1}, "digests": {"/usr/bin/a": )"
    R"(["ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"]},)"
    R"( "excludes": []})";
constexpr char kRuntime2[] =
    R"({"meta": {"version": 1}, "digests": {"/usr/bin/b": )"
    R"(["ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"]},)"
    R"( "excludes": []})";

class PolicyCacheTest : public ::testing::Test {
 protected:
  InMemoryPolicyStore store_;
  PolicyCache cache_{&store_};
};

TEST_F(PolicyCacheTest, OneParsedCopyPerContentWhileInUse) {
  ASSERT_TRUE(store_.Create("a", v1::POLICY_KIND_RUNTIME, kRuntime, "").ok());
  ASSERT_TRUE(store_.Create("b", v1::POLICY_KIND_RUNTIME, kRuntime, "").ok());
  auto p1 = cache_.Runtime("a", 0);
  auto p2 = cache_.Runtime("b", 1);  // same content under another name
  ASSERT_TRUE(p1.ok() && p2.ok()) << p1.status() << p2.status();
  EXPECT_EQ(p1->get(), p2->get());
  EXPECT_EQ(cache_.parses(), 1);
  // A new version is parsed once; agents following "latest" get it.
  ASSERT_TRUE(store_.Update("a", kRuntime2, "").ok());
  auto p3 = cache_.Runtime("a", 0);
  ASSERT_TRUE(p3.ok());
  EXPECT_NE(p3->get(), p1->get());
  EXPECT_EQ(cache_.parses(), 2);
  // Pinned version 1 is still the first copy.
  EXPECT_EQ(cache_.Runtime("a", 1)->get(), p1->get());
}

TEST_F(PolicyCacheTest, UnusedCopiesAreReleased) {
  ASSERT_TRUE(store_.Create("a", v1::POLICY_KIND_RUNTIME, kRuntime, "").ok());
  { ASSERT_TRUE(cache_.Runtime("a", 0).ok()); }
  ASSERT_TRUE(cache_.Runtime("a", 0).ok());
  EXPECT_EQ(cache_.parses(), 2);  // nobody held the first copy
}

TEST_F(PolicyCacheTest, ConcurrentFirstUsesParseOnce) {
  ASSERT_TRUE(store_.Create("a", v1::POLICY_KIND_RUNTIME, kRuntime, "").ok());
  std::vector<std::shared_ptr<const policy::RuntimePolicy>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = *cache_.Runtime("a", 0); });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());
  EXPECT_EQ(cache_.parses(), 1);
}

TEST_F(PolicyCacheTest, KindsAndMissingNames) {
  ASSERT_TRUE(store_.Create("boot", v1::POLICY_KIND_BOOT,
                            R"({"policy": "accept-all"})", "")
                  .ok());
  auto b = cache_.Boot("boot", 0);
  ASSERT_TRUE(b.ok()) << b.status();
  auto wrong = cache_.Runtime("boot", 0);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("boot policy"));
  EXPECT_EQ(cache_.Runtime("nope", 0).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::verifier
