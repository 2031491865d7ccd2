#include "cli/tenant/commands/agent/agent_config.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;

const std::string kD32(64, 'a');  // a sha256 digest in hex

TEST(AgentConfigTest, PolicyRefs) {
  absl::StatusOr<v1::PolicyRef> r = ParsePolicyRef("--runtime-policy", "web");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name(), "web");
  EXPECT_EQ(r->version(), 0u);
  r = ParsePolicyRef("--runtime-policy", "web@3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version(), 3u);
  EXPECT_TRUE(ParsePolicyRef("--boot-policy", "")->name().empty());
  for (const char* bad : {"web@", "web@0", "web@x", "@3"}) {
    absl::StatusOr<v1::PolicyRef> b = ParsePolicyRef("--boot-policy", bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_THAT(b.status().message(), HasSubstr("--boot-policy"));
  }
}

TEST(AgentConfigTest, Intervals) {
  absl::StatusOr<google::protobuf::Duration> d =
      ParseInterval("--quote-interval", "1m30s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->seconds(), 90);
  d = ParseInterval("--quote-interval", "250ms");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->nanos(), 250000000);
  for (const char* bad : {"2", "2x", "-1s", "inf", ""}) {
    absl::StatusOr<google::protobuf::Duration> b =
        ParseInterval("--quote-interval", bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_THAT(b.status().message(), HasSubstr("--quote-interval"));
  }
}

TEST(AgentConfigTest, StaticPcrPolicy) {
  std::string json = R"({"sha256": {"15": [")" + kD32 + R"(", "0x)" + kD32 +
                     R"("], "11": [")" + kD32 + R"("]}, "sha1": {"0": [")" +
                     std::string(40, 'b') + R"("]}})";
  absl::StatusOr<v1::StaticPcrPolicy> p = ParseStaticPcrPolicy("f", json);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->banks_size(), 2);
  int digests = 0;
  for (const auto& b : p->banks()) {
    for (const auto& [pcr, allowed] : b.pcrs())
      digests += allowed.digests_size();
  }
  EXPECT_EQ(digests, 4);
}

TEST(AgentConfigTest, StaticPcrPolicyErrorsNameTheField) {
  struct Case {
    std::string json;
    std::string want;
  } cases[] = {
      {"{", "not valid JSON"},
      {"[]", "expected an object"},
      {R"({"md5": {}})", "md5: unknown PCR bank 'md5'"},
      {R"({"sha256": []})", "sha256: expected an object"},
      {R"({"sha256": {"x": ["00"]}})", "sha256.x: 'x' is not a PCR index"},
      {R"({"sha256": {"24": ["00"]}})", "sha256.24"},
      {R"({"sha256": {"10": [")" + kD32 + R"("]}})", "sha256.10: PCR 10"},
      {R"({"sha256": {"16": [")" + kD32 + R"("]}})", "sha256.16: PCR 16"},
      {R"({"sha256": {"15": []}})", "sha256.15: expected a non-empty array"},
      {R"({"sha256": {"15": [")" + kD32 + R"(", 7]}})",
       "sha256.15[1]: expected a hex string"},
      {R"({"sha256": {"15": ["zz"]}})", "sha256.15[0]: 'zz' is not hex"},
      {R"({"sha256": {"15": ["0011"]}})",
       "sha256.15[0]: 2 bytes, a sha256 digest has 32"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::StaticPcrPolicy> p =
        ParseStaticPcrPolicy("--pcr-policy p.json", c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr("--pcr-policy p.json: "));
    EXPECT_THAT(p.status().message(), HasSubstr(c.want)) << c.json;
  }
}

TEST(AgentConfigTest, PcrSelections) {
  absl::StatusOr<std::vector<v1::PcrSelection>> s =
      ParsePcrSelections({"sha256:10,0,1", "sha1:7"});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 2u);
  // Ordered by bank enum (sha1 first), PCRs ascending.
  EXPECT_EQ((*s)[0].bank(), v1::HASH_ALGORITHM_SHA1);
  EXPECT_THAT((*s)[1].pcrs(), ::testing::ElementsAre(0, 1, 10));
  for (const char* bad : {"sha256", "sha256:", "sha256:1,1", "md5:1",
                          "sha256:1,x", "sha256:30"}) {
    absl::StatusOr<std::vector<v1::PcrSelection>> b = ParsePcrSelections({bad});
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_THAT(b.status().message(), HasSubstr("--pcrs")) << bad;
  }
  EXPECT_FALSE(ParsePcrSelections({"sha256:1", "sha256:2"}).ok());
}

TEST(AgentConfigTest, Metadata) {
  google::protobuf::Map<std::string, std::string> m;
  ASSERT_TRUE(ParseMetadata({"rack=b12", "note=a=b", "empty="}, &m).ok());
  EXPECT_EQ(m["rack"], "b12");
  EXPECT_EQ(m["note"], "a=b");
  EXPECT_EQ(m["empty"], "");
  google::protobuf::Map<std::string, std::string> n;
  EXPECT_FALSE(ParseMetadata({"novalue"}, &n).ok());
  EXPECT_FALSE(ParseMetadata({"=v"}, &n).ok());
  EXPECT_FALSE(ParseMetadata({"k=1", "k=2"}, &n).ok());
}

}  // namespace
}  // namespace candor::tenant
