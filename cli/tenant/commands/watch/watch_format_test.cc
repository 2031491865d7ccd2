#include "cli/tenant/commands/watch/watch_format.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

v1::AttestationEvent Parse(const std::string& text) {
  v1::AttestationEvent e;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &e)) << text;
  return e;
}

TEST(WatchFormatTest, FailedEventLine) {
  v1::AttestationEvent e = Parse(R"pb(
    cursor: "c9"
    agent_id: "node-3"
    time { seconds: 1795612801 }
    kind: EVENT_KIND_ATTESTATION_FAILED
    state: OPERATIONAL_STATE_FAILED
    previous_state: OPERATIONAL_STATE_ATTESTING
    severity: SEVERITY_CRITICAL
    failures {
      id: "ima.not_in_policy"
      severity: SEVERITY_CRITICAL
      context { key: "path" value: "/usr/bin/evil" }
    }
  )pb");
  EXPECT_EQ(
      EventLine(e),
      "2026-11-25T13:20:01Z  node-3  ATTESTATION_FAILED  "
      "ATTESTING->FAILED  critical  ima.not_in_policy path=/usr/bin/evil");
  nlohmann::json j = nlohmann::json::parse(EventJsonLine(e));
  EXPECT_EQ(j["cursor"], "c9");
  EXPECT_EQ(j["kind"], "EVENT_KIND_ATTESTATION_FAILED");
  EXPECT_EQ(j["failures"][0]["context"]["path"], "/usr/bin/evil");
  EXPECT_EQ(EventJsonLine(e).find('\n'), std::string::npos);
}

TEST(WatchFormatTest, SpecialKinds) {
  v1::AttestationEvent passed = Parse(R"pb(
    agent_id: "n"
    time { seconds: 1795612801 }
    kind: EVENT_KIND_ATTESTATION_PASSED
    state: OPERATIONAL_STATE_ATTESTING
    previous_state: OPERATIONAL_STATE_ATTESTING
  )pb");
  EXPECT_EQ(EventLine(passed),
            "2026-11-25T13:20:01Z  n  ATTESTATION_PASSED  ATTESTING  -");
  v1::AttestationEvent revoked = Parse(R"pb(
    agent_id: "n"
    kind: EVENT_KIND_REVOCATION_SENT
    state: OPERATIONAL_STATE_FAILED
  )pb");
  EXPECT_THAT(EventLine(revoked),
              ::testing::HasSubstr("revocation notice sent"));
  v1::AttestationEvent share = Parse(R"pb(
    agent_id: "n"
    kind: EVENT_KIND_KEY_SHARE_DELIVERED
    state: OPERATIONAL_STATE_ATTESTING
    key_share { key_recombined: true payload_decrypted: true }
  )pb");
  EXPECT_THAT(EventLine(share),
              ::testing::HasSubstr(
                  "V share delivered: key recombined, payload decrypted"));
  v1::AttestationEvent deleted = Parse(R"pb(
    agent_id: "n"
    kind: EVENT_KIND_AGENT_DELETED
    previous_state: OPERATIONAL_STATE_STOPPED
  )pb");
  EXPECT_THAT(EventLine(deleted), ::testing::HasSubstr("STOPPED->DELETED"));
}

TEST(WatchFormatTest, Heartbeats) {
  v1::Heartbeat h;
  h.set_cursor("c7");
  h.mutable_time()->set_seconds(1795612801);
  EXPECT_EQ(HeartbeatLine(h), "2026-11-25T13:20:01Z  (heartbeat)  cursor=c7");
  nlohmann::json j = nlohmann::json::parse(HeartbeatJsonLine(h));
  EXPECT_EQ(j["heartbeat"]["cursor"], "c7");
}

}  // namespace
}  // namespace candor::tenant
