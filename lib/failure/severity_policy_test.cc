#include "lib/failure/severity_policy.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::failure {
namespace {

using ::testing::HasSubstr;

TEST(SeverityPolicyTest, DefaultsAreTheCatalogue) {
  SeverityPolicy p;
  EXPECT_EQ(p.SeverityOf("ima.not_in_policy"), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(p.SeverityOf("agent.unreachable"), v1::SEVERITY_WARNING);
  EXPECT_EQ(p.SeverityOf("no.such_id"), v1::SEVERITY_UNSPECIFIED);
  EXPECT_EQ(p.fail_severity(), v1::SEVERITY_ERROR);
  EXPECT_TRUE(p.Fails(v1::SEVERITY_CRITICAL));
  EXPECT_TRUE(p.Fails(v1::SEVERITY_ERROR));
  EXPECT_FALSE(p.Fails(v1::SEVERITY_WARNING));
  EXPECT_FALSE(p.Fails(v1::SEVERITY_UNSPECIFIED));
}

TEST(SeverityPolicyTest, FirstFullMatchWins) {
  absl::StatusOr<SeverityPolicy> p = SeverityPolicy::Parse(R"({
    "fail_severity": "critical",
    "rules": [{"id": "ima\\.violation", "severity": "emergency"},
              {"id": "ima\\..*", "severity": "notice"},
              {"id": "boot", "severity": "info"}]})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->SeverityOf("ima.violation"), v1::SEVERITY_EMERGENCY);
  EXPECT_EQ(p->SeverityOf("ima.not_in_policy"), v1::SEVERITY_NOTICE);
  // "boot" must match the whole id, so boot.pcr_mismatch keeps its default.
  EXPECT_EQ(p->SeverityOf("boot.pcr_mismatch"), v1::SEVERITY_CRITICAL);
  EXPECT_FALSE(p->Fails(v1::SEVERITY_ERROR));
  EXPECT_TRUE(p->Fails(v1::SEVERITY_CRITICAL));
  std::vector<v1::Failure> f(2);
  f[0].set_id("ima.digest_mismatch");
  f[1].set_id("quote.bad_signature");
  p->Apply(f);
  EXPECT_EQ(f[0].severity(), v1::SEVERITY_NOTICE);
  EXPECT_EQ(f[1].severity(), v1::SEVERITY_CRITICAL);
}

TEST(SeverityPolicyTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"[", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"fail_severity": "fatal"})", "fail_severity"},
      {R"({"fail_severity": 3})", "fail_severity"},
      {R"({"rules": {}})", "rules: must be an array"},
      {R"j({"rules": [{"id": "a(?=b)", "severity": "error"}]})j",
       "rules[0].id: RE2 cannot compile"},
      {R"({"rules": [{"id": "a", "severity": "error"}, {"severity": "info"}]})",
       "rules[1].id: required"},
      {R"({"rules": [{"id": "a"}]})", "rules[0].severity: required"},
      {R"({"rules": [{"id": "a", "severity": "high"}]})", "rules[0].severity"},
      {R"({"rules": [{"id": "a", "severity": "info", "x": 1}]})",
       "rules[0].x: unknown key"},
      {R"({"rule": []})", "rule: unknown key"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SeverityPolicy> p = SeverityPolicy::Parse(c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.message)) << c.json;
  }
}

}  // namespace
}  // namespace candor::failure
