#include "cli/tenant/proto_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;

TEST(ProtoFormatTest, StatesParseInAnyForm) {
  EXPECT_EQ(StateName(v1::OPERATIONAL_STATE_ATTESTING), "ATTESTING");
  for (const char* s :
       {"attesting", "ATTESTING", "Operational_State_Attesting"}) {
    absl::StatusOr<v1::OperationalState> st = ParseState(s);
    ASSERT_TRUE(st.ok()) << s;
    EXPECT_EQ(*st, v1::OPERATIONAL_STATE_ATTESTING);
  }
  absl::StatusOr<v1::OperationalState> bad = ParseState("sleeping");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'sleeping'"));
  EXPECT_THAT(bad.status().message(), HasSubstr("failed"));
  EXPECT_FALSE(ParseState("unspecified").ok());
}

TEST(ProtoFormatTest, KindsSeveritiesBanks) {
  EXPECT_EQ(EventKindName(v1::EVENT_KIND_ATTESTATION_FAILED),
            "ATTESTATION_FAILED");
  EXPECT_EQ(*ParseEventKind("attestation-failed"),
            v1::EVENT_KIND_ATTESTATION_FAILED);
  EXPECT_EQ(SeverityLabel(v1::SEVERITY_CRITICAL), "critical");
  EXPECT_EQ(SeverityLabel(v1::SEVERITY_UNSPECIFIED), "");
  EXPECT_EQ(*ParseSeverity("warning"), v1::SEVERITY_WARNING);
  EXPECT_FALSE(ParseSeverity("loud").ok());
  EXPECT_EQ(*ParseBank("sha384"), v1::HASH_ALGORITHM_SHA384);
  EXPECT_EQ(BankDigestSize(v1::HASH_ALGORITHM_SHA1), 20u);
  EXPECT_EQ(*ParsePolicyKind("boot"), v1::POLICY_KIND_BOOT);
  EXPECT_EQ(PolicyKindName(v1::POLICY_KIND_RUNTIME), "runtime");
}

TEST(ProtoFormatTest, TimesAndJson) {
  google::protobuf::Timestamp t;
  EXPECT_EQ(FormatTime(t), "");
  t.set_seconds(1795612801);  // 2026-11-25T13:20:01Z
  t.set_nanos(5);
  EXPECT_EQ(FormatTime(t), "2026-11-25T13:20:01Z");
  v1::Agent a;
  a.set_agent_id("node-1");
  a.set_state(v1::OPERATIONAL_STATE_FAILED);
  nlohmann::json j = ProtoJson(a);
  EXPECT_EQ(j["agent_id"], "node-1");
  EXPECT_EQ(j["state"], "OPERATIONAL_STATE_FAILED");
  EXPECT_EQ(j["attestation_count"], "0");  // uint64 is a string in proto3 JSON
}

}  // namespace
}  // namespace candor::tenant
