#include "services/verifier/attestor/policy_resolver.h"

#include "gtest/gtest.h"
#include "services/verifier/policy_cache.h"
#include "services/verifier/store/in_memory_policy_store.h"

namespace candor::verifier {
namespace {

constexpr char kV1[] =
    R"({"meta": {"version": 1}, "digests": {"/usr/bin/a": )"
    R"(["ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"]},)"
    R"( "excludes": []})";
constexpr char kV2[] =
    R"({"meta": {"version": 1}, "digests": {"/usr/bin/b": )"
    R"(["ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"]},)"
    R"( "excludes": []})";

v1::PolicyRef Ref(const std::string& name, uint32_t version = 0) {
  v1::PolicyRef r;
  r.set_name(name);
  r.set_version(version);
  return r;
}

class PolicyResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Create("rt", v1::POLICY_KIND_RUNTIME, kV1, "").ok());
    ASSERT_TRUE(store_
                    .Create("boot", v1::POLICY_KIND_BOOT,
                            R"({"policy": "accept-all"})", "")
                    .ok());
  }
  InMemoryPolicyStore store_;
  PolicyCache cache_{&store_};
  absl::Time now_ = absl::UnixEpoch();
  PolicyResolver resolver_{&store_, &cache_, absl::Seconds(10),
                           [this] { return now_; }};
};

TEST_F(PolicyResolverTest, FollowersSeeAnUpdateAfterTheTtl) {
  auto first = resolver_.Runtime(Ref("rt"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, 1u);
  ASSERT_NE(first->policy, nullptr);
  ASSERT_TRUE(store_.Update("rt", kV2, "").ok());
  now_ += absl::Seconds(9);
  auto cached = resolver_.Runtime(Ref("rt"));
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->version, 1u);
  EXPECT_EQ(cached->policy, first->policy);  // the same parsed copy
  now_ += absl::Seconds(1);
  auto fresh = resolver_.Runtime(Ref("rt"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->version, 2u);
  // A pinned version stays.
  auto pinned = resolver_.Runtime(Ref("rt", 1));
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->version, 1u);
}

TEST_F(PolicyResolverTest, RefreshAndInvalidateSkipTheCache) {
  ASSERT_TRUE(resolver_.Runtime(Ref("rt")).ok());
  ASSERT_TRUE(store_.Update("rt", kV2, "").ok());
  EXPECT_EQ(resolver_.Runtime(Ref("rt"))->version, 1u);
  EXPECT_EQ(resolver_.Runtime(Ref("rt"), /*refresh=*/true)->version, 2u);
  // The refreshed lookup is what others get now.
  EXPECT_EQ(resolver_.Runtime(Ref("rt"))->version, 2u);
  ASSERT_TRUE(store_.Update("rt", kV1, "").ok());
  resolver_.Invalidate();
  EXPECT_EQ(resolver_.Runtime(Ref("rt"))->version, 3u);
}

TEST_F(PolicyResolverTest, ErrorsAreNotCached) {
  EXPECT_EQ(resolver_.Runtime(Ref("later")).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_.Create("later", v1::POLICY_KIND_RUNTIME, kV1, "").ok());
  EXPECT_TRUE(resolver_.Runtime(Ref("later")).ok());
  EXPECT_EQ(resolver_.Runtime(Ref("rt", 7)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PolicyResolverTest, KindsAreKeptApart) {
  auto boot = resolver_.Boot(Ref("boot"));
  ASSERT_TRUE(boot.ok()) << boot.status();
  EXPECT_EQ(boot->version, 1u);
  EXPECT_EQ(resolver_.Runtime(Ref("boot")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(resolver_.Boot(Ref("rt")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace candor::verifier
